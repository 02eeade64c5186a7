// The engine's internals, shared by the files that implement smdl::Engine
// (engine.cc: operations and timers; verify.cc: verification, checkpoints
// and recovery). Not a public header.
#pragma once

#include <algorithm>
#include <condition_variable>
#include <map>
#include <mutex>
#include <set>
#include <shared_mutex>
#include <tuple>
#include <string>
#include <thread>

#include <nlohmann/json.hpp>

#include "base/time.h"
#include "runtime/commit_log.h"
#include "runtime/definitions.h"
#include "runtime/executor.h"
#include "runtime/record.h"
#include "sema/checker.h"
#include "sema/expr_checker.h"
#include "sema/types.h"
#include "syntax/parser.h"
#include "smdl/engine.h"
#include "storage/db.h"

namespace smdl {

using nlohmann::json;
using runtime::Outcome;
using runtime::RecordState;
using runtime::Request;
using runtime::TimerRef;
using storage::Family;

namespace engine_internal {

constexpr size_t kStripes = 256;

// A fixed set of mutexes; a key locks the one its hash picks. Two keys may
// share a stripe, which only serialises them.
class StripedLocks {
 public:
  std::mutex& For(const std::string& key) { return stripes_[std::hash<std::string>()(key) % kStripes]; }

 private:
  std::mutex stripes_[kStripes];
};

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

}  // namespace engine_internal

using engine_internal::Guarded;

struct Engine::Impl {
  EngineOptions options;
  SystemClock system_clock;
  const Clock* clock = nullptr;
  std::unique_ptr<storage::Db> db;
  std::unique_ptr<runtime::CommitLog> log;
  std::unique_ptr<runtime::DefinitionStore> definitions;
  engine_internal::StripedLocks record_locks;
  engine_internal::StripedLocks key_locks;
  std::mutex timers_mu;  // one RunDueTimers at a time

  std::mutex id_mu;
  std::map<std::string, uint64_t> id_counters;  // guarded by id_mu

  // Operations hold it shared; a deploy that builds a new index holds it
  // alone, so that no record is written without the index's entry.
  std::shared_mutex ops_mu;
  // The records(T) indexes kept, per record type: every index any deployed
  // version declares (meta "lookups"). Changed only under ops_mu alone.
  std::map<std::string, std::set<std::vector<std::string>>> lookups;

  std::thread scheduler;
  std::mutex scheduler_mu;
  std::condition_variable scheduler_cv;
  bool stopping = false;  // guarded by scheduler_mu

  runtime::ExecutionLimits limits() const {
    runtime::ExecutionLimits limits;
    limits.max_follow_on = options.max_follow_on;
    return limits;
  }

  // How many times an operation whose reads went stale is executed again
  // before it fails with kAborted.
  static constexpr int kMaxAttempts = 8;

