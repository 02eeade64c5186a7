#include "syntax/lexer.h"

#include <string_view>
#include <unordered_map>

#include "SMDLLexer.h"

namespace smdl {
namespace {

using L = smdl_grammar::SMDLLexer;

bool IsDigit(char32_t c) { return c >= '0' && c <= '9'; }
bool IsHex(char32_t c) { return IsDigit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'); }
bool IsLetter(char32_t c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_'; }

const std::unordered_map<std::u32string, size_t>& Keywords() {
  static const std::unordered_map<std::u32string, size_t> keywords = {
      {U"module", L::MODULE},     {U"import", L::IMPORT},     {U"enum", L::ENUM},         {U"record", L::RECORD},
      {U"ref", L::REF},           {U"list", L::LIST},         {U"map", L::MAP},           {U"override", L::OVERRIDE},
      {U"policy", L::POLICY},     {U"setting", L::SETTING},   {U"table", L::TABLE},       {U"hit", L::HIT},
      {U"calendar", L::CALENDAR}, {U"timezone", L::TIMEZONE}, {U"always", L::ALWAYS},     {U"holiday", L::HOLIDAY},
      {U"every", L::EVERY},       {U"working", L::WORKING},   {U"process", L::PROCESS},   {U"for", L::FOR},
      {U"on", L::ON},             {U"create", L::CREATE},     {U"sla", L::SLA},           {U"target", L::TARGET},
      {U"start", L::START},       {U"stop", L::STOP},         {U"pause", L::PAUSE},       {U"resume", L::RESUME},
      {U"reset", L::RESET},       {U"retarget", L::RETARGET}, {U"warn", L::WARN},         {U"at", L::AT},
      {U"breach", L::BREACH},     {U"enter", L::ENTER},       {U"leave", L::LEAVE},       {U"event", L::EVENT},
      {U"emit", L::EMIT},         {U"fire", L::FIRE},         {U"initial", L::INITIAL},   {U"final", L::FINAL},
      {U"state", L::STATE},       {U"after", L::AFTER},       {U"when", L::WHEN},         {U"test", L::TEST},
      {U"clock", L::CLOCK},       {U"let", L::LET},           {U"advance", L::ADVANCE},   {U"to", L::TO},
      {U"by", L::BY},             {U"expect", L::EXPECT},     {U"rejected", L::REJECTED}, {U"this", L::THIS},
      {U"in", L::IN},             {U"true", L::TRUE},         {U"false", L::FALSE},       {U"null", L::NUL},
      {U"role", L::ROLE},         {U"roles", L::ROLES},       {U"requires", L::REQUIRES}, {U"with", L::WITH},
      {U"if", L::IF},             {U"else", L::ELSE},         {U"index", L::INDEX},       {U"entry", L::ENTRY},
      {U"exit", L::EXIT},         {U"parallel", L::PARALLEL}, {U"holidays", L::HOLIDAYS}, {U"substitute", L::SUBSTITUTE},
  };
  return keywords;
}

struct Operator {
  std::u32string_view text;
  size_t type;
};

// Two-character operators first: the longest match wins.
const Operator kOperators[] = {
    {U"->", L::ARROW}, {U"=>", L::FATARROW}, {U"..", L::DOTDOT}, {U"==", L::EQ},    {U"!=", L::NE},
    {U"<=", L::LE},    {U">=", L::GE},       {U"&&", L::AND},    {U"||", L::OR},    {U"<", L::LT},
    {U">", L::GT},     {U"=", L::ASSIGN},    {U"!", L::NOT},     {U"+", L::PLUS},   {U"-", L::MINUS},
    {U"*", L::STAR},   {U"/", L::SLASH},     {U"%", L::PERCENT}, {U"?", L::QUESTION}, {U":", L::COLON},
    {U";", L::SEMI},   {U",", L::COMMA},     {U".", L::DOT},     {U"|", L::PIPE},   {U"(", L::LPAREN},
    {U")", L::RPAREN}, {U"[", L::LBRACKET},  {U"]", L::RBRACKET}, {U"{", L::LBRACE}, {U"}", L::RBRACE},
};

}  // namespace

// ESCAPE: \ [abfnrtv"'\\?`] | \x HH | \u HHHH | \U HHHHHHHH | \ [0-3][0-7][0-7]
size_t SmdlLexer::MatchEscape(size_t i) const {
  if (At(i) != '\\') return 0;
  char32_t c = At(i + 1);
  switch (c) {
    case 'a': case 'b': case 'f': case 'n': case 'r': case 't': case 'v':
    case '"': case '\'': case '\\': case '?': case '`':
      return 2;
    default: break;
  }
  auto hex = [&](size_t from, size_t count) {
    for (size_t k = 0; k < count; ++k)
      if (!IsHex(At(from + k))) return false;
    return true;
  };
  if ((c == 'x' || c == 'X') && hex(i + 2, 2)) return 4;
  if (c == 'u' && hex(i + 2, 4)) return 6;
  if (c == 'U' && hex(i + 2, 8)) return 10;
  if (c >= '0' && c <= '3' && At(i + 2) >= '0' && At(i + 2) <= '7' && At(i + 3) >= '0' && At(i + 3) <= '7') return 4;
  return 0;
}

// STRING_BODY: the longest of the quoted forms, raw (r-prefixed) or not; 0 if none.
size_t SmdlLexer::MatchStringBody(size_t i) const {
  bool raw = At(i) == 'r' || At(i) == 'R';
  size_t q = raw ? i + 1 : i;
  char32_t quote = At(q);
  if (quote != '"' && quote != '\'') return 0;
  size_t best = 0;
  // Triple-quoted: the first closing triple ends it (non-greedy).
  if (At(q + 1) == quote && At(q + 2) == quote) {
    for (size_t k = q + 3; k < text_.size();) {
      if (At(k) == quote && At(k + 1) == quote && At(k + 2) == quote) { best = k + 3 - i; break; }
      if (!raw && At(k) == '\\') {
        size_t e = MatchEscape(k);
        if (e == 0) break;
        k += e;
      } else {
        ++k;
      }
    }
  }
  // Single-quoted: no line breaks inside.
  for (size_t k = q + 1; k < text_.size();) {
    char32_t c = At(k);
    if (c == quote) { best = std::max(best, k + 1 - i); break; }
    if (c == '\n' || c == '\r') break;
    if (!raw && c == '\\') {
      size_t e = MatchEscape(k);
      if (e == 0) break;
      k += e;
    } else {
      ++k;
    }
  }
  return best;
}

// DOUBLE, UINT and INT; the longest wins, DOUBLE before UINT before INT on ties.
size_t SmdlLexer::MatchNumber(size_t i, size_t& type) const {
  auto digits = [&](size_t from) {
    size_t k = from;
    while (IsDigit(At(k))) ++k;
    return k - from;
  };
  auto exponent = [&](size_t from) -> size_t {
    if (At(from) != 'e' && At(from) != 'E') return 0;
    size_t k = from + 1;
    if (At(k) == '+' || At(k) == '-') ++k;
    size_t d = digits(k);
    return d == 0 ? 0 : k + d - from;
  };
  size_t best = 0;
  type = L::INT;
  auto offer = [&](size_t length, size_t t) {
    if (length > best) { best = length; type = t; }
  };
  size_t d = digits(i);
  if (d > 0) {
    if (At(i + d) == '.') {
      size_t f = digits(i + d + 1);
      if (f > 0) offer(d + 1 + f + exponent(i + d + 1 + f), L::DOUBLE);
    }
    if (size_t e = exponent(i + d)) offer(d + e, L::DOUBLE);
  } else if (At(i) == '.') {
    size_t f = digits(i + 1);
    if (f > 0) offer(1 + f + exponent(i + 1 + f), L::DOUBLE);
  }
  size_t hex = 0;
  if (At(i) == '0' && At(i + 1) == 'x') {
    size_t k = i + 2;
    while (IsHex(At(k))) ++k;
    if (k > i + 2) hex = k - i;
  }
  size_t integer = std::max(d, hex);
  if (integer > 0 && (At(i + integer) == 'u' || At(i + integer) == 'U')) offer(integer + 1, L::UINT);
  if (d > 0 && (At(i + d) == 'u' || At(i + d) == 'U')) offer(d + 1, L::UINT);
  offer(integer, L::INT);
  return best;
}

size_t SmdlLexer::MatchIdentifier(size_t i) const {
  if (!IsLetter(At(i))) return 0;
  size_t k = i + 1;
  while (IsLetter(At(k)) || IsDigit(At(k))) ++k;
  return k - i;
}

void SmdlLexer::Advance(size_t count) {
  for (size_t k = 0; k < count; ++k, ++pos_) {
    if (text_[pos_] == '\n') { ++line_; column_ = 0; }
    else ++column_;
  }
}

std::unique_ptr<antlr4::Token> SmdlLexer::nextToken() {
  // Skip whitespace and comments.
  for (;;) {
    char32_t c = At(pos_);
    if (pos_ < text_.size() && (c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\f')) {
      Advance(1);
    } else if (c == '/' && At(pos_ + 1) == '/') {
      size_t k = pos_ + 2;
      while (k < text_.size() && At(k) != '\n' && At(k) != '\r') ++k;
      Advance(k - pos_);
    } else if (c == '/' && At(pos_ + 1) == '*') {
      size_t k = pos_ + 2;
      while (k < text_.size() && !(At(k) == '*' && At(k + 1) == '/')) ++k;
      if (k >= text_.size()) break;  // unterminated: '/' and '*' are tokens
      Advance(k + 2 - pos_);
    } else {
      break;
    }
  }
  size_t start = pos_, line = line_, column = column_;
  size_t length = 0, type = L::ERROR_CHAR;
  if (pos_ >= text_.size()) {
    auto eof = std::make_unique<antlr4::CommonToken>(std::make_pair(this, input_), antlr4::Token::EOF,
                                                     antlr4::Token::DEFAULT_CHANNEL, start, start - 1);
    eof->setLine(line);
    eof->setCharPositionInLine(column);
    eof->setText("<EOF>");
    return eof;
  }
  auto offer = [&](size_t l, size_t t) {
    if (l > length) { length = l; type = t; }
  };
  char32_t c = At(pos_);
  if (IsDigit(c) || c == '.') {
    size_t number_type = L::INT;
    size_t number_length = MatchNumber(pos_, number_type);
    offer(number_length, number_type);
  }
  if (c == '"' || c == '\'' || c == 'r' || c == 'R') offer(MatchStringBody(pos_), L::STRING);
  if (c == 'b' || c == 'B') {
    if (size_t body = MatchStringBody(pos_ + 1)) offer(1 + body, L::BYTES);
  }
  if ((c == 'r' || c == 'R') && (At(pos_ + 1) == 'b' || At(pos_ + 1) == 'B')) {
    if (size_t body = MatchStringBody(pos_ + 2)) offer(2 + body, L::BYTES);
  }
  if (size_t id = MatchIdentifier(pos_); id > length) {
    length = id;
    auto it = Keywords().find(text_.substr(pos_, id));
    type = it == Keywords().end() ? static_cast<size_t>(L::IDENTIFIER) : it->second;
  }
  for (const auto& op : kOperators) {
    if (op.text.size() <= length) continue;
    if (text_.compare(pos_, op.text.size(), op.text.data(), op.text.size()) == 0) offer(op.text.size(), op.type);
  }
  if (length == 0) length = 1;  // ERROR_CHAR: any one code point
  Advance(length);
  auto token = std::make_unique<antlr4::CommonToken>(std::make_pair(this, input_), type,
                                                     antlr4::Token::DEFAULT_CHANNEL, start, start + length - 1);
  token->setLine(line);
  token->setCharPositionInLine(column);
  return token;
}

}  // namespace smdl
