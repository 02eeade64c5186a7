// Engine: the database, the definitions, the commit log and the locks around
// the pure executor (executor.h). Every create or fire runs under the lock of
// its record (striped), executes, and commits its outcome in one batch.
#include "smdl/engine.h"

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <set>
#include <thread>

#include <nlohmann/json.hpp>

#include "base/time.h"
#include "runtime/commit_log.h"
#include "runtime/definitions.h"
#include "runtime/executor.h"
#include "runtime/record.h"
#include "runtime/sla.h"
#include "sema/checker.h"
#include "sema/types.h"
#include "storage/db.h"

namespace smdl {

using nlohmann::json;
using runtime::Outcome;
using runtime::RecordState;
using runtime::Request;
using runtime::TimerRef;
using storage::Family;

Timestamp SystemClock::Now() const {
  auto since = std::chrono::system_clock::now().time_since_epoch();
  int64_t nanos = std::chrono::duration_cast<std::chrono::nanoseconds>(since).count();
  return Timestamp{nanos / 1000000000, static_cast<int32_t>(nanos % 1000000000)};
}

namespace {

constexpr size_t kStripes = 256;

// A fixed set of mutexes; a key locks the one its hash picks. Two keys may
// share a stripe, which only serialises them.
class StripedLocks {
 public:
  std::mutex& For(const std::string& key) { return stripes_[std::hash<std::string>()(key) % kStripes]; }

 private:
  std::mutex stripes_[kStripes];
};

json ParseObject(const std::string& text, const char* what, Status& status) {
  json doc = json::parse(text.empty() ? "{}" : text, nullptr, false);
  if (doc.is_discarded()) {
    status = InvalidArgument(std::string(what) + " is not valid JSON");
    return json();
  }
  if (!doc.is_object()) {
    status = InvalidArgument(std::string(what) + " must be a JSON object");
    return json();
  }
  return doc;
}

// No exception crosses the API: anything thrown below (a malformed stored
// document, an allocation failure) becomes an internal error.
template <typename F>
auto Guarded(F&& f) -> decltype(f()) {
  try {
    return f();
  } catch (const std::exception& e) {
    return Internal(std::string("unexpected failure: ") + e.what());
  }
}

}  // namespace

struct Engine::Impl {
  EngineOptions options;
  SystemClock system_clock;
  const Clock* clock = nullptr;
  std::unique_ptr<storage::Db> db;
  std::unique_ptr<runtime::CommitLog> log;
  std::unique_ptr<runtime::DefinitionStore> definitions;
  StripedLocks record_locks;
  StripedLocks key_locks;
  std::mutex timers_mu;  // one RunDueTimers at a time

  std::mutex id_mu;
  std::map<std::string, uint64_t> id_counters;  // guarded by id_mu

  std::thread scheduler;
  std::mutex scheduler_mu;
  std::condition_variable scheduler_cv;
  bool stopping = false;  // guarded by scheduler_mu

  runtime::ExecutionLimits limits() const { return {options.max_follow_on}; }

  // Writes a deploy with its audit entry through the commit log, so that
  // every change of definitions is in the hash-chained audit log.
  runtime::DefinitionStore::Committer DeployCommitter(const CallOptions& call) {
    return [this, actor = call.actor.empty() ? std::string("system") : call.actor](storage::WriteBatch& batch,
                                                                                  json audit) {
      runtime::PendingCommit commit;
      commit.batch = std::move(batch);
      audit["time"] = FormatTimestamp(clock->Now());
      audit["actor"] = actor;
      commit.audit.push_back(std::move(audit));
      return log->Commit(commit);
    };
  }

  // A request from a caller, at the clock's time.
  Request NewRequest(Request::Kind kind, json args, const CallOptions& call) const {
    Request request;
    request.kind = kind;
    request.args = std::move(args);
    request.at = clock->Now();
    request.actor = call.actor.empty() ? "system" : call.actor;
    return request;
  }

