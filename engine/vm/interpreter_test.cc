#include "vm/interpreter.h"

#include <atomic>
#include <catch2/catch.hpp>
#include <thread>

#include "sema/checker.h"
#include "sema/expr_checker.h"
#include "syntax/parser.h"
#include "vm/compiler.h"

using namespace smdl;
using vm::Value;

namespace {

const char* kBase = R"(
module base;
enum Impact { low, medium, high }
enum Urgency { low, medium, high }
enum Priority { p1, p2, p3, p4 }

record Ticket {
  title: string;
  impact: Impact = Impact.medium;
  urgency: Urgency = Urgency.medium;
  priority: Priority = Priority.p3;
  tags: list<string> = [];
  assignee: string?;
  reopen_count: int = 0;
}

table priority(impact: Impact, urgency: Urgency) -> Priority {
  hit first;
  | impact        | urgency        | => |
  | Impact.high   | Urgency.high   | Priority.p1 |
  | Impact.high   | Urgency.medium | Priority.p2 |
  | Impact.medium | Urgency.high   | Priority.p2 |
  | Impact.low    | Urgency.low    | Priority.p4 |
  | -             | -              | Priority.p3 |
}

table escalations(reopens: int) -> list<string> {
  hit collect;
  | reopens | => |
  | >= 1    | "team-lead" |
  | >= 3    | "manager" |
  | in [5, 6] | "director" |
}

policy target(p: Priority) -> duration =
  {Priority.p1: duration("4h"), Priority.p2: duration("8h"),
   Priority.p3: duration("24h"), Priority.p4: duration("72h")}[p];

policy is_major(p: Priority) -> bool = p == Priority.p1;

setting max_reopens: int = 3;
setting limit_twice: int = max_reopens * 2;

process Desk for Ticket {
  initial state open {
    on close -> done;
  }
  final state done;
}
)";

const char* kSite = R"(
module site;
import base;
override policy is_major(p: Priority) -> bool = p <= Priority.p2;
override setting max_reopens: int = 5;
)";

struct Fixture {
  std::unique_ptr<sema::Program> program;
  std::unique_ptr<vm::Image> image;
  std::vector<std::unique_ptr<ast::Expr>> exprs;

  explicit Fixture(bool with_site = true) {
    sema::CheckOptions options;
    options.use_environment = false;
    std::vector<std::pair<std::string, std::string>> files = {{"base.smdl", kBase}};
    if (with_site) files.emplace_back("site.smdl", kSite);
    program = sema::CheckSources(files, options);
    INFO(program->diags.RenderText(program->sources));
    REQUIRE(!program->diags.HasErrors());
    auto built = vm::Image::Build(*program);
    REQUIRE(built.ok());
    image = std::move(built).value();
  }

  const sema::ModuleInfo& Module(const std::string& name) { return *program->by_name.at(name); }

  // Parses and checks `text` in `scope`, then compiles it (reporting
  // constants over the budget to `diags` when given).
  std::unique_ptr<vm::CompiledExpr> Compile(const std::string& text, const vm::Scope& scope,
                                            Diagnostics* diags = nullptr) {
    uint32_t file = program->sources.Add("<test>", text);
    auto expr = ParseExpression(file, text, program->diags);
    REQUIRE(expr);
    sema::ExprEnv env{*program, *scope.module, scope.record, scope.has_now, scope.in_test, scope.locals};
    sema::ExprChecker checker(env);
    size_t errors = program->diags.ErrorCount();
    checker.Check(*expr);
    INFO(program->diags.RenderText(program->sources));
    REQUIRE(program->diags.ErrorCount() == errors);
    auto compiled = image->Compile(*expr, scope, diags);
    REQUIRE(compiled.ok());
    exprs.push_back(std::move(expr));
    return std::move(compiled).value();
  }

  vm::Scope ModuleScope(const std::string& module) {
    vm::Scope scope;
    scope.module = &Module(module);
    return scope;
  }

