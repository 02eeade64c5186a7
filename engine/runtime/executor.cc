#include "runtime/executor.h"

#include <algorithm>
#include <deque>
#include <functional>

#include "base/time.h"
#include "runtime/record_value.h"
#include "runtime/sla.h"
#include "vm/json.h"

namespace smdl::runtime {
namespace {

using nlohmann::json;

Status Rejected(std::string message) { return FailedPrecondition(std::move(message)); }

// What a field holds before `on create` assigns it.
vm::Value ZeroValue(const sema::Type& type, const vm::Image& image) {
  switch (type.kind) {
    case sema::TypeKind::kBool: return vm::Value::Bool(false);
    case sema::TypeKind::kInt: return vm::Value::Int(0);
    case sema::TypeKind::kUint: return vm::Value::Uint(0);
    case sema::TypeKind::kDouble: return vm::Value::Double(0);
    case sema::TypeKind::kString: return vm::Value::String("");
    case sema::TypeKind::kBytes: return vm::Value::Bytes("");
    case sema::TypeKind::kTimestamp: return vm::Value::Timestamp({});
    case sema::TypeKind::kDuration: return vm::Value::Duration({});
    case sema::TypeKind::kList: return vm::Value::List({});
    case sema::TypeKind::kMap: return vm::Value::Map({});
    case sema::TypeKind::kEnum:
      if (const vm::EnumType* e = image.EnumFor(type.name)) return vm::Value::Enum(e, 0);
      return vm::Value::Null();
    default: return vm::Value::Null();
  }
}

// The records an operation reads through refs, each read once (later reads
// in the same operation see the same version) and remembered with the
// version read.
class RefReader final : public vm::RecordReader {
 public:
  RefReader(const Definition& def, const ExecutionEnv* env, Timestamp at)
      : def_(def), source_(env && env->source ? &env->source : nullptr),
        source_many_(env && env->source_many ? &env->source_many : nullptr),
        query_(env && env->query ? &env->query : nullptr), at_(at) {}

  vm::Value Query(const std::string& type, std::span<const std::string> index_span,
                  std::span<const vm::Value> values) const override {
    std::string what = "records(" + sema::ShortName(type) + ")";
    if (query_ == nullptr) return vm::Value::Error("records cannot be read here (" + what + ")");
    std::vector<std::string> index(index_span.begin(), index_span.end());
    std::vector<std::string> encoded;
    const sema::RecordInfo* info = nullptr;
    for (const auto& r : def_.program->records)
      if (r->qualified == type) info = r.get();
    for (size_t i = 0; i < values.size() && info; ++i) {
      sema::Type t = sema::Type::String();
      if (const sema::FieldInfo* f = info->Find(index[i])) t = f->type;
      vm::Value v = values[i];
      if (t.is(sema::TypeKind::kOptional) && v.is(vm::ValueKind::kOptional))
        v = v.has_value() ? vm::Value(v.optional_value()) : vm::Value::Null();
      auto json_value = vm::ToPlainJson(v, t);
      if (!json_value.ok()) {  // not a value the index holds: read them all
        encoded.clear();
        break;
      }
      encoded.push_back(json_value->dump());
    }
    if (encoded.empty()) index.clear();
    auto hits = (*query_)(type, index, encoded);
    if (!hits.ok()) {
      if (failure_.ok()) failure_ = hits.status();
      return vm::Value::Error(hits.status().message());
    }
    if (hits->size() > kMaxQueryResults)
      return vm::Value::Error(what + " gives more than " + std::to_string(kMaxQueryResults) + " records: narrow it");
    std::vector<vm::Value> refs;
    refs.reserve(hits->size());
    std::vector<std::string> missing;  // not read yet and not in the index: read together
    for (const auto& hit : *hits) {
      std::string id = IdOfKey(hit.key);
      if (!cache_.count(id)) {
        if (hit.record) cache_.emplace(id, AsValue(id, type, what, hit.record));
        else missing.push_back(id);
      }
      refs.push_back(vm::Value::Ref(type, std::move(id)));
    }
    if (!missing.empty() && source_many_ != nullptr) {
      auto read = (*source_many_)(missing);
      if (!read.ok()) {
        if (failure_.ok()) failure_ = read.status();
        return vm::Value::Error(read.status().message());
      }
      for (size_t i = 0; i < missing.size(); ++i) cache_.emplace(missing[i], AsValue(missing[i], type, what, (*read)[i]));
    }
    return vm::Value::List(std::move(refs));
  }

  vm::Value Read(const vm::Value& ref, std::string_view what) const override {
    if (!ref.is(vm::ValueKind::kRef) && !ref.is(vm::ValueKind::kString))
      return vm::Value::Error(std::string(what) + " is not a reference (" + ref.DebugString() + ")");
    std::string id = RefIdOf(ref);
    std::string type = ref.is(vm::ValueKind::kRef) ? ref.ref_type() : "";
    auto cached = cache_.find(id);
    if (cached != cache_.end()) return cached->second;
    vm::Value value = Load(id, type, what);
    cache_.emplace(id, value);
    return value;
  }

  const std::map<std::string, uint64_t>& versions() const { return versions_; }
  const Status& failure() const { return failure_; }

 private:
  vm::Value Load(const std::string& id, const std::string& type, std::string_view what) const {
    if (source_ == nullptr) return vm::Value::Error("records cannot be read here (reading " + std::string(what) + ")");
    auto found = (*source_)(id);
    if (!found.ok()) {
      if (failure_.ok()) failure_ = found.status();
      return vm::Value::Error(found.status().message());
    }
    return AsValue(id, type, what, *found);
  }

  // The record `id` as expressions see it, remembering the version read.
  vm::Value AsValue(const std::string& id, const std::string& type, std::string_view what,
                  const std::optional<ReadableRecord>& found) const {
    if (!found.has_value()) {
      versions_[id] = 0;
      return vm::Value::Error(std::string(what) + " names " + id + ", which does not exist");
    }
    const ReadableRecord& read = *found;
    versions_[id] = read.record.version;
    if (!type.empty() && read.record.type != type)
      return vm::Value::Error(std::string(what) + " names " + id + ", which is a " + sema::ShortName(read.record.type) +
                              ", not a " + sema::ShortName(type));
    const sema::RecordInfo* info = nullptr;
    for (const auto& r : def_.program->records)
      if (r->qualified == read.record.type) info = r.get();
    if (info == nullptr)
      return vm::Value::Error(std::string(what) + " names " + id + ", a " + read.record.type +
                              ", which these definitions do not declare");
    const ir::Machine* machine = read.definition->image->MachineForType(read.record.type);
    static const json kNoClocks = json::object();
    return RecordValue(*def_.program, *info, read.record,
                       machine && !machine->slas().empty() ? SlaView(*machine, read.record, at_) : kNoClocks);
  }

