// The hand-written lexer against the one ANTLR generates from the grammar:
// the same tokens (type, position, text) on real modules, tricky literals
// and random input.
#include "syntax/lexer.h"

#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>

#include "SMDLLexer.h"
#include "base/utf8.h"

using namespace smdl;

namespace {

struct Tok {
  size_t type, start, stop, line, column;
  std::string text;
  bool operator==(const Tok& o) const {
    return type == o.type && start == o.start && stop == o.stop && line == o.line && column == o.column &&
           text == o.text;
  }
};

std::string Show(const std::vector<Tok>& tokens, size_t at) {
  std::ostringstream out;
  for (size_t i = at; i < tokens.size() && i < at + 3; ++i)
    out << "[" << tokens[i].type << " " << tokens[i].line << ":" << tokens[i].column << " '" << tokens[i].text << "'] ";
  return out.str();
}

std::vector<Tok> Collect(antlr4::TokenSource& source) {
  std::vector<Tok> out;
  for (;;) {
    auto t = source.nextToken();
    if (t->getChannel() == antlr4::Token::DEFAULT_CHANNEL)
      out.push_back(Tok{t->getType(), t->getStartIndex(), t->getStopIndex(), t->getLine(), t->getCharPositionInLine(),
                        t->getType() == antlr4::Token::EOF ? "" : t->getText()});
    if (t->getType() == antlr4::Token::EOF) break;
  }
  return out;
}

void ExpectSameTokens(const std::string& utf8) {
  antlr4::ANTLRInputStream generated_input(utf8);
  smdl_grammar::SMDLLexer generated(&generated_input);
  generated.removeErrorListeners();
  auto expected = Collect(generated);

  antlr4::ANTLRInputStream input(utf8);
  std::u32string code_points = DecodeUtf8Lossy(utf8);
  SmdlLexer lexer(code_points, &input);
  auto actual = Collect(lexer);

  size_t i = 0;
  while (i < expected.size() && i < actual.size() && expected[i] == actual[i]) ++i;
  INFO("input: " << utf8.substr(0, 200));
  INFO("first difference at token " << i << ": generated " << Show(expected, i) << " hand-written " << Show(actual, i));
  CHECK(i == expected.size());
  CHECK(i == actual.size());
}

}  // namespace

TEST_CASE("the hand-written lexer matches the grammar on real modules", "[lexer]") {
  size_t files = 0;
  for (const char* dir : {SMDL_SOURCE_DIR "/stdlib", SMDL_SOURCE_DIR "/examples", SMDL_SOURCE_DIR "/tests/fuzz/corpus",
                          SMDL_SOURCE_DIR "/tests/diagnostics"}) {
    if (!std::filesystem::exists(dir)) continue;
    for (const auto& entry : std::filesystem::recursive_directory_iterator(dir)) {
      if (!entry.is_regular_file() || entry.path().extension() != ".smdl") continue;
      std::ifstream in(entry.path(), std::ios::binary);
      std::stringstream buffer;
      buffer << in.rdbuf();
      std::string text = buffer.str();
      if (FindInvalidUtf8(text) != std::string::npos) continue;  // the parser replaces those first
      INFO(entry.path());
      ExpectSameTokens(text);
      ++files;
    }
  }
  CHECK(files >= 5);
}

TEST_CASE("the hand-written lexer matches the grammar on tricky literals", "[lexer]") {
  for (const char* text : {
           "1 1u 0x1F 0x1Fu 1.5 1e3 1.5e-3 .5 .5e2 1. 1.e 1..2 0x 08:00-18:00 1e 1E+",
           R"("a" 'b' "a\"b" 'a\'b' "\x41\u00e4\U0001F600\101" "\q" "unterminated)",
           "\"\"\"triple \"quoted\" \"\"\" '''x''' \"\"\" unterminated",
           R"(r"raw\n" R'raw' r"""raw""" b"bytes" B'x' br"raw" rb"x" rb'y' bR"z" r b rb)",
           "a->b => .. == != <= >= && || < > = ! + - * / % ? : ; , . | ( ) [ ] { }",
           "// line comment\n/* block\ncomment */ x /* unterminated",
           "module modules in inner true truthy null nullable this thisx _x x_1 \t\f\r\n",
           "é \x01 @ # $ ~ ^ & \\ ` \"\n\" 'a\nb'",
       }) {
    ExpectSameTokens(text);
  }
}

TEST_CASE("the hand-written lexer matches the grammar on random input", "[lexer]") {
  const std::vector<std::string> pieces = {
      "a", "r", "b", "rb", "x1", "in", "state", " ", "\n", "\t", "0", "1", "9", "0x", "u", "e", "E", ".", "..",
      "\"", "'", "\"\"\"", "'''", "\\", "\\n", "\\x4", "\\u00", "/", "*", "//", "/*", "*/", "-", ">", "=", "!",
      "&", "|", "<", "+", "?", ":", "{", "}", "(", ")", "[", "]", ";", ",", "%", "@", "é"};
  std::mt19937 rng(20261125);
  for (int round = 0; round < 3000; ++round) {
    std::string text;
    int n = static_cast<int>(rng() % 30);
    for (int k = 0; k < n; ++k) text += pieces[rng() % pieces.size()];
    ExpectSameTokens(text);
  }
}