  Value Eval(const std::string& text, const std::string& module = "site") {
    auto e = Compile(text, ModuleScope(module));
    return e->Evaluate(vm::Activation{});
  }
};

const vm::EnumType* EnumOf(Fixture& f, const std::string& name) { return f.image->EnumFor("base." + name); }

// "[1, 2, ..., n]"
std::string ListLiteral(int n) {
  std::string out = "[";
  for (int i = 1; i <= n; ++i) out += (i > 1 ? ", " : "") + std::to_string(i);
  return out + "]";
}

}  // namespace

TEST_CASE("decision tables evaluate by hit policy", "[vm]") {
  Fixture f;
  CHECK(f.Eval("priority(Impact.high, Urgency.high)").DebugString() == "Priority.p1");
  CHECK(f.Eval("priority(Impact.medium, Urgency.high)").DebugString() == "Priority.p2");
  CHECK(f.Eval("priority(Impact.low, Urgency.low)").DebugString() == "Priority.p4");
  CHECK(f.Eval("priority(Impact.low, Urgency.high)").DebugString() == "Priority.p3");
  CHECK(f.Eval("escalations(0)").DebugString() == "[]");
  CHECK(f.Eval("escalations(3)").DebugString() == "[\"team-lead\", \"manager\"]");
  CHECK(f.Eval("escalations(5)").DebugString() == "[\"team-lead\", \"manager\", \"director\"]");
}

TEST_CASE("policies and settings use the winning override", "[vm]") {
  Fixture f;
  CHECK(f.Eval("is_major(Priority.p2)").DebugString() == "true");
  CHECK(f.Eval("max_reopens").DebugString() == "5");
  // A setting computed from an overridden one sees the override.
  CHECK(f.Eval("limit_twice").DebugString() == "10");
  CHECK(f.Eval("target(Priority.p2)").DebugString() == "duration(\"28800s\")");
  Fixture plain(false);
  CHECK(plain.Eval("is_major(Priority.p2)", "base").DebugString() == "false");
  CHECK(plain.Eval("max_reopens", "base").DebugString() == "3");

  auto setting = f.image->Setting(f.Module("site"), "max_reopens");
  REQUIRE(setting.ok());
  CHECK(setting->int_value() == 5);
  vm::Budget budget;
  Value args[] = {Value::Enum(EnumOf(f, "Impact"), 2), Value::Enum(EnumOf(f, "Urgency"), 1)};
  auto p = f.image->Call(f.Module("site"), "priority", args, budget);
  REQUIRE(p.ok());
  CHECK(p->DebugString() == "Priority.p2");
  CHECK(!f.image->Call(f.Module("site"), "nope", args, budget).ok());
  CHECK(!f.image->Call(f.Module("site"), "priority", std::span<const Value>(args, 1), budget).ok());
}

TEST_CASE("constant expressions fold at compile time", "[vm]") {
  Fixture f;
  auto e = f.Compile("priority(Impact.high, Urgency.high) == Priority.p1 || max_reopens * 2 > 3",
                     f.ModuleScope("site"));
  CHECK(!e->IsConstant());  // calls are not folded
  auto g = f.Compile("[1, 2, 3].map(x, x * max_reopens).exists(y, y == 15)", f.ModuleScope("site"));
  CHECK(g->IsConstant());
  CHECK(g->Evaluate(vm::Activation{}).DebugString() == "true");
}

