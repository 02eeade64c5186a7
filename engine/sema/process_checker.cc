// Processes: the record they run on, states, transitions, actions, SLA
// blocks, and the lints that keep a state machine sound (every state
// reachable, every non-final state can be left, a final state in reach).
#include <algorithm>
#include <deque>
#include <functional>
#include <map>
#include <set>

#include "sema/expr_checker.h"
#include "sema/passes.h"
#include "sema/scope.h"

namespace smdl::sema {
namespace {

class ProcessChecker {
 public:
  ProcessChecker(Program& program, ProcessInfo& process) : program_(program), p_(process), d_(*process.decl) {}

  // First pass over every process: its record and its events, which other
  // processes' `fire` actions are checked against.
  void Declare() {
    resolved_ = ResolveRecord();
    if (resolved_) CollectEvents();
  }

  void Run() {
    if (!resolved_) return;
    CheckStates();
    ExprEnv base{program_, *p_.module, p_.record, true, false, {}};
    base.has_actor = true;
    base.reads_records = true;
    {
      ExprEnv env = base;
      CheckActions(env, d_.on_create);
    }
    for (const auto& state : d_.states) {
      for (const auto& t : state.transitions) CheckTransition(base, state, t);
      ExprEnv enter = base, exit = base;
      CheckActions(enter, state.on_enter);
      CheckActions(exit, state.on_exit);
    }
    std::set<std::string> sla_names;
    for (const auto& sla : d_.slas) {
      if (!sla_names.insert(sla.name.text).second)
        diags().Error("E3032", sla.name.range, "process '" + d_.name.text + "' already has an sla '" + sla.name.text + "'");
      CheckSla(base, sla);
    }
    if (initial_ != nullptr) Lints();
  }

 private:
  Diagnostics& diags() { return program_.diags; }

  bool ResolveRecord() {
    const Symbol* sym = d_.record.parts.size() == 1
                            ? LookupGlobal(*p_.module, d_.record.ToString(), diags(), d_.record.range)
                            : nullptr;
    if (!sym || sym->kind != Symbol::Kind::kRecord) {
      diags().Error("E3002", d_.record.range, sym ? "'" + d_.record.ToString() + "' is a " +
                                                        SymbolKindName(sym->kind) + ", not a record"
                                                  : "unknown record '" + d_.record.ToString() + "'");
      return false;
    }
    p_.record = sym->record;
    for (const auto& other : program_.processes) {
      if (other.get() == &p_) break;
      if (other->record == p_.record) {
        diags().Error("E3001", d_.name.range, "record " + p_.record->decl->name.text + " already has process '" +
                                                  other->decl->name.text + "'; a record runs one process");
        return false;
      }
    }
    return true;
  }

  void CheckStates() {
    std::set<std::string> names;
    for (const auto& s : d_.states) {
      if (!names.insert(s.name.text).second)
        diags().Error("E3003", s.name.range, "state '" + s.name.text + "' is declared twice" +
                                                 (s.parent >= 0 || !s.children.empty() ? " (state names are unique in a process, nested ones too)" : ""));
      if (s.is_final && !s.children.empty())
        diags().Error("E3051", s.name.range, "final state '" + s.name.text + "' cannot hold states");
      if (s.is_final && !s.transitions.empty())
        diags().Error("E3006", s.transitions.front().range, "final state '" + s.name.text + "' cannot have transitions");
      if (s.is_parallel && !s.is_final) CheckRegions(s);
      // A compound state's initial child: at most one is marked (none: the first).
      const ast::StateDecl* initial_child = nullptr;
      for (int c : s.is_parallel ? std::vector<int>{} : s.children) {
        const ast::StateDecl& child = d_.states[static_cast<size_t>(c)];
        if (!child.is_initial) continue;
        if (initial_child) {
          diags().Error("E3005", child.name.range, "state '" + s.name.text + "' has more than one initial state");
          diags().Note(initial_child->name.range, "the first initial state is here");
        }
        initial_child = &child;
      }
      if (s.parent >= 0) continue;
      if (s.is_initial) {
        if (initial_ != nullptr) {
          diags().Error("E3005", s.name.range, "process '" + d_.name.text + "' has more than one initial state");
          diags().Note(initial_->name.range, "the first initial state is here");
        } else {
          initial_ = &s;
        }
      }
    }
    if (initial_ == nullptr)
      diags().Error("E3004", d_.name.range, "process '" + d_.name.text + "' has no initial state (mark one 'initial state')");
  }

