// The smdl engine: checked SMDL processes executed against records persisted
// in RocksDB. This header is the whole embedding API; it shows no ANTLR,
// RocksDB or LLVM type. Records, history and messages cross it as JSON text.
//
//   auto engine = smdl::Engine::Open("var/db");           // StatusOr
//   (*engine)->Deploy({"stdlib", "site"});                // a definition version
//   auto rec = (*engine)->Create("Incident", R"({"title": "VPN down", ...})");
//   (*engine)->Fire(id, "assign", R"({"to": "alice"})");
//
// Every operation returns a Status or StatusOr. A rejected operation (unknown
// record, event not accepted in this state, guard false, bad parameter, an
// action's runtime error) returns kFailedPrecondition or kInvalidArgument
// with the reason, and changes nothing.
//
// Thread safety: an Engine may be used from many threads at once. Fires on
// one record are serialised; fires on different records run in parallel and
// share commits (and, in sync mode, fsyncs). An operation that read other
// records through refs commits only if none of them changed meanwhile; it is
// retried a few times, then fails with kAborted (docs/runtime.md, isolation).
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "smdl/status.h"
#include "smdl/time.h"

namespace smdl {

// Where the engine's time comes from. Tests and simulations use ManualClock
// to run in virtual time.
class Clock {
 public:
  virtual ~Clock() = default;
  virtual Timestamp Now() const = 0;
};

class SystemClock final : public Clock {
 public:
  Timestamp Now() const override;
};

// A clock that moves only when told to; safe to set from one thread while
// the engine (and its scheduler) reads it from others.
class ManualClock final : public Clock {
 public:
  explicit ManualClock(Timestamp start) : now_(start) {}
  Timestamp Now() const override {
    std::lock_guard<std::mutex> lock(mu_);
    return now_;
  }
  void Set(Timestamp t) {
    std::lock_guard<std::mutex> lock(mu_);
    now_ = t;
  }

 private:
  mutable std::mutex mu_;
  Timestamp now_;
};

// What a commit promises once it returns.
//  kSync:  the write-ahead log is fsynced before the call returns; an
//          acknowledged create or fire survives a crash of the process or of
//          the machine. Concurrent commits share one fsync.
//  kAsync: the log is written to the operating system but not fsynced; an
//          acknowledged operation survives a crash of the process, the last
//          ones may be lost if the machine loses power.
enum class Durability { kSync, kAsync };

// Where the engine keeps its state.
//  kRocksDb: a RocksDB database in the directory given to Open (durable).
//  kMemory:  in memory, with the same behaviour (atomic commits, the audit
//            chain, verify); the directory is not used, and everything is
//            gone when the engine closes. For tests and simulations.
enum class Storage { kRocksDb, kMemory };

// A timer whose transition committed, for monitoring (EngineOptions::on_timer).
struct TimerFired {
  std::string record;
  std::string timer;  // "sla:NAME:warn:P", "sla:NAME:breach" or a state timer's name
  Timestamp due;
  Timestamp ran;      // the clock's time when it committed
};

struct EngineOptions {
  Storage storage = Storage::kRocksDb;
  Durability durability = Durability::kSync;
  const Clock* clock = nullptr;            // not owned; null: the system clock
  std::vector<std::string> search_path;    // extra roots for imports at deploy
  bool use_environment = true;             // $SMDL_PATH and the standard library
  bool run_scheduler = false;              // a thread that fires due timers
  int max_follow_on = 32;                  // transitions per operation, the event's own included
  // Open creates a database only where none exists (a missing or empty
  // directory) and only when this is set; otherwise that is kNotFound.
  bool create_if_missing = true;
  // Reads only: takes no lock and writes nothing (not even a new log), so
  // it may run beside an engine that writes; every write is refused.
  bool read_only = false;
  // Called after each timer's transition commits, on the thread that ran
  // it; must not call back into the engine.
  std::function<void(const TimerFired&)> on_timer;
};

// A point of the audit log kept outside the database: the hash of entry
// `seq`. Verify with anchors proves that the log up to each anchor is the one
// that was anchored (see docs/runtime.md, the audit log).
struct AuditAnchor {
  uint64_t seq = 0;
  std::string hash;
};

struct VerifyOptions {
  std::vector<AuditAnchor> anchors;
};

// Who asks, and how to recognise a repeated request.
struct CallOptions {
  std::string idempotency_key;  // empty: none; a repeat returns the first result
  // Recorded in the audit log; empty: "system". Valid UTF-8 without control
  // characters, at most 256 bytes, or the call is kInvalidArgument.
  std::string actor;
  // The actor's roles, as the site vouches for them (transitions may
  // require some; guards read them as actor.roles). Recorded in the audit
  // log. Each a name as SMDL writes it (letters, digits, '_'); at most 64.
  std::vector<std::string> roles;
  // Fire only: the record must be at this version (as Get showed it), or
  // the fire is refused with kFailedPrecondition and changes nothing.
  std::optional<uint64_t> if_version;
};

struct DeployOptions {
  // A deploy that drops a record type stored records have is refused
  // (kFailedPrecondition, naming the records) unless forced. Forced, those
  // records stay on the version they were created under: they can be read
  // and sent events, but no new record of the type can be created.
  bool force = false;
};

struct DeployResult {
  uint64_t version = 0;     // the definition version now current
  std::string hash;         // SHA-256 over the modules' names and sources
  bool unchanged = false;   // the same sources as the current version
  std::vector<std::string> modules;
  std::vector<std::string> overrides;  // "name: winner module (over module)"
  // JSON: what changed from the previous version, by module and by
  // declaration ({"modules": {...}, "declarations": {"added", "removed",
  // "changed"}}); empty when unchanged.
  std::string changes;
  // Modules that hold only tests: checked with the others, never deployed.
  std::vector<std::string> test_modules;

