#include "runtime/test_runner.h"

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <map>
#include <memory>

#include <nlohmann/json.hpp>

#include "base/time.h"
#include "runtime/executor.h"
#include "runtime/record_value.h"
#include "smdl/engine.h"
#include "vm/json.h"
#include "vm/program.h"

namespace smdl::runtime {
namespace {

using nlohmann::json;

std::string Where(const sema::Program& program, const SourceRange& range) {
  return program.sources.Path(range.file) + ":" + std::to_string(range.line) + ":" + std::to_string(range.column);
}

// Records read through refs in a test's expressions: what the engine has
// committed, as the test sees it now.
class EngineReader final : public vm::RecordReader {
 public:
  EngineReader(const sema::Program& program, Engine& engine) : program_(program), engine_(engine) {}
  vm::Value Read(const vm::Value& ref, std::string_view what) const override {
    std::string id = RefIdOf(ref);
    if (id.empty()) return vm::Value::Error(std::string(what) + " is not a reference");
    auto text = engine_.Get(id);
    if (!text.ok()) return vm::Value::Error(std::string(what) + " names " + id + ": " + text.status().message());
    json view = json::parse(*text);
    for (const auto& r : program_.records)
      if (r->qualified == view.value("type", "")) return RecordValue(program_, *r, view);
    return vm::Value::Error(std::string(what) + " names " + id + ", of a type this program does not declare");
  }
  // records(T) in an expectation: every record of the type (the condition
  // that follows is evaluated on each, so an index would only be faster).
  vm::Value Query(const std::string& type, std::span<const std::string>, std::span<const vm::Value>) const override {
    ListQuery query;
    query.type = type;
    query.limit = kMaxQueryResults + 1;
    auto listed = engine_.List(query);
    if (!listed.ok()) return vm::Value::Error(listed.status().message());
    std::vector<vm::Value> refs;
    for (const auto& r : json::parse(*listed)) refs.push_back(vm::Value::Ref(type, r["id"].get<std::string>()));
    if (refs.size() > kMaxQueryResults) return vm::Value::Error("records(" + type + ") gives too many records");
    return vm::Value::List(std::move(refs));
  }

 private:
  const sema::Program& program_;
  Engine& engine_;
};

// One test in progress.
class TestRun {
 public:
  TestRun(const sema::Program& program, const vm::Image& image, const sema::ModuleInfo& module, Engine& engine,
          ManualClock& clock)
      : program_(program), image_(image), module_(module), engine_(engine), clock_(clock), reader_(program, engine) {
    emitted_ = [this](std::string_view name) -> int64_t {
      auto messages = engine_.Outbox(1u << 30);
      if (!messages.ok()) return -1;
      int64_t count = 0;
      for (const auto& m : json::parse(*messages)) count += m.value("message", "") == name;
      return count;
    };
    last_emitted_ = [this](std::string_view name) -> vm::Value {
      auto messages = engine_.Outbox(1u << 30);
      if (!messages.ok()) return vm::Value::Error(messages.status().message());
      json last;
      for (const auto& m : json::parse(*messages))
        if (m.value("message", "") == name) last = m;
      if (last.is_null()) return vm::Value::Error("no message '" + std::string(name) + "' was emitted");
      auto value = vm::FromPlainJson(last, sema::Type::Dyn(), nullptr);
      return value.ok() ? *value : vm::Value::Error(value.status().message());
    };
  }

  // Empty on success, else the failure.
  std::string Run(const ast::TestDecl& test) {
    for (const auto& step : test.steps) {
      std::string failure = Step(step);
      if (!failure.empty()) return Where(program_, step.range) + ": " + failure;
    }
    return "";
  }

 private:
  std::string Step(const ast::TestStep& step);
  std::string Create(const ast::TestStep& step);
  std::string Fire(const ast::TestStep& step);
  std::string Expect(const ast::TestStep& step);
  // `by EXPR with roles [...]`; empty on success, else the failure.
  std::string Caller(const ast::TestStep& step, CallOptions& call);
  std::string AdvanceTo(Timestamp t);