  StatusOr<std::string> AllocateId(const std::string& qualified_type, std::string& counter_key, uint64_t& value) {
    std::string prefix = sema::ShortName(qualified_type);
    counter_key = "ids/" + prefix;
    std::lock_guard<std::mutex> lock(id_mu);
    auto it = id_counters.find(counter_key);
    if (it == id_counters.end()) {
      auto stored = db->Get(Family::kMeta, counter_key);
      if (!stored.ok()) return stored.status();
      it = id_counters.emplace(counter_key, stored->has_value() ? storage::DecodeU64(**stored) : 0).first;
    }
    value = ++it->second;
    return prefix + "-" + std::to_string(value);
  }

  StatusOr<std::optional<RecordState>> Load(const std::string& id) const {
    auto text = db->Get(Family::kRecords, id);
    if (!text.ok()) return text.status();
    if (!text->has_value()) return std::optional<RecordState>();
    auto record = RecordState::FromJson(**text);
    if (!record.ok()) return record.status();
    return std::optional<RecordState>(std::move(*record));
  }

  // A record with the definition version it is pinned to; NotFound when
  // there is no such record.
  struct Pinned {
    RecordState record;
    const runtime::Definition* definition = nullptr;
  };
  StatusOr<Pinned> LoadPinned(const std::string& id) const {
    auto record = Load(id);
    if (!record.ok()) return record.status();
    if (!record->has_value()) return NotFound("no record '" + id + "'");
    auto def = definitions->Get((*record)->definition);
    if (!def.ok()) return def.status();
    return Pinned{std::move(**record), *def};
  }

  // Adds the record's new state, index entry and timers to `batch`.
  static void StageRecord(storage::WriteBatch& batch, const RecordState* before, const RecordState& after) {
    batch.Put(Family::kRecords, after.id, after.ToJson().dump());
    if (before && before->state != after.state) batch.Delete(Family::kIndex, runtime::IndexKey(before->type, before->state, before->id));
    if (!before || before->state != after.state) batch.Put(Family::kIndex, runtime::IndexKey(after.type, after.state, after.id), "");
    std::set<std::string> old_keys, new_keys;
    if (before)
      for (const auto& t : before->timers) old_keys.insert(runtime::TimerKey(before->id, t));
    for (const auto& t : after.timers) new_keys.insert(runtime::TimerKey(after.id, t));
    for (const auto& k : old_keys)
      if (!new_keys.count(k)) batch.Delete(Family::kTimers, k);
    for (const auto& t : after.timers) {
      std::string k = runtime::TimerKey(after.id, t);
      if (!old_keys.count(k)) batch.Put(Family::kTimers, k, json{{"record", after.id}, {"name", t.name}}.dump());
    }
  }

  // Returns the stored result of an earlier request with this key, checking
  // that it was the same kind of request.
  StatusOr<std::optional<std::string>> Repeated(const std::string& key, const std::string& request_id) const {
    if (key.empty()) return std::optional<std::string>();
    auto stored = db->Get(Family::kIdempotency, key);
    if (!stored.ok()) return stored.status();
    if (!stored->has_value()) return std::optional<std::string>();
    json doc = json::parse(**stored, nullptr, false);
    if (doc.is_discarded()) return Status(StatusCode::kCorruption, "idempotency entry '" + key + "' is not readable");
    if (doc.value("request", "") != request_id)
      return InvalidArgument("idempotency key '" + key + "' was already used for a different request (" +
                             doc.value("request", "") + ")");
    return std::optional<std::string>(doc.value("result", ""));
  }

  StatusOr<std::string> Commit(const runtime::Definition& def, const Outcome& outcome, const std::string& key,
                               const std::string& request_id, const std::string& counter_key = "",
                               uint64_t counter = 0) {
    runtime::PendingCommit commit;
    StageRecord(commit.batch, outcome.before.id.empty() ? nullptr : &outcome.before, outcome.after);
    commit.audit.push_back(outcome.audit);
    commit.outbox = outcome.outbox;
    if (!counter_key.empty()) commit.counters.emplace_back(counter_key, counter);
    json view = runtime::RecordView(def, outcome.after, outcome.after.updated_at);
    std::string result = view.dump();
    if (!key.empty())
      commit.batch.Put(Family::kIdempotency, key, json{{"request", request_id}, {"result", result}}.dump());
    SMDL_RETURN_IF_ERROR(log->Commit(commit));
    return result;
  }

