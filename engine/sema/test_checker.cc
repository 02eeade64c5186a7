// Test blocks: the steps a designer writes to exercise a process in virtual
// time. The checker makes sure every step can run: handles exist, events and
// parameters match the process, fields exist, expectations are bool.
#include <algorithm>
#include <set>

#include "base/time.h"
#include "sema/expr_checker.h"
#include "sema/passes.h"
#include "sema/scope.h"

namespace smdl::sema {
namespace {

// Fields that are given a value by `on create` need not be passed to `create`.
std::set<std::string> AssignedOnCreate(const ProcessInfo* p) {
  std::set<std::string> out;
  if (p)
    for (const auto& a : p->decl->on_create)
      if (a.kind == ast::Action::Kind::kAssign) out.insert(a.field.text);
  return out;
}

void CheckTest(Program& program, ModuleInfo& module, const ast::TestDecl& test) {
  Diagnostics& diags = program.diags;
  ExprEnv env{program, module, nullptr, true, true, {}};
  env.reads_records = true;
  ExprChecker checker(env);
  std::vector<std::string> declared_roles;
  for (const auto& [name, range] : program.roles) declared_roles.push_back(name);
  // `by EXPR with roles [...]`: a string, and roles declared somewhere.
  auto check_actor = [&](const ast::TestStep& step) {
    if (step.actor) checker.Expect(*step.actor, Type::String(), "the actor");
    for (const auto& role : step.roles)
      if (!program.roles.count(role.text))
      {
        std::string suggestion = DidYouMean(role.text, declared_roles);
        diags.Error("E3040", role.range, "role '" + role.text + "' is declared nowhere" +
                                             (suggestion.empty() ? " (declare it: role " + role.text + ";)" : suggestion));
      }
  };
  std::map<std::string, const RecordInfo*> handles;
  for (const auto& step : test.steps) {
    switch (step.kind) {
      case ast::TestStep::Kind::kClock:
      case ast::TestStep::Kind::kAdvanceTo:
        if (!ParseTimestamp(step.text))
          diags.Error("E5020", step.text_range, "'" + step.text + "' is not an RFC 3339 timestamp (e.g. 2026-03-06T16:00:00+01:00)");
        break;
      case ast::TestStep::Kind::kAdvanceBy:
        checker.Expect(*step.expr, Type::Duration(), "the time to advance by");
        break;
      case ast::TestStep::Kind::kExpect:
        checker.Expect(*step.expr, Type::Bool(), "an expectation");
        break;
      case ast::TestStep::Kind::kCreate: {
        const Symbol* sym = step.record_type.parts.size() == 1
                                ? LookupGlobal(module, step.record_type.ToString(), diags, step.record_type.range)
                                : nullptr;
        if (!sym || sym->kind != Symbol::Kind::kRecord) {
          diags.Error("E5022", step.record_type.range, "unknown record '" + step.record_type.ToString() + "'");
          for (const auto& f : step.fields) checker.Check(*f.value);
          break;
        }
        const RecordInfo& record = *sym->record;
        const ProcessInfo* process = program.ProcessForRecord(record.qualified);
        if (!process)
          diags.Error("E5022", step.record_type.range, "no process runs on record " + record.decl->name.text);
        std::set<std::string> given;
        for (const auto& f : step.fields) {
          given.insert(f.name.text);
          const FieldInfo* field = record.Find(f.name.text);
          if (!field) {
            diags.Error("E3012", f.name.range, "record " + record.decl->name.text + " has no field '" + f.name.text + "'");
            checker.Check(*f.value);
            continue;
          }
          checker.Expect(*f.value, field->type, "field '" + f.name.text + "'");
        }
        std::set<std::string> computed = AssignedOnCreate(process);
        for (const auto& field : record.fields) {
          bool required = !field.type.is(TypeKind::kOptional) && !field.decl->default_value;
          if (required && !given.count(field.name) && !computed.count(field.name))
            diags.Error("E5023", step.range, "field '" + field.name + "' of " + record.decl->name.text +
                                                 " has no default and must be given");
        }
        if (handles.count(step.variable.text) || env.locals.end() != std::find_if(env.locals.begin(), env.locals.end(),
                                                                                 [&](auto& l) { return l.first == step.variable.text; }))
          diags.Error("E5021", step.variable.range, "'" + step.variable.text + "' is already defined in this test");
        check_actor(step);
        if (step.expect_rejected) break;  // a rejected create gives no record
        handles[step.variable.text] = &record;
        env.locals.emplace_back(step.variable.text, Type::Record(record.qualified));
        break;
      }
      case ast::TestStep::Kind::kFire: {
        auto it = handles.find(step.variable.text);
        if (it == handles.end()) {
          diags.Error("E5024", step.variable.range, "unknown record variable '" + step.variable.text + "'");
          break;
        }
        const ProcessInfo* process = program.ProcessForRecord(it->second->qualified);
        if (!process) break;
        auto ev = process->events.find(step.event.text);
        if (ev == process->events.end()) {
          diags.Error("E5025", step.event.range, "process '" + process->decl->name.text + "' has no event '" + step.event.text + "'");
          break;
        }
        std::set<std::string> given;
        for (const auto& arg : step.args) {
          if (!given.insert(arg.name.text).second)
            diags.Error("E2030", arg.name.range, "argument '" + arg.name.text + "' is given twice");
          const Type* want = nullptr;
          for (const auto& [name, type] : ev->second)
            if (name == arg.name.text) want = &type;
          if (!want) {
            diags.Error("E5026", arg.name.range, "event '" + step.event.text + "' has no parameter '" + arg.name.text + "'");
            checker.Check(*arg.value);
            continue;
          }
          checker.Expect(*arg.value, *want, "argument '" + arg.name.text + "'");
        }
        for (const auto& [name, type] : ev->second)
          if (!given.count(name) && !type.is(TypeKind::kOptional))
            diags.Error("E5027", step.event.range, "event '" + step.event.text + "' needs argument '" + name + "'");
        check_actor(step);
        break;
      }
    }
  }
}

}  // namespace

void CheckTests(Program& program) {
  for (auto& m : program.modules) {
    std::set<std::string> names;
    for (const auto& t : m->ast->tests) {
      if (!names.insert(t.name).second)
        program.diags.Error("E5028", t.name_range, "module '" + m->name + "' already has a test named \"" + t.name + "\"");
      CheckTest(program, *m, t);
    }
  }
}

}  // namespace smdl::sema