  // What one attempt of an operation may reach: committed records, and new
  // ids (their counters raised when the operation commits).
  struct Attempt {
    runtime::ExecutionEnv env;
    std::vector<std::pair<std::string, uint64_t>> counters;
    std::vector<runtime::IndexScan> scans;  // what its queries read, checked at commit
  };
  void PrepareAttempt(Attempt& attempt) {
    attempt.counters.clear();
    attempt.scans.clear();
    attempt.env.source = Source();
    attempt.env.source_many = [this](const std::vector<std::string>& ids)
        -> StatusOr<std::vector<std::optional<runtime::ReadableRecord>>> {
      auto texts = db->MultiGet(Family::kRecords, ids);
      if (!texts.ok()) return texts.status();
      std::vector<std::optional<runtime::ReadableRecord>> out;
      out.reserve(ids.size());
      for (const auto& text : *texts) {
        auto readable = Readable(text);
        if (!readable.ok()) return readable.status();
        out.push_back(std::move(*readable));
      }
      return out;
    };
    attempt.env.query = [this, &attempt](const std::string& type, const std::vector<std::string>& index,
                                         const std::vector<std::string>& values) -> StatusOr<std::vector<runtime::QueryHit>> {
      runtime::IndexScan scan;
      if (index.empty()) {
        scan.family = Family::kIndex;
        scan.prefix = type + '\0';
      } else {
        // Every index a deployed version declares is kept (a deploy builds it).
        auto known = lookups.find(type);
        if (known == lookups.end() || !known->second.count(index))
          return Status(StatusCode::kCorruption, "an index of " + type + " that a deployed version declares is not kept");
        scan.family = Family::kLookup;
        scan.prefix = runtime::LookupPrefix(type, index, values);
      }
      // A query index entry carries the record (one written before they
      // did holds nothing: that record is read by id).
      std::vector<runtime::QueryHit> hits;
      Status decoded;
      Status read = db->ScanPrefix(scan.family, scan.prefix, [&](std::string_view key, std::string_view value) {
        scan.keys.emplace_back(key);
        runtime::QueryHit& hit = hits.emplace_back(runtime::QueryHit{std::string(key), std::nullopt});
        if (!value.empty()) {
          auto record = Readable(value);
          if (!record.ok()) { decoded = record.status(); return false; }
          hit.record = std::move(*record);
        }
        return scan.keys.size() <= runtime::kMaxQueryResults;
      });
      SMDL_RETURN_IF_ERROR(read);
      SMDL_RETURN_IF_ERROR(decoded);
      attempt.scans.push_back(std::move(scan));
      return hits;
    };
    attempt.env.allocate = [this, &attempt](const std::string& type) -> StatusOr<std::string> {
      std::string key;
      uint64_t value = 0;
      auto id = AllocateId(type, key, value);
      if (id.ok()) attempt.counters.emplace_back(key, value);
      return id;
    };
  }

  // An ad hoc condition on records of `type` (smdl list --where), checked
  // and compiled against `def` as a guard of the type's process would be.
  // The stored program is shared: its checker notes (types and query plans)
  // are taken out again, so that no later node at the same address finds them.
  std::mutex condition_mu;
  StatusOr<std::unique_ptr<vm::CompiledExpr>> CompileCondition(const runtime::Definition& def,
                                                               const std::string& type, const std::string& text) {
    const ir::Machine* machine = def.image->MachineForType(type);
    if (!machine) return def.image->UnknownTypeError(type);
    SourceManager sources;
    Diagnostics diags;
    uint32_t file = sources.Add("where", text);
    ast::ExprPtr expr = ParseExpression(file, sources.Text(file), diags);
    if (!expr || diags.HasErrors()) return InvalidArgument("the condition does not parse:\n" + diags.RenderText(sources));
    std::lock_guard<std::mutex> lock(condition_mu);
    sema::Program& program = *def.program;
    sema::ExprEnv env{program, *machine->process().module, &machine->record(), true, false, {}};
    env.reads_records = true;
    env.diags = &diags;
    sema::ExprChecker(env).Expect(*expr, sema::Type::Bool(), "the condition");
    StatusOr<std::unique_ptr<vm::CompiledExpr>> compiled = InvalidArgument("the condition has errors");
    if (!diags.HasErrors()) {
      vm::Scope scope;
      scope.module = machine->process().module;
      scope.record = &machine->record();
      scope.has_now = true;
      compiled = def.image->vm().Compile(*expr, scope);
    }
    ForgetChecked(program, *expr);
    if (diags.HasErrors()) return InvalidArgument("the condition has errors:\n" + diags.RenderText(sources));
    return compiled;
  }
  static void ForgetChecked(sema::Program& program, const ast::Expr& e) {
    program.expr_info.erase(&e);
    program.query_plans.erase(&e);
    for (const auto& arg : e.args)
      if (arg) ForgetChecked(program, *arg);
  }