  // A parallel state's states are its regions: two or more, each holding
  // states of its own, none marked initial (all are entered) or final.
  void CheckRegions(const ast::StateDecl& s) {
    if (s.children.size() < 2)
      diags().Error("E3055", s.name.range, "parallel state '" + s.name.text + "' needs two or more regions (states inside it that run side by side)" +
                                               (s.children.empty() ? "" : "; with one, drop 'parallel'"));
    for (int c : s.children) {
      const ast::StateDecl& region = At(c);
      if (region.is_initial)
        diags().Error("E3056", region.name.range, "region '" + region.name.text + "' of parallel state '" + s.name.text +
                                                      "' cannot be initial: every region is entered");
      if (region.is_final)
        diags().Error("E3056", region.name.range, "region '" + region.name.text + "' of parallel state '" + s.name.text +
                                                      "' cannot be final: a region completes when it reaches a final state inside it");
      else if (region.children.empty())
        diags().Error("E3057", region.name.range, "region '" + region.name.text + "' of parallel state '" + s.name.text +
                                                      "' holds no states: declare the states it runs inside it");
    }
  }

  // `on done` on a compound state: its completion, not an event.
  static bool IsDone(const ast::StateDecl& s, const ast::Transition& t) {
    return t.kind == ast::Transition::Kind::kEvent && t.event.text == "done" && !s.children.empty();
  }

  void CollectEvents() {
    std::map<std::string, const ast::Transition*> first;
    for (const auto& s : d_.states) {
      for (const auto& t : s.transitions) {
        if (t.kind != ast::Transition::Kind::kEvent || IsDone(s, t)) continue;
        std::vector<std::pair<std::string, Type>> params;
        std::set<std::string> seen;
        for (const auto& param : t.params) {
          if (!seen.insert(param.name.text).second)
            diags().Error("E2030", param.name.range, "parameter '" + param.name.text + "' is declared twice");
          params.emplace_back(param.name.text, ResolveType(*p_.module, param.type, diags()));
        }
        auto [it, inserted] = p_.events.emplace(t.event.text, params);
        if (inserted) {
          first[t.event.text] = &t;
        } else if (!SameParams(it->second, params)) {
          diags().Error("E3011", t.event.range, "event '" + t.event.text +
                                                    "' must take the same parameters in every state");
          diags().Note(first[t.event.text]->event.range, "it is first declared here");
        }
      }
    }
  }

  static bool SameParams(const std::vector<std::pair<std::string, Type>>& a,
                         const std::vector<std::pair<std::string, Type>>& b) {
    if (a.size() != b.size()) return false;
    for (size_t i = 0; i < a.size(); ++i)
      if (a[i].first != b[i].first || (a[i].second != b[i].second && !a[i].second.is(TypeKind::kError) &&
                                       !b[i].second.is(TypeKind::kError)))
        return false;
    return true;
  }

  void CheckPayload(ExprChecker& checker, const std::vector<ast::FieldInit>& payload) {
    std::set<std::string> keys;
    for (const auto& f : payload) {
      if (!keys.insert(f.name.text).second)
        diags().Error("E2030", f.name.range, "payload field '" + f.name.text + "' is given twice");
      checker.Check(*f.value);
    }
  }

