// Engine: the database, the definitions, the commit log and the locks around
// the pure executor (executor.h). Every create or fire runs under the lock of
// its record (striped), executes, and commits its outcome in one batch.
#include "smdl/engine.h"

#include <cctype>
#include <chrono>

#include "base/json_input.h"
#include "base/utf8.h"
#include "runtime/definition_diff.h"
#include "runtime/engine_impl.h"
#include "runtime/sla.h"
#include "sema/checker.h"

namespace smdl {

Timestamp SystemClock::Now() const {
  auto since = std::chrono::system_clock::now().time_since_epoch();
  int64_t nanos = std::chrono::duration_cast<std::chrono::nanoseconds>(since).count();
  return Timestamp{nanos / 1000000000, static_cast<int32_t>(nanos % 1000000000)};
}

namespace {

// A request's fields or parameters: a JSON object of bounded depth.
StatusOr<json> ParseObject(const std::string& text, const char* what) {
  auto doc = ParseJsonInput(text.empty() ? "{}" : text, what);
  if (!doc.ok()) return doc.status();
  if (!doc->is_object()) return InvalidArgument(std::string(what) + " must be a JSON object");
  return doc;
}

constexpr size_t kMaxActorBytes = 256;

// The actor goes into the audit log and is printed by every history: it
// must not be able to forge a line or a terminal sequence there.
Status CheckActor(const std::string& actor) {
  if (actor.size() > kMaxActorBytes)
    return InvalidArgument("the actor is longer than " + std::to_string(kMaxActorBytes) + " bytes");
  if (FindInvalidUtf8(actor) != std::string::npos) return InvalidArgument("the actor is not valid UTF-8");
  for (char32_t c : DecodeUtf8Lossy(actor))
    if (c < 0x20 || (c >= 0x7f && c <= 0x9f))
      return InvalidArgument("the actor contains a control character (U+" + [&] {
        char hex[8];
        std::snprintf(hex, sizeof hex, "%04X", static_cast<unsigned>(c));
        return std::string(hex);
      }() + ")");
  return Status::Ok();
}

constexpr size_t kMaxRoles = 64;

// Who acts: the actor's name, and roles that are names as SMDL writes them.
Status CheckCaller(const CallOptions& call) {
  SMDL_RETURN_IF_ERROR(CheckActor(call.actor));
  if (call.roles.size() > kMaxRoles) return InvalidArgument("more than " + std::to_string(kMaxRoles) + " roles");
  for (const auto& role : call.roles) {
    bool name = !role.empty() && role.size() <= 64 && !std::isdigit(static_cast<unsigned char>(role[0]));
    for (char c : role) name = name && (std::isalnum(static_cast<unsigned char>(c)) || c == '_');
    if (!name)
      return InvalidArgument(
          (std::all_of(role.begin(), role.end(), [](char c) { return c >= 0x20 && c < 0x7f; }) ? "role '" + role + "'"
                                                                                             : std::string("a role")) +
          " is not a role name (letters, digits and '_', not starting with a digit, at most 64 characters)");
  }
  return Status::Ok();
}

}  // namespace

Engine::Engine(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

Engine::~Engine() {
  if (impl_->scheduler.joinable()) {
    {
      std::lock_guard<std::mutex> lock(impl_->scheduler_mu);
      impl_->stopping = true;
    }
    impl_->scheduler_cv.notify_all();
    impl_->scheduler.join();
  }
}

std::string DeployResult::ToJson() const {
  json out = {{"version", version},         {"hash", hash},           {"unchanged", unchanged},
              {"modules", modules},         {"overrides", overrides}, {"test_modules", test_modules}};
  out["changes"] = changes.empty() ? json(nullptr) : json::parse(changes);
  return out.dump();
}

StatusOr<std::unique_ptr<Engine>> Engine::Open(const std::string& dir, const EngineOptions& options) {
  auto impl = std::make_unique<Impl>();
  impl->options = options;
  impl->clock = options.clock ? options.clock : &impl->system_clock;
  storage::DbOptions db_options;
  db_options.durability = options.durability == Durability::kSync ? storage::Durability::kSync
                                                                  : storage::Durability::kAsync;
  db_options.create_if_missing = options.create_if_missing;
  db_options.read_only = options.read_only;
  if (options.storage == Storage::kMemory) {
    impl->db = storage::Db::OpenInMemory();
  } else {
    auto db = storage::Db::Open(dir, db_options);
    if (!db.ok()) return db.status();
    impl->db = std::move(*db);
  }
  return Start(std::move(impl), nullptr);
}

StatusOr<std::unique_ptr<Engine>> Engine::Fork(const EngineOptions& options) const {
  auto impl = std::make_unique<Impl>();
  impl->options = options;
  impl->options.storage = Storage::kMemory;
  impl->clock = options.clock ? options.clock : &impl->system_clock;
  auto copy = impl_->db->CopyInMemory();
  if (!copy.ok()) return copy.status();
  impl->db = std::move(*copy);
  return Start(std::move(impl), this);
}

// Loads what an engine keeps in memory from its database (the commit log's
// head, the definitions, the indexes) and starts its scheduler if asked.
StatusOr<std::unique_ptr<Engine>> Engine::Start(std::unique_ptr<Impl> impl, const Engine* compiled_by) {
  impl->log = std::make_unique<runtime::CommitLog>(*impl->db);
  SMDL_RETURN_IF_ERROR(impl->log->Load());
  impl->definitions = std::make_unique<runtime::DefinitionStore>(*impl->db);
  SMDL_RETURN_IF_ERROR(impl->definitions->Load());
  if (compiled_by) impl->definitions->ShareCompiled(*compiled_by->impl_->definitions);
  SMDL_RETURN_IF_ERROR(impl->LoadLookups());
  const EngineOptions& options = impl->options;
  std::unique_ptr<Engine> engine(new Engine(std::move(impl)));
  engine->impl_->owner = engine.get();
  if (options.run_scheduler && !options.read_only) engine->impl_->scheduler = std::thread([e = engine.get()] { e->impl_->RunScheduler(); });
  return engine;
}

namespace {

// A module that declares nothing but tests.
bool TestsOnly(const ast::Module& m) {
  return !m.tests.empty() && m.enums.empty() && m.records.empty() && m.policies.empty() && m.tables.empty() &&
         m.settings.empty() && m.calendars.empty() && m.holiday_sets.empty() && m.processes.empty() && m.roles.empty();
}

}  // namespace

// Deploys a checked program. Modules of tests only are checked with the rest
// but never deployed: the program is checked again without them.
StatusOr<DeployResult> Engine::Impl::DeployProgram(std::unique_ptr<sema::Program> program,
                                                   const sema::CheckOptions& options, const std::string& where,
                                                   const CallOptions& call, const DeployOptions& deploy) {
  if (program->diags.HasErrors())
    return InvalidArgument("the definitions have errors:\n" + program->diags.RenderText(program->sources));
  std::vector<std::string> tests_only;
  std::vector<std::pair<std::string, std::string>> kept;
  for (const auto& m : program->modules) {
    if (m->from_search_path) continue;
    if (TestsOnly(*m->ast)) tests_only.push_back(m->name);
    else kept.emplace_back(m->path, program->sources.Text(m->ast->file));
  }
  if (!tests_only.empty()) {
    if (kept.empty()) return InvalidArgument("no modules to deploy in " + where + ": they hold only tests");
    program = sema::CheckSources(kept, options);
    if (program->diags.HasErrors())
      return InvalidArgument("the definitions have errors without their test modules:\n" +
                             program->diags.RenderText(program->sources));
  }
  SMDL_RETURN_IF_ERROR(CheckDeployable(*program, where, deploy.force));
  const sema::Program* declared = program.get();
  auto result = definitions->Deploy(std::move(program), DeployCommitter(call, declared));
  if (result.ok()) result->test_modules = tests_only;
  return result;
}

StatusOr<DeployResult> Engine::Deploy(const std::vector<std::string>& paths, const CallOptions& call,
                                      const DeployOptions& deploy) {
  return Guarded([&]() -> StatusOr<DeployResult> {
    sema::CheckOptions options;
    options.search_path = impl_->options.search_path;
    options.use_environment = impl_->options.use_environment;
    SMDL_RETURN_IF_ERROR(CheckActor(call.actor));
    auto program = sema::CheckPaths(paths, options);
    if (!program.ok()) return program.status();
    std::string joined;
    for (const auto& p : paths) joined += (joined.empty() ? "" : ", ") + p;
    return impl_->DeployProgram(std::move(*program), options, joined, call, deploy);
  });
}

StatusOr<DeployResult> Engine::DeploySources(const std::vector<std::pair<std::string, std::string>>& files,
                                             const CallOptions& call, const DeployOptions& deploy) {
  return Guarded([&]() -> StatusOr<DeployResult> {
    sema::CheckOptions options;
    options.search_path = impl_->options.search_path;
    options.use_environment = impl_->options.use_environment;
    SMDL_RETURN_IF_ERROR(CheckActor(call.actor));
    return impl_->DeployProgram(sema::CheckSources(files, options), options, "the sources given", call, deploy);
  });
}

StatusOr<std::string> Engine::Create(const std::string& type, const std::string& fields_json, const CallOptions& call) {
  return Guarded([&]() -> StatusOr<std::string> {
    SMDL_RETURN_IF_ERROR(CheckCaller(call));
    auto fields = ParseObject(fields_json, "the fields");
    if (!fields.ok()) return fields.status();
    std::string request_id = "create " + type;
    std::unique_lock<std::mutex> key_lock;
    if (!call.idempotency_key.empty()) key_lock = std::unique_lock<std::mutex>(impl_->key_locks.For(call.idempotency_key));
    auto repeated = impl_->Repeated(call.idempotency_key, request_id);
    if (!repeated.ok()) return repeated.status();
    if (repeated->has_value()) return **repeated;

    auto def = impl_->definitions->Get();
    if (!def.ok()) return def.status();
    const ir::Machine* machine = (*def)->image->MachineForType(type);
    if (!machine) return (*def)->image->UnknownTypeError(type);

    Request request = impl_->NewRequest(Request::Kind::kCreate, std::move(*fields), call);
    request.type = type;

    std::string counter_key;
    uint64_t counter = 0;
    auto id = impl_->AllocateId(machine->record_type(), counter_key, counter);
    if (!id.ok()) return id.status();
    RecordState seed;
    seed.id = *id;
    std::lock_guard<std::mutex> record_lock(impl_->record_locks.For(seed.id));
    std::shared_lock<std::shared_mutex> ops(impl_->ops_mu);
    std::pair<std::string, uint64_t> id_counter{counter_key, counter};
    return impl_->ExecuteAndCommit([&]() -> StatusOr<Impl::Pinned> { return Impl::Pinned{seed, *def}; }, request,
                                   call.idempotency_key, request_id, &id_counter);
  });
}

StatusOr<std::string> Engine::Fire(const std::string& id, const std::string& event, const std::string& params_json,
                                   const CallOptions& call) {
  return Guarded([&]() -> StatusOr<std::string> {
    SMDL_RETURN_IF_ERROR(CheckCaller(call));
    auto params = ParseObject(params_json, "the parameters");
    if (!params.ok()) return params.status();
    std::string request_id = "fire " + id + " " + event;
    std::unique_lock<std::mutex> key_lock;
    if (!call.idempotency_key.empty()) key_lock = std::unique_lock<std::mutex>(impl_->key_locks.For(call.idempotency_key));
    auto repeated = impl_->Repeated(call.idempotency_key, request_id);
    if (!repeated.ok()) return repeated.status();
    if (repeated->has_value()) return **repeated;

    std::lock_guard<std::mutex> record_lock(impl_->record_locks.For(id));
    std::shared_lock<std::shared_mutex> ops(impl_->ops_mu);
    Request request = impl_->NewRequest(Request::Kind::kEvent, std::move(*params), call);
    request.event = event;
    return impl_->ExecuteAndCommit(
        [&]() -> StatusOr<Impl::Pinned> {
          auto pinned = impl_->LoadPinned(id);
          if (pinned.ok() && call.if_version && pinned->record.version != *call.if_version)
            return FailedPrecondition("record " + id + " is at version " + std::to_string(pinned->record.version) +
                                      ", not " + std::to_string(*call.if_version) + " (it changed since it was read)");
          return pinned;
        },
        request, call.idempotency_key, request_id);
  });
}

StatusOr<std::string> Engine::Get(const std::string& id) const {
  return Guarded([&]() -> StatusOr<std::string> {
    auto pinned = impl_->LoadPinned(id);
    if (!pinned.ok()) return pinned.status();
    const runtime::Definition& def = *pinned->definition;
    const RecordState& record = pinned->record;
    return runtime::RecordView(def, record, impl_->clock->Now()).dump();
  });
}

StatusOr<std::string> Engine::History(const std::string& id) const {
  return Guarded([&]() -> StatusOr<std::string> {
    json entries = json::array();
    Status inner;
    Status scan = impl_->db->ScanPrefix(Family::kHistory, id + '\0', [&](std::string_view key, std::string_view) {
      auto entry = impl_->db->Get(Family::kAudit, key.substr(id.size() + 1));
      if (!entry.ok()) { inner = entry.status(); return false; }
      if (!entry->has_value()) { inner = Status(StatusCode::kCorruption, "history of '" + id + "' names a missing audit entry"); return false; }
      entries.push_back(json::parse(**entry, nullptr, false));
      return true;
    });
    SMDL_RETURN_IF_ERROR(scan);
    SMDL_RETURN_IF_ERROR(inner);
    if (entries.empty() && !id.empty()) {
      auto record = impl_->Load(id);
      if (!record.ok()) return record.status();
      if (!record->has_value()) return NotFound("no record '" + id + "'");
    }
    return entries.dump();
  });
}

StatusOr<std::string> Engine::Deploys() const {
  // Deploys are kept in the history index under the empty record id.
  return History("");
}

StatusOr<std::string> Engine::Definition(uint64_t version) const {
  return Guarded([&]() -> StatusOr<std::string> {
    uint64_t current = impl_->definitions->current_version();
    if (current == 0) return NotFound("nothing is deployed yet");
    if (version == 0) version = current;
    if (version > current) return NotFound("no definition version " + std::to_string(version));
    auto def = impl_->definitions->Get(version);
    if (!def.ok()) return def.status();
    json modules = json::array();
    for (const auto& m : (*def)->program->modules)
      modules.push_back({{"name", m->name}, {"path", m->path}, {"source", (*def)->program->sources.Text(m->ast->file)}});
    return json{{"version", version}, {"hash", (*def)->hash}, {"current", version == current}, {"modules", modules}}.dump();
  });
}

StatusOr<std::string> Engine::DiffDefinitions(uint64_t from, uint64_t to) const {
  return Guarded([&]() -> StatusOr<std::string> {
    uint64_t current = impl_->definitions->current_version();
    for (uint64_t v : {from, to})
      if (v == 0 || v > current) return NotFound("no definition version " + std::to_string(v));
    auto a = impl_->definitions->Get(from);
    if (!a.ok()) return a.status();
    auto b = impl_->definitions->Get(to);
    if (!b.ok()) return b.status();
    json diff = runtime::DiffPrograms((*a)->program.get(), *(*b)->program);
    diff["from"] = from;
    diff["to"] = to;
    return diff.dump();
  });
}

StatusOr<std::string> Engine::List(const ListQuery& query) const {
  return Guarded([&]() -> StatusOr<std::string> {
    json out = json::array();
    // A typo in a type or a state is an error, never an empty list.
    std::string type;
    if (!query.type.empty() || !query.state.empty()) {
      auto def = impl_->definitions->Get();
      if (!def.ok()) return def.status();
      auto found = (*def)->image->MachinesFor(query.type);
      if (!found.ok()) return found.status();
      const std::vector<const ir::Machine*>& machines = *found;
      if (!query.type.empty()) type = machines.front()->record_type();
      bool known = query.state.empty();
      std::string states;
      for (const ir::Machine* m : machines)
        if (!known && m->StateIndex(query.state) >= 0) known = true;
      if (!known && !type.empty()) {
        // A state only an older definition version has still lists its records.
        Status probe = impl_->db->ScanPrefix(Family::kIndex, type + '\0' + query.state + '\0',
                                             [&](std::string_view, std::string_view) { return !(known = true); });
        SMDL_RETURN_IF_ERROR(probe);
        for (const auto& st : machines[0]->states()) states += (states.empty() ? "" : ", ") + st.name;
      }
      if (!known)
        return NotFound("no state '" + query.state + "'" +
                        (type.empty() ? std::string(" in any process") : " in the process of " + type + " (its states: " + states + ")"));
    }
    std::string prefix = type.empty() ? "" : type + '\0' + (query.state.empty() ? "" : query.state + '\0');
    // --where: checked and compiled against the current definitions.
    const runtime::Definition* where_def = nullptr;
    std::unique_ptr<vm::CompiledExpr> where;
    if (!query.where.empty()) {
      if (type.empty()) return InvalidArgument("a condition (where) needs a record type");
      auto def = impl_->definitions->Get();
      if (!def.ok()) return def.status();
      where_def = *def;
      auto compiled = impl_->CompileCondition(*where_def, type, query.where);
      if (!compiled.ok()) return compiled.status();
      where = std::move(*compiled);
    }
    // Paging: strictly after the index key of record `after`.
    std::string start = prefix;
    if (!query.after.empty()) {
      auto from = impl_->Load(query.after);
      if (!from.ok()) return from.status();
      std::string key = from->has_value() ? runtime::IndexKey((*from)->type, (*from)->state, query.after) : "";
      if (key.empty() || key.compare(0, prefix.size(), prefix) != 0)
        return InvalidArgument("record '" + query.after + "' is not one this listing gives, so it cannot be where a page starts");
      start = key + '\0';
    }
    if (query.limit == 0) return std::string("[]");
    Timestamp now = impl_->clock->Now();
    runtime::ExecutionEnv env;
    env.source = impl_->Source();
    Status inner;
    Status scan = impl_->db->Scan(Family::kIndex, start, "", [&](std::string_view key, std::string_view) {
      if (key.compare(0, prefix.size(), prefix) != 0) return false;
      runtime::DecodedIndexKey index;
      if (!runtime::DecodeIndexKey(key, index)) return true;
      if (!query.state.empty() && index.state != query.state) return true;
      auto record = impl_->Load(index.id);
      if (!record.ok()) { inner = record.status(); return false; }
      if (!record->has_value()) return true;
      if (where) {
        auto holds = runtime::EvaluateOn(*where_def, **record, *where, now, &env);
        if (!holds.ok()) { inner = holds.status(); return false; }
        if (holds->is_error()) {
          inner = InvalidArgument("the condition fails on " + index.id + ": " + holds->error_message());
          return false;
        }
        if (!holds->is(vm::ValueKind::kBool) || !holds->bool_value()) return true;
      }
      auto def = impl_->definitions->Get((*record)->definition);
      if (!def.ok()) { inner = def.status(); return false; }
      out.push_back(runtime::RecordView(**def, **record, now));
      return out.size() < query.limit;
    });
    SMDL_RETURN_IF_ERROR(scan);
    SMDL_RETURN_IF_ERROR(inner);
    return out.dump();
  });
}

StatusOr<std::string> Engine::ExplainSla(const std::string& id, const std::string& sla) const {
  return Guarded([&]() -> StatusOr<std::string> {
    auto pinned = impl_->LoadPinned(id);
    if (!pinned.ok()) return pinned.status();
    const runtime::Definition& def = *pinned->definition;
    const RecordState& record = pinned->record;
    return runtime::ExplainClock(def, record, sla, impl_->clock->Now());
  });
}

StatusOr<size_t> Engine::RunDueTimers(std::optional<Timestamp> now) {
  return Guarded([&]() -> StatusOr<size_t> {
    Timestamp until = now ? *now : impl_->clock->Now();
    std::lock_guard<std::mutex> one_at_a_time(impl_->timers_mu);
    size_t fired = 0;
    // Timers may start timers that are already due (an SLA warning passed
    // during a pause); keep going until none is due, within a bound.
    const size_t kMaxPerRun = 1000000;
    // Timers whose transition is rejected stay pending (and are retried by
    // the next run); they must not hold up the timers behind them.
    std::map<std::string, std::string> failed;  // key -> why
    std::map<std::string, int> conflicts;        // key -> commits aborted by stale reads
    while (fired < kMaxPerRun) {
      std::optional<runtime::DecodedTimerKey> next;
      std::string next_key;
      Status scan = impl_->db->Scan(Family::kTimers, "", "", [&](std::string_view key, std::string_view) {
        runtime::DecodedTimerKey decoded;
        if (!runtime::DecodeTimerKey(key, decoded)) return true;
        if (until < decoded.due) return false;
        if (failed.count(std::string(key))) return true;  // tried in this run already
        next = decoded;
        next_key = std::string(key);
        return false;
      });
      SMDL_RETURN_IF_ERROR(scan);
      if (!next) break;
      std::lock_guard<std::mutex> record_lock(impl_->record_locks.For(next->record_id));
      std::shared_lock<std::shared_mutex> ops(impl_->ops_mu);
      auto record = impl_->Load(next->record_id);
      if (!record.ok()) return record.status();
      bool owned = record->has_value() &&
                   std::find((*record)->timers.begin(), (*record)->timers.end(), TimerRef{next->due, next->name}) !=
                       (*record)->timers.end();
      if (!owned) {
        // A timer its record no longer holds (cannot happen through the engine,
        // which removes timers in the same batch); drop it.
        storage::WriteBatch drop;
        drop.Delete(Family::kTimers, next_key);
        SMDL_RETURN_IF_ERROR(impl_->db->Write(drop));
        continue;
      }
      auto def = impl_->definitions->Get((*record)->definition);
      if (!def.ok()) return def.status();
      Request request;
      request.kind = Request::Kind::kTimer;
      request.timer = next->name;
      // A timer takes effect at its due time, or when the record last
      // changed if that is later (a run that comes late): a record's time
      // never goes backwards.
      request.at = (*record)->updated_at < next->due ? next->due : (*record)->updated_at;
      Impl::Attempt run;
      impl_->PrepareAttempt(run);
      auto outcome = runtime::ExecuteCascade(**def, **record, request, impl_->limits(), run.env);
      if (!outcome.ok()) {
        if (outcome.status().code() != StatusCode::kFailedPrecondition &&
            outcome.status().code() != StatusCode::kInvalidArgument)
          return outcome.status();
        failed[next_key] = next->record_id + " " + next->name + ": " + outcome.status().message();
        continue;
      }
      auto committed = impl_->Commit(**def, *outcome, "", "", run.counters, run.scans);
      if (!committed.ok()) {
        // A record it read changed meanwhile: the timer stays and runs again
        // on the next pass, a bounded number of times.
        if (committed.status().code() == StatusCode::kAborted && ++conflicts[next_key] < Impl::kMaxAttempts) continue;
        if (committed.status().code() == StatusCode::kAborted) {
          failed[next_key] = next->record_id + " " + next->name + ": " + committed.status().message();
          continue;
        }
        return committed.status();
      }
      ++fired;
      if (impl_->options.on_timer) impl_->options.on_timer(TimerFired{next->record_id, next->name, next->due, impl_->clock->Now()});
    }
    if (!failed.empty()) {
      std::string why;
      for (const auto& [key, reason] : failed) why += "\n  " + reason;
      return FailedPrecondition("fired " + std::to_string(fired) + " timer(s); " + std::to_string(failed.size()) +
                                " could not fire and stay pending:" + why);
    }
    return fired;
  });
}

StatusOr<std::string> Engine::PendingTimers() const {
  return Guarded([&]() -> StatusOr<std::string> {
    json out = json::array();
    Status scan = impl_->db->Scan(Family::kTimers, "", "", [&](std::string_view key, std::string_view) {
      runtime::DecodedTimerKey decoded;
      if (runtime::DecodeTimerKey(key, decoded))
        out.push_back({{"due", FormatTimestamp(decoded.due)}, {"record", decoded.record_id}, {"timer", decoded.name}});
      return true;
    });
    SMDL_RETURN_IF_ERROR(scan);
    return out.dump();
  });
}

StatusOr<std::string> Engine::Outbox(size_t limit) const {
  return Guarded([&]() -> StatusOr<std::string> {
    json out = json::array();
    if (limit == 0) return out.dump();
    Status scan = impl_->db->Scan(Family::kOutbox, "", "", [&](std::string_view, std::string_view value) {
      out.push_back(json::parse(value, nullptr, false));
      return out.size() < limit;
    });
    SMDL_RETURN_IF_ERROR(scan);
    return out.dump();
  });
}

Status Engine::Acknowledge(uint64_t sequence) {
  return Guarded([&]() -> Status {
    storage::WriteBatch batch;
    // Up to and including `sequence`; the largest number means everything.
  std::string end = sequence == UINT64_MAX ? "" : storage::EncodeU64(sequence + 1);
  Status scan = impl_->db->Scan(Family::kOutbox, "", end,
                                  [&](std::string_view key, std::string_view) {
                                    batch.Delete(Family::kOutbox, key);
                                    return true;
                                  });
    SMDL_RETURN_IF_ERROR(scan);
    if (batch.Count() == 0) return Status::Ok();
    return impl_->db->Write(batch);
  });
}

uint64_t Engine::StorageMemoryBytes() const { return impl_->db->ApproximateMemoryBytes(); }

}  // namespace smdl
