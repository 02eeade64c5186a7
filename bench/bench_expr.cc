// Expression benchmark: typical guards and policies of a service desk,
// evaluated millions of times by the bytecode interpreter and, in the same
// run, by the same logic written by hand in C++ (the practical limit).
// Prints ns per evaluation, the ratio, and heap allocations per evaluation.
//
// Usage: smdl_bench_expr [ITERATIONS [CASE]]   (default 1,000,000 per round,
// five rounds per case;
// CASE runs only the cases whose name contains it; a third argument
// "interp" skips the hand-written side, for counting instructions)
#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <new>
#include <string>
#include <vector>

#include "sema/checker.h"
#include "sema/expr_checker.h"
#include "syntax/parser.h"
#include "vm/compiler.h"

// Counts heap allocations, to show that scalar evaluations make none.
static std::atomic<uint64_t> g_allocations{0};
void* operator new(size_t n) {
  g_allocations.fetch_add(1, std::memory_order_relaxed);
  if (void* p = std::malloc(n ? n : 1)) return p;
  throw std::bad_alloc();
}
void operator delete(void* p) noexcept { std::free(p); }
void operator delete(void* p, size_t) noexcept { std::free(p); }

using namespace smdl;
using vm::Value;

namespace {

const char* kSource = R"(
module desk;
enum Impact { low, medium, high }
enum Urgency { low, medium, high }
enum Priority { p1, p2, p3, p4 }

record Ticket {
  title: string;
  impact: Impact = Impact.medium;
  urgency: Urgency = Urgency.medium;
  priority: Priority = Priority.p3;
  tags: list<string> = [];
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

policy resolution_target(p: Priority) -> duration =
  {Priority.p1: duration("4h"), Priority.p2: duration("8h"),
   Priority.p3: duration("24h"), Priority.p4: duration("72h")}[p];

setting max_reopens: int = 3;

process Desk for Ticket {
  initial state open {
    on reopen(reason: string) -> open;
    on close -> closed;
  }
  final state closed;
}
)";

template <typename T>
inline void Sink(const T& value) {
  asm volatile("" : : "g"(&value) : "memory");
}

// Native data for the hand-written versions.
enum class Impact { kLow, kMedium, kHigh };
enum class Urgency { kLow, kMedium, kHigh };
enum class Priority { kP1, kP2, kP3, kP4 };
struct NativeTicket {
  std::string title;
  Impact impact;
  Urgency urgency;
  Priority priority;
  std::vector<std::string> tags;
  int64_t reopen_count;
};
const int64_t kMaxReopens = 3;

__attribute__((noinline)) Priority NativePriority(Impact i, Urgency u) {
  if (i == Impact::kHigh && u == Urgency::kHigh) return Priority::kP1;
  if (i == Impact::kHigh && u == Urgency::kMedium) return Priority::kP2;
  if (i == Impact::kMedium && u == Urgency::kHigh) return Priority::kP2;
  if (i == Impact::kLow && u == Urgency::kLow) return Priority::kP4;
  return Priority::kP3;
}

__attribute__((noinline)) int64_t NativeTarget(Priority p) {
  static const std::vector<std::pair<Priority, int64_t>> targets = {
      {Priority::kP1, 4 * 3600}, {Priority::kP2, 8 * 3600}, {Priority::kP3, 24 * 3600}, {Priority::kP4, 72 * 3600}};
  for (const auto& [k, v] : targets)
    if (k == p) return v;
  return -1;
}

struct Case {
  const char* name;
  const char* expr;
  std::function<bool(const NativeTicket&, const std::string&)> native;  // returns a checksum bit
};

double NsPer(uint64_t iterations, std::chrono::steady_clock::duration d) {
  return std::chrono::duration<double, std::nano>(d).count() / static_cast<double>(iterations);
}

}  // namespace