  void CheckActions(ExprEnv& env, const std::vector<ast::Action>& actions) {
    ExprChecker checker(env);
    for (const auto& a : actions) {
      if (a.kind == ast::Action::Kind::kEmit) {
        if (a.message.empty()) diags().Error("E3014", a.message_range, "a message needs a name");
        CheckPayload(checker, a.payload);
        continue;
      }
      if (a.kind == ast::Action::Kind::kIf) {
        checker.Expect(*a.value, Type::Bool(), "the condition of 'if'");
        ExprEnv then_env = env, else_env = env;
        CheckActions(then_env, a.body);
        CheckActions(else_env, a.else_body);
        continue;
      }
      if (a.kind == ast::Action::Kind::kFire) {
        CheckFire(checker, a);
        continue;
      }
      if (a.kind == ast::Action::Kind::kCreate) {
        CheckCreate(env, checker, a);
        continue;
      }
      if (a.kind == ast::Action::Kind::kFor) {
        CheckFor(env, checker, a);
        continue;
      }
      const FieldInfo* field = p_.record->Find(a.field.text);
      if (field == nullptr) {
        if (a.field.text == "id" || a.field.text == "state")
          diags().Error("E3013", a.field.range, "'" + a.field.text + "' is maintained by the engine and cannot be assigned");
        else
          diags().Error("E3012", a.field.range, "record " + p_.record->decl->name.text + " has no field '" + a.field.text + "'");
        checker.Check(*a.value);
        continue;
      }
      checker.Expect(*a.value, field->type, "the value assigned to '" + a.field.text + "'");
    }
  }

  // A name an action introduces (a loop variable, `let k = create ...`)
  // must not hide another.
  void CheckNewName(const ExprEnv& env, const ast::Ident& name, const char* what) {
    const std::string& n = name.text;
    bool taken = p_.record->Find(n) || n == "id" || n == "state" || n == "actor" || n == "now" ||
                 std::any_of(env.locals.begin(), env.locals.end(), [&](const auto& l) { return l.first == n; });
    if (taken)
      diags().Error("E3042", name.range, std::string(what) + " '" + n +
                                             "' hides a field, a parameter or another name in scope; choose another name");
  }

  // Arguments given by name against the parameters declared.
  void CheckArguments(ExprChecker& checker, const std::vector<ast::FieldInit>& args,
                      const std::vector<std::pair<std::string, Type>>& params, const std::string& event,
                      const SourceRange& at) {
    std::set<std::string> given;
    for (const auto& arg : args) {
      if (!given.insert(arg.name.text).second)
        diags().Error("E2030", arg.name.range, "argument '" + arg.name.text + "' is given twice");
      const Type* want = nullptr;
      for (const auto& [name, type] : params)
        if (name == arg.name.text) want = &type;
      if (!want) {
        diags().Error("E3045", arg.name.range, "event '" + event + "' has no parameter '" + arg.name.text + "'");
        checker.Check(*arg.value);
        continue;
      }
      checker.Expect(*arg.value, *want, "argument '" + arg.name.text + "'");
    }
    for (const auto& [name, type] : params)
      if (!given.count(name) && !type.is(TypeKind::kOptional))
        diags().Error("E3045", at, "event '" + event + "' needs argument '" + name + "' (" + type.ToString() + ")");
  }

  // `fire target.event(args)`: the target is a ref whose process accepts the event.
  void CheckFire(ExprChecker& checker, const ast::Action& a) {
    Type target = checker.Check(*a.value);
    // An optional ref may be the target; firing while it is unset is a rejection.
    if (target.is(TypeKind::kOptional) && target.params[0].is(TypeKind::kRef)) target = target.params[0];
    if (target.is(TypeKind::kError)) {
      for (const auto& arg : a.payload) checker.Check(*arg.value);
      return;
    }
    if (!target.is(TypeKind::kRef)) {
      diags().Error("E3043", a.value->range, "'fire' needs a record to fire at (a ref), found " + target.ToString());
      for (const auto& arg : a.payload) checker.Check(*arg.value);
      return;
    }
    const ProcessInfo* process = program_.ProcessForRecord(target.name);
    auto event = process ? process->events.find(a.event.text) : decltype(process->events.end()){};
    if (!process || event == process->events.end()) {
      std::vector<std::string> known;
      if (process)
        for (const auto& [name, params] : process->events) known.push_back(name);
      diags().Error("E3044", a.event.range,
                    process ? "process '" + process->decl->name.text + "' of " + ShortName(target.name) +
                                  " never accepts event '" + a.event.text + "'" + DidYouMean(a.event.text, known)
                            : "no process runs on record " + ShortName(target.name) + ", so nothing can fire at it");
      for (const auto& arg : a.payload) checker.Check(*arg.value);
      return;
    }
    CheckArguments(checker, a.payload, event->second, a.event.text, a.event.range);
  }