  // Reads through refs see what is committed.
  runtime::RecordSource Source() const {
    return [this](const std::string& id) -> StatusOr<std::optional<runtime::ReadableRecord>> {
      auto text = db->Get(Family::kRecords, id);
      if (!text.ok()) return text.status();
      return Readable(*text);
    };
  }
  // A stored record (or none) with the definition it is pinned to.
  StatusOr<std::optional<runtime::ReadableRecord>> Readable(const std::optional<std::string>& text) const {
    if (!text) return std::optional<runtime::ReadableRecord>();
    return Readable(std::string_view(*text));
  }
  StatusOr<std::optional<runtime::ReadableRecord>> Readable(std::string_view text) const {
    auto record = RecordState::FromJson(text);
    if (!record.ok()) return record.status();
    auto def = definitions->Get(record->definition);
    if (!def.ok()) return def.status();
    return std::optional<runtime::ReadableRecord>(runtime::ReadableRecord{std::move(*record), *def});
  }


  // Writes a deploy with its audit entry through the commit log, so that
  // every change of definitions is in the hash-chained audit log.
  // The deploy also builds the records(T) indexes `program` declares that
  // are not kept yet, in the same batch, with operations held off.
  runtime::DefinitionStore::Committer DeployCommitter(const CallOptions& call, const sema::Program* program) {
    return [this, program, actor = call.actor.empty() ? std::string("system") : call.actor](storage::WriteBatch& batch,
                                                                                           json audit) {
      std::unique_lock<std::shared_mutex> exclusive(ops_mu);
      auto kept = lookups;
      bool added = false;
      for (const auto& r : program->records)
        for (const auto& index : r->indexes) {
          if (!kept[r->qualified].insert(index).second) continue;
          added = true;
          SMDL_RETURN_IF_ERROR(BuildLookup(batch, r->qualified, index));
        }
      if (added) batch.Put(Family::kMeta, "lookups", LookupsJson(kept).dump());
      runtime::PendingCommit commit;
      commit.batch = std::move(batch);
      audit["time"] = FormatTimestamp(clock->Now());
      audit["actor"] = actor;
      commit.audit.push_back(std::move(audit));
      SMDL_RETURN_IF_ERROR(log->Commit(commit));
      lookups = std::move(kept);
      return Status::Ok();
    };
  }

  // The entries of a new index for every stored record of `type`.
  Status BuildLookup(storage::WriteBatch& batch, const std::string& type, const std::vector<std::string>& index) {
    Status inner;
    Status scan = db->ScanPrefix(Family::kIndex, type + '\0', [&](std::string_view key, std::string_view) {
      auto record = Load(runtime::IdOfKey(key));
      if (!record.ok()) { inner = record.status(); return false; }
      if (record->has_value()) batch.Put(Family::kLookup, runtime::LookupKey(**record, index), (*record)->ToJson().dump());
      return true;
    });
    SMDL_RETURN_IF_ERROR(scan);
    return inner;
  }

  static json LookupsJson(const std::map<std::string, std::set<std::vector<std::string>>>& kept) {
    json out = json::object();
    for (const auto& [type, indexes] : kept) out[type] = indexes;
    return out;
  }
  Status LoadLookups() {
    auto stored = db->Get(Family::kMeta, "lookups");
    if (!stored.ok()) return stored.status();
    if (!stored->has_value()) return Status::Ok();
    json doc = json::parse(**stored, nullptr, false);
    if (!doc.is_object()) return Status(StatusCode::kCorruption, "the list of kept indexes is not readable");
    try {
      for (const auto& [type, indexes] : doc.items())
        for (const auto& index : indexes) lookups[type].insert(index.get<std::vector<std::string>>());
    } catch (const json::exception&) {
      return Status(StatusCode::kCorruption, "the list of kept indexes is not readable");
    }
    return Status::Ok();
  }

