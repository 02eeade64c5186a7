#include "ir/machine.h"

#include <algorithm>

#include "sema/scope.h"

namespace smdl::ir {

// Compiles one process; reports the first expression that fails to compile.
class MachineBuilder {
 public:
  // Constant expressions that exceed the evaluation budget are reported to
  // `diags` (E2027) and do not stop the build.
  MachineBuilder(const sema::Program& program, const vm::Image& vm,
                 std::map<std::string, std::unique_ptr<calendar::Calendar>>& calendars,
                 const std::map<std::string, const calendar::Calendar*>& by_name, Diagnostics& diags)
      : program_(program), vm_(vm), calendars_(calendars), by_name_(by_name), diags_(diags) {}

  StatusOr<std::unique_ptr<Machine>> Build(const sema::ProcessInfo& process);
  // The calendar a declaration stands for (the override that wins), built once.
  static StatusOr<const calendar::Calendar*> Built(const sema::Program& program, const ast::CalendarDecl* decl,
                                                   const std::string& name,
                                                   std::map<std::string, std::unique_ptr<calendar::Calendar>>& built);

 private:
  vm::Scope BaseScope() const {
    vm::Scope scope;
    scope.module = m_->process_->module;
    scope.record = m_->record_;
    scope.has_now = true;
    scope.has_actor = true;
    return scope;
  }
  Status Compile(const ast::Expr& expr, const vm::Scope& scope, ExprPtr& out) {
    auto compiled = vm_.Compile(expr, scope, &diags_);
    if (!compiled.ok()) return compiled.status();
    out = std::move(*compiled);
    return Status::Ok();
  }
  Status CompileEmit(const std::string& message, const std::vector<ast::FieldInit>& payload, const vm::Scope& scope,
                     Emit& out) {
    out.message = message;
    for (const auto& f : payload) {
      ExprPtr value;
      SMDL_RETURN_IF_ERROR(Compile(*f.value, scope, value));
      out.payload.emplace_back(f.name.text, std::move(value));
    }
    return Status::Ok();
  }
  Status CompileActions(const std::vector<ast::Action>& actions, const vm::Scope& scope, std::vector<Action>& out);
  Status CompileSla(const ast::SlaDecl& decl, Sla& out);
  Status CompileSlaActions(const std::vector<ast::SlaAction>& actions, std::vector<SlaAction>& out);
  StatusOr<const calendar::Calendar*> CalendarNamed(const ast::Ident& name);

