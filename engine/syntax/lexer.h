// A hand-written lexer for SMDL that produces the token types of
// grammar/SMDL.g4 (the generated lexer spent most of the parse in DFA
// look-ups behind a lock). It follows the grammar's lexer rules exactly:
// longest match, ties to the earlier rule; a unit test compares both lexers
// token by token. Whitespace and comments are dropped, not emitted.
// Internal to engine/syntax; it works on the ANTLR input stream's code points.
#pragma once

#include <memory>
#include <string>

#include "antlr4-runtime.h"

namespace smdl {

class SmdlLexer : public antlr4::TokenSource {
 public:
  // `text` holds the same code points as `input`; the lexer scans `text`
  // and hands tokens that refer to `input` for their text.
  SmdlLexer(const std::u32string& text, antlr4::CharStream* input) : text_(text), input_(input) {}

  std::unique_ptr<antlr4::Token> nextToken() override;
  size_t getLine() const override { return line_; }
  size_t getCharPositionInLine() override { return column_; }
  antlr4::CharStream* getInputStream() override { return input_; }
  std::string getSourceName() override { return input_->getSourceName(); }
  antlr4::TokenFactory<antlr4::CommonToken>* getTokenFactory() override {
    return antlr4::CommonTokenFactory::DEFAULT.get();
  }

 private:
  char32_t At(size_t i) const { return i < text_.size() ? text_[i] : 0; }
  size_t MatchEscape(size_t i) const;
  size_t MatchStringBody(size_t i) const;
  size_t MatchNumber(size_t i, size_t& type) const;
  size_t MatchIdentifier(size_t i) const;
  void Advance(size_t count);

  const std::u32string& text_;
  antlr4::CharStream* input_;
  size_t pos_ = 0;
  size_t line_ = 1;
  size_t column_ = 0;
};

}  // namespace smdl