  vm::Value Eval(const ast::Expr& expr, std::string& error);
  // A handle's value: the record as a map of its fields, id, state and clocks.
  StatusOr<vm::Value> HandleValue(const std::string& id, const std::string& type);
  // An argument or field given in a test, as plain JSON for the engine.
  json ToEngineJson(const ast::Expr& expr, const vm::Value& value);

  const sema::Program& program_;
  const vm::Image& image_;
  const sema::ModuleInfo& module_;
  Engine& engine_;
  ManualClock& clock_;
  std::function<int64_t(std::string_view)> emitted_;
  std::function<vm::Value(std::string_view)> last_emitted_;
  EngineReader reader_;
  std::vector<std::pair<std::string, sema::Type>> locals_;  // handles, in creation order
  std::vector<std::string> ids_;                           // their record ids
};

StatusOr<vm::Value> TestRun::HandleValue(const std::string& id, const std::string& type) {
  auto text = engine_.Get(id);
  if (!text.ok()) return text.status();
  for (const auto& r : program_.records)
    if (r->qualified == type) return RecordValue(program_, *r, json::parse(*text));
  return NotFound("record type " + type);
}

vm::Value TestRun::Eval(const ast::Expr& expr, std::string& error) {
  vm::Scope scope;
  scope.module = &module_;
  scope.locals = locals_;
  scope.has_now = true;
  scope.in_test = true;
  auto compiled = image_.Compile(expr, scope);
  if (!compiled.ok()) {
    error = compiled.status().message();
    return vm::Value::Error(error);
  }
  std::vector<vm::Value> values;
  for (size_t i = 0; i < locals_.size(); ++i) {
    auto v = HandleValue(ids_[i], locals_[i].second.name);
    if (!v.ok()) {
      error = v.status().message();
      return vm::Value::Error(error);
    }
    values.push_back(std::move(*v));
  }
  vm::Activation a;
  a.locals = values;
  a.now = clock_.Now();
  a.emitted = &emitted_;
  a.last_emitted = &last_emitted_;
  a.records = &reader_;
  vm::Budget budget;
  return (*compiled)->Evaluate(a, budget);
}

json TestRun::ToEngineJson(const ast::Expr& expr, const vm::Value& value) {
  auto info = program_.expr_info.find(&expr);
  sema::Type type = info != program_.expr_info.end() ? info->second.type : sema::Type::Dyn();
  // A handle passed where a reference is expected stands for its record's
  // id, alone or in a list.
  if (type.is(sema::TypeKind::kRecord) && value.is(vm::ValueKind::kMap))
    if (const vm::Value* id = value.map().Find(vm::Value::String("id"))) return id->string_value();
  if (type.is(sema::TypeKind::kList) && type.elem().is(sema::TypeKind::kRecord) && value.is(vm::ValueKind::kList)) {
    json ids = json::array();
    for (const vm::Value& item : value.list()) {
      const vm::Value* id = item.is(vm::ValueKind::kMap) ? item.map().Find(vm::Value::String("id")) : nullptr;
      ids.push_back(id ? json(id->string_value()) : json(item.DebugString()));
    }
    return ids;
  }
  auto encoded = vm::ToPlainJson(value, type);
  return encoded.ok() ? *encoded : json(value.DebugString());
}

std::string TestRun::Create(const ast::TestStep& step) {
  json fields = json::object();
  for (const auto& f : step.fields) {
    std::string error;
    vm::Value v = Eval(*f.value, error);
    if (v.is_error()) return "field '" + f.name.text + "' fails: " + v.error_message();
    fields[f.name.text] = ToEngineJson(*f.value, v);
  }
  Diagnostics ignored;
  std::string type = step.record_type.ToString();
  const sema::RecordInfo* record = nullptr;
  for (const auto& r : program_.records)
    if (r->decl->name.text == type && (r->module == &module_ || std::find(module_.imports.begin(), module_.imports.end(), r->module) != module_.imports.end()))
      record = r.get();
  if (!record) return "unknown record '" + type + "'";
  CallOptions call;
  std::string failure = Caller(step, call);
  if (!failure.empty()) return failure;
  auto created = engine_.Create(record->qualified, fields.dump(), call);
  if (step.expect_rejected) {
    if (created.ok())
      return "create " + type + " was expected to be rejected, but it was accepted (" +
             json::parse(*created)["id"].get<std::string>() + ")";
    if (created.status().code() != StatusCode::kFailedPrecondition && created.status().code() != StatusCode::kInvalidArgument)
      return "create " + type + " failed for another reason: " + created.status().message();
    return "";
  }
  if (!created.ok()) return "create " + type + " was rejected: " + created.status().message();
  json doc = json::parse(*created);
  locals_.emplace_back(step.variable.text, sema::Type::Record(record->qualified));
  ids_.push_back(doc["id"].get<std::string>());
  return "";
}

std::string TestRun::Fire(const ast::TestStep& step) {
  size_t index = locals_.size();
  for (size_t i = 0; i < locals_.size(); ++i)
    if (locals_[i].first == step.variable.text) index = i;
  if (index == locals_.size()) return "unknown record variable '" + step.variable.text + "'";
  json params = json::object();
  for (const auto& arg : step.args) {
    std::string error;
    vm::Value v = Eval(*arg.value, error);
    if (v.is_error()) return "argument '" + arg.name.text + "' fails: " + v.error_message();
    params[arg.name.text] = ToEngineJson(*arg.value, v);
  }
  CallOptions call;
  std::string failure = Caller(step, call);
  if (!failure.empty()) return failure;
  auto fired = engine_.Fire(ids_[index], step.event.text, params.dump(), call);
  std::string what = "fire " + step.variable.text + "." + step.event.text;
  if (step.expect_rejected) {
    if (fired.ok())
      return what + " was expected to be rejected, but it was accepted (state now '" +
             json::parse(*fired)["state"].get<std::string>() + "')";
    if (fired.status().code() != StatusCode::kFailedPrecondition && fired.status().code() != StatusCode::kInvalidArgument)
      return what + " failed for another reason: " + fired.status().message();
    return "";
  }
  if (!fired.ok()) return what + " was rejected: " + fired.status().message();
  return "";
}

std::string TestRun::Caller(const ast::TestStep& step, CallOptions& call) {
  if (!step.actor) return "";
  std::string error;
  vm::Value actor = Eval(*step.actor, error);
  if (!actor.is(vm::ValueKind::kString))
    return "the actor is not a string: " + (actor.is_error() ? actor.error_message() : actor.DebugString());
  call.actor = actor.string_value();
  for (const auto& role : step.roles) call.roles.push_back(role.text);
  return "";
}

std::string TestRun::Expect(const ast::TestStep& step) {
  std::string error;
  vm::Value v = Eval(*step.expr, error);
  if (v.is(vm::ValueKind::kBool) && v.bool_value()) return "";
  std::string text = program_.TextOf(step.expr->range);
  if (v.is_error()) return "expect " + text + ": " + v.error_message();
  std::string detail;
  const ast::Expr& e = *step.expr;
  if (e.kind == ast::ExprKind::kBinary && e.op != ast::Op::kAnd && e.op != ast::Op::kOr) {
    // Show both sides of a comparison.
    std::string ignored;
    vm::Value lhs = Eval(*e.args[0], ignored);
    vm::Value rhs = Eval(*e.args[1], ignored);
    detail = " (" + program_.TextOf(e.args[0]->range) + " is " + lhs.DebugString() + ", " +
             program_.TextOf(e.args[1]->range) + " is " + rhs.DebugString() + ")";
  } else if (e.kind != ast::ExprKind::kLiteral) {
    detail = " (it is " + v.DebugString() + ")";
  }
  return "expect " + text + " failed" + detail;
}

std::string TestRun::AdvanceTo(Timestamp t) {
  if (t < clock_.Now()) return "cannot advance backwards, to " + FormatTimestamp(t) + " from " + FormatTimestamp(clock_.Now());
  auto fired = engine_.RunDueTimers(t);
  clock_.Set(t);
  if (!fired.ok()) return "a timer due by " + FormatTimestamp(t) + " failed: " + fired.status().message();
  return "";
}

std::string TestRun::Step(const ast::TestStep& step) {
  switch (step.kind) {
    case ast::TestStep::Kind::kClock: {
      auto t = ParseTimestamp(step.text);
      if (!t) return "bad timestamp '" + step.text + "'";
      clock_.Set(*t);
      return "";
    }
    case ast::TestStep::Kind::kAdvanceTo: {
      auto t = ParseTimestamp(step.text);
      if (!t) return "bad timestamp '" + step.text + "'";
      return AdvanceTo(*t);
    }
    case ast::TestStep::Kind::kAdvanceBy: {
      std::string error;
      vm::Value d = Eval(*step.expr, error);
      if (!d.is(vm::ValueKind::kDuration)) return "advance by: not a duration: " + d.DebugString();
      return AdvanceTo(AddDuration(clock_.Now(), d.duration_value()));
    }
    case ast::TestStep::Kind::kCreate: return Create(step);
    case ast::TestStep::Kind::kFire: return Fire(step);
    case ast::TestStep::Kind::kExpect: return Expect(step);
  }
  return "unknown step";
}

std::string XmlEscape(const std::string& s) {
  std::string out;
  for (char c : s) {
    switch (c) {
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '&': out += "&amp;"; break;
      case '"': out += "&quot;"; break;
      default: out += c;
    }
  }
  return out;
}

}  // namespace

StatusOr<std::vector<TestResult>> RunTests(const sema::Program& program, const TestOptions& options) {
  if (program.diags.HasErrors()) return FailedPrecondition("the modules have errors");
  auto image = vm::Image::Build(program);
  if (!image.ok()) return image.status();
  std::vector<std::pair<std::string, std::string>> files;
  for (const auto& m : program.modules) files.emplace_back(m->path, program.sources.Text(m->ast->file));
  // Every test starts from the same deployed state, kept in memory: the
  // modules are deployed (checked and compiled) once, and each test runs on
  // a fork of that engine, which shares what the deploy compiled.
  ManualClock deploy_clock(Timestamp{});
  EngineOptions base_options;
  base_options.storage = Storage::kMemory;
  base_options.clock = &deploy_clock;
  base_options.use_environment = false;  // every module is deployed from the program
  auto base = Engine::Open("", base_options);
  if (!base.ok()) return base.status();
  auto deployed = (*base)->DeploySources(files);
  if (!deployed.ok()) return deployed.status();

  std::vector<TestResult> results;
  for (const auto& m : program.modules) {
    if (options.only_given_files && m->from_search_path) continue;
    for (const auto& test : m->ast->tests) {
      if (!options.filter.empty() && test.name.find(options.filter) == std::string::npos) continue;
      auto started = std::chrono::steady_clock::now();
      TestResult result;
      result.module = m->name;
      result.name = test.name;
      result.location = Where(program, test.range);
      ManualClock clock(Timestamp{});
      EngineOptions engine_options = base_options;
      engine_options.clock = &clock;
      auto engine = (*base)->Fork(engine_options);
      if (!engine.ok()) return engine.status();
      TestRun run(program, **image, *m, **engine, clock);
      result.failure = run.Run(test);
      result.passed = result.failure.empty();
      result.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
      results.push_back(std::move(result));
    }
  }
  return results;
}

std::string JunitReport(const std::vector<TestResult>& results) {
  size_t failures = 0;
  double total = 0;
  for (const auto& r : results) {
    failures += !r.passed;
    total += r.seconds;
  }
  std::string out = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n";
  out += "<testsuite name=\"smdl\" tests=\"" + std::to_string(results.size()) + "\" failures=\"" +
         std::to_string(failures) + "\" time=\"" + std::to_string(total) + "\">\n";
  for (const auto& r : results) {
    out += "  <testcase classname=\"" + XmlEscape(r.module) + "\" name=\"" + XmlEscape(r.name) + "\" time=\"" +
           std::to_string(r.seconds) + "\"";
    if (r.passed) {
      out += "/>\n";
    } else {
      out += ">\n    <failure message=\"" + XmlEscape(r.failure) + "\"/>\n  </testcase>\n";
    }
  }
  out += "</testsuite>\n";
  return out;
}

}  // namespace smdl::runtime