  // As the HTTP API and the C API give it: {"version", "hash", "unchanged",
  // "modules", "overrides", "test_modules", "changes" (null when none)}.
  std::string ToJson() const;
};

struct ListQuery {
  std::string type;   // record type (short or qualified); empty: all
  std::string state;  // empty: any state
  size_t limit = 1000;
  // Paging: only records listed after record `after` (the last id of the
  // previous page); it must exist and be listed by the same query.
  std::string after;
  // A CEL condition on each record of `type` (needed), as a guard of its
  // process sees it: fields, id, state, refs read through; a mistake in it
  // (an unknown field) is kInvalidArgument with the diagnostic.
  std::string where;
};

class Engine {
 public:
  // Opens (or creates, see EngineOptions) the engine's database in `dir` and
  // loads the current definition version, if any. A damaged database is
  // kCorruption (see Recover); a full or read-only disk is kIoError.
  static StatusOr<std::unique_ptr<Engine>> Open(const std::string& dir, const EngineOptions& options = {});
  // A new engine in memory holding a copy of this one's state, which must be
  // in memory too (kFailedPrecondition otherwise), and sharing its compiled
  // definitions: what a deploy built is not checked and compiled again. The
  // copy goes its own way (its own clock, from `options`; its storage is
  // kMemory whatever `options` says). For tests and simulations that start
  // each run from the same deployed state.
  StatusOr<std::unique_ptr<Engine>> Fork(const EngineOptions& options = {}) const;
  ~Engine();
  Engine(const Engine&) = delete;
  Engine& operator=(const Engine&) = delete;

  // Checks the modules at `paths` (files or directories, with their imports)
  // and stores them as a new definition version, which becomes current for
  // new records while the engine runs. Diagnostics make it fail with
  // kInvalidArgument, their rendered text as the message. A deploy is an
  // entry in the audit log (who, when, the modules' hashes, the overrides
  // that won).
  StatusOr<DeployResult> Deploy(const std::vector<std::string>& paths, const CallOptions& call = {},
                                const DeployOptions& options = {});
  // The same from in-memory (path, text) pairs.
  StatusOr<DeployResult> DeploySources(const std::vector<std::pair<std::string, std::string>>& files,
                                       const CallOptions& call = {}, const DeployOptions& options = {});

  // Creates a record of `type` from a JSON object of fields, runs `on
  // create`, enters the initial state and starts its SLA clocks. Returns the
  // record as JSON (with its new "id").
  StatusOr<std::string> Create(const std::string& type, const std::string& fields_json,
                               const CallOptions& call = {});

