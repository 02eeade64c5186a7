#include "syntax/parser.h"

#include <catch2/catch.hpp>
#include <string>

#include "syntax/literals.h"

using namespace smdl;

namespace {

struct Parsed {
  SourceManager sources;
  Diagnostics diags;
  std::unique_ptr<ast::Module> module;
};

std::unique_ptr<Parsed> Parse(const std::string& text, ParseLimits limits = {}) {
  auto p = std::make_unique<Parsed>();
  uint32_t file = p->sources.Add("t.smdl", text);
  p->module = ParseModule(file, p->sources.Text(file), p->diags, limits);
  return p;
}

ast::ExprPtr Expr(const std::string& text, Diagnostics& diags) {
  return ParseExpression(1, text, diags);
}

}  // namespace

TEST_CASE("a module with every kind of declaration parses", "[parser]") {
  auto p = Parse(R"(
module demo.all;
import iso20000.core;
enum Color { red, green, }
record R { a: int = 1; b: list<string>; c: map<string, int>?; d: ref R?; }
policy f(x: int) -> int = x * 2;
setting s: duration = duration("1h");
table t(x: int) -> string { hit first; | x | => | | < 0 | "neg" | | - | "other" | }
calendar c { timezone "UTC"; mon..fri 08:00-12:00, 13:00-17:00; sat 22:00-06:00; holiday "2026-12-25"; holiday every "01-01"; working "2026-12-27"; }
process P for R {
  on create { a = 2; }
  sla s1 { target duration("1h"); calendar c; start on create; stop on enter done; pause in wait; retarget keep; warn at 50% emit "w"; breach emit "b" { n: 1 } -> done; }
  initial state open { on go(n: int) when n > 0 -> wait { a = n; emit "went" { n: n }; } when a > 5 -> done; }
  state wait { after duration("2h") -> done; on poke { this.a = 0; } }
  final state done;
}
test "t" { clock "2026-01-01T00:00:00Z"; let r = create R { b: [] }; fire r.go(n: 1) by "alice"; fire r.go(n: 0) rejected; advance by duration("1h"); advance to "2026-01-02T00:00:00Z"; expect r.state == "done"; }
)");
  INFO(p->diags.RenderText(p->sources));
  REQUIRE_FALSE(p->diags.HasErrors());
  const auto& m = *p->module;
  CHECK(m.name == "demo.all");
  CHECK(m.imports.size() == 1);
  CHECK(m.enums[0].values.size() == 2);
  CHECK(m.records[0].fields.size() == 4);
  CHECK(m.records[0].fields[2].type.optional);
  CHECK(m.records[0].fields[3].type.kind == ast::TypeRef::Kind::kRef);
  CHECK(m.tables[0].rows.size() == 2);
  CHECK(m.tables[0].rows[0].inputs[0].kind == ast::TableCell::Kind::kCompare);
  CHECK(m.calendars[0].hours.size() == 2);
  CHECK(m.calendars[0].hours[1].intervals[0].first.hour == 22);
  CHECK(m.calendars[0].holidays[1].recurring);
  const auto& proc = m.processes[0];
  CHECK(proc.has_on_create);
  CHECK(proc.slas[0].breach.size() == 2);
  CHECK(proc.slas[0].warnings[0].percent == 5000);  // hundredths of a percent
  CHECK(proc.states[0].is_initial);
  CHECK(proc.states[0].transitions[1].kind == ast::Transition::Kind::kAutomatic);
  CHECK(proc.states[1].transitions[0].kind == ast::Transition::Kind::kTimer);
  CHECK_FALSE(proc.states[1].transitions[1].target.has_value());
  CHECK(m.tests[0].steps.size() == 7);
  CHECK(m.tests[0].steps[3].expect_rejected);
}

TEST_CASE("CEL operator precedence", "[parser]") {
  Diagnostics diags;
  auto e = Expr("a || b && c == d + e * f", diags);
  REQUIRE(e);
  CHECK(e->op == ast::Op::kOr);
  CHECK(e->args[1]->op == ast::Op::kAnd);
  CHECK(e->args[1]->args[1]->op == ast::Op::kEq);
  CHECK(e->args[1]->args[1]->args[1]->op == ast::Op::kAdd);
  CHECK(e->args[1]->args[1]->args[1]->args[1]->op == ast::Op::kMul);
  auto t = Expr("a ? b : c ? d : e", diags);
  REQUIRE(t);
  CHECK(t->kind == ast::ExprKind::kTernary);
  CHECK(t->args[2]->kind == ast::ExprKind::kTernary);
  CHECK_FALSE(diags.HasErrors());
}

TEST_CASE("keywords stay usable as names", "[parser]") {
  Diagnostics diags;
  auto e = Expr("items.map(x, x.state).filter(state, state != 'closed')", diags);
  REQUIRE(e);
  CHECK_FALSE(diags.HasErrors());
  CHECK(e->name == "filter");
}

TEST_CASE("integer literals at the edges of int64", "[parser]") {
  Diagnostics diags;
  auto min = Expr("-9223372036854775808", diags);
  REQUIRE(min);
  CHECK(min->int_value == INT64_MIN);
  CHECK_FALSE(diags.HasErrors());
  auto over = Expr("9223372036854775808", diags);
  CHECK(diags.HasErrors());
  Diagnostics d2;
  auto u = Expr("18446744073709551615u", d2);
  CHECK(u->uint_value == UINT64_MAX);
  CHECK_FALSE(d2.HasErrors());
}

