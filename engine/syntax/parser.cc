// The only file, with ast_builder.cc, that sees ANTLR. It turns text into
// tokens, guards against hostile input, runs the generated parser (fast SLL
// first, full LL with error recovery only when SLL fails) and hands the parse
// tree to the AST builder.
#include "syntax/parser.h"

#include <algorithm>
#include <exception>

#include "SMDLLexer.h"
#include "SMDLParser.h"
#include "antlr4-runtime.h"
#include "base/utf8.h"
#include "syntax/ast_builder.h"
#include "syntax/lexer.h"

namespace smdl {
namespace {

using smdl_grammar::SMDLLexer;
using smdl_grammar::SMDLParser;

// Thrown by the error listener to stop recovery after too many errors; caught below.
struct TooManyErrors : std::exception {};

std::string DescribeToken(antlr4::Token* token) {
  if (token == nullptr || token->getType() == antlr4::Token::EOF) return "end of file";
  std::string text = token->getText();
  if (text.size() > 40) text = text.substr(0, 37) + "...";
  return "'" + text + "'";
}

// Rewrites ANTLR's messages into shorter ones a process designer can act on.
std::string FriendlyMessage(const std::string& msg, antlr4::Token* token) {
  std::string what = DescribeToken(token);
  auto expecting = msg.find(" expecting ");
  if (msg.rfind("mismatched input", 0) == 0 || msg.rfind("extraneous input", 0) == 0) {
    if (expecting == std::string::npos) return "unexpected " + what;
    std::string set = msg.substr(expecting + 11);
    if (!set.empty() && set.front() == '{') set = set.substr(1, set.size() - 2);
    if (std::count(set.begin(), set.end(), ',') >= 4) return "unexpected " + what;
    std::string out;
    for (size_t pos = 0; pos <= set.size();) {
      size_t comma = set.find(", ", pos);
      std::string item = set.substr(pos, comma == std::string::npos ? std::string::npos : comma - pos);
      if (item == "<EOF>") item = "end of file";
      if (!out.empty()) out += comma == std::string::npos ? " or " : ", ";
      out += item;
      if (comma == std::string::npos) break;
      pos = comma + 2;
    }
    return "unexpected " + what + ", expected " + out;
  }
  if (msg.rfind("missing ", 0) == 0) {
    auto at = msg.find(" at ");
    std::string missing = msg.substr(8, at == std::string::npos ? std::string::npos : at - 8);
    return "expected " + missing + " before " + what;
  }
  return "unexpected " + what;
}

class ErrorListener : public antlr4::BaseErrorListener {
 public:
  ErrorListener(Diagnostics& diags, uint32_t file, size_t max_errors)
      : diags_(diags), file_(file), max_errors_(max_errors) {}

  void syntaxError(antlr4::Recognizer*, antlr4::Token* token, size_t line, size_t column,
                   const std::string& msg, std::exception_ptr) override {
    SourceRange range = token ? TokenRange(file_, token)
                              : SourceRange{file_, static_cast<uint32_t>(line), static_cast<uint32_t>(column + 1),
                                            static_cast<uint32_t>(line), static_cast<uint32_t>(column + 2)};
    diags_.Error("E1001", range, FriendlyMessage(msg, token));
    if (++count_ >= max_errors_) {
      diags_.Note(range, "too many syntax errors; stopping here");
      throw TooManyErrors();
    }
  }

  size_t count() const { return count_; }