  // `let k = create T { ... }`: a record type with a process, its fields.
  void CheckCreate(ExprEnv& env, ExprChecker& checker, const ast::Action& a) {
    const Symbol* sym = a.record_type.parts.size() == 1
                            ? LookupGlobal(*p_.module, a.record_type.ToString(), diags(), a.record_type.range)
                            : nullptr;
    const RecordInfo* record = sym && sym->kind == Symbol::Kind::kRecord ? sym->record : nullptr;
    const ProcessInfo* process = record ? program_.ProcessForRecord(record->qualified) : nullptr;
    if (!record || !process) {
      diags().Error("E3046", a.record_type.range, record ? "no process runs on record " + record->decl->name.text + ", so it cannot be created"
                                                          : "unknown record '" + a.record_type.ToString() + "'");
      for (const auto& f : a.payload) checker.Check(*f.value);
    } else {
      std::set<std::string> given;
      for (const auto& f : a.payload) {
        if (!given.insert(f.name.text).second) diags().Error("E2030", f.name.range, "field '" + f.name.text + "' is given twice");
        const FieldInfo* field = record->Find(f.name.text);
        if (!field) {
          diags().Error("E3012", f.name.range, "record " + record->decl->name.text + " has no field '" + f.name.text + "'");
          checker.Check(*f.value);
          continue;
        }
        checker.Expect(*f.value, field->type, "field '" + f.name.text + "'");
      }
      std::set<std::string> computed;
      for (const auto& act : process->decl->on_create)
        if (act.kind == ast::Action::Kind::kAssign) computed.insert(act.field.text);
      for (const auto& field : record->fields) {
        bool required = !field.type.is(TypeKind::kOptional) && !(field.decl && field.decl->default_value);
        if (required && !given.count(field.name) && !computed.count(field.name))
          diags().Error("E3047", a.record_type.range, "field '" + field.name + "' of " + record->decl->name.text +
                                                          " has no default and must be given");
      }
    }
    if (!a.field.text.empty()) {
      CheckNewName(env, a.field, "the name");
      env.locals.emplace_back(a.field.text, record ? Type::Ref(record->qualified) : Type::Error());
    }
  }

  // `for x in xs { ... }`: xs is a list; x is a new name for each item.
  void CheckFor(const ExprEnv& env, ExprChecker& checker, const ast::Action& a) {
    Type range = checker.Check(*a.value);
    Type item = Type::Error();
    if (range.is(TypeKind::kList)) item = range.elem();
    else if (range.is(TypeKind::kDyn)) item = Type::Dyn();
    else if (!range.is(TypeKind::kError))
      diags().Error("E3041", a.value->range, "'for' goes over a list, found " + range.ToString() +
                                                 (range.is(TypeKind::kOptional) ? " (the list may be absent: use .orValue([]))" : ""));
    CheckNewName(env, a.field, "the loop variable");
    ExprEnv inner = env;
    inner.locals.emplace_back(a.field.text, item);
    CheckActions(inner, a.body);
  }

  // `requires a | b, c`: every role named must be declared somewhere.
  void CheckRequires(const ast::Transition& t) {
    std::vector<std::string> declared;
    for (const auto& [name, range] : program_.roles) declared.push_back(name);
    for (const auto& group : t.requires_roles)
      for (const auto& role : group)
        if (!program_.roles.count(role.text)) {
          std::string suggestion = DidYouMean(role.text, declared);
          diags().Error("E3040", role.range, "role '" + role.text + "' is declared nowhere" +
                                                 (suggestion.empty() ? " (declare it: role " + role.text + ";)" : suggestion));
        }
  }

