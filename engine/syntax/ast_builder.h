// Turns an ANTLR parse tree into the AST. Internal to engine/syntax.
#pragma once

#include "SMDLParser.h"
#include "smdl/diagnostics.h"
#include "syntax/ast.h"
#include "syntax/parser.h"

namespace smdl {

SourceRange TokenRange(uint32_t file, antlr4::Token* token);

class AstBuilder {
 public:
  AstBuilder(Diagnostics& diags, uint32_t file, const ParseLimits& limits)
      : diags_(diags), file_(file), limits_(limits) {}

  void BuildFile(smdl_grammar::SMDLParser::FileContext* ctx, ast::Module& out);
  // `depth` counts the expression levels above this one, to cut runaway trees.
  ast::ExprPtr BuildExpr(smdl_grammar::SMDLParser::ExprContext* ctx, size_t depth);

 private:
  using P = smdl_grammar::SMDLParser;

  SourceRange Range(antlr4::ParserRuleContext* ctx) const;
  SourceRange Range(antlr4::Token* token) const { return TokenRange(file_, token); }
  SourceRange Range(antlr4::tree::TerminalNode* node) const { return TokenRange(file_, node->getSymbol()); }
  ast::Ident Ident(P::IdentContext* ctx) const;
  ast::QualifiedName Qualified(P::QualifiedNameContext* ctx) const;
  std::string StringLiteral(antlr4::tree::TerminalNode* node);

  ast::TypeRef Type(P::TypeRefContext* ctx);
  std::vector<ast::Param> Params(P::ParamsContext* ctx);
  void Declaration(P::DeclarationContext* ctx, ast::Module& out);
  ast::EnumDecl Enum(P::EnumDeclContext* ctx);
  ast::RecordDecl Record(P::RecordDeclContext* ctx);
  ast::PolicyDecl Policy(P::PolicyDeclContext* ctx);
  ast::SettingDecl Setting(P::SettingDeclContext* ctx);
  ast::TableDecl Table(P::TableDeclContext* ctx);
  ast::CalendarDecl Calendar(P::CalendarDeclContext* ctx);
  ast::ClockTime Clock(P::ClockTimeContext* ctx);
  ast::HolidaySetDecl HolidaySet(P::HolidaysDeclContext* ctx);
  // A holiday or substitute line of a calendar or holiday set, added to the
  // lists given; false for any other item.
  bool HolidayLine(P::CalendarItemContext* item, const std::string& owner, std::vector<ast::CalendarDate>& dates,
                   std::vector<ast::MovableHoliday>& movable, std::optional<ast::SubstituteLine>& substitute);
  ast::ProcessDecl Process(P::ProcessDeclContext* ctx);
  ast::SlaDecl Sla(P::SlaDeclContext* ctx);
  ast::SlaAction SlaAct(P::SlaActionContext* ctx);
  // Appends the state and, after it, its children (recursively) to `states`.
  void State(P::StateDeclContext* ctx, int parent, std::vector<ast::StateDecl>& states);
  ast::Transition Transition(P::TransitionContext* ctx);
  std::vector<ast::Action> Actions(P::ActionBlockContext* ctx);
  ast::Action If(P::IfActionContext* ctx);
  void ActorClause(P::ActorClauseContext* ctx, ast::TestStep& step);
  std::vector<ast::FieldInit> Payload(P::PayloadContext* ctx);
  ast::TestDecl Test(P::TestDeclContext* ctx);

  ast::ExprPtr Expr(P::ExprContext* ctx, size_t depth) { return BuildExpr(ctx, depth); }
  ast::ExprPtr Unary(ast::Op op, size_t count, P::ExprContext* operand, P::ExprContext* ctx, size_t depth);
  ast::ExprPtr Primary(P::PrimaryContext* ctx, size_t depth);
  ast::ExprPtr Literal(P::LiteralContext* ctx, bool negated);
  ast::ExprPtr TooDeep(antlr4::ParserRuleContext* ctx);
  ast::ExprPtr Binary(ast::Op op, ast::ExprPtr lhs, ast::ExprPtr rhs);

  Diagnostics& diags_;
  uint32_t file_;
  const ParseLimits& limits_;
  bool reported_depth_ = false;
};

}  // namespace smdl