 private:
  Diagnostics& diags_;
  uint32_t file_;
  size_t max_errors_;
  size_t count_ = 0;
};

// Reports characters no token matches and hides them from the parser.
void ReportStrayCharacters(antlr4::CommonTokenStream& tokens, Diagnostics& diags, uint32_t file,
                           size_t max_errors) {
  size_t reported = 0;
  size_t previous_end = SIZE_MAX;
  for (antlr4::Token* t : tokens.getTokens()) {
    if (t->getType() != SMDLLexer::ERROR_CHAR) continue;
    if (auto* w = dynamic_cast<antlr4::WritableToken*>(t)) w->setChannel(antlr4::Token::HIDDEN_CHANNEL);
    bool continues_run = t->getStartIndex() == previous_end + 1;
    previous_end = t->getStopIndex();
    if (continues_run || reported >= max_errors) continue;  // one diagnostic per run of garbage
    ++reported;
    std::string text = t->getText();
    std::string shown = text == "\"" || text == "'" ? "unterminated string starting with " + text
                                                     : "unexpected character '" + text + "'";
    if (!text.empty() && static_cast<unsigned char>(text[0]) < 0x20)
      shown = "unexpected control character (code " + std::to_string(static_cast<unsigned char>(text[0])) + ")";
    diags.Error("E1002", TokenRange(file, t), shown);
  }
}

// Bracket and conditional nesting, and runs of prefix operators, measured on
// tokens before parsing, so that the recursive-descent parser never recurses
// deeper than the limit.
bool CheckNesting(antlr4::CommonTokenStream& tokens, Diagnostics& diags, uint32_t file, size_t limit) {
  std::vector<size_t> ternaries_at_level{0};
  size_t depth = 0;
  size_t prefix_run = 0;  // consecutive ! and - tokens: each may open a level
  for (antlr4::Token* t : tokens.getTokens()) {
    if (t->getChannel() != antlr4::Token::DEFAULT_CHANNEL) continue;
    bool prefix = t->getType() == SMDLLexer::NOT || t->getType() == SMDLLexer::MINUS;
    prefix_run = prefix ? prefix_run + 1 : 0;
    switch (t->getType()) {
      case SMDLLexer::LPAREN: case SMDLLexer::LBRACKET: case SMDLLexer::LBRACE:
        ++depth;
        ternaries_at_level.push_back(0);
        break;
      case SMDLLexer::QUESTION:
        ++depth;
        ++ternaries_at_level.back();
        break;
      case SMDLLexer::RPAREN: case SMDLLexer::RBRACKET: case SMDLLexer::RBRACE:
        depth -= ternaries_at_level.back();
        if (ternaries_at_level.size() > 1) { ternaries_at_level.pop_back(); --depth; }
        else ternaries_at_level.back() = 0;
        break;
      case SMDLLexer::SEMI:
        depth -= ternaries_at_level.back();
        ternaries_at_level.back() = 0;
        break;
      default:
        break;
    }
    if (depth + prefix_run > limit) {
      diags.Error("E1003", TokenRange(file, t),
                  "nesting is too deep (more than " + std::to_string(limit) + " levels)");
      return false;
    }
  }
  return true;
}

// Runs `parse` with SLL prediction and bail-out first; on failure, again with
// full LL and error recovery, reporting through `listener`.
template <typename Context>
Context* RunParser(SMDLParser& parser, antlr4::CommonTokenStream& tokens, ErrorListener& listener,
                   Context* (SMDLParser::*rule)()) {
  parser.removeErrorListeners();
  parser.setErrorHandler(std::make_shared<antlr4::BailErrorStrategy>());
  parser.getInterpreter<antlr4::atn::ParserATNSimulator>()->setPredictionMode(antlr4::atn::PredictionMode::SLL);
  try {
    return (parser.*rule)();
  } catch (const antlr4::ParseCancellationException&) {
  } catch (const antlr4::RecognitionException&) {
  }
  tokens.seek(0);
  parser.reset();
  parser.addErrorListener(&listener);
  parser.setErrorHandler(std::make_shared<antlr4::DefaultErrorStrategy>());
  parser.getInterpreter<antlr4::atn::ParserATNSimulator>()->setPredictionMode(antlr4::atn::PredictionMode::LL);
  return (parser.*rule)();
}

// Shared front half: validation, lexing and the nesting check. Returns false
// when the text cannot be parsed at all.
struct Prepared {
  std::unique_ptr<antlr4::ANTLRInputStream> input;
  std::u32string code_points;
  std::unique_ptr<SmdlLexer> lexer;
  std::unique_ptr<antlr4::CommonTokenStream> tokens;
};

bool Prepare(uint32_t file, std::string_view text, Diagnostics& diags, const ParseLimits& limits,
             ErrorListener& listener, Prepared& out) {
  if (text.size() > limits.max_file_bytes) {
    diags.Error("E1004", SourceRange{file, 1, 1, 1, 1},
                "file is too large (" + std::to_string(text.size()) + " bytes; the limit is " +
                    std::to_string(limits.max_file_bytes) + ")");
    return false;
  }
  std::string utf8;
  size_t bad = FindInvalidUtf8(text);
  if (bad != std::string_view::npos) {
    uint32_t line = 1 + static_cast<uint32_t>(std::count(text.begin(), text.begin() + bad, '\n'));
    size_t line_start = text.rfind('\n', bad == 0 ? 0 : bad - 1);
    line_start = (line_start == std::string_view::npos || bad == 0) ? 0 : line_start + 1;
    uint32_t col = 1 + static_cast<uint32_t>(CodePointCount(text.substr(line_start, bad - line_start)));
    diags.Error("E1005", SourceRange{file, line, col, line, col + 1}, "invalid UTF-8 in source text");
    // Go on with the bad bytes replaced, to report the other mistakes too.
    for (char32_t cp : DecodeUtf8Lossy(text)) AppendUtf8(cp, utf8);
    text = utf8;
  }
  out.input = std::make_unique<antlr4::ANTLRInputStream>(std::string(text));
  out.code_points = DecodeUtf8Lossy(text);
  out.lexer = std::make_unique<SmdlLexer>(out.code_points, out.input.get());
  out.tokens = std::make_unique<antlr4::CommonTokenStream>(out.lexer.get());
  out.tokens->fill();
  ReportStrayCharacters(*out.tokens, diags, file, limits.max_errors);
  return CheckNesting(*out.tokens, diags, file, limits.max_nesting);
}

}  // namespace

std::unique_ptr<ast::Module> ParseModule(uint32_t file, std::string_view text, Diagnostics& diags,
                                         const ParseLimits& limits) {
  auto module = std::make_unique<ast::Module>();
  module->file = file;
  ErrorListener listener(diags, file, limits.max_errors);
  try {
    Prepared p;
    if (!Prepare(file, text, diags, limits, listener, p)) return module;
    SMDLParser parser(p.tokens.get());
    SMDLParser::FileContext* tree = RunParser(parser, *p.tokens, listener, &SMDLParser::file);
    if (listener.count() > 0) return module;  // a tree with errors is not worth checking
    AstBuilder builder(diags, file, limits);
    builder.BuildFile(tree, *module);
  } catch (const TooManyErrors&) {
  } catch (const std::exception& e) {
    diags.Error("E1000", SourceRange{file, 1, 1, 1, 1}, std::string("internal parser error: ") + e.what());
  }
  return module;
}

ast::ExprPtr ParseExpression(uint32_t file, std::string_view text, Diagnostics& diags, const ParseLimits& limits) {
  ErrorListener listener(diags, file, limits.max_errors);
  try {
    Prepared p;
    if (!Prepare(file, text, diags, limits, listener, p)) return nullptr;
    SMDLParser parser(p.tokens.get());
    SMDLParser::ExprOnlyContext* tree = RunParser(parser, *p.tokens, listener, &SMDLParser::exprOnly);
    if (listener.count() > 0) return nullptr;
    AstBuilder builder(diags, file, limits);
    return builder.BuildExpr(tree->expr(), 0);
  } catch (const TooManyErrors&) {
  } catch (const std::exception& e) {
    diags.Error("E1000", SourceRange{file, 1, 1, 1, 1}, std::string("internal parser error: ") + e.what());
  }
  return nullptr;
}

}  // namespace smdl