TEST_CASE("guards see locals, record fields, id, state and now", "[vm]") {
  Fixture f;
  const sema::ProcessInfo* desk = f.program->FindProcess("Desk");
  REQUIRE(desk);
  vm::Scope scope = vm::ProcessScope(*desk, {{"reason", sema::Type::String()}});
  auto guard = f.Compile(
      "reason.startsWith('dup') && impact == Impact.high && !has(this.assignee) && id == 'T-1' && "
      "state == 'open' && reopen_count < max_reopens && now > timestamp('2026-01-01T00:00:00Z')",
      scope);
  std::vector<Value> fields = {
      Value::String("printer on fire"),          Value::Enum(EnumOf(f, "Impact"), 2),
      Value::Enum(EnumOf(f, "Urgency"), 1),      Value::Enum(EnumOf(f, "Priority"), 2),
      Value::List({Value::String("hardware")}),  Value::OptionalNone(),
      Value::Int(1)};
  Value locals[] = {Value::String("duplicate")};
  Value id = Value::String("T-1"), state = Value::String("open");
  vm::Activation act;
  act.locals = locals;
  act.fields = fields;
  act.id = &id;
  act.state = &state;
  act.now = ParseTimestamp("2026-03-06T16:00:00Z");
  vm::Budget budget;
  CHECK(guard->Evaluate(act, budget).DebugString() == "true");

  fields[5] = Value::OptionalOf(Value::String("alice"));
  CHECK(guard->Evaluate(act).DebugString() == "false");
  auto assignee = f.Compile("assignee.orValue('nobody') + '/' + this.title", scope);
  CHECK(assignee->Evaluate(act).DebugString() == "\"alice/printer on fire\"");
  fields[5] = Value::OptionalNone();
  CHECK(assignee->Evaluate(act).DebugString() == "\"nobody/printer on fire\"");

  // A field source instead of a vector.
  struct Source : vm::FieldSource {
    const std::vector<Value>* values;
    Value Field(size_t i) const override { return (*values)[i]; }
  } source;
  source.values = &fields;
  vm::Activation by_callback = act;
  by_callback.fields = {};
  by_callback.field_source = &source;
  CHECK(guard->Evaluate(by_callback).DebugString() == "true");

  auto tags = f.Compile("tags.exists(t, t == 'hardware') && size(tags) == 1", scope);
  CHECK(tags->Evaluate(act).DebugString() == "true");
}

TEST_CASE("test handles are maps, and emitted() asks the host", "[vm]") {
  Fixture f;
  vm::Scope scope = f.ModuleScope("base");
  scope.locals = {{"i", sema::Type::Record("base.Ticket")}};
  scope.in_test = true;
  scope.has_now = true;
  auto e = f.Compile("i.priority == Priority.p1 && i.state == 'open' && emitted('ticket.opened') == 2", scope);
  Value handle = Value::Map({{Value::String("priority"), Value::Enum(EnumOf(f, "Priority"), 0)},
                             {Value::String("state"), Value::String("open")}});
  Value locals[] = {handle};
  std::function<int64_t(std::string_view)> emitted = [](std::string_view name) {
    return name == "ticket.opened" ? 2 : 0;
  };
  vm::Activation act;
  act.locals = locals;
  act.emitted = &emitted;
  CHECK(e->Evaluate(act).DebugString() == "true");
}

TEST_CASE("the budget stops runaway expressions", "[vm]") {
  Fixture f;
  vm::Scope scope = f.ModuleScope("base");
  scope.locals = {{"xs", sema::Type::List(sema::Type::Int())}};
  auto e = f.Compile("xs.map(a, xs.map(b, xs.map(c, a + b + c))).size() > 0", scope);
  std::vector<Value> items;
  for (int i = 0; i < 200; ++i) items.push_back(Value::Int(i));
  Value locals[] = {Value::List(items)};
  vm::Activation act;
  act.locals = locals;
  vm::Budget budget;
  budget.max_steps = 100000;
  Value v = e->Evaluate(act, budget);
  REQUIRE(v.is_error());
  CHECK(v.error_message().find("budget") != std::string::npos);
  CHECK(budget.exhausted);
  // Within the budget the same expression runs.
  Value small[] = {Value::List({Value::Int(1), Value::Int(2)})};
  act.locals = small;
  CHECK(e->Evaluate(act).DebugString() == "true");
  // Values built count too.
  auto big = f.Compile("xs.map(a, xs.map(b, 'x' + string(a) + string(b)))", scope);
  vm::Budget size_budget;
  size_budget.max_size = 1000;
  act.locals = locals;
  CHECK(big->Evaluate(act, size_budget).is_error());
}