  const sema::Program& program_;
  const vm::Image& vm_;
  std::map<std::string, std::unique_ptr<calendar::Calendar>>& calendars_;
  const std::map<std::string, const calendar::Calendar*>& by_name_;
  Diagnostics& diags_;
  std::unique_ptr<Machine> m_;
};

Status MachineBuilder::CompileActions(const std::vector<ast::Action>& actions, const vm::Scope& outer,
                                      std::vector<Action>& out) {
  vm::Scope scope = outer;  // grows with each `let`
  auto type_of = [&](const ast::Expr& e) {
    auto info = program_.expr_info.find(&e);
    return info == program_.expr_info.end() ? sema::Type::Dyn() : info->second.type;
  };
  for (const auto& a : actions) {
    Action action;
    if (a.kind == ast::Action::Kind::kEmit) {
      action.kind = Action::Kind::kEmit;
      SMDL_RETURN_IF_ERROR(CompileEmit(a.message, a.payload, scope, action.emit));
    } else if (a.kind == ast::Action::Kind::kIf) {
      action.kind = Action::Kind::kIf;
      SMDL_RETURN_IF_ERROR(Compile(*a.value, scope, action.value));
      SMDL_RETURN_IF_ERROR(CompileActions(a.body, scope, action.body));
      SMDL_RETURN_IF_ERROR(CompileActions(a.else_body, scope, action.else_body));
    } else if (a.kind == ast::Action::Kind::kFire) {
      action.kind = Action::Kind::kFire;
      action.event = a.event.text;
      action.variable = program_.TextOf(a.value->range);
      SMDL_RETURN_IF_ERROR(Compile(*a.value, scope, action.value));
      sema::Type target = type_of(*a.value);
      if (target.is(sema::TypeKind::kOptional)) target = target.params[0];
      const sema::ProcessInfo* process = program_.ProcessForRecord(target.name);
      if (!process || !process->events.count(a.event.text)) return Internal("fire of an unknown event passed the checker");
      const auto& params = process->events.at(a.event.text);
      for (const auto& arg : a.payload) {
        Argument compiled{arg.name.text, sema::Type::Dyn(), nullptr};
        for (const auto& [name, type] : params)
          if (name == arg.name.text) compiled.type = type;
        SMDL_RETURN_IF_ERROR(Compile(*arg.value, scope, compiled.value));
        action.arguments.push_back(std::move(compiled));
      }
    } else if (a.kind == ast::Action::Kind::kCreate) {
      action.kind = Action::Kind::kCreate;
      const sema::RecordInfo* record = nullptr;
      Diagnostics ignored;
      const sema::Symbol* sym = sema::LookupGlobal(*m_->process_->module, a.record_type.ToString(), ignored, a.record_type.range);
      if (sym && sym->kind == sema::Symbol::Kind::kRecord) record = sym->record;
      if (!record) return Internal("create of an unknown record passed the checker");
      action.record_type = record->qualified;
      for (const auto& f : a.payload) {
        const sema::FieldInfo* field = record->Find(f.name.text);
        Argument compiled{f.name.text, field ? field->type : sema::Type::Dyn(), nullptr};
        SMDL_RETURN_IF_ERROR(Compile(*f.value, scope, compiled.value));
        action.arguments.push_back(std::move(compiled));
      }
      action.variable = a.field.text;
      if (!action.variable.empty()) scope.locals.emplace_back(action.variable, sema::Type::Ref(record->qualified));
    } else if (a.kind == ast::Action::Kind::kFor) {
      action.kind = Action::Kind::kFor;
      action.variable = a.field.text;
      SMDL_RETURN_IF_ERROR(Compile(*a.value, scope, action.value));
      vm::Scope inner = scope;
      auto info = program_.expr_info.find(a.value.get());
      sema::Type list = info == program_.expr_info.end() ? sema::Type::Dyn() : info->second.type;
      inner.locals.emplace_back(a.field.text, list.is(sema::TypeKind::kList) ? list.elem() : sema::Type::Dyn());
      SMDL_RETURN_IF_ERROR(CompileActions(a.body, inner, action.body));
    } else {
      action.kind = Action::Kind::kAssign;
      const auto& fields = m_->record_->fields;
      auto it = std::find_if(fields.begin(), fields.end(), [&](const sema::FieldInfo& f) { return f.name == a.field.text; });
      if (it == fields.end()) return Internal("assignment to unknown field '" + a.field.text + "' passed the checker");
      action.field = static_cast<int>(it - fields.begin());
      SMDL_RETURN_IF_ERROR(Compile(*a.value, scope, action.value));
    }
    out.push_back(std::move(action));
  }
  return Status::Ok();
}

StatusOr<const calendar::Calendar*> MachineBuilder::CalendarNamed(const ast::Ident& name) {
  Diagnostics ignored;
  const sema::Symbol* sym = sema::LookupGlobal(*m_->process_->module, name.text, ignored, name.range);
  if (!sym || sym->kind != sema::Symbol::Kind::kCalendar) return Internal("unknown calendar '" + name.text + "'");
  return Built(program_, sym->calendar->decl, name.text, calendars_);
}

StatusOr<const calendar::Calendar*> MachineBuilder::Built(
    const sema::Program& program, const ast::CalendarDecl* decl, const std::string& name,
    std::map<std::string, std::unique_ptr<calendar::Calendar>>& built) {
  auto winner = program.overrides.find(decl);
  if (winner != program.overrides.end()) decl = static_cast<const ast::CalendarDecl*>(winner->second);
  std::string key = std::to_string(reinterpret_cast<uintptr_t>(decl));
  auto found = built.find(key);
  if (found != built.end()) return static_cast<const calendar::Calendar*>(found->second.get());
  auto sets = program.holiday_sets_of.find(decl);
  auto made = calendar::Calendar::FromDecl(
      *decl, name, sets == program.holiday_sets_of.end() ? std::vector<const ast::HolidaySetDecl*>{} : sets->second);
  if (!made.ok()) return made.status();
  auto owned = std::make_unique<calendar::Calendar>(std::move(*made));
  const calendar::Calendar* result = owned.get();
  built[key] = std::move(owned);
  return result;
}

Status MachineBuilder::CompileSlaActions(const std::vector<ast::SlaAction>& actions, std::vector<SlaAction>& out) {
  for (const auto& a : actions) {
    SlaAction action;
    switch (a.kind) {
      case ast::SlaAction::Kind::kEmit:
        action.kind = SlaAction::Kind::kEmit;
        SMDL_RETURN_IF_ERROR(CompileEmit(a.message, a.payload, BaseScope(), action.emit));
        break;
      case ast::SlaAction::Kind::kMove:
        action.kind = SlaAction::Kind::kMove;
        action.target = m_->StateIndex(a.target.text);
        break;
      case ast::SlaAction::Kind::kFire:
        action.kind = SlaAction::Kind::kFire;
        action.event = a.target.text;
        break;
    }
    out.push_back(std::move(action));
  }
  return Status::Ok();
}

Status MachineBuilder::CompileSla(const ast::SlaDecl& decl, Sla& out) {
  out.name = decl.name.text;
  SMDL_RETURN_IF_ERROR(Compile(*decl.target, BaseScope(), out.target));
  bool named = false;
  if (decl.calendar && !m_->record_->Find(decl.calendar->text)) {
    Diagnostics ignored;
    const sema::Symbol* sym = sema::LookupGlobal(*m_->process_->module, decl.calendar->text, ignored, decl.calendar->range);
    named = sym && sym->kind == sema::Symbol::Kind::kCalendar;
  }
  if (named) {
    auto cal = CalendarNamed(*decl.calendar);
    if (!cal.ok()) return cal.status();
    out.calendar = *cal;
    out.calendar_name = decl.calendar->text;
  } else if (decl.calendar_expr) {
    SMDL_RETURN_IF_ERROR(Compile(*decl.calendar_expr, BaseScope(), out.calendar_expr));
    out.calendars = &by_name_;
  }
  for (const auto& c : decl.conditions) {
    SlaTrigger trigger;
    trigger.kind = static_cast<SlaTrigger::Kind>(c.trigger.kind);
    for (const auto& n : c.trigger.names) trigger.names.push_back(n.text);
    switch (c.kind) {
      case ast::SlaCondition::Kind::kStart: out.start.push_back(trigger); break;
      case ast::SlaCondition::Kind::kStop: out.stop.push_back(trigger); break;
      case ast::SlaCondition::Kind::kPause: out.pause.push_back(trigger); break;
      case ast::SlaCondition::Kind::kResume: out.resume.push_back(trigger); break;
      case ast::SlaCondition::Kind::kReset: out.reset.push_back(trigger); break;
    }
  }
  if (decl.retarget) {
    if (decl.retarget->text == "keep") out.retarget = Sla::Retarget::kKeep;
    if (decl.retarget->text == "restart") out.retarget = Sla::Retarget::kRestart;
  }
  for (const auto& w : decl.warnings) {
    SlaWarning warning;
    warning.percent = w.percent;
    SMDL_RETURN_IF_ERROR(CompileSlaActions(w.actions, warning.actions));
    out.warnings.push_back(std::move(warning));
  }
  std::sort(out.warnings.begin(), out.warnings.end(),
            [](const SlaWarning& a, const SlaWarning& b) { return a.percent < b.percent; });
  return CompileSlaActions(decl.breach, out.breach);
}

StatusOr<std::unique_ptr<Machine>> MachineBuilder::Build(const sema::ProcessInfo& process) {
  m_ = std::make_unique<Machine>();
  m_->process_ = &process;
  m_->record_ = process.record;
  const ast::ProcessDecl& decl = *process.decl;
  for (const auto& [event, params] : process.events) {
    auto& list = m_->events_[event];
    for (const auto& [name, type] : params) list.push_back({name, type});
  }
  for (size_t i = 0; i < decl.states.size(); ++i) m_->state_index_[decl.states[i].name.text] = static_cast<int>(i);
  for (size_t i = 0; i < decl.states.size(); ++i) {
    const ast::StateDecl& s = decl.states[i];
    State state;
    state.name = s.name.text;
    state.is_initial = s.is_initial;
    state.is_final = s.is_final;
    state.parallel = s.is_parallel;
    state.parent = s.parent;
    state.children = s.children;
    if (s.is_initial && s.parent < 0) m_->initial_ = static_cast<int>(i);
    state.initial_child = process.InitialChild(static_cast<int>(i));
    SMDL_RETURN_IF_ERROR(CompileActions(s.on_enter, BaseScope(), state.on_enter));
    SMDL_RETURN_IF_ERROR(CompileActions(s.on_exit, BaseScope(), state.on_exit));
    int timers = 0;
    for (const auto& t : s.transitions) {
      Transition tr;
      tr.kind = static_cast<Transition::Kind>(t.kind);
      tr.source = static_cast<int>(i);
      if (t.kind == ast::Transition::Kind::kEvent && t.event.text == "done" && !s.children.empty())
        tr.kind = Transition::Kind::kDone;
      vm::Scope scope = BaseScope();
      if (t.kind == ast::Transition::Kind::kEvent) {
        tr.event = t.event.text;
        for (const auto& group : t.requires_roles) {
          std::vector<std::string> roles;
          for (const auto& r : group) roles.push_back(r.text);
          tr.requires_roles.push_back(std::move(roles));
        }
        for (const auto& p : m_->events_[tr.event]) scope.locals.emplace_back(p.name, p.type);
      }
      if (t.guard) {
        SMDL_RETURN_IF_ERROR(Compile(*t.guard, scope, tr.guard));
        tr.guard_text = program_.TextOf(t.guard->range);
      }
      if (t.delay) {
        SMDL_RETURN_IF_ERROR(Compile(*t.delay, BaseScope(), tr.delay));
        tr.at_instant = t.at_instant;
        tr.timer_name = "after:" + state.name + ":" + std::to_string(timers++);
      }
      if (t.target) tr.target = m_->StateIndex(t.target->text);
      SMDL_RETURN_IF_ERROR(CompileActions(t.actions, scope, tr.actions));
      state.transitions.push_back(std::move(tr));
    }
    m_->states_.push_back(std::move(state));
  }
  if (m_->initial_ < 0) return Internal("process '" + decl.name.text + "' has no initial state");
  SMDL_RETURN_IF_ERROR(CompileActions(decl.on_create, BaseScope(), m_->on_create_));
  // Field defaults are checked in the record's module, without a record.
  vm::Scope defaults_scope;
  defaults_scope.module = m_->record_->module;
  for (const auto& f : m_->record_->fields) {
    ExprPtr value;
    if (f.decl && f.decl->default_value) SMDL_RETURN_IF_ERROR(Compile(*f.decl->default_value, defaults_scope, value));
    m_->defaults_.push_back(std::move(value));
  }
  for (const auto& s : decl.slas) {
    Sla sla;
    SMDL_RETURN_IF_ERROR(CompileSla(s, sla));
    m_->slas_.push_back(std::move(sla));
  }
  return std::move(m_);
}

int Machine::StateIndex(const std::string& name) const {
  auto it = state_index_.find(name);
  return it == state_index_.end() ? -1 : it->second;
}

bool Machine::Contains(int ancestor, int state) const {
  if (ancestor < 0) return true;
  for (; state >= 0; state = states_[state].parent)
    if (state == ancestor) return true;
  return false;
}

std::vector<int> Machine::Configuration(const std::string& state, const std::vector<std::string>& active) const {
  std::vector<int> leaves;
  if (active.empty()) {
    if (int s = StateIndex(state); s >= 0) leaves.push_back(s);
    return leaves;
  }
  for (const auto& name : active)
    if (int s = StateIndex(name); s >= 0) leaves.push_back(s);
  std::sort(leaves.begin(), leaves.end());
  return leaves;
}

int Machine::StateOf(const std::vector<int>& leaves) const {
  if (leaves.size() == 1) return leaves.front();  // no regions: the leaf
  std::vector<int> working;
  for (int leaf : leaves)
    if (!states_[leaf].is_final) working.push_back(leaf);
  const std::vector<int>& around = working.empty() ? leaves : working;
  if (around.empty()) return -1;
  int s = around.front();
  while (s >= 0 && !std::all_of(around.begin(), around.end(), [&](int leaf) { return Contains(s, leaf); }))
    s = states_[s].parent;
  return s;
}

std::vector<std::string> Machine::ActiveStates(const std::vector<int>& leaves) const {
  std::vector<std::string> out;
  std::vector<bool> seen(states_.size());
  for (int leaf : leaves)
    for (int s = leaf; s >= 0 && !seen[s]; s = states_[s].parent) {
      seen[s] = true;
      out.push_back(states_[s].name);
    }
  return out;
}

const std::vector<Param>* Machine::EventParams(const std::string& event) const {
  auto it = events_.find(event);
  return it == events_.end() ? nullptr : &it->second;
}

StatusOr<std::unique_ptr<Image>> Image::Build(const sema::Program& program, Diagnostics* diags) {
  if (program.diags.HasErrors()) return FailedPrecondition("the program has errors");
  auto image = std::make_unique<Image>();
  image->program_ = &program;
  Diagnostics found;  // what only compiling finds: constants over the budget
  auto vm = vm::Image::Build(program, &found);
  if (!vm.ok()) return vm.status();
  image->vm_ = std::move(*vm);
  for (const auto& c : program.calendars) {
    if (c->is_override) continue;
    auto cal = MachineBuilder::Built(program, c->decl, c->decl->name.text, image->calendars_);
    if (!cal.ok()) return Status(cal.status().code(), "calendar '" + c->decl->name.text + "': " + cal.status().message());
    image->calendars_by_name_[c->module->name + "." + c->decl->name.text] = *cal;
  }
  for (const auto& p : program.processes) {
    if (!p->record) continue;
    MachineBuilder builder(program, *image->vm_, image->calendars_, image->calendars_by_name_, found);
    auto machine = builder.Build(*p);
    if (!machine.ok())
      return Status(machine.status().code(), "process '" + p->decl->name.text + "': " + machine.status().message());
    image->machines_.push_back(std::move(*machine));
  }
  if (found.HasErrors()) {
    found.SortByLocation();
    if (diags == nullptr) return InvalidArgument("the definitions have errors:\n" + found.RenderText(program.sources));
    for (const Diagnostic& d : found.all()) diags->Report(d.severity, d.code, d.range, d.message);
  }
  return image;
}

const Machine* Image::MachineForType(const std::string& type) const {
  const Machine* by_short = nullptr;
  int short_matches = 0;
  for (const auto& m : machines_) {
    if (m->record_type() == type) return m.get();
    if (sema::ShortName(m->record_type()) == type) {
      by_short = m.get();
      ++short_matches;
    }
  }
  return short_matches == 1 ? by_short : nullptr;
}

StatusOr<std::vector<const Machine*>> Image::MachinesFor(const std::string& type) const {
  std::vector<const Machine*> out;
  if (!type.empty()) {
    const Machine* machine = MachineForType(type);
    if (!machine) return UnknownTypeError(type);
    out.push_back(machine);
    return out;
  }
  for (const auto& m : machines_) out.push_back(m.get());
  return out;
}

Status Image::UnknownTypeError(const std::string& type) const {
  std::string known;
  int matches = 0;
  for (const auto& m : machines_) {
    known += (known.empty() ? "" : ", ") + sema::ShortName(m->record_type());
    if (sema::ShortName(m->record_type()) == type) ++matches;
  }
  if (matches > 1) return InvalidArgument("record type '" + type + "' is ambiguous: give its qualified name");
  return NotFound("no process runs on record type '" + type + "'" + (known.empty() ? "" : " (known: " + known + ")"));
}

std::vector<std::string> Image::OverrideSummary() const {
  std::vector<std::string> out;
  for (const auto& f : program_->functions)
    if (f->is_override) out.push_back((f->kind == sema::FunctionInfo::Kind::kPolicy ? "policy " : "table ") + f->name + ": " + f->module->name);
  for (const auto& s : program_->settings)
    if (s->is_override) out.push_back("setting " + s->decl->name.text + ": " + s->module->name);
  for (const auto& c : program_->calendars)
    if (c->is_override) out.push_back("calendar " + c->decl->name.text + ": " + c->module->name);
  std::sort(out.begin(), out.end());
  return out;
}

}  // namespace smdl::ir