  const Definition& def_;
  const RecordSource* source_;
  const RecordBatchSource* source_many_;
  const RecordQuery* query_;
  Timestamp at_;
  mutable std::map<std::string, vm::Value> cache_;
  mutable std::map<std::string, uint64_t> versions_;
  mutable Status failure_;
};

vm::Value ActorValue(const Request& request) {
  std::vector<vm::Value> roles;
  for (const auto& r : request.roles) roles.push_back(vm::Value::String(r));
  return vm::Value::Map({{vm::Value::String("name"), vm::Value::String(request.actor)},
                         {vm::Value::String("roles"), vm::Value::List(std::move(roles))}});
}

// One operation in progress on one record.
class Run {
 public:
  Run(const Definition& def, const ir::Machine& machine, const Request& request, const ExecutionLimits& limits,
      const ExecutionEnv* env)
      : def_(def), m_(machine), request_(request), limits_(limits), env_(env),
        reader_(def, env, request.at), actor_value_(ActorValue(request)) {}

  // A failure to read another record (the database), which no rejection hides.
  const Status& read_failure() const { return reader_.failure(); }

  // `expr` on the record as it is stored.
  StatusOr<vm::Value> EvaluateOn(const RecordState& record, const vm::CompiledExpr& expr) {
    record_ = record;
    SMDL_RETURN_IF_ERROR(LoadFields(record));
    vm::Budget budget;
    return expr.Evaluate(Activation({}), budget);
  }

  StatusOr<Outcome> Create(const RecordState& seed);
  StatusOr<Outcome> Event(const RecordState& before);
  StatusOr<Outcome> Timer(const RecordState& before);

 private:
  // ---- values
  Status LoadFields(const RecordState& record);
  StatusOr<json> FieldsJson() const;
  vm::Activation Activation(std::span<const vm::Value> locals) const;
  vm::Value Eval(const ir::ExprPtr& expr, std::span<const vm::Value> locals = {}) const;

  // ---- behaviour
  Status RunActions(const std::vector<ir::Action>& actions, std::span<const vm::Value> locals, const std::string& what);
  Status EmitMessage(const ir::Emit& emit, std::span<const vm::Value> locals);
  // The arguments or fields of `fire` and `create` as plain JSON.
  StatusOr<json> Arguments(const std::vector<ir::Argument>& args, std::span<const vm::Value> locals,
                           const std::string& what);
  Status FireAction(const ir::Action& a, std::span<const vm::Value> locals, const std::string& what);
  // An operation on `record` this one causes: the same time, actor and roles.
  Caused& Cause(Request::Kind kind, json args, const std::string& record);
  // Returns the new record's ref.
  StatusOr<vm::Value> CreateAction(const ir::Action& a, std::span<const vm::Value> locals, const std::string& what);
  // ---- the configuration: the active leaves, one per running region
  // The record's state, and its leaves while regions run, from leaves_.
  void SyncState();
  bool Active(int state) const;
  bool ClosedNow() const { return leaves_.size() == 1 && m_.Closed(leaves_.front()); }
  // Enters `state` alone (not its children): timers, `entry`, SLA hooks.
  Status EnterState(int state);
  // Leaves `state` alone: `exit`, its timers, SLA hooks.
  Status LeaveState(int state);
  // The states entered from outside `state`: itself and its initial
  // children down to a leaf, or into every region of a parallel state.
  void EntrySet(int state, std::vector<int>& out) const;
  // The innermost state that contains the source and the target of `t` and
  // is neither, nor parallel (SCXML's transition domain); -1: the process.
  int Domain(const ir::Transition& t) const;
  // The active states `t` leaves, innermost first (none for an internal one).
  std::vector<int> ExitSet(const ir::Transition& t) const;
  Status TakeTransition(const ir::Transition& t, std::span<const vm::Value> locals, const std::string& what);
  // Takes each of a conflict-free set of transitions, in document order,
  // then completes what they completed.
  Status TakeAll(const std::vector<const ir::Transition*>& set, std::span<const vm::Value> locals, const std::string& what);
  // A final state entered completes its parent, and a parallel state when
  // every region is done: their `on done`, in the order completed.
  Status Complete();
  // Whether every region of parallel `state` (or compound `state`) is in a final state.
  bool InFinal(int state) const;
  // The transitions of each active leaf and of each of its ancestors,
  // leaf by leaf in document order, innermost first, each state's in
  // declaration order; a transition shared by leaves appears once.
  std::vector<const ir::Transition*> Candidates(ir::Transition::Kind kind, const std::string& event = "") const;
  // The transitions to take: for each leaf in document order, the first
  // candidate from it up that `enabled` accepts, with conflicts removed: of
  // two transitions that leave a common state, the one declared deeper wins,
  // else the earlier leaf's (SCXML's optimal enabled transition set).
  using Enabled = std::function<StatusOr<bool>(const ir::Transition&)>;
  StatusOr<std::vector<const ir::Transition*>> Select(ir::Transition::Kind kind, const std::string& event,
                                                       const Enabled& enabled) const;
  // The roles of `t` the actor lacks, as "cab" or "cab or emergency_cab"; empty: all held.
  std::vector<std::string> MissingRoles(const ir::Transition& t) const;
  Status FollowAutomatic();
  Status HandleEvent(const std::string& event, const json& params, bool from_sla);
  Status RunSlaActions(const std::vector<ir::SlaAction>& actions, const std::string& what);
  Status SlaTriggers(SlaHook hook, const std::string& name);
  // The record's clocks as this operation sees them: its time, its expressions.
  SlaContext Sla() { return {m_, record_, request_.at, [this](const ir::ExprPtr& e) { return Eval(e); }}; }
  Status RefreshSlaTimers();
  StatusOr<Outcome> Finish(const std::string& event, const json& params);

  const Definition& def_;
  const ir::Machine& m_;
  const Request& request_;
  const ExecutionLimits& limits_;
  const ExecutionEnv* env_;
  RefReader reader_;
  std::vector<Caused> caused_;
  std::vector<std::string> creates_;
  vm::Value actor_value_;
  int actions_run_ = 0;