TEST_CASE("errors propagate; && and || are commutative over errors", "[vm]") {
  Fixture f;
  CHECK(f.Eval("1 / 0 == 1 && false").DebugString() == "false");
  CHECK(f.Eval("false && 1 / 0 == 1").DebugString() == "false");
  CHECK(f.Eval("1 / 0 == 1 || true").DebugString() == "true");
  CHECK(f.Eval("(1 / 0 == 1 || false)").is_error());
  CHECK(f.Eval("[1, 2][2]").error_message() == "index out of range: 2");
  CHECK(f.Eval("{'a': 1}['b']").is_error());
  CHECK(f.Eval("9223372036854775807 + 1").error_message() == "integer overflow");
  CHECK(f.Eval("18446744073709551615u + 1u").error_message() == "integer overflow");
  CHECK(f.Eval("5 % 0").error_message() == "modulus by zero");
  CHECK(f.Eval("[1, 2, 3].all(x, 3 / (x - 2) > -5)").is_error());
  CHECK(f.Eval("[1, 2, 3].exists(x, 3 / (x - 2) > 0)").DebugString() == "true");
}

TEST_CASE("the disassembler names every instruction", "[vm]") {
  Fixture f;
  vm::Scope scope = f.ModuleScope("base");
  scope.locals = {{"n", sema::Type::Int()}};
  auto e = f.Compile("n + 1 > 2 ? 'big' : 'small'", scope);
  std::string text = vm::Disassemble(e->chunk());
  CHECK(text.find("AddInt") != std::string::npos);
  CHECK(text.find("GtInt") != std::string::npos);
  CHECK(text.find("Cond") != std::string::npos);
  for (int op = 0; op < static_cast<int>(vm::Op::kCount); ++op)
    CHECK(std::string(vm::OpName(static_cast<vm::Op>(op))) != "?");
}

TEST_CASE("macros reuse their slots; results survive the next macro", "[vm]") {
  Fixture f;
  vm::Scope scope = f.ModuleScope("base");
  scope.locals = {{"xs", sema::Type::List(sema::Type::Int())}};
  auto e = f.Compile("[xs.map(a, a * 2), xs.filter(b, b > 1), xs.map(c, xs.map(d, c * d))]", scope);
  CHECK(e->chunk().num_locals <= 1 + 4 * 2);  // xs, then at most two macros' slots at once
  Value locals[] = {Value::List({Value::Int(1), Value::Int(2)})};
  vm::Activation act;
  act.locals = locals;
  CHECK(e->Evaluate(act).DebugString() == "[[2, 4], [2], [[1, 2], [2, 4]]]");
}

TEST_CASE("one compiled expression evaluates on several threads at once", "[vm]") {
  Fixture f;
  vm::Scope scope = f.ModuleScope("site");
  scope.locals = {{"names", sema::Type::List(sema::Type::String())}, {"n", sema::Type::Int()}};
  auto e = f.Compile("names.map(s, s + '-' + string(n)).filter(s, s.startsWith('a')).size() + "
                     "int(escalations(n).size()) + (is_major(priority(Impact.high, Urgency.medium)) ? 100 : 0)",
                     scope);
  Value names = Value::List({Value::String("alice"), Value::String("bob"), Value::String("anna")});
  std::vector<std::thread> threads;
  std::atomic<int> wrong{0};
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 2000; ++i) {
        Value locals[] = {names, Value::Int(t)};
        vm::Activation act;
        act.locals = locals;
        vm::Budget budget;
        Value v = e->Evaluate(act, budget);
        int64_t want = 2 + (t >= 3 ? 2 : t >= 1 ? 1 : 0) + 100;
        if (!v.is(vm::ValueKind::kInt) || v.int_value() != want) ++wrong;
      }
    });
  }
  for (auto& th : threads) th.join();
  CHECK(wrong.load() == 0);
}