  void RunScheduler() {
    std::unique_lock<std::mutex> lock(scheduler_mu);
    while (!stopping) {
      lock.unlock();
      // A failure here is retried on the next tick; the timers stay stored.
      auto fired = owner->RunDueTimers();
      (void)fired;
      lock.lock();
      scheduler_cv.wait_for(lock, std::chrono::milliseconds(200), [&] { return stopping; });
    }
  }
  Engine* owner = nullptr;
};

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

StatusOr<std::unique_ptr<Engine>> Engine::Open(const std::string& dir, const EngineOptions& options) {
  auto impl = std::make_unique<Impl>();
  impl->options = options;
  impl->clock = options.clock ? options.clock : &impl->system_clock;
  storage::DbOptions db_options;
  db_options.durability = options.durability == Durability::kSync ? storage::Durability::kSync
                                                                  : storage::Durability::kAsync;
  auto db = storage::Db::Open(dir, db_options);
  if (!db.ok()) return db.status();
  impl->db = std::move(*db);
  impl->log = std::make_unique<runtime::CommitLog>(*impl->db);
  SMDL_RETURN_IF_ERROR(impl->log->Load());
  impl->definitions = std::make_unique<runtime::DefinitionStore>(*impl->db);
  SMDL_RETURN_IF_ERROR(impl->definitions->Load());
  std::unique_ptr<Engine> engine(new Engine(std::move(impl)));
  engine->impl_->owner = engine.get();
  if (options.run_scheduler) engine->impl_->scheduler = std::thread([e = engine.get()] { e->impl_->RunScheduler(); });
  return engine;
}

StatusOr<DeployResult> Engine::Deploy(const std::vector<std::string>& paths, const CallOptions& call) {
  return Guarded([&]() -> StatusOr<DeployResult> {
    sema::CheckOptions options;
    options.search_path = impl_->options.search_path;
    options.use_environment = impl_->options.use_environment;
    auto program = sema::CheckPaths(paths, options);
    if (!program.ok()) return program.status();
    if ((*program)->diags.HasErrors())
      return InvalidArgument("the definitions have errors:\n" + (*program)->diags.RenderText((*program)->sources));
    return impl_->definitions->Deploy(std::move(*program), impl_->DeployCommitter(call));
  });
}

StatusOr<DeployResult> Engine::DeploySources(const std::vector<std::pair<std::string, std::string>>& files,
                                             const CallOptions& call) {
  return Guarded([&]() -> StatusOr<DeployResult> {
    sema::CheckOptions options;
    options.search_path = impl_->options.search_path;
    options.use_environment = impl_->options.use_environment;
    auto program = sema::CheckSources(files, options);
    if (program->diags.HasErrors())
      return InvalidArgument("the definitions have errors:\n" + program->diags.RenderText(program->sources));
    return impl_->definitions->Deploy(std::move(program), impl_->DeployCommitter(call));
  });
}

StatusOr<std::string> Engine::Create(const std::string& type, const std::string& fields_json, const CallOptions& call) {
  return Guarded([&]() -> StatusOr<std::string> {
    Status status;
    json fields = ParseObject(fields_json, "the fields", status);
    if (!status.ok()) return status;
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

    Request request = impl_->NewRequest(Request::Kind::kCreate, std::move(fields), call);
    request.type = type;

    std::string counter_key;
    uint64_t counter = 0;
    auto id = impl_->AllocateId(machine->record_type(), counter_key, counter);
    if (!id.ok()) return id.status();
    RecordState seed;
    seed.id = *id;
    std::lock_guard<std::mutex> record_lock(impl_->record_locks.For(seed.id));
    auto outcome = runtime::Execute(**def, seed, request, impl_->limits());
    if (!outcome.ok()) return outcome.status();
    return impl_->Commit(**def, *outcome, call.idempotency_key, request_id, counter_key, counter);
  });
}

StatusOr<std::string> Engine::Fire(const std::string& id, const std::string& event, const std::string& params_json,
                                   const CallOptions& call) {
  return Guarded([&]() -> StatusOr<std::string> {
    Status status;
    json params = ParseObject(params_json, "the parameters", status);
    if (!status.ok()) return status;
    std::string request_id = "fire " + id + " " + event;
    std::unique_lock<std::mutex> key_lock;
    if (!call.idempotency_key.empty()) key_lock = std::unique_lock<std::mutex>(impl_->key_locks.For(call.idempotency_key));
    auto repeated = impl_->Repeated(call.idempotency_key, request_id);
    if (!repeated.ok()) return repeated.status();
    if (repeated->has_value()) return **repeated;

    std::lock_guard<std::mutex> record_lock(impl_->record_locks.For(id));
    auto pinned = impl_->LoadPinned(id);
    if (!pinned.ok()) return pinned.status();
    const runtime::Definition& def = *pinned->definition;
    const RecordState& record = pinned->record;
    Request request = impl_->NewRequest(Request::Kind::kEvent, std::move(params), call);
    request.event = event;
    auto outcome = runtime::Execute(def, record, request, impl_->limits());
    if (!outcome.ok()) return outcome.status();
    return impl_->Commit(def, *outcome, call.idempotency_key, request_id);
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

StatusOr<std::string> Engine::List(const ListQuery& query) const {
  return Guarded([&]() -> StatusOr<std::string> {
    json out = json::array();
    std::string type;
    if (!query.type.empty()) {
      auto def = impl_->definitions->Get();
      if (!def.ok()) return def.status();
      const ir::Machine* machine = (*def)->image->MachineForType(query.type);
      type = machine ? machine->record_type() : query.type;
    }
    std::string prefix = type.empty() ? "" : type + '\0' + (query.state.empty() ? "" : query.state + '\0');
    if (query.limit == 0) return std::string("[]");
    Status inner;
    Status scan = impl_->db->ScanPrefix(Family::kIndex, prefix, [&](std::string_view key, std::string_view) {
      size_t first = key.find('\0');
      size_t second = key.find('\0', first + 1);
      if (first == std::string_view::npos || second == std::string_view::npos) return true;
      if (!query.state.empty() && key.substr(first + 1, second - first - 1) != query.state) return true;
      std::string id(key.substr(second + 1));
      auto record = impl_->Load(id);
      if (!record.ok()) { inner = record.status(); return false; }
      if (!record->has_value()) return true;
      auto def = impl_->definitions->Get((*record)->definition);
      if (!def.ok()) { inner = def.status(); return false; }
      out.push_back(runtime::RecordView(**def, **record, impl_->clock->Now()));
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
      auto outcome = runtime::Execute(**def, **record, request, impl_->limits());
      if (!outcome.ok()) {
        if (outcome.status().code() != StatusCode::kFailedPrecondition &&
            outcome.status().code() != StatusCode::kInvalidArgument)
          return outcome.status();
        failed[next_key] = next->record_id + " " + next->name + ": " + outcome.status().message();
        continue;
      }
      auto committed = impl_->Commit(**def, *outcome, "", "");
      if (!committed.ok()) return committed.status();
      ++fired;
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

StatusOr<std::string> Engine::Verify() const {
  return Guarded([&]() -> StatusOr<std::string> {
    // 1. The hash chain, entry by entry; and each record's entries.
    std::string prev = runtime::kGenesisHash;
    uint64_t expected_seq = 0;
    std::map<std::string, std::vector<json>> by_record;
    size_t deploys = 0;
    Status problem;
    Status scan = impl_->db->Scan(Family::kAudit, "", "", [&](std::string_view key, std::string_view value) {
      ++expected_seq;
      uint64_t seq = storage::DecodeU64(key);
      json entry = json::parse(value, nullptr, false);
      std::string where = "audit entry " + std::to_string(seq);
      if (seq != expected_seq) { problem = Status(StatusCode::kCorruption, where + ": expected sequence " + std::to_string(expected_seq) + " (an entry is missing)"); return false; }
      if (entry.is_discarded() || !entry.contains("hash") || !entry.contains("record")) { problem = Status(StatusCode::kCorruption, where + " is not readable"); return false; }
      if (entry.value("prev", "") != prev) { problem = Status(StatusCode::kCorruption, where + ": its 'prev' is not the hash of the entry before"); return false; }
      if (runtime::AuditHash(entry) != entry.value("hash", "")) { problem = Status(StatusCode::kCorruption, where + ": its hash does not match its content (it was altered)"); return false; }
      prev = entry.value("hash", "");
      if (entry.value("kind", "") == "deploy") {
        ++deploys;
        return true;  // a change of definitions, not of a record
      }
      by_record[entry.value("record", "")].push_back(std::move(entry));
      return true;
    });
    SMDL_RETURN_IF_ERROR(scan);
    SMDL_RETURN_IF_ERROR(problem);

    // 2. Every record equals the replay of its history.
    size_t records = 0;
    Status inner;
    scan = impl_->db->Scan(Family::kRecords, "", "", [&](std::string_view key, std::string_view value) {
      ++records;
      std::string id(key);
      auto stored = RecordState::FromJson(std::string(value));
      if (!stored.ok()) { inner = Status(StatusCode::kCorruption, "record " + id + " is not readable"); return false; }
      auto found = by_record.find(id);
      if (found == by_record.end() || found->second.empty()) { inner = Status(StatusCode::kCorruption, "record " + id + " has no history"); return false; }
      RecordState replayed;
      replayed.id = id;
      bool first = true;
      for (const json& entry : found->second) {
        auto request = runtime::RequestFromAudit(entry);
        if (!request.ok()) { inner = Status(StatusCode::kCorruption, "record " + id + ": audit entry " + std::to_string(entry.value("seq", 0)) + ": " + request.status().message()); return false; }
        if (first != (request->kind == Request::Kind::kCreate)) { inner = Status(StatusCode::kCorruption, "record " + id + ": its history does not begin with its creation"); return false; }
        first = false;
        auto def = impl_->definitions->Get(entry.value("definition", uint64_t{0}));
        if (!def.ok()) { inner = def.status(); return false; }
        auto outcome = runtime::Execute(**def, replayed, *request, impl_->limits());
        if (!outcome.ok()) { inner = Status(StatusCode::kCorruption, "record " + id + ": replaying audit entry " + std::to_string(entry.value("seq", 0)) + " fails: " + outcome.status().message()); return false; }
        if (outcome->after.state != entry.value("to", "")) { inner = Status(StatusCode::kCorruption, "record " + id + ": replaying audit entry " + std::to_string(entry.value("seq", 0)) + " ends in '" + outcome->after.state + "', the log says '" + entry.value("to", "") + "'"); return false; }
        replayed = std::move(outcome->after);
      }
      json a = replayed.ToJson();
      json b = stored->ToJson();
      if (a != b) {
        std::string what;
        for (const char* k : {"state", "version", "fields", "sla", "timers", "definition"})
          if (a[k] != b[k]) { what = k; break; }
        inner = Status(StatusCode::kCorruption, "record " + id + " differs from the replay of its history (" +
                                                    (what.empty() ? "times" : what) + ")");
        return false;
      }
      return true;
    });
    SMDL_RETURN_IF_ERROR(scan);
    SMDL_RETURN_IF_ERROR(inner);
    for (const auto& [id, entries] : by_record) {
      auto record = impl_->Load(id);
      if (!record.ok()) return record.status();
      if (!record->has_value()) return Status(StatusCode::kCorruption, "the audit log names record " + id + ", which does not exist");
    }
    return json{{"audit_entries", expected_seq}, {"deploys", deploys}, {"records", records}, {"chain", "intact"}, {"replay", "identical"}}.dump();
  });
}

uint64_t Engine::StorageMemoryBytes() const { return impl_->db->ApproximateMemoryBytes(); }

}  // namespace smdl
