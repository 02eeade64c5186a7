// Fuzz target: a CEL expression through the path of `smdl eval --no-check`:
// parse, check, compile (with constant folding), evaluate within a small
// budget, and encode the result both as tagged JSON and as the plain JSON of
// record fields. Must never crash, hang or throw; any result is fine.
//
// Input: the first line is the expression. The rest, if it is a JSON object,
// binds variables in the tagged encoding of `smdl eval --vars`
// ({"x": {"int": "3"}}); the variables x, d, s, b, l and m and `now` are
// always bound, so that short expressions reach the operators.
#include <cstddef>
#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "base/time.h"
#include "sema/expr_checker.h"
#include "sema/program.h"
#include "syntax/parser.h"
#include "vm/compiler.h"
#include "vm/json.h"

namespace {

using json = nlohmann::json;

// The static type `smdl eval` gives a variable bound without a declared type.
smdl::sema::Type TypeOfValue(const smdl::vm::Value& v) {
  using K = smdl::vm::ValueKind;
  using T = smdl::sema::Type;
  switch (v.kind()) {
    case K::kNull: return T::Null();
    case K::kBool: return T::Bool();
    case K::kInt: return T::Int();
    case K::kUint: return T::Uint();
    case K::kDouble: return T::Double();
    case K::kString: return T::String();
    case K::kBytes: return T::Bytes();
    case K::kTimestamp: return T::Timestamp();
    case K::kDuration: return T::Duration();
    case K::kType: return T::TypeOf();
    case K::kList: return T::List(T::Dyn());
    case K::kMap: return T::Map(T::Dyn(), T::Dyn());
    default: return T::Dyn();
  }
}

const char* const kDefaultVars = R"({
  "x": {"int": "3"}, "d": {"double": -0.0}, "s": {"string": "héllo"}, "b": {"bytes": "AP8="},
  "l": {"list": [{"int": "1"}, {"string": "a"}, {"double": 2.5}]},
  "m": {"map": [[{"string": "k"}, {"int": "-9223372036854775808"}]]}
})";

// Binds the tagged variables of `vars` into `out`; a value that does not
// decode is skipped, as `smdl eval` would refuse the request.
void Bind(const json& vars, std::map<std::string, smdl::vm::Value>& out) {
  if (!vars.is_object()) return;
  for (auto it = vars.begin(); it != vars.end(); ++it) {
    auto value = smdl::vm::FromTaggedJson(it.value());
    if (value.ok()) out[it.key()] = std::move(value).value();
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view input(reinterpret_cast<const char*>(data), size);
  size_t newline = input.find('\n');
  std::string text(input.substr(0, newline));

  std::map<std::string, smdl::vm::Value> bound;
  Bind(json::parse(kDefaultVars), bound);
  if (newline != std::string_view::npos)
    Bind(json::parse(input.substr(newline + 1), nullptr, false), bound);

  smdl::sema::Program program;
  uint32_t file = program.sources.Add("<expr>", text);
  smdl::ast::ExprPtr expr = smdl::ParseExpression(file, text, program.diags);
  if (!expr || program.diags.HasErrors()) {
    std::string rendered = program.diags.RenderText(program.sources) + program.diags.RenderJson(program.sources);
    return rendered.empty() ? 0 : 0;
  }

  auto image = smdl::vm::Image::Build(program);
  if (!image.ok()) return 0;
  smdl::sema::ModuleInfo module;
  module.name = "eval";
  smdl::vm::Scope scope;
  scope.has_now = true;
  std::vector<smdl::vm::Value> values;
  for (auto& [name, value] : bound) {
    scope.locals.emplace_back(name, TypeOfValue(value));
    values.push_back(value);
  }
  smdl::sema::ExprEnv env{program, module, nullptr, scope.has_now, false, scope.locals};
  smdl::sema::ExprChecker checker(env);
  checker.Check(*expr);
  std::string rendered = program.diags.RenderText(program.sources);

  // Evaluated even with check errors: the parts in error are error values.
  auto compiled = (*image)->Compile(*expr, scope);
  if (!compiled.ok()) return 0;
  std::string listing = smdl::vm::Disassemble((*compiled)->chunk());
  smdl::vm::Activation activation;
  activation.locals = values;
  activation.now = smdl::ParseTimestamp("2026-12-03T12:00:00Z");
  smdl::vm::Budget budget;
  budget.max_steps = 20'000;
  budget.max_size = 20'000;
  smdl::vm::Value result = (*compiled)->Evaluate(activation, budget);
  std::string out = smdl::vm::ToTaggedJson(result).dump(-1, ' ', false, json::error_handler_t::replace);
  auto plain = smdl::vm::ToPlainJson(result, (*compiled)->type());
  if (plain.ok()) out += plain->dump(-1, ' ', false, json::error_handler_t::replace);
  return rendered.size() + listing.size() + out.size() > 0 ? 0 : 0;
}