TEST_CASE("the budget counts what values put in lists and maps expand to", "[vm]") {
  Fixture f;
  vm::Scope scope = f.ModuleScope("base");
  scope.locals = {{"xs", sema::Type::List(sema::Type::Int())}, {"s", sema::Type::String()}};
  Value locals[] = {Value::List(std::vector<Value>(1000, Value::Int(1))), Value::String(std::string(400, 'x'))};
  vm::Activation act;
  act.locals = locals;
  // 1,000 references to one shared list of 1,000 are a million elements
  // once stored: over the default budget although only 1,000 were appended.
  Value v = f.Compile("xs.map(a, xs)", scope)->Evaluate(act);
  REQUIRE(v.is_error());
  CHECK(v.error_message().find("budget") != std::string::npos);
  CHECK(f.Compile("xs.map(a, xs).size()", scope)->Evaluate(act).is_error());
  CHECK(f.Compile("xs.map(a, a)", scope)->Evaluate(act).is(vm::ValueKind::kList));
  auto within = [&](const std::string& text, uint64_t max_size) {
    vm::Budget budget;
    budget.max_size = max_size;
    return !f.Compile(text, scope)->Evaluate(act, budget).is_error();
  };
  // List and map literals, concatenation and string elements likewise.
  CHECK(within("[xs]", 1001));
  CHECK(!within("[xs, xs]", 2001));
  CHECK(within("[xs, xs]", 2002));
  CHECK(!within("{'a': xs, 'b': xs}", 2003));
  CHECK(within("{'a': xs, 'b': xs}", 2004));  // two entries, two keys of one character
  CHECK(!within("[xs] + [xs]", 3000));
  CHECK(!within("[s, s, s]", 1000));
  CHECK(within("[s, s]", 1000));
}

TEST_CASE("a constant over the budget folds to the budget error and is reported", "[vm]") {
  Fixture f;
  vm::Scope scope = f.ModuleScope("base");
  std::string l = ListLiteral(50);
  // Each level shares the list below it: cheap to fold, 6.5 million values
  // once written out.
  std::string text = l + ".map(a, " + l + ".map(b, " + l + ".map(c, " + l + ")))";
  Diagnostics diags;
  auto e = f.Compile(text, scope, &diags);
  CHECK(e->IsConstant());
  Value v = e->Evaluate(vm::Activation{});
  REQUIRE(v.is_error());
  CHECK(v.error_message().find("evaluation budget exceeded") != std::string::npos);
  REQUIRE(diags.all().size() == 1);
  const Diagnostic& d = diags.all()[0];
  CHECK(d.severity == Severity::kError);
  CHECK(d.code == "E2027");
  CHECK(d.message.find("builds more than 1000000 values") != std::string::npos);
  CHECK(d.range.line == 1);
  CHECK(d.range.column == 1);
  CHECK(d.range.end_column == text.size() + 1);
  // Without a place to report it (smdl eval), the result is the same error.
  CHECK(f.Compile(text, scope)->Evaluate(vm::Activation{}).is_error());

  // Only the part over the budget is reported; what contains it folds
  // around the error instead of running it again.
  Diagnostics inner;
  auto g = f.Compile("size(" + text + ") > 0", scope, &inner);
  CHECK(g->IsConstant());
  CHECK(g->Evaluate(vm::Activation{}).is_error());
  REQUIRE(inner.all().size() == 1);
  CHECK(inner.all()[0].range.column == 6);

  // Steps count too: a million iterations of constants.
  std::string ten = "[0, 1, 2, 3, 4, 5, 6, 7, 8, 9]";
  Diagnostics steps;
  auto h = f.Compile(ten + ".all(a, " + ten + ".all(b, " + ten + ".all(c, " + ten + ".all(d, " + ten + ".all(e, " +
                         ten + ".all(g, a + b + c + d + e + g >= 0))))))",
                     scope, &steps);
  CHECK(h->Evaluate(vm::Activation{}).is_error());
  REQUIRE(steps.all().size() == 1);
  CHECK(steps.all()[0].message.find("takes more than 1000000 steps") != std::string::npos);

  // Within the budget, a constant folds as before and nothing is reported.
  Diagnostics none;
  auto ok = f.Compile(l + ".map(a, " + l + ".map(b, " + l + "))", scope, &none);
  CHECK(ok->IsConstant());
  CHECK(ok->Evaluate(vm::Activation{}).is(vm::ValueKind::kList));
  CHECK(none.all().empty());
}