  // Refuses a deploy that would leave the engine worse off: one with no
  // modules (every type would become unknown), or, unless forced, one that
  // drops a record type that stored records still have (they could no
  // longer be created anew, and a reader of the new version would not know
  // them). The refusal names the records (the first 20 of each type).
  Status CheckDeployable(const sema::Program& program, const std::string& where, bool force) const {
    if (program.modules.empty()) return InvalidArgument("no SMDL modules in " + where + ": nothing to deploy");
    if (definitions->current_version() == 0 || force) return Status::Ok();
    auto current = definitions->Get();
    if (!current.ok()) return current.status();
    std::set<std::string> kept;
    for (const auto& r : program.records) kept.insert(r->qualified);
    std::string dropped;
    for (const auto& machine : (*current)->image->machines()) {
      const std::string& type = machine->record_type();
      if (kept.count(type)) continue;
      constexpr size_t kNamed = 20;
      std::vector<std::string> ids;
      size_t count = 0;
      Status scan = db->ScanPrefix(Family::kIndex, type + '\0', [&](std::string_view key, std::string_view) {
        if (ids.size() < kNamed) ids.emplace_back(key.substr(key.rfind('\0') + 1));
        ++count;
        return true;
      });
      SMDL_RETURN_IF_ERROR(scan);
      if (count == 0) continue;
      std::string list;
      for (const auto& id : ids) list += (list.empty() ? "" : ", ") + id;
      if (count > ids.size()) list += " and " + std::to_string(count - ids.size()) + " more";
      dropped += "\n  " + type + ": " + std::to_string(count) + " record" + (count == 1 ? "" : "s") + " (" + list + ")";
    }
    if (!dropped.empty())
      return FailedPrecondition("the new definitions drop record types that stored records have; keep them in " +
                                where + ", or force the deploy (those records stay on their version):" + dropped);
    return Status::Ok();
  }

  StatusOr<DeployResult> DeployProgram(std::unique_ptr<sema::Program> program, const sema::CheckOptions& options,
                                       const std::string& where, const CallOptions& call, const DeployOptions& deploy);

  // A request from a caller, at the clock's time.
  Request NewRequest(Request::Kind kind, json args, const CallOptions& call) const {
    Request request;
    request.kind = kind;
    request.args = std::move(args);
    request.at = clock->Now();
    request.actor = call.actor.empty() ? "system" : call.actor;
    for (const auto& role : call.roles)
      if (std::find(request.roles.begin(), request.roles.end(), role) == request.roles.end()) request.roles.push_back(role);
    return request;
  }