  bool StateExists(const ast::Ident& name, const char* code, const std::string& what) {
    if (p_.FindState(name.text)) return true;
    diags().Error(code, name.range, what + " '" + name.text + "' is not a state of process '" + d_.name.text + "'");
    return false;
  }

  void CheckTransition(const ExprEnv& base, const ast::StateDecl& state, const ast::Transition& t) {
    ExprEnv env = base;
    if (t.kind == ast::Transition::Kind::kEvent) {
      auto it = p_.events.find(t.event.text);
      if (it != p_.events.end())
        for (const auto& [name, type] : it->second) env.locals.emplace_back(name, type);
    }
    ExprChecker checker(env);
    CheckRequires(t);
    if (t.guard) checker.Expect(*t.guard, Type::Bool(), "a guard");
    if (t.delay && t.at_instant) checker.Expect(*t.delay, Type::Timestamp(), "the instant of 'at'");
    else if (t.delay) checker.Expect(*t.delay, Type::Duration(), "the delay of 'after'");
    if (t.target) StateExists(*t.target, "E3007", "target");
    if (!t.target && t.kind == ast::Transition::Kind::kAutomatic)
      diags().Error("E3007", t.range, "this transition needs a target state");
    if (!t.target && t.kind == ast::Transition::Kind::kTimer && t.actions.empty())
      diags().Error("E3053", t.range, "a timer without a target needs actions ('after D { ... }'), or it does nothing");
    // `on done` of a compound state is its completion; in a state without
    // states, `done` is an event like any other.
    if (IsDone(state, t)) {
      auto has_final = [&](const ast::StateDecl& s) {
        return std::any_of(s.children.begin(), s.children.end(), [&](int c) { return At(c).is_final; });
      };
      if (!state.is_parallel && !has_final(state))
        diags().Error("E3052", t.event.range, "'on done' of state '" + state.name.text +
                                                  "' never runs: none of its states is final");
      // A parallel state completes when every region is in a final state.
      if (state.is_parallel)
        for (int c : state.children)
          if (!At(c).children.empty() && !has_final(At(c))) {
            diags().Error("E3052", t.event.range, "'on done' of parallel state '" + state.name.text +
                                                      "' never runs: region '" + At(c).name.text + "' has no final state");
            diags().Note(At(c).name.range, "region '" + At(c).name.text + "' is here");
          }
      if (!t.params.empty() || !t.requires_roles.empty())
        diags().Error("E3052", t.event.range, "'on done' takes no parameters and requires no roles: nobody sends it");
      if (!t.target) diags().Error("E3007", t.range, "'on done' needs a target state");
    }
    CheckActions(env, t.actions);
  }

  void CheckSlaActions(const ExprEnv& base, const std::vector<ast::SlaAction>& actions) {
    ExprEnv env = base;
    ExprChecker checker(env);
    for (const auto& a : actions) {
      switch (a.kind) {
        case ast::SlaAction::Kind::kEmit:
          if (a.message.empty()) diags().Error("E3014", a.range, "a message needs a name");
          CheckPayload(checker, a.payload);
          break;
        case ast::SlaAction::Kind::kMove:
          if (StateExists(a.target, "E3028", "breach target")) breach_moves_.push_back(a.target.text);
          break;
        case ast::SlaAction::Kind::kFire: {
          auto it = p_.events.find(a.target.text);
          if (it == p_.events.end())
            diags().Error("E3029", a.target.range, "process '" + d_.name.text + "' has no event '" + a.target.text + "'");
          else if (!it->second.empty())
            diags().Error("E3031", a.target.range, "event '" + a.target.text +
                                                       "' takes parameters, so an sla cannot fire it");
          break;
        }
      }
    }
  }