TEST_CASE("a constant that always fails is reported where the error arises", "[vm]") {
  Fixture f;
  vm::Scope scope = f.ModuleScope("base");
  auto reported = [&](const std::string& text) {
    Diagnostics diags;
    auto e = f.Compile(text, scope, &diags);
    CHECK(e->Evaluate(vm::Activation{}).is_error());  // the same error as before, at run time
    std::vector<std::string> out;
    for (const auto& d : diags.all()) out.push_back(d.code + " " + std::to_string(d.range.column) + " " + d.message);
    return out;
  };
  CHECK(reported(R"(duration("90d"))") ==
        std::vector<std::string>{"E2028 1 this constant expression always fails: cannot convert '90d' to duration"});
  // What contains it folds to the same error and is not reported again.
  CHECK(reported(R"(duration("90d") + duration("1h") > duration("0s"))").size() == 1);
  CHECK(reported("1 + 10 / 0").at(0).rfind("E2028 5 ", 0) == 0);
  CHECK(reported(R"(timestamp("2026-02-30T00:00:00Z"))").size() == 1);
  // A literal pattern that does not compile, on a value known only at run time.
  Diagnostics pattern;
  f.Compile(R"(string(1).matches("(a"))", scope, &pattern);
  REQUIRE(pattern.all().size() == 1);
  CHECK(pattern.all()[0].code == "E2028");
  // An error a constant around it absorbs never shows (CEL: false && error is false).
  Diagnostics absorbed;
  CHECK(f.Compile("false && (1 / 0 == 0)", scope, &absorbed)->Evaluate(vm::Activation{}).is(vm::ValueKind::kBool));
  CHECK(absorbed.all().empty());
  // Valid constants report nothing.
  Diagnostics none;
  f.Compile(R"x(duration("2160h") > duration("1h") && "a".matches("(a)"))x", scope, &none);
  CHECK(none.all().empty());
}

namespace smdl {
namespace {

TEST_CASE("sum, min and max over lists", "[vm]") {
  Fixture f;
  auto eval = [&](const std::string& text) { return f.Eval(text).DebugString(); };
  CHECK(eval("[1, 2, 3].sum()") == "6");
  CHECK(eval("[1.5, 2.25].sum()") == "3.75");
  CHECK(eval("[duration('1h'), duration('30m')].sum() == duration('90m')") == "true");
  // An empty list sums to the zero of its element type.
  CHECK(f.Eval("[1.5].filter(x, x > 2.0).sum()").is(vm::ValueKind::kDouble));
  CHECK(f.Eval("[duration('1h')].filter(x, false).sum()").is(vm::ValueKind::kDuration));
  CHECK(f.Eval("[1u].filter(x, false).sum()").is(vm::ValueKind::kUint));
  CHECK(f.Eval("[9223372036854775807, 1].sum()").is_error());  // overflow, as + does
  CHECK(eval("[3, 1, 2].min()") == "1");
  CHECK(eval("[3, 1, 2].max()") == "3");
  CHECK(eval("['b', 'a', 'c'].max()") == "\"c\"");
  CHECK(eval("[timestamp('2026-01-01T00:00:00Z'), timestamp('2025-06-01T00:00:00Z')].min() == "
             "timestamp('2025-06-01T00:00:00Z')") == "true");
  Value empty = f.Eval("[1].filter(x, x > 1).min()");
  REQUIRE(empty.is_error());
  CHECK(empty.error_message() == "min() of an empty list");
  CHECK(f.Eval("dyn([1, 'a']).sum()").is_error());
}

}  // namespace
}  // namespace smdl