  StatusOr<std::string> AllocateId(const std::string& qualified_type, std::string& counter_key, uint64_t& value) {
    std::string prefix = sema::ShortName(qualified_type);
    counter_key = runtime::IdCounterKey(qualified_type);
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
  using Pinned = runtime::ReadableRecord;
  StatusOr<Pinned> LoadPinned(const std::string& id) const {
    auto text = db->Get(Family::kRecords, id);
    if (!text.ok()) return text.status();
    auto readable = Readable(*text);
    if (!readable.ok()) return readable.status();
    if (!readable->has_value()) return NotFound("no record '" + id + "'");
    return std::move(**readable);
  }
  // Runs an operation (the record and definition `load` gives, `request`)
  // and what it causes, and commits them; when the commit finds a record it
  // read or writes changed meanwhile, loads and runs it again, up to
  // kMaxAttempts times. `counter` is the id counter of a create, if any.
  StatusOr<std::string> ExecuteAndCommit(const std::function<StatusOr<Pinned>()>& load, const Request& request,
                                         const std::string& key, const std::string& request_id,
                                         const std::pair<std::string, uint64_t>* counter = nullptr) {
    Attempt run;
    for (int attempt = 1;; ++attempt) {
      auto pinned = load();
      if (!pinned.ok()) return pinned.status();
      const runtime::Definition& def = *pinned->definition;
      PrepareAttempt(run);
      if (counter) run.counters.push_back(*counter);
      auto outcomes = runtime::ExecuteCascade(def, pinned->record, request, limits(), run.env);
      if (!outcomes.ok()) return outcomes.status();
      auto result = Commit(def, *outcomes, key, request_id, run.counters, std::move(run.scans));
      if (result.ok() || result.status().code() != StatusCode::kAborted || attempt == kMaxAttempts) return result;
    }
  }

  // Adds the record's new state, index entries and timers to `batch`, and
  // the index keys it puts or deletes to `changes`.
  void StageRecord(storage::WriteBatch& batch, const RecordState* before, const RecordState& after,
                   std::vector<std::tuple<Family, std::string, bool>>& changes) const {
    std::string stored = after.ToJson().dump();
    batch.Put(Family::kRecords, after.id, stored);
    if (before && before->state != after.state) {
      std::string key = runtime::IndexKey(before->type, before->state, before->id);
      batch.Delete(Family::kIndex, key);
      changes.emplace_back(Family::kIndex, std::move(key), false);
    }
    if (!before || before->state != after.state) {
      std::string key = runtime::IndexKey(after.type, after.state, after.id);
      batch.Put(Family::kIndex, key, "");
      changes.emplace_back(Family::kIndex, std::move(key), true);
    }
    auto indexes = lookups.find(after.type);
    if (indexes != lookups.end())
      for (const auto& index : indexes->second) {
        std::string old_key = before ? runtime::LookupKey(*before, index) : "";
        std::string new_key = runtime::LookupKey(after, index);
        // The entry carries the record, so it is written with it.
        batch.Put(Family::kLookup, new_key, stored);
        if (old_key == new_key) continue;
        if (before) {
          batch.Delete(Family::kLookup, old_key);
          changes.emplace_back(Family::kLookup, std::move(old_key), false);
        }
        changes.emplace_back(Family::kLookup, std::move(new_key), true);
      }
    std::set<std::string> old_keys, new_keys;
    if (before)
      for (const auto& t : before->timers) old_keys.insert(runtime::TimerKey(before->id, t));
    for (const auto& t : after.timers) new_keys.insert(runtime::TimerKey(after.id, t));
    for (const auto& k : old_keys)
      if (!new_keys.count(k)) batch.Delete(Family::kTimers, k);
    for (const auto& t : after.timers) {
      std::string k = runtime::TimerKey(after.id, t);
      if (!old_keys.count(k)) batch.Put(Family::kTimers, k, runtime::TimerValue(after.id, t));
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

  // Commits an operation and what it caused, atomically. It holds only if
  // every record it read, and every record it writes, still has the version
  // it started from (kAborted otherwise; the caller runs it again).
  StatusOr<std::string> Commit(const runtime::Definition& def, const std::vector<Outcome>& outcomes,
                               const std::string& key, const std::string& request_id,
                               const std::vector<std::pair<std::string, uint64_t>>& counters = {},
                               std::vector<runtime::IndexScan> scans = {}) {
    runtime::PendingCommit commit;
    commit.scans = std::move(scans);
    std::set<std::string> written;
    for (size_t i = 0; i < outcomes.size(); ++i) {
      const Outcome& o = outcomes[i];
      for (const auto& [id, version] : o.reads)
        if (!written.count(id)) commit.reads.emplace(id, version);
      if (!written.count(o.after.id)) commit.reads.emplace(o.after.id, o.before.version);
      written.insert(o.after.id);
      commit.writes[o.after.id] = o.after.version;
      StageRecord(commit.batch, o.before.id.empty() ? nullptr : &o.before, o.after, commit.index_changes);
      commit.audit.push_back(o.audit);
      for (const auto& m : o.outbox) {
        commit.outbox.push_back(m);
        commit.outbox_entry.push_back(i);
      }
    }
    commit.counters = counters;
    const Outcome& outcome = outcomes.front();
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

}  // namespace smdl