  // `calendar NAME;` naming a calendar declaration: the same for every record.
  bool StaticCalendar(const ast::SlaDecl& sla) {
    if (!sla.calendar || p_.record->Find(sla.calendar->text)) return false;
    Diagnostics probe;
    const Symbol* sym = LookupGlobal(*p_.module, sla.calendar->text, probe, sla.calendar->range);
    return sym && sym->kind == Symbol::Kind::kCalendar;
  }

  void CheckSla(const ExprEnv& base, const ast::SlaDecl& sla) {
    ExprEnv env = base;
    ExprChecker checker(env);
    if (!sla.target) diags().Error("E3025", sla.name.range, "sla '" + sla.name.text + "' needs a target");
    else checker.Expect(*sla.target, Type::Duration(), "the target of sla '" + sla.name.text + "'");
    if (sla.calendar_expr && !StaticCalendar(sla)) {
      bool value = !sla.calendar || p_.record->Find(sla.calendar->text);
      if (!value) {
        Diagnostics probe;
        value = LookupGlobal(*p_.module, sla.calendar->text, probe, sla.calendar->range) != nullptr;
      }
      if (value) checker.Expect(*sla.calendar_expr, Type::Calendar(), "the calendar of sla '" + sla.name.text + "'");
      else diags().Error("E3024", sla.calendar->range, "unknown calendar '" + sla.calendar->text + "'");
    }
    bool has_stop = false;
    for (const auto& c : sla.conditions) {
      if (c.kind == ast::SlaCondition::Kind::kStop) has_stop = true;
      const auto& trig = c.trigger;
      bool needs_while = c.kind == ast::SlaCondition::Kind::kPause;
      if (trig.kind == ast::SlaTrigger::Kind::kWhileIn && !needs_while)
        diags().Error("E3026", trig.range, "'in STATE' is only for 'pause' (the clock pauses while in those states)");
      for (const auto& n : trig.names) {
        if (trig.kind == ast::SlaTrigger::Kind::kEvent) {
          if (!p_.events.count(n.text))
            diags().Error("E3029", n.range, "process '" + d_.name.text + "' has no event '" + n.text + "'");
        } else {
          StateExists(n, "E3028", "state");
        }
      }
    }
    if (!has_stop)
      diags().Warning("W3004", sla.name.range, "sla '" + sla.name.text + "' never stops (add e.g. 'stop on enter resolved;')");
    if (sla.retarget && sla.retarget->text != "keep" && sla.retarget->text != "recompute" &&
        sla.retarget->text != "restart")
      diags().Error("E3030", sla.retarget->range, "retarget must be keep, recompute or restart");
    std::set<int> thresholds;
    for (const auto& w : sla.warnings) {
      if (w.percent && !thresholds.insert(w.percent).second)
        diags().Error("E3033", w.percent_range, "sla '" + sla.name.text + "' already warns at " + ast::PercentText(w.percent) + "%");
      CheckSlaActions(base, w.actions);
    }
    CheckSlaActions(base, sla.breach);
  }

  const ast::StateDecl& At(int i) const { return d_.states[static_cast<size_t>(i)]; }