  // Sends `event` with a JSON object of parameters to record `id`. Returns
  // the record as JSON after the transition.
  StatusOr<std::string> Fire(const std::string& id, const std::string& event, const std::string& params_json = "{}",
                             const CallOptions& call = {});

  StatusOr<std::string> Get(const std::string& id) const;      // the record
  StatusOr<std::string> History(const std::string& id) const;  // its audit entries, oldest first
  StatusOr<std::string> Deploys() const;  // the audit entries of every deploy, oldest first
  // A definition version's stored sources (0: the current version), checked
  // against its deploy: JSON {"version", "hash", "current", "modules":
  // [{"name", "path", "source"}]}.
  StatusOr<std::string> Definition(uint64_t version = 0) const;
  // What changed from version `from` to version `to` (DeployResult::changes).
  StatusOr<std::string> DiffDefinitions(uint64_t from, uint64_t to) const;
  StatusOr<std::string> List(const ListQuery& query) const;    // records, by id
  // A service report (ISO/IEC 20000-1, 6.2) at the clock's time: records of
  // `type` (empty: all) by type and state, and the compliance of each SLA
  // clock (met, breached, running, overdue, met %) grouped by field `by`
  // (empty: one group "all"). JSON; docs/runtime.md, reporting.
  StatusOr<std::string> Report(const std::string& type = "", const std::string& by = "") const;
  // An SLA clock explained: segments, calendar intervals, how due was computed.
  StatusOr<std::string> ExplainSla(const std::string& id, const std::string& sla) const;

  // Fires every timer (state timers, SLA warnings and breaches) due at or
  // before `now` (default: the clock's time), in due order. Returns how many
  // fired. Each fires once: its removal commits with its transition.
  StatusOr<size_t> RunDueTimers(std::optional<Timestamp> now = std::nullopt);
  StatusOr<std::string> PendingTimers() const;  // JSON array, by due time

  // Messages emitted by committed transitions, not yet acknowledged, oldest
  // first (at-least-once delivery).
  StatusOr<std::string> Outbox(size_t limit = 100) const;
  // Acknowledges every message with a sequence number up to `sequence`.
  Status Acknowledge(uint64_t sequence);

  // Checks the audit log's hash chain, that every stored definition is the
  // one its deploy recorded, that every record equals the replay of its
  // history, and that every family derived from the log (history index,
  // list index, timers, outbox, counters) agrees with it; then that each
  // anchor names an entry with that hash. kCorruption names the first
  // inconsistency; on success the JSON summary says what was checked and
  // gives the log's head ({"head": {"seq": N, "hash": H}}).
  StatusOr<std::string> Verify(const VerifyOptions& options = {}) const;

  // A checkpoint of the audit log's head, signed with HMAC-SHA-256 under
  // `key` (a secret kept outside the database): JSON {"seq", "hash", "time",
  // "mac"}. Publish it or store it elsewhere; ReadCheckpoint turns it back
  // into an anchor for Verify.
  StatusOr<std::string> Checkpoint(const std::string& key) const;
  static StatusOr<AuditAnchor> ReadCheckpoint(const std::string& checkpoint_json, const std::string& key);

  // Makes a damaged database in `dir` open again, keeping what can be read
  // (a missing CURRENT file is rebuilt; a damaged write-ahead log is
  // replayed up to its first damage, what follows is lost), then verifies
  // it. Destructive: copy the directory first. Returns a JSON report.
  static StatusOr<std::string> Recover(const std::string& dir);

  // Approximate memory held by the storage engine, for monitoring.
  uint64_t StorageMemoryBytes() const;

 private:
  struct Impl;
  explicit Engine(std::unique_ptr<Impl> impl);
  // Loads the state `impl`'s database holds; `compiled_by`: an engine whose
  // compiled definitions are shared.
  static StatusOr<std::unique_ptr<Engine>> Start(std::unique_ptr<Impl> impl, const Engine* compiled_by);
  std::unique_ptr<Impl> impl_;
};

}  // namespace smdl
