// smdl eval: check, compile and evaluate CEL expressions, one from the
// command line or many from a JSON Lines file.
#include <fstream>
#include <iostream>
#include <nlohmann/json.hpp>

#include "base/json_input.h"
#include "cli.h"
#include "sema/expr_checker.h"
#include "sema/program.h"
#include "syntax/parser.h"
#include "vm/compiler.h"
#include "vm/json.h"

namespace smdl::cli {
namespace {

using json = nlohmann::json;

const char* const kEvalHelp =
    "Usage: smdl eval [OPTIONS] EXPR\n"
    "       smdl eval --batch FILE\n"
    "\n"
    "Checks, compiles and evaluates a CEL expression and prints the result as\n"
    "one line of JSON: {\"value\": V} or {\"error\": \"message\"}. A mistake in the\n"
    "expression (syntax, unknown name, type) is an error too, with the\n"
    "diagnostics both rendered on stderr and listed under \"diagnostics\".\n"
    "\n"
    "Values are tagged with their type, so that nothing is ambiguous:\n"
    "  {\"null\": null}  {\"bool\": true}  {\"int\": \"-5\"}  {\"uint\": \"5\"}\n"
    "  {\"double\": 1.5} (or \"NaN\", \"Infinity\", \"-Infinity\")  {\"string\": \"text\"}\n"
    "  {\"bytes\": \"AP8=\"} (base64)  {\"list\": [V, ...]}  {\"map\": [[K, V], ...]}\n"
    "  {\"timestamp\": \"2026-03-06T16:00:00Z\"}  {\"duration\": \"3600s\"}  {\"type\": \"int\"}\n"
    "  {\"optional\": V or null}  {\"enum\": {\"type\": T, \"value\": NAME}}\n"
    "  {\"ref\": {\"type\": T, \"id\": ID}}\n"
    "\n"
    "Options:\n"
    "  --vars JSON       variables: an object from name to tagged value, e.g.\n"
    "                    '{\"x\": {\"int\": \"3\"}}'\n"
    "  --types JSON      declared variable types: an object from name to a CEL type\n"
    "                    name (int, uint, double, bool, string, bytes, null_type,\n"
    "                    dyn, type, timestamp, duration, list(T), map(K, V)); a\n"
    "                    variable without one gets the type of its value\n"
    "  --now TIMESTAMP   make `now` available, with this RFC 3339 value\n"
    "  --no-check        evaluate even when the checker finds mistakes (the parts\n"
    "                    in error evaluate to errors)\n"
    "  --disassemble     print the bytecode to stderr\n"
    "  --batch FILE      read JSON Lines (FILE - for stdin), each\n"
    "                    {\"expr\": \"...\", \"vars\": {...}, \"types\": {...},\n"
    "                     \"check\": true|false, \"now\": \"...\"}\n"
    "                    (only expr is required), and write one result line per\n"
    "                    input line; a line that cannot be read, parsed or\n"
    "                    checked gives {\"error\": ...} and the run goes on\n"
    "  -h, --help        show this help\n"
    "\n"
    "Exit status: 0 a value, 1 an error value or a mistake in the expression,\n"
    "2 usage or I/O problems. With --batch: 0 whenever every line was answered.\n";

sema::Type TypeOfValue(const vm::Value& v) {
  using K = vm::ValueKind;
  switch (v.kind()) {
    case K::kNull: return sema::Type::Null();
    case K::kBool: return sema::Type::Bool();
    case K::kInt: return sema::Type::Int();
    case K::kUint: return sema::Type::Uint();
    case K::kDouble: return sema::Type::Double();
    case K::kString: return sema::Type::String();
    case K::kBytes: return sema::Type::Bytes();
    case K::kTimestamp: return sema::Type::Timestamp();
    case K::kDuration: return sema::Type::Duration();
    case K::kType: return sema::Type::TypeOf();
    case K::kList: return sema::Type::List(sema::Type::Dyn());
    case K::kMap: return sema::Type::Map(sema::Type::Dyn(), sema::Type::Dyn());
    default: return sema::Type::Dyn();
  }
}

struct EvalRequest {
  std::string expr;
  json vars = json::object();
  json types = json::object();
  bool check = true;
  std::optional<std::string> now;
  bool disassemble = false;
};

json ErrorResult(const std::string& message) { return json{{"error", message}}; }

// Evaluates one request; `rendered` receives the diagnostics as text.
json Evaluate(const EvalRequest& req, std::string& rendered) {
  sema::Program program;
  uint32_t file = program.sources.Add("<expr>", req.expr);
  ast::ExprPtr expr = ParseExpression(file, req.expr, program.diags);
  auto fail_with_diagnostics = [&]() {
    program.diags.SortByLocation();
    rendered = program.diags.RenderText(program.sources);
    std::string first;
    for (const auto& d : program.diags.all())
      if (d.severity == Severity::kError) { first = d.message; break; }
    json out = ErrorResult(first);
    out["diagnostics"] = json::parse(program.diags.RenderJson(program.sources), nullptr, false);
    return out;
  };
  if (!expr || program.diags.HasErrors()) return fail_with_diagnostics();

  // Locals: every declared type and every bound variable, in name order.
  if (!req.vars.is_object()) return ErrorResult("vars must be a JSON object");
  if (!req.types.is_object()) return ErrorResult("types must be a JSON object");
  std::map<std::string, std::pair<sema::Type, vm::Value>> vars;
  for (auto it = req.types.begin(); it != req.types.end(); ++it) {
    if (!it.value().is_string()) return ErrorResult("the type of '" + it.key() + "' must be a type name");
    auto type = vm::ParseTypeName(it.value().get<std::string>());
    if (!type.ok()) return ErrorResult(type.status().message());
    vars[it.key()] = {*type, vm::Value::Error("no value bound to '" + it.key() + "'")};
  }
  for (auto it = req.vars.begin(); it != req.vars.end(); ++it) {
    auto value = vm::FromTaggedJson(it.value());
    if (!value.ok()) return ErrorResult("variable '" + it.key() + "': " + value.status().message());
    auto found = vars.find(it.key());
    sema::Type type = found != vars.end() ? found->second.first : TypeOfValue(*value);
    vars[it.key()] = {type, std::move(value).value()};
  }
  std::optional<Timestamp> now;
  if (req.now) {
    now = ParseTimestamp(*req.now);
    if (!now) return ErrorResult("now must be an RFC 3339 timestamp, found '" + *req.now + "'");
  }

  // The image of an empty program: no policies, tables or settings.
  auto image = vm::Image::Build(program);
  if (!image.ok()) return ErrorResult(image.status().message());

  sema::ModuleInfo module;
  module.name = "eval";
  vm::Scope scope;
  scope.has_now = now.has_value();
  std::vector<vm::Value> values;
  for (auto& [name, tv] : vars) {
    scope.locals.emplace_back(name, tv.first);
    values.push_back(tv.second);
  }
  sema::ExprEnv env{program, module, nullptr, scope.has_now, false, scope.locals};
  sema::ExprChecker checker(env);
  checker.Check(*expr);
  if (req.check && program.diags.HasErrors()) return fail_with_diagnostics();

  auto compiled = (*image)->Compile(*expr, scope);
  if (!compiled.ok()) return ErrorResult(compiled.status().message());
  if (req.disassemble) std::cerr << vm::Disassemble((*compiled)->chunk());
  vm::Activation activation;
  activation.locals = values;
  activation.now = now;
  vm::Budget budget;
  vm::Value result = (*compiled)->Evaluate(activation, budget);
  if (result.is_error()) return ErrorResult(result.error_message());
  return json{{"value", vm::ToTaggedJson(result)}};
}

std::string Dump(const json& j) { return j.dump(-1, ' ', false, json::error_handler_t::replace); }

int RunBatch(const std::string& path) {
  std::istream* in = &std::cin;
  std::ifstream file;
  if (path != "-") {
    file.open(path);
    if (!file) {
      std::cerr << "smdl eval: cannot read '" << path << "'\n";
      return kUsageError;
    }
    in = &file;
  }
  std::string line;
  while (std::getline(*in, line)) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    auto parsed = ParseJsonInput(line, "the line");
    json req_json = parsed.ok() ? std::move(*parsed) : json();
    json result;
    if (!parsed.ok()) {
      result = ErrorResult(parsed.status().message());
    } else if (!req_json.is_object()) {
      result = ErrorResult("not a JSON object");
    } else if (!req_json.contains("expr") || !req_json["expr"].is_string()) {
      result = ErrorResult("\"expr\" must be a string");
    } else {
      EvalRequest req;
      req.expr = req_json["expr"].get<std::string>();
      if (req_json.contains("vars")) req.vars = req_json["vars"];
      if (req_json.contains("types")) req.types = req_json["types"];
      if (req_json.contains("check") && req_json["check"].is_boolean()) req.check = req_json["check"].get<bool>();
      if (req_json.contains("now") && req_json["now"].is_string()) req.now = req_json["now"].get<std::string>();
      std::string rendered;
      result = Evaluate(req, rendered);
    }
    // Each answer as soon as it is known: a caller streaming lines reads it
    // at once, and nothing already answered is lost if a later line fails.
    std::cout << Dump(result) << "\n" << std::flush;
  }
  return kOk;
}

int RunEval(const std::vector<std::string>& argv) {
  std::string error;
  auto args = Args::Parse(argv, {"--vars", "--types", "--now", "--batch"}, {"--no-check", "--disassemble"}, error);
  if (!args) return UsageError("eval", error);
  if (args->Has("--batch")) {
    if (!args->positional().empty()) return UsageError("eval", "give either EXPR or --batch FILE, not both");
    return RunBatch(args->Get("--batch"));
  }
  if (args->positional().size() != 1) return UsageError("eval", "give one expression (quote it for the shell)");
  EvalRequest req;
  req.expr = args->positional()[0];
  req.check = !args->Has("--no-check");
  req.disassemble = args->Has("--disassemble");
  if (args->Has("--now")) req.now = args->Get("--now");
  for (const char* flag : {"--vars", "--types"}) {
    if (!args->Has(flag)) continue;
    auto j = ParseJsonInput(args->Get(flag), flag);
    if (!j.ok()) return UsageError("eval", j.status().message());
    if (!j->is_object()) return UsageError("eval", std::string(flag) + " must be a JSON object");
    (std::string(flag) == "--vars" ? req.vars : req.types) = std::move(*j);
  }
  std::string rendered;
  json result = Evaluate(req, rendered);
  std::cerr << rendered;
  std::cout << Dump(result) << "\n";
  return result.contains("value") ? kOk : kInputError;
}

}  // namespace

SMDL_COMMAND(kEval, "eval", "evaluate a CEL expression (or a JSON Lines batch of them)", kEvalHelp, RunEval, 30);

}  // namespace smdl::cli