  // The lints run on leaves, the states a record can rest in: a transition
  // declared on a state applies in every state inside it, a state entered
  // is entered down to a leaf, a final child completes its parent.
  void Lints() {
    const int n = static_cast<int>(d_.states.size());
    std::map<int, std::set<int>> edges;  // leaf -> leaves
    auto is_leaf = [&](int s) { return At(s).children.empty(); };
    for (int leaf = 0; leaf < n; ++leaf) {
      if (!is_leaf(leaf)) continue;
      auto to_leaves = [&](const ast::Transition& t) {
        if (int to = t.target ? p_.StateIndex(t.target->text) : -1; to >= 0)
          for (int l : p_.TargetLeaves(to)) edges[leaf].insert(l);
      };
      for (int a = leaf; a >= 0; a = At(a).parent)
        for (const auto& t : At(a).transitions)
          if (!IsDone(At(a), t)) to_leaves(t);
      // A final leaf completes its parent, and a parallel state around that
      // when its other regions are done too.
      if (At(leaf).is_final && At(leaf).parent >= 0) {
        int parent = At(leaf).parent;
        for (int done : {parent, At(parent).parent}) {
          if (done < 0 || (done != parent && !At(done).is_parallel)) continue;
          for (const auto& t : At(done).transitions)
            if (IsDone(At(done), t)) to_leaves(t);
        }
      }
    }
    std::set<int> reached;
    std::deque<int> queue;
    auto visit = [&](int to) {
      if (to >= 0 && reached.insert(to).second) queue.push_back(to);
    };
    for (int leaf : p_.EntryLeaves(p_.StateIndex(initial_->name.text))) visit(leaf);
    while (!queue.empty()) {
      int s = queue.front();
      queue.pop_front();
      for (int to : edges[s]) visit(to);
      // A breach can move a record from any state where its clock runs.
      for (const auto& to : breach_moves_)
        for (int leaf : p_.TargetLeaves(p_.StateIndex(to))) visit(leaf);
    }
    std::set<int> active;  // reached leaves and their ancestors
    for (int leaf : reached)
      for (int a = leaf; a >= 0; a = At(a).parent) active.insert(a);
    bool any_final = false;
    std::set<std::string> seen;
    for (int i = 0; i < n; ++i) {
      const ast::StateDecl& s = At(i);
      bool top_final = s.is_final && s.parent < 0;
      any_final |= top_final;
      if (!seen.insert(s.name.text).second) continue;  // declared twice: E3003 says so
      if (!active.count(i))
        diags().Error("E3008", s.name.range, "state '" + s.name.text + "' cannot be reached from the initial state '" +
                                                 initial_->name.text + "'");
      if (is_leaf(i) && !top_final) {
        bool leaves = false;
        for (int to : edges[i]) leaves |= to != i;
        if (!leaves)
          diags().Error("E3009", s.name.range,
                        s.is_final ? "final state '" + s.name.text + "' inside '" + At(s.parent).name.text +
                                         "' can never be left: give '" + At(s.parent).name.text +
                                         "' an 'on done -> STATE' or a transition out"
                                   : "state '" + s.name.text +
                                         "' can never be left: add a transition to another state, or mark it final");
      }
      // Within a state, an unguarded transition hides later ones for the same event.
      std::set<std::string> unguarded;
      for (const auto& t : s.transitions) {
        if (t.kind != ast::Transition::Kind::kEvent) continue;
        if (unguarded.count(t.event.text))
          diags().Warning("W3002", t.range, "this transition never runs: an earlier '" + t.event.text +
                                                "' in state '" + s.name.text + "' has no guard");
        if (!t.guard && t.requires_roles.empty()) unguarded.insert(t.event.text);
      }
      // A compound state's transition hidden in every state inside it.
      if (!s.children.empty())
        for (const auto& t : s.transitions)
          if (t.kind == ast::Transition::Kind::kEvent && !IsDone(s, t) && SwallowedBelow(i, t.event.text))
            diags().Warning("W3005", t.range, "this transition never runs: every state inside '" + s.name.text +
                                                  "' handles '" + t.event.text + "' first, without a guard");
    }
    for (int i = 0; i < n; ++i)
      if (At(i).is_parallel) ConflictingWrites(i);
    if (!any_final) {
      diags().Warning("W3003", d_.name.range, "process '" + d_.name.text + "' has no final state");
      return;
    }
    // Can a final state be reached from every state?
    std::map<int, std::set<int>> reverse;
    for (const auto& [from, tos] : edges)
      for (int to : tos) reverse[to].insert(from);
    std::set<int> can_finish;
    std::deque<int> back;
    for (int i = 0; i < n; ++i)
      if (At(i).is_final && At(i).parent < 0) { can_finish.insert(i); back.push_back(i); }
    while (!back.empty()) {
      int s = back.front();
      back.pop_front();
      for (int from : reverse[s])
        if (can_finish.insert(from).second) back.push_back(from);
    }
    for (int i = 0; i < n; ++i)
      if (is_leaf(i) && reached.count(i) && !can_finish.count(i) && !(At(i).is_final && At(i).parent < 0))
        diags().Warning("W3001", At(i).name.range, "no final state can be reached from state '" + At(i).name.text + "'");
  }