int main(int argc, char** argv) {
  uint64_t iterations = argc > 1 ? std::strtoull(argv[1], nullptr, 10) : 1000000;
  const char* only = argc > 2 ? argv[2] : nullptr;  // run only cases whose name contains this
  // "interp": skip the hand-written side, to count the interpreter's
  // instructions per evaluation under callgrind.
  bool interp_only = argc > 3 && std::string(argv[3]) == "interp";
  sema::CheckOptions options;
  options.use_environment = false;
  auto program = sema::CheckSources({{"desk.smdl", kSource}}, options);
  if (program->diags.HasErrors()) {
    std::fprintf(stderr, "%s", program->diags.RenderText(program->sources).c_str());
    return 1;
  }
  auto image = vm::Image::Build(*program);
  if (!image.ok()) {
    std::fprintf(stderr, "%s\n", image.status().message().c_str());
    return 1;
  }
  const sema::ProcessInfo& desk = *program->FindProcess("Desk");
  vm::Scope scope = vm::ProcessScope(desk, {{"reason", sema::Type::String()}});

  const vm::EnumType* impact = (*image)->EnumFor("desk.Impact");
  const vm::EnumType* urgency = (*image)->EnumFor("desk.Urgency");
  const vm::EnumType* priority = (*image)->EnumFor("desk.Priority");
  std::vector<Value> fields = {
      Value::String("Mail server down for the sales team"),
      Value::Enum(impact, 2),
      Value::Enum(urgency, 1),
      Value::Enum(priority, 1),
      Value::List({Value::String("mail"), Value::String("sales"), Value::String("outage"), Value::String("vip"),
                   Value::String("eu")}),
      Value::Int(1)};
  Value reason = Value::String("customer reports the fix did not hold");
  Value locals[] = {reason};
  Value id = Value::String("INC-1042"), state = Value::String("open");
  vm::Activation act;
  act.locals = locals;
  act.fields = fields;
  act.id = &id;
  act.state = &state;

  NativeTicket ticket{"Mail server down for the sales team", Impact::kHigh, Urgency::kMedium, Priority::kP2,
                      {"mail", "sales", "outage", "vip", "eu"}, 1};
  std::string native_reason = "customer reports the fix did not hold";

  std::vector<Case> cases = {
      {"guard: int < setting && enum ==", "reopen_count < max_reopens && impact == Impact.high",
       [](const NativeTicket& t, const std::string&) { return t.reopen_count < kMaxReopens && t.impact == Impact::kHigh; }},
      {"table: priority(impact, urgency)", "priority(impact, urgency) == Priority.p2",
       [](const NativeTicket& t, const std::string&) { return NativePriority(t.impact, t.urgency) == Priority::kP2; }},
      {"policy: SLA target map lookup", "resolution_target(priority) > duration('6h')",
       [](const NativeTicket& t, const std::string&) { return NativeTarget(t.priority) > 6 * 3600; }},
      {"string guard", "reason != '' && !reason.contains('test') && size(title) <= 200",
       [](const NativeTicket& t, const std::string& r) {
         return !r.empty() && r.find("test") == std::string::npos && t.title.size() <= 200;
       }},
      {"list macro: tags.exists", "tags.exists(t, t == 'vip')",
       [](const NativeTicket& t, const std::string&) {
         for (const auto& tag : t.tags)
           if (tag == "vip") return true;
         return false;
       }},
  };

  std::printf("%-36s %12s %12s %8s %12s\n", "case", "interp ns", "C++ ns", "ratio", "allocs/eval");
  std::vector<std::unique_ptr<ast::Expr>> keep;
  for (const Case& c : cases) {
    if (only && std::string(c.name).find(only) == std::string::npos) continue;
    uint32_t file = program->sources.Add("<bench>", c.expr);
    auto expr = ParseExpression(file, c.expr, program->diags);
    sema::ExprEnv env{*program, *scope.module, scope.record, scope.has_now, false, scope.locals};
    sema::ExprChecker checker(env);
    checker.Check(*expr);
    if (program->diags.HasErrors()) {
      std::fprintf(stderr, "%s", program->diags.RenderText(program->sources).c_str());
      return 1;
    }
    auto compiled = (*image)->Compile(*expr, scope);
    if (!compiled.ok()) return 1;
    const vm::CompiledExpr& e = **compiled;
    keep.push_back(std::move(expr));

    vm::Budget budget;
    Value first = e.Evaluate(act, budget);
    bool expected = c.native(ticket, native_reason);
    if (!first.is(vm::ValueKind::kBool) || first.bool_value() != expected) {
      std::fprintf(stderr, "%s: interpreter gives %s, C++ gives %d\n", c.name, first.DebugString().c_str(), expected);
      return 1;
    }
    // Warm up, then measure.
    for (uint64_t i = 0; i < iterations / 10; ++i) {
      budget.Reset();
      Value v = e.Evaluate(act, budget);
      Sink(v);
    }
    // Alternate the two sides and keep the fastest of five rounds each, so
    // that a busy machine skews the figures as little as possible.
    double interp = 1e30, native = 1e30;
    uint64_t allocs = 0;
    for (int round = 0; round < 5; ++round) {
      uint64_t allocs_before = g_allocations.load();
      auto t0 = std::chrono::steady_clock::now();
      for (uint64_t i = 0; i < iterations; ++i) {
        budget.Reset();
        Value v = e.Evaluate(act, budget);
        Sink(v);
      }
      auto t1 = std::chrono::steady_clock::now();
      allocs += g_allocations.load() - allocs_before;
      for (uint64_t i = 0; i < iterations && !interp_only; ++i) {
        bool r = c.native(ticket, native_reason);
        Sink(r);
      }
      auto t2 = std::chrono::steady_clock::now();
      interp = std::min(interp, NsPer(iterations, t1 - t0));
      native = std::min(native, NsPer(iterations, t2 - t1));
    }
    std::printf("%-36s %12.1f %12.1f %7.1fx %12.2f\n", c.name, interp, native, interp / native,
                static_cast<double>(allocs) / static_cast<double>(5 * iterations));
  }
  return 0;
}