TEST_CASE("string literal escapes", "[parser]") {
  std::string error;
  CHECK(*DecodeQuotedLiteral(R"("a\nb")", false, error) == "a\nb");
  CHECK(*DecodeQuotedLiteral(R"('\u00e4')", false, error) == "\xc3\xa4");
  CHECK(*DecodeQuotedLiteral(R"(r"\n")", false, error) == "\\n");
  CHECK(*DecodeQuotedLiteral(R"("""two
lines""")", false, error) == "two\nlines");
  CHECK(*DecodeQuotedLiteral(R"(b"\xff\000")", true, error) == std::string("\xff\0", 2));
  CHECK(*DecodeQuotedLiteral(R"("\101")", false, error) == "A");
  CHECK_FALSE(DecodeQuotedLiteral(R"("\q")", false, error));
  CHECK(error == "unknown escape sequence \\q");
  CHECK_FALSE(DecodeQuotedLiteral(R"("\ud800")", false, error));
}

TEST_CASE("syntax errors point at the offending token", "[parser]") {
  auto p = Parse("module m;\nrecord R {\n  a int;\n}\n");
  REQUIRE(p->diags.ErrorCount() >= 1);
  const auto& d = p->diags.all()[0];
  CHECK(d.code == "E1001");
  CHECK(d.range.line == 3);
  CHECK(d.range.column == 5);
  CHECK(d.message == "expected ':' before 'int'");
}

TEST_CASE("hostile input: deep nesting is a diagnostic, not a stack overflow", "[parser][limits]") {
  std::string deep = "policy p() -> int = " + std::string(100000, '(') + "1" + std::string(100000, ')') + ";";
  auto p = Parse(deep);
  REQUIRE(p->diags.HasErrors());
  CHECK(p->diags.all()[0].code == "E1003");

  std::string ternaries = "policy p() -> int = ";
  for (int i = 0; i < 5000; ++i) ternaries += "true ? 1 : ";
  ternaries += "0;";
  auto q = Parse(ternaries);
  REQUIRE(q->diags.HasErrors());
  CHECK(q->diags.all()[0].code == "E1003");
}

TEST_CASE("hostile input: long operator chains are cut at the depth limit", "[parser][limits]") {
  std::string chain = "policy p() -> int = 1";
  for (int i = 0; i < 100000; ++i) chain += " + 1";
  chain += ";";
  auto p = Parse(chain);
  REQUIRE(p->diags.HasErrors());
  CHECK(p->diags.all()[0].code == "E1003");

  std::string ands = "policy p() -> bool = true";
  for (int i = 0; i < 100000; ++i) ands += " && true";
  ands += ";";
  auto q = Parse(ands);
  REQUIRE(q->diags.HasErrors());
  CHECK(q->diags.all()[0].code == "E1003");

  std::string nots = "policy p() -> bool = " + std::string(100000, '!') + "true;";
  auto r = Parse(nots);
  REQUIRE(r->diags.HasErrors());
  CHECK(r->diags.all()[0].code == "E1003");
}

TEST_CASE("hostile input: binary garbage and invalid UTF-8", "[parser][limits]") {
  std::string garbage;
  uint32_t x = 12345;
  for (int i = 0; i < 200000; ++i) {
    x = x * 1103515245 + 12345;
    garbage.push_back(static_cast<char>(x >> 16));
  }
  auto p = Parse(garbage);
  CHECK(p->diags.HasErrors());
  CHECK(p->diags.ErrorCount() <= 60);  // recovery is capped

  auto q = Parse("module m;\nrecord R { a: int = \"\xff\xfe\"; }\n");
  REQUIRE(q->diags.HasErrors());
  CHECK(q->diags.all()[0].code == "E1005");
  CHECK(q->diags.all()[0].range.line == 2);
  CHECK(q->diags.all()[0].range.column == 22);
}

TEST_CASE("hostile input: a file over the size limit is refused with a diagnostic", "[parser][limits]") {
  ParseLimits limits;
  std::string big(50u << 20, ' ');
  auto p = Parse(big, limits);
  REQUIRE(p->diags.ErrorCount() == 1);
  CHECK(p->diags.all()[0].code == "E1004");
}

TEST_CASE("syntax error recovery stops after the limit", "[parser][limits]") {
  std::string many;
  for (int i = 0; i < 1000; ++i) many += "record { }\n";
  auto p = Parse(many);
  CHECK(p->diags.ErrorCount() == ParseLimits{}.max_errors);
}

TEST_CASE("warning thresholds are read in hundredths of a percent", "[syntax]") {
  auto p = Parse(R"(record T { a: int; }
process P for T {
  sla s { target duration("1h"); start on create; stop on enter b;
          warn at 84.4% emit "x"; warn at 99.95% emit "y"; warn at 1.234% emit "z"; }
  initial state a { on go -> b; }
  final state b;
})");
  REQUIRE(p->module);
  const auto& warnings = p->module->processes[0].slas[0].warnings;
  CHECK(warnings[0].percent == 8440);
  CHECK(ast::PercentText(warnings[0].percent) == "84.4");
  CHECK(warnings[1].percent == 9995);
  CHECK(ast::PercentText(warnings[1].percent) == "99.95");
  CHECK(ast::PercentText(505) == "5.05");
  REQUIRE(p->diags.ErrorCount() == 1);
  CHECK(p->diags.all()[0].code == "E3022");
}