  // Two regions of parallel state `p` that both take an event and assign
  // the same field: both transitions run, in document order, so the later
  // region's value wins silently.
  void ConflictingWrites(int p) {
    std::map<std::string, std::map<std::string, std::pair<int, const ast::Transition*>>> writers;  // event -> field -> region, first writer
    std::set<std::pair<const ast::Transition*, std::string>> reported;
    std::function<void(int, int)> walk = [&](int region, int state) {
      for (const auto& t : At(state).transitions) {
        if (t.kind != ast::Transition::Kind::kEvent || IsDone(At(state), t)) continue;
        std::set<std::string> fields;
        AssignedFields(t.actions, fields);
        for (const auto& f : fields) {
          auto [it, first] = writers[t.event.text].emplace(f, std::make_pair(region, &t));
          if (first || it->second.first == region || !reported.emplace(&t, f).second) continue;
          diags().Warning("W3006", t.range, "regions '" + At(it->second.first).name.text + "' and '" + At(region).name.text +
                                                "' of parallel state '" + At(p).name.text + "' both take '" + t.event.text +
                                                "' and set '" + f + "': both run, in document order, so '" +
                                                At(region).name.text + "' (declared later) decides its value");
          diags().Note(it->second.second->range, "the other assignment is in this transition");
        }
      }
      for (int c : At(state).children) walk(region, c);
    };
    for (int region : At(p).children) walk(region, region);
  }

  // The fields `actions` set without reading them first: `n = n + 1` in two
  // regions counts twice whatever their order, `owner = "x"` does not.
  static void AssignedFields(const std::vector<ast::Action>& actions, std::set<std::string>& out) {
    for (const auto& a : actions) {
      if (a.kind == ast::Action::Kind::kAssign && !(a.value && Reads(*a.value, a.field.text))) out.insert(a.field.text);
      AssignedFields(a.body, out);
      AssignedFields(a.else_body, out);
    }
  }

  static bool Reads(const ast::Expr& e, const std::string& field) {
    if ((e.kind == ast::ExprKind::kIdent && e.name == field) ||
        (e.kind == ast::ExprKind::kSelect && e.name == field && !e.args.empty() && e.args[0]->kind == ast::ExprKind::kThis))
      return true;
    return std::any_of(e.args.begin(), e.args.end(), [&](const ast::ExprPtr& a) { return a && Reads(*a, field); });
  }

  // Whether every leaf inside compound state `s` handles `event` without a
  // guard or roles before `s` would (in itself or a state between).
  bool SwallowedBelow(int s, const std::string& event) const {
    bool all = true, any = false;
    std::function<void(int)> walk = [&](int state) {
      for (int c : At(state).children) {
        if (!all) return;
        bool handled = false;
        for (int a = c; a != s && !handled; a = At(a).parent)
          for (const auto& t : At(a).transitions)
            if (t.kind == ast::Transition::Kind::kEvent && t.event.text == event && !t.guard && t.requires_roles.empty())
              handled = true;
        if (handled) {
          any = true;
        } else if (At(c).children.empty()) {
          all = false;
        } else {
          walk(c);
        }
      }
    };
    walk(s);
    return all && any;
  }

  Program& program_;
  ProcessInfo& p_;
  const ast::ProcessDecl& d_;
  bool resolved_ = false;
  const ast::StateDecl* initial_ = nullptr;
  std::vector<std::string> breach_moves_;
};

}  // namespace

void CheckProcesses(Program& program) {
  std::vector<ProcessChecker> checkers;
  for (auto& p : program.processes) checkers.emplace_back(program, *p);
  for (auto& c : checkers) c.Declare();
  for (auto& c : checkers) c.Run();
}

}  // namespace smdl::sema