  RecordState record_;
  std::vector<int> leaves_;     // in document order
  std::vector<int> completed_;  // states completed, whose `on done` is due
  vm::Value active_value_;      // the leaves' names while regions run, else null
  std::string from_state_;
  std::vector<vm::Value> fields_;
  std::vector<bool> set_;  // fields given or assigned
  vm::Value id_value_, state_value_, created_by_value_, created_at_value_;
  std::vector<json> outbox_;
  std::vector<std::string> path_;
  int steps_ = 0;
};

Status Run::LoadFields(const RecordState& record) {
  const auto& fields = m_.record().fields;
  fields_.assign(fields.size(), vm::Value());
  set_.assign(fields.size(), false);
  for (size_t i = 0; i < fields.size(); ++i) {
    auto it = record.fields.find(fields[i].name);
    if (it == record.fields.end()) {
      if (fields[i].type.is(sema::TypeKind::kOptional)) fields_[i] = vm::Value::OptionalNone();
      continue;
    }
    auto value = vm::FromPlainJson(*it, fields[i].type, def_.program.get());
    if (!value.ok())
      return Status(StatusCode::kCorruption, "record " + record.id + ", field '" + fields[i].name + "': " +
                                                 value.status().message());
    fields_[i] = std::move(*value);
    set_[i] = true;
  }
  id_value_ = vm::Value::String(record.id);
  leaves_ = m_.Configuration(record.state, record.active);
  SyncState();
  created_by_value_ = vm::Value::String(record.created_by);
  created_at_value_ = vm::Value::Timestamp(record.created_at);
  return Status::Ok();
}

StatusOr<json> Run::FieldsJson() const {
  json out = json::object();
  const auto& fields = m_.record().fields;
  for (size_t i = 0; i < fields.size(); ++i) {
    if (!set_[i] && !fields[i].type.is(sema::TypeKind::kOptional)) continue;
    auto value = vm::ToPlainJson(fields_[i], fields[i].type);
    if (!value.ok())
      return Rejected("field '" + fields[i].name + "' would hold " + fields_[i].DebugString() + ": " +
                      value.status().message());
    out[fields[i].name] = std::move(*value);
  }
  return out;
}

vm::Activation Run::Activation(std::span<const vm::Value> locals) const {
  vm::Activation a;
  a.locals = locals;
  a.fields = fields_;
  a.id = &id_value_;
  a.state = &state_value_;
  if (!active_value_.is_null()) a.active = &active_value_;
  a.now = request_.at;
  a.actor = &actor_value_;
  a.created_by = &created_by_value_;
  a.created_at = &created_at_value_;
  a.records = &reader_;
  return a;
}

vm::Value Run::Eval(const ir::ExprPtr& expr, std::span<const vm::Value> locals) const {
  vm::Budget budget;
  return expr->Evaluate(Activation(locals), budget);
}

Status Run::EmitMessage(const ir::Emit& emit, std::span<const vm::Value> locals) {
  json payload = json::object();
  for (const auto& [key, expr] : emit.payload) {
    vm::Value v = Eval(expr, locals);
    if (v.is_error()) return Rejected("message '" + emit.message + "', '" + key + "': " + v.error_message());
    auto encoded = vm::ToPlainJson(v, expr->type());
    if (!encoded.ok()) return Rejected("message '" + emit.message + "', '" + key + "': " + encoded.status().message());
    payload[key] = std::move(*encoded);
  }
  outbox_.push_back({{"message", emit.message},
                     {"payload", payload},
                     {"record", record_.id},
                     {"type", record_.type},
                     {"time", FormatTimestamp(request_.at)}});
  return Status::Ok();
}

StatusOr<json> Run::Arguments(const std::vector<ir::Argument>& args, std::span<const vm::Value> locals,
                              const std::string& what) {
  json out = json::object();
  for (const auto& arg : args) {
    vm::Value v = Eval(arg.value, locals);
    if (v.is_error()) return Rejected(what + ", '" + arg.name + "': " + v.error_message());
    // `this` (or a record read through a ref) given for a ref stands for its id.
    bool wants_ref = arg.type.is(sema::TypeKind::kRef) ||
                     (arg.type.is(sema::TypeKind::kOptional) && arg.type.params[0].is(sema::TypeKind::kRef));
    if (wants_ref && v.is(vm::ValueKind::kMap))
      if (const vm::Value* id = v.map().Find(vm::Value::String("id")))
        v = vm::Value::Ref(arg.type.is(sema::TypeKind::kRef) ? arg.type.name : arg.type.params[0].name, id->string_value());
    auto encoded = vm::ToPlainJson(v, arg.type);
    if (!encoded.ok()) return Rejected(what + ", '" + arg.name + "': " + encoded.status().message());
    out[arg.name] = std::move(*encoded);
  }
  return out;
}

Caused& Run::Cause(Request::Kind kind, json args, const std::string& record) {
  Caused c;
  c.request.kind = kind;
  c.request.args = std::move(args);
  c.request.at = request_.at;
  c.request.actor = request_.actor;
  c.request.roles = request_.roles;
  c.record = record;
  caused_.push_back(std::move(c));
  return caused_.back();
}

Status Run::FireAction(const ir::Action& a, std::span<const vm::Value> locals, const std::string& what) {
  std::string action = what + ": fire " + a.variable + "." + a.event;
  vm::Value target = Eval(a.value, locals);
  if (target.is(vm::ValueKind::kOptional)) target = target.has_value() ? vm::Value(target.optional_value()) : vm::Value::Null();
  if (target.is_error()) return Rejected(action + ": " + target.error_message());
  std::string id = RefIdOf(target);
  if (id.empty()) return Rejected(action + ": the target is not set");
  auto args = Arguments(a.arguments, locals, action);
  if (!args.ok()) return args.status();
  Caused& c = Cause(Request::Kind::kEvent, std::move(*args), id);
  c.request.event = a.event;
  return Status::Ok();
}

StatusOr<vm::Value> Run::CreateAction(const ir::Action& a, std::span<const vm::Value> locals, const std::string& what) {
  std::string action = what + ": create " + sema::ShortName(a.record_type);
  if (env_ == nullptr || !env_->allocate) return Rejected(action + ": records cannot be created here");
  auto fields = Arguments(a.arguments, locals, action);
  if (!fields.ok()) return fields.status();
  auto id = env_->allocate(a.record_type);
  if (!id.ok()) return id.status();
  Caused& c = Cause(Request::Kind::kCreate, std::move(*fields), *id);
  c.request.type = a.record_type;
  creates_.push_back(*id);
  return vm::Value::Ref(a.record_type, *id);
}

Status Run::RunActions(const std::vector<ir::Action>& actions, std::span<const vm::Value> outer_locals,
                       const std::string& what) {
  std::span<const vm::Value> locals = outer_locals;
  std::vector<vm::Value> extended;  // the locals with the records `let` named so far
  for (const auto& a : actions) {
    if (++actions_run_ > limits_.max_actions)
      return Rejected(what + ": more than " + std::to_string(limits_.max_actions) + " actions in one operation");
    if (a.kind == ir::Action::Kind::kEmit) {
      SMDL_RETURN_IF_ERROR(EmitMessage(a.emit, locals));
      continue;
    }
    if (a.kind == ir::Action::Kind::kIf) {
      vm::Value c = Eval(a.value, locals);
      if (c.is_error()) return Rejected(what + ": the condition of 'if' fails: " + c.error_message());
      if (!c.is(vm::ValueKind::kBool)) return Rejected(what + ": the condition of 'if' is not a bool: " + c.DebugString());
      SMDL_RETURN_IF_ERROR(RunActions(c.bool_value() ? a.body : a.else_body, locals, what));
      continue;
    }
    if (a.kind == ir::Action::Kind::kFire) {
      SMDL_RETURN_IF_ERROR(FireAction(a, locals, what));
      continue;
    }
    if (a.kind == ir::Action::Kind::kCreate) {
      auto ref = CreateAction(a, locals, what);
      if (!ref.ok()) return ref.status();
      if (!a.variable.empty()) {
        if (extended.empty()) extended.assign(outer_locals.begin(), outer_locals.end());
        extended.push_back(std::move(*ref));
        locals = extended;
      }
      continue;
    }
    if (a.kind == ir::Action::Kind::kFor) {
      vm::Value items = Eval(a.value, locals);
      if (items.is_error()) return Rejected(what + ": the list of 'for " + a.variable + "' fails: " + items.error_message());
      if (items.is(vm::ValueKind::kOptional)) items = items.has_value() ? vm::Value(items.optional_value()) : vm::Value::List({});
      if (items.is_null()) items = vm::Value::List({});
      if (!items.is(vm::ValueKind::kList)) return Rejected(what + ": 'for " + a.variable + "' needs a list, found " + items.DebugString());
      items.MakeOwned();
      std::vector<vm::Value> inner(locals.begin(), locals.end());
      inner.emplace_back();
      for (const vm::Value& item : items.list()) {
        inner.back() = item;
        inner.back().MakeOwned();
        SMDL_RETURN_IF_ERROR(RunActions(a.body, inner, what));
      }
      continue;
    }
    vm::Value v = Eval(a.value, locals);
    const auto& field = m_.record().fields[a.field];
    if (v.is_error()) return Rejected(what + ": assigning '" + field.name + "' fails: " + v.error_message());
    // Optional fields hold optional values; a plain value assigned to one is wrapped.
    if (field.type.is(sema::TypeKind::kOptional) && !v.is(vm::ValueKind::kOptional))
      v = v.is_null() ? vm::Value::OptionalNone() : vm::Value::OptionalOf(std::move(v));
    fields_[a.field] = std::move(v);
    set_[a.field] = true;
  }
  return Status::Ok();
}

void Run::SyncState() {
  int state = m_.StateOf(leaves_);
  record_.state = state >= 0 ? m_.states()[state].name : "";
  state_value_ = vm::Value::String(record_.state);
  record_.active.clear();
  active_value_ = vm::Value::Null();
  if (leaves_.size() < 2) return;
  std::vector<vm::Value> names;
  for (int leaf : leaves_) {
    record_.active.push_back(m_.states()[leaf].name);
    names.push_back(vm::Value::String(m_.states()[leaf].name));
  }
  active_value_ = vm::Value::List(std::move(names));
}

bool Run::Active(int state) const {
  return std::any_of(leaves_.begin(), leaves_.end(), [&](int leaf) { return m_.Contains(state, leaf); });
}

bool Run::InFinal(int state) const {
  const ir::State& s = m_.states()[state];
  if (s.parallel) return std::all_of(s.children.begin(), s.children.end(), [&](int c) { return InFinal(c); });
  return std::any_of(s.children.begin(), s.children.end(),
                     [&](int c) { return m_.states()[c].is_final && Active(c); });
}

Status Run::LeaveState(int index) {
  const ir::State& state = m_.states()[index];
  SMDL_RETURN_IF_ERROR(RunActions(state.on_exit, {}, "'exit' of state '" + state.name + "'"));
  std::string prefix = "after:" + state.name + ":";
  std::erase_if(record_.timers, [&](const TimerRef& t) { return t.name.rfind(prefix, 0) == 0; });
  if (!state.compound()) {
    std::erase(leaves_, index);
    SyncState();
  }
  return SlaTriggers(SlaHook::kLeave, state.name);
}

Status Run::EnterState(int index) {
  const ir::State& state = m_.states()[index];
  if (!state.compound()) {
    leaves_.insert(std::upper_bound(leaves_.begin(), leaves_.end(), index), index);
    SyncState();
    path_.push_back(state.name);
  }
  record_.entered_at = request_.at;
  for (const auto& t : state.transitions) {
    if (t.kind != ir::Transition::Kind::kTimer) continue;
    vm::Value when = Eval(t.delay);
    if (t.at_instant) {
      // An instant already past is due at once.
      if (!when.is(vm::ValueKind::kTimestamp))
        return Rejected("the instant of the 'at' timer of state '" + state.name + "' is not a timestamp: " +
                        (when.is_error() ? when.error_message() : when.DebugString()));
      record_.timers.push_back({when.timestamp_value(), t.timer_name});
      continue;
    }
    if (!when.is(vm::ValueKind::kDuration))
      return Rejected("the delay of '" + t.timer_name + "' is not a duration: " +
                      (when.is_error() ? when.error_message() : when.DebugString()));
    record_.timers.push_back({AddDuration(request_.at, when.duration_value()), t.timer_name});
  }
  SMDL_RETURN_IF_ERROR(RunActions(state.on_enter, {}, "'entry' of state '" + state.name + "'"));
  // A final state completes its parent, and the parallel state around
  // that when every one of its regions is in a final state.
  if (state.is_final && state.parent >= 0) {
    completed_.push_back(state.parent);
    int around = m_.states()[state.parent].parent;
    if (around >= 0 && m_.states()[around].parallel && InFinal(around)) completed_.push_back(around);
  }
  return SlaTriggers(SlaHook::kEnter, state.name);
}

void Run::EntrySet(int index, std::vector<int>& out) const {
  out.push_back(index);
  const ir::State& s = m_.states()[index];
  if (s.parallel) {
    for (int region : s.children) EntrySet(region, out);
  } else if (s.compound()) {
    EntrySet(s.initial_child, out);
  }
}

int Run::Domain(const ir::Transition& t) const {
  const auto& states = m_.states();
  int domain = t.source >= 0 ? states[t.source].parent : -1;
  // A target that contains the source is left and entered again too; a
  // parallel state is never a domain (its regions are left together).
  while (domain >= 0 && (!m_.Contains(domain, t.target) || domain == t.target || states[domain].parallel))
    domain = states[domain].parent;
  return domain;
}

std::vector<int> Run::ExitSet(const ir::Transition& t) const {
  std::vector<int> out;
  if (t.target < 0) return out;
  int domain = Domain(t);
  for (int leaf : leaves_)
    for (int s = leaf; s >= 0 && s != domain; s = m_.states()[s].parent)
      if (std::find(out.begin(), out.end(), s) == out.end()) out.push_back(s);
  // Innermost first: in document order a state comes before the states
  // inside it, so the reverse of document order.
  std::sort(out.begin(), out.end(), std::greater<int>());
  std::erase_if(out, [&](int s) { return !m_.Contains(domain, s) || s == domain; });
  return out;
}

// The transition's actions run first, in the state it leaves; then the
// states it leaves are left (their `exit` actions), innermost first, and
// those it enters entered (their `entry` actions), outermost first. The
// states left and entered are those below the transition's domain (see
// Domain); entering a state inside a region of a parallel state enters its
// other regions at their initial states.
Status Run::TakeTransition(const ir::Transition& t, std::span<const vm::Value> locals, const std::string& what) {
  SMDL_RETURN_IF_ERROR(RunActions(t.actions, locals, what));
  if (t.target < 0) return Status::Ok();
  if (++steps_ > limits_.max_follow_on)
    return Rejected("more than " + std::to_string(limits_.max_follow_on) +
                    " transitions in one operation (automatic transitions or SLA reactions loop?)");
  const auto& states = m_.states();
  int domain = Domain(t);
  for (int s : ExitSet(t)) SMDL_RETURN_IF_ERROR(LeaveState(s));
  std::vector<int> entered;
  EntrySet(t.target, entered);
  for (int s = t.target; states[s].parent >= 0 && states[s].parent != domain; s = states[s].parent) {
    int parent = states[s].parent;
    entered.push_back(parent);
    if (states[parent].parallel)
      for (int region : states[parent].children)
        if (region != s) EntrySet(region, entered);
  }
  std::sort(entered.begin(), entered.end());
  entered.erase(std::unique(entered.begin(), entered.end()), entered.end());
  for (int s : entered) SMDL_RETURN_IF_ERROR(EnterState(s));
  return Status::Ok();
}

Status Run::TakeAll(const std::vector<const ir::Transition*>& set, std::span<const vm::Value> locals,
                    const std::string& what) {
  // The set is conflict-free: no transition leaves a state another leaves,
  // so each finds its source still active. Completions wait for them all.
  for (const ir::Transition* t : set) SMDL_RETURN_IF_ERROR(TakeTransition(*t, locals, what));
  return Complete();
}

Status Run::Complete() {
  while (!completed_.empty()) {
    int done = completed_.front();
    completed_.erase(completed_.begin());
    if (!Active(done)) continue;  // left since it completed
    const ir::State& state = m_.states()[done];
    for (const auto& t : state.transitions) {
      if (t.kind != ir::Transition::Kind::kDone) continue;
      vm::Value ok = t.guard ? Eval(t.guard) : vm::Value::Bool(true);
      if (ok.is_error())
        return Rejected("the guard of 'on done' of state '" + state.name + "' fails: " + ok.error_message());
      if (ok.is(vm::ValueKind::kBool) && ok.bool_value()) {
        SMDL_RETURN_IF_ERROR(TakeTransition(t, {}, "'on done' of state '" + state.name + "'"));
        break;
      }
    }
  }
  return Status::Ok();
}

std::vector<const ir::Transition*> Run::Candidates(ir::Transition::Kind kind, const std::string& event) const {
  std::vector<const ir::Transition*> out;
  for (int leaf : leaves_)
    for (int s = leaf; s >= 0; s = m_.states()[s].parent)
      for (const auto& t : m_.states()[s].transitions)
        if (t.kind == kind && (event.empty() || t.event == event) && std::find(out.begin(), out.end(), &t) == out.end())
          out.push_back(&t);
  return out;
}

StatusOr<std::vector<const ir::Transition*>> Run::Select(ir::Transition::Kind kind, const std::string& event,
                                                          const Enabled& enabled) const {
  // Each candidate is judged once, even when several leaves share it.
  std::vector<std::pair<const ir::Transition*, bool>> judged;
  std::vector<const ir::Transition*> firsts;
  for (int leaf : leaves_) {
    const ir::Transition* first = nullptr;
    for (int s = leaf; s >= 0 && !first; s = m_.states()[s].parent)
      for (const auto& t : m_.states()[s].transitions) {
        if (t.kind != kind || (!event.empty() && t.event != event)) continue;
        auto seen = std::find_if(judged.begin(), judged.end(), [&](const auto& j) { return j.first == &t; });
        bool ok = false;
        if (seen != judged.end()) {
          ok = seen->second;
        } else {
          auto verdict = enabled(t);
          if (!verdict.ok()) return verdict.status();
          ok = *verdict;
          judged.emplace_back(&t, ok);
        }
        if (ok) {
          first = &t;
          break;
        }
      }
    if (first && std::find(firsts.begin(), firsts.end(), first) == firsts.end()) firsts.push_back(first);
  }
  if (firsts.size() < 2) return firsts;
  std::vector<const ir::Transition*> out;
  for (const ir::Transition* t : firsts) {
    std::vector<int> exits = ExitSet(*t);
    bool preempted = false;
    std::vector<const ir::Transition*> removed;
    for (const ir::Transition* kept : out) {
      std::vector<int> other = ExitSet(*kept);
      bool conflict = std::any_of(exits.begin(), exits.end(),
                                  [&](int s) { return std::find(other.begin(), other.end(), s) != other.end(); });
      if (!conflict) continue;
      if (t->source != kept->source && m_.Contains(kept->source, t->source)) removed.push_back(kept);
      else preempted = true;
    }
    if (preempted) continue;
    std::erase_if(out, [&](const ir::Transition* k) { return std::find(removed.begin(), removed.end(), k) != removed.end(); });
    out.push_back(t);
  }
  return out;
}

std::vector<std::string> Run::MissingRoles(const ir::Transition& t) const {
  std::vector<std::string> missing;
  for (const auto& group : t.requires_roles) {
    bool held = std::any_of(group.begin(), group.end(), [&](const std::string& role) {
      return std::find(request_.roles.begin(), request_.roles.end(), role) != request_.roles.end();
    });
    if (held) continue;
    std::string alternatives;
    for (const auto& role : group) alternatives += (alternatives.empty() ? "" : " or ") + role;
    missing.push_back(alternatives);
  }
  return missing;
}

Status Run::FollowAutomatic() {
  for (;;) {
    auto set = Select(ir::Transition::Kind::kAutomatic, "", [&](const ir::Transition& t) -> StatusOr<bool> {
      vm::Value ok = t.guard ? Eval(t.guard) : vm::Value::Bool(true);
      if (ok.is_error())
        return Rejected("the automatic transition 'when " + t.guard_text + "' in state '" + m_.states()[t.source].name +
                        "' fails: " + ok.error_message());
      return ok.is(vm::ValueKind::kBool) && ok.bool_value();
    });
    if (!set.ok()) return set.status();
    if (set->empty()) return Status::Ok();
    SMDL_RETURN_IF_ERROR(TakeAll(*set, {}, "automatic transition in state '" + m_.states()[set->front()->source].name + "'"));
  }
}

Status Run::HandleEvent(const std::string& event, const json& params, bool from_sla) {
  const std::vector<ir::Param>* declared = m_.EventParams(event);
  if (!declared) return Rejected("process '" + m_.name() + "' has no event '" + event + "'");
  const std::string& state = record_.state;
  // The leaf's transitions first, then each ancestor's.
  std::vector<const ir::Transition*> candidates = Candidates(ir::Transition::Kind::kEvent, event);
  if (candidates.empty()) {
    if (from_sla) return Status::Ok();  // an SLA's event the state does not handle is ignored
    std::vector<std::string> accepted;
    for (const ir::Transition* t : Candidates(ir::Transition::Kind::kEvent))
      if (std::find(accepted.begin(), accepted.end(), t->event) == accepted.end()) accepted.push_back(t->event);
    std::string list;
    for (const auto& e : accepted) list += (list.empty() ? "" : ", ") + e;
    return Rejected("event '" + event + "' is not accepted in state '" + state + "'" +
                    (list.empty() ? " (it accepts no events)" : " (accepted here: " + list + ")"));
  }
  // Parameters: each declared one given (optional ones may be left out), nothing else.
  std::vector<vm::Value> locals;
  for (const auto& p : *declared) {
    auto it = params.find(p.name);
    if (it == params.end() || it->is_null()) {
      if (p.type.is(sema::TypeKind::kOptional)) { locals.push_back(vm::Value::OptionalNone()); continue; }
      return InvalidArgument("event '" + event + "' needs parameter '" + p.name + "' (" + p.type.ToString() + ")");
    }
    auto value = vm::FromPlainJson(*it, p.type, def_.program.get());
    if (!value.ok())
      return InvalidArgument("parameter '" + p.name + "' of event '" + event + "' must be " + p.type.ToString() +
                             ": " + value.status().message());
    locals.push_back(std::move(*value));
  }
  for (const auto& [key, value] : params.items()) {
    (void)value;
    if (std::none_of(declared->begin(), declared->end(), [&key = key](const ir::Param& p) { return p.name == key; }))
      return InvalidArgument("event '" + event + "' has no parameter '" + key + "'");
  }
  std::string failed;
  std::vector<std::string> missing;
  auto taken = Select(ir::Transition::Kind::kEvent, event, [&](const ir::Transition& t) -> StatusOr<bool> {
    std::vector<std::string> lacks = MissingRoles(t);
    if (!lacks.empty()) {
      if (missing.empty()) missing = std::move(lacks);
      return false;
    }
    if (!t.guard) return true;
    vm::Value ok = Eval(t.guard, locals);
    if (ok.is_error())
      return Rejected("the guard of '" + event + "' in state '" + state + "' fails: " + ok.error_message() + " (when " +
                      t.guard_text + ")");
    if (ok.is(vm::ValueKind::kBool) && ok.bool_value()) return true;
    failed += (failed.empty() ? "" : "; ") + t.guard_text;
    return false;
  });
  if (!taken.ok()) return taken.status();
  if (taken->empty()) {
    if (from_sla) return Status::Ok();
    std::string lacks;
    if (!missing.empty()) {
      std::string roles;
      for (const auto& r : request_.roles) roles += (roles.empty() ? "" : ", ") + r;
      std::string needs;
      for (const auto& m : missing) needs += (needs.empty() ? "" : " and ") + m;
      lacks = "requires role" + std::string(missing.size() > 1 ? "s " : " ") + needs + "; " + request_.actor + " has " +
              (roles.empty() ? std::string("no roles") : "roles " + roles);
    }
    if (failed.empty() && !lacks.empty())
      return Rejected("event '" + event + "' in state '" + state + "' " + lacks);
    if (!lacks.empty()) failed += "; another transition for it " + lacks;
    return Rejected("event '" + event + "' is not allowed in state '" + state + "': the guard is false (when " + failed + ")");
  }
  SMDL_RETURN_IF_ERROR(TakeAll(*taken, locals, "event '" + event + "'"));
  SMDL_RETURN_IF_ERROR(SlaTriggers(SlaHook::kEvent, event));
  return FollowAutomatic();
}

Status Run::RunSlaActions(const std::vector<ir::SlaAction>& actions, const std::string& what) {
  for (const auto& a : actions) {
    switch (a.kind) {
      case ir::SlaAction::Kind::kEmit:
        SMDL_RETURN_IF_ERROR(EmitMessage(a.emit, {}));
        break;
      case ir::SlaAction::Kind::kMove: {
        if (Active(a.target)) break;  // already there
        if (ClosedNow()) break;       // a closed record stays closed
        ir::Transition move;
        move.target = a.target;
        SMDL_RETURN_IF_ERROR(TakeAll({&move}, {}, what));
        SMDL_RETURN_IF_ERROR(FollowAutomatic());
        break;
      }
      case ir::SlaAction::Kind::kFire:
        SMDL_RETURN_IF_ERROR(HandleEvent(a.event, json::object(), true));
        break;
    }
  }
  return Status::Ok();
}

Status Run::SlaTriggers(SlaHook hook, const std::string& name) {
  SlaContext ctx = Sla();
  return ApplySlaTriggers(ctx, hook, name);
}

StatusOr<Outcome> Run::Finish(const std::string& event, const json& params) {
  // Targets may depend on fields the operation changed (a new priority).
  SlaContext ctx = Sla();
  SMDL_RETURN_IF_ERROR(RetargetSlas(ctx));
  SMDL_RETURN_IF_ERROR(ScheduleSlaTimers(ctx));
  auto fields = FieldsJson();
  if (!fields.ok()) return fields.status();
  record_.fields = std::move(*fields);
  record_.version += 1;
  record_.updated_at = request_.at;
  Outcome out;
  out.after = record_;
  out.path = path_;
  out.outbox = outbox_;
  out.reads = reader_.versions();
  out.caused = caused_;
  out.creates = creates_;
  static const char* kKinds[] = {"create", "event", "timer"};
  out.audit = {{"time", FormatTimestamp(request_.at)},
               {"kind", kKinds[static_cast<int>(request_.kind)]},
               {"actor", request_.actor},
               {"record", record_.id},
               {"type", record_.type},
               {"event", event},
               {"params", params},
               {"from", from_state_},
               {"to", record_.state},
               {"path", path_},
               {"definition", record_.definition},
               {"version", record_.version}};
  if (!record_.active.empty()) out.audit["active"] = record_.active;
  if (!request_.roles.empty()) out.audit["roles"] = request_.roles;
  if (!out.reads.empty()) out.audit["reads"] = out.reads;
  if (!out.creates.empty()) out.audit["creates"] = out.creates;
  return out;
}

StatusOr<Outcome> Run::Create(const RecordState& seed) {
  record_.id = seed.id;
  record_.type = m_.record_type();
  record_.definition = def_.version;
  record_.created_at = request_.at;
  record_.created_by = request_.actor;
  const auto& fields = m_.record().fields;
  for (const auto& [key, value] : request_.args.items()) {
    (void)value;
    if (std::none_of(fields.begin(), fields.end(), [&key = key](const sema::FieldInfo& f) { return f.name == key; }))
      return InvalidArgument("record " + sema::ShortName(m_.record_type()) + " has no field '" + key + "'");
  }
  fields_.assign(fields.size(), vm::Value());
  set_.assign(fields.size(), false);
  id_value_ = vm::Value::String(record_.id);
  state_value_ = vm::Value::String("");
  created_by_value_ = vm::Value::String(record_.created_by);
  created_at_value_ = vm::Value::Timestamp(record_.created_at);
  for (size_t i = 0; i < fields.size(); ++i) {
    const auto& f = fields[i];
    auto given = request_.args.find(f.name);
    if (given != request_.args.end() && !given->is_null()) {
      auto value = vm::FromPlainJson(*given, f.type, def_.program.get());
      if (!value.ok())
        return InvalidArgument("field '" + f.name + "' must be " + f.type.ToString() + ": " + value.status().message());
      fields_[i] = std::move(*value);
      set_[i] = true;
    } else if (const vm::CompiledExpr* def_expr = m_.default_value(i)) {
      vm::Budget budget;
      vm::Value value = def_expr->Evaluate(vm::Activation{}, budget);
      if (value.is_error()) return Rejected("the default of field '" + f.name + "' fails: " + value.error_message());
      if (f.type.is(sema::TypeKind::kOptional) && !value.is(vm::ValueKind::kOptional))
        value = value.is_null() ? vm::Value::OptionalNone() : vm::Value::OptionalOf(std::move(value));
      fields_[i] = std::move(value);
      set_[i] = true;
    } else if (f.type.is(sema::TypeKind::kOptional)) {
      fields_[i] = vm::Value::OptionalNone();
    } else {
      fields_[i] = ZeroValue(f.type, def_.image->vm());
    }
  }
  SMDL_RETURN_IF_ERROR(RunActions(m_.on_create(), {}, "on create"));
  for (size_t i = 0; i < fields.size(); ++i)
    if (!set_[i] && !fields[i].type.is(sema::TypeKind::kOptional))
      return InvalidArgument("field '" + fields[i].name + "' of " + sema::ShortName(m_.record_type()) +
                             " is required (" + fields[i].type.ToString() + ")");
  SMDL_RETURN_IF_ERROR(SlaTriggers(SlaHook::kCreate, ""));
  std::vector<int> entered;
  EntrySet(m_.initial(), entered);
  for (int s : entered) SMDL_RETURN_IF_ERROR(EnterState(s));
  SMDL_RETURN_IF_ERROR(Complete());
  SMDL_RETURN_IF_ERROR(FollowAutomatic());
  return Finish("create", request_.args);
}

StatusOr<Outcome> Run::Event(const RecordState& before) {
  record_ = before;
  from_state_ = before.state;
  SMDL_RETURN_IF_ERROR(LoadFields(before));
  if (leaves_.empty() || leaves_.size() != std::max<size_t>(1, before.active.size()))
    return Status(StatusCode::kCorruption, "record " + record_.id + " is in unknown state '" + before.state + "'");
  SMDL_RETURN_IF_ERROR(HandleEvent(request_.event, request_.args, false));
  auto out = Finish(request_.event, request_.args);
  if (out.ok()) out->before = before;
  return out;
}

StatusOr<Outcome> Run::Timer(const RecordState& before) {
  record_ = before;
  from_state_ = before.state;
  SMDL_RETURN_IF_ERROR(LoadFields(before));
  const std::string& name = request_.timer;
  auto owned = std::find_if(record_.timers.begin(), record_.timers.end(), [&](const TimerRef& t) { return t.name == name; });
  if (owned == record_.timers.end()) return Rejected("record " + record_.id + " has no timer '" + name + "'");
  record_.timers.erase(owned);
  if (name.rfind("after:", 0) == 0) {
    // "after:STATE:N": a timer of the leaf or of one of its ancestors.
    const ir::Transition* timer = nullptr;
    for (const ir::Transition* t : Candidates(ir::Transition::Kind::kTimer))
      if (t->timer_name == name) timer = t;
    if (!timer) return Rejected("timer '" + name + "' does not belong to state '" + record_.state + "'");
    SMDL_RETURN_IF_ERROR(TakeAll({timer}, {}, "timer of state '" + m_.states()[timer->source].name + "'"));
    SMDL_RETURN_IF_ERROR(FollowAutomatic());
  } else {
    SlaContext ctx = Sla();
    auto actions = FireSlaTimer(ctx, name);
    if (!actions.ok()) return actions.status();
    if (*actions) SMDL_RETURN_IF_ERROR(RunSlaActions(***actions, "sla timer '" + name + "'"));
  }
  auto out = Finish(name, json::object());
  if (out.ok()) out->before = before;
  return out;
}

}  // namespace

StatusOr<Outcome> Execute(const Definition& definition, const RecordState& record, const Request& request,
                          const ExecutionLimits& limits, const ExecutionEnv* env) {
  const std::string& type = request.kind == Request::Kind::kCreate ? request.type : record.type;
  const ir::Machine* machine = definition.image->MachineForType(type);
  if (!machine) return definition.image->UnknownTypeError(type);
  Run run(definition, *machine, request, limits, env);
  StatusOr<Outcome> out = Internal("unknown request kind");
  switch (request.kind) {
    case Request::Kind::kCreate: out = run.Create(record); break;
    case Request::Kind::kEvent: out = run.Event(record); break;
    case Request::Kind::kTimer: out = run.Timer(record); break;
  }
  if (!run.read_failure().ok()) return run.read_failure();
  return out;
}

StatusOr<vm::Value> EvaluateOn(const Definition& definition, const RecordState& record, const vm::CompiledExpr& expr,
                               Timestamp now, const ExecutionEnv* env) {
  const ir::Machine* machine = definition.image->MachineForType(record.type);
  if (!machine) return definition.image->UnknownTypeError(record.type);
  Request request;
  request.at = now;
  ExecutionLimits limits;
  Run run(definition, *machine, request, limits, env);
  auto value = run.EvaluateOn(record, expr);
  if (!run.read_failure().ok()) return run.read_failure();
  return value;
}

StatusOr<std::vector<Outcome>> ExecuteCascade(const Definition& definition, const RecordState& record,
                                              const Request& request, const ExecutionLimits& limits,
                                              const ExecutionEnv& env) {
  // Later operations see what earlier ones wrote.
  std::map<std::string, ReadableRecord> written;
  ExecutionEnv inner;
  inner.allocate = env.allocate;
  inner.source = [&](const std::string& id) -> StatusOr<std::optional<ReadableRecord>> {
    auto it = written.find(id);
    if (it != written.end()) return std::optional<ReadableRecord>(it->second);
    if (!env.source) return std::optional<ReadableRecord>();
    return env.source(id);
  };
  if (env.source_many)
    inner.source_many = [&](const std::vector<std::string>& ids) -> StatusOr<std::vector<std::optional<ReadableRecord>>> {
      std::vector<std::string> rest;
      for (const auto& id : ids)
        if (!written.count(id)) rest.push_back(id);
      auto base = env.source_many(rest);
      if (!base.ok()) return base.status();
      std::vector<std::optional<ReadableRecord>> out;
      size_t next = 0;
      for (const auto& id : ids) {
        auto it = written.find(id);
        if (it != written.end()) out.emplace_back(it->second);
        else out.push_back(std::move((*base)[next++]));
      }
      return out;
    };
  inner.query = [&](const std::string& type, const std::vector<std::string>& index,
                    const std::vector<std::string>& values) -> StatusOr<std::vector<QueryHit>> {
    std::vector<QueryHit> hits;
    if (env.query) {
      auto base = env.query(type, index, values);
      if (!base.ok()) return base.status();
      hits = std::move(*base);
    }
    if (written.empty()) return hits;
    // Records written earlier in the cascade: where they are now.
    std::erase_if(hits, [&](const QueryHit& h) { return written.count(IdOfKey(h.key)) > 0; });
    for (const auto& [id, w] : written)
      if (InQuery(w.record, type, index, values)) hits.push_back(QueryHit{QueryKey(w.record, index), w});
    std::sort(hits.begin(), hits.end(), [](const QueryHit& a, const QueryHit& b) { return a.key < b.key; });
    return hits;
  };
  std::vector<Outcome> outcomes;
  auto first = Execute(definition, record, request, limits, &inner);
  if (!first.ok()) return first.status();
  if (first->caused.empty()) {  // the common case: nothing more to run
    outcomes.push_back(std::move(*first));
    return outcomes;
  }
  written[first->after.id] = ReadableRecord{first->after, &definition};
  struct Pending {
    Caused caused;
    int depth;
    std::string by;           // "Change-1 approve"
    const Definition* def;    // the cause's: a record an action creates is pinned to it
  };
  std::deque<Pending> queue;
  auto enqueue = [&](const Outcome& o, int depth, const Definition* def) {
    std::string by = o.after.id + " " + o.audit.value("event", "");
    for (const auto& c : o.caused) queue.push_back({c, depth, by, def});
  };
  enqueue(*first, 1, &definition);
  outcomes.push_back(std::move(*first));
  while (!queue.empty()) {
    Pending next = std::move(queue.front());
    queue.pop_front();
    const Request& r = next.caused.request;
    std::string what = (r.kind == Request::Kind::kCreate ? "create " + next.caused.record
                                                         : "fire " + next.caused.record + "." + r.event) +
                       " (caused by " + next.by + ")";
    if (static_cast<int>(outcomes.size()) >= limits.max_cascade)
      return Rejected("more than " + std::to_string(limits.max_cascade) +
                      " operations in one cascade (do records fire at each other in a cycle?), at " + what);
    if (next.depth > limits.max_cascade_depth)
      return Rejected("a cascade deeper than " + std::to_string(limits.max_cascade_depth) +
                      " (do records fire at each other in a cycle?), at " + what);
    StatusOr<Outcome> out = Internal("no operation");
    const Definition* def = &definition;
    if (r.kind == Request::Kind::kCreate) {
      RecordState seed;
      seed.id = next.caused.record;
      def = next.def;
      out = Execute(*def, seed, r, limits, &inner);
    } else {
      auto target = inner.source(next.caused.record);
      if (!target.ok()) return target.status();
      if (!target->has_value()) return Rejected(what + ": there is no record " + next.caused.record);
      def = (*target)->definition;
      out = Execute(*def, (*target)->record, r, limits, &inner);
    }
    if (!out.ok()) return Status(out.status().code(), what + ": " + out.status().message());
    written[out->after.id] = ReadableRecord{out->after, def};
    enqueue(*out, next.depth + 1, def);
    outcomes.push_back(std::move(*out));
  }
  return outcomes;
}

json RecordView(const Definition& definition, const RecordState& record, Timestamp now) {
  json view = {{"id", record.id},
               {"type", record.type},
               {"state", record.state},
               {"version", record.version},
               {"definition", record.definition},
               {"created_at", FormatTimestamp(record.created_at)},
               {"updated_at", FormatTimestamp(record.updated_at)},
               {"fields", record.fields}};
  if (!record.active.empty()) view["active"] = record.active;
  if (!record.created_by.empty()) view["created_by"] = record.created_by;
  const ir::Machine* machine = definition.image->MachineForType(record.type);
  if (machine && !machine->slas().empty()) view["sla"] = SlaView(*machine, record, now);
  return view;
}

StatusOr<Request> RequestFromAudit(const json& entry) {
  Request r;
  try {
    std::string kind = entry.at("kind").get<std::string>();
    std::string event = entry.at("event").get<std::string>();
    auto at = ParseTimestamp(entry.at("time").get<std::string>());
    if (!at) return InvalidArgument("bad time");
    r.at = *at;
    r.actor = entry.value("actor", "system");
    r.roles = entry.value("roles", std::vector<std::string>{});
    r.args = entry.value("params", json::object());
    if (kind == "create") {
      r.kind = Request::Kind::kCreate;
      r.type = entry.at("type").get<std::string>();
    } else if (kind == "timer") {
      r.kind = Request::Kind::kTimer;
      r.timer = event;
    } else if (kind == "event") {
      r.kind = Request::Kind::kEvent;
      r.event = event;
    } else {
      return InvalidArgument("unknown kind '" + kind + "'");
    }
  } catch (const json::exception& e) {
    return InvalidArgument(std::string("malformed entry: ") + e.what());
  }
  return r;
}

}  // namespace smdl::runtime
