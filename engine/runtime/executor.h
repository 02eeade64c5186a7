// The execution of one operation on one record, as a pure function of the
// definition, the record before, the request and the time: it returns the
// record after and everything the operation must write (audit entry, outbox
// messages, timers), or the reason it is rejected. Nothing here touches the
// database, so the engine commits the outcome atomically and `verify`
// replays the audit log through the same functions.
#pragma once

#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "runtime/definitions.h"
#include "runtime/record.h"

namespace smdl::runtime {

struct Request {
  enum class Kind { kCreate, kEvent, kTimer };
  Kind kind = Kind::kEvent;
  std::string type;         // kCreate: record type as given (short or qualified)
  std::string event;        // kEvent
  std::string timer;        // kTimer: the TimerRef name
  nlohmann::json args = nlohmann::json::object();  // kCreate: fields; kEvent: parameters
  Timestamp at;             // the time the operation takes effect
  std::string actor = "system";
  std::vector<std::string> roles;  // the actor's roles
};

struct Outcome;

// An operation an action asks for on another record (`fire`, `create`): it
// runs after the operation that caused it, in the same commit, as the same
// actor with the same roles, at the same time.
struct Caused {
  Request request;     // kEvent or kCreate
  std::string record;  // the target (kEvent), or the new record's id (kCreate)
};

struct Outcome {
  RecordState before;  // kCreate: empty
  RecordState after;
  std::vector<std::string> path;          // states entered, in order (automatic transitions included)
  std::vector<nlohmann::json> outbox;     // emitted messages
  nlohmann::json audit;                   // the entry, without seq and hashes
  // Other records the operation read through refs: id -> the version read
  // (0: there was no such record). The operation holds only while they are
  // unchanged; the commit checks that.
  std::map<std::string, uint64_t> reads;
  std::vector<Caused> caused;         // in the order the actions ran
  std::vector<std::string> creates;   // ids allocated for `create`, in order (also in the audit entry)
};

struct ExecutionLimits {
  int max_follow_on = 32;     // automatic transitions and SLA reactions per operation
  int max_actions = 10000;    // actions run per operation (loops count each pass)
  int max_cascade = 64;       // operations in one cascade, the first included
  int max_cascade_depth = 8;  // causes between the first operation and any other
};

// Where an operation reads the records its refs name: the record with the
// definition version it is pinned to, or nullopt when there is no such record.
struct ReadableRecord {
  RecordState record;
  const Definition* definition = nullptr;
};
using RecordSource = std::function<StatusOr<std::optional<ReadableRecord>>(const std::string& id)>;
// The same for several records at once (a query's results); optional.
using RecordBatchSource =
    std::function<StatusOr<std::vector<std::optional<ReadableRecord>>>(const std::vector<std::string>& ids)>;
// Gives the id of a record an action creates (of a qualified type).
using IdAllocator = std::function<StatusOr<std::string>(const std::string& type)>;
// One record a query finds: its QueryKey (record.h), and the record itself
// when the index entry carries it (else it is read by id).
struct QueryHit {
  std::string key;
  std::optional<ReadableRecord> record;
};
// records(T): the records of `type` whose first values.size() fields of
// `index` have these LookupValues, in key order; with an empty index, every
// record of the type.
using RecordQuery = std::function<StatusOr<std::vector<QueryHit>>(
    const std::string& type, const std::vector<std::string>& index, const std::vector<std::string>& values)>;

// What an operation may reach beyond its own record. Without a source,
// reading through a ref is an error; without an allocator, `create` is.
struct ExecutionEnv {
  RecordSource source;
  RecordBatchSource source_many;
  IdAllocator allocate;
  RecordQuery query;
};

// At most this many records in one records(T) result.
inline constexpr size_t kMaxQueryResults = 100000;

// One operation on one record; what its actions cause is in Outcome::caused,
// not run. kCreate: `record` is ignored except for its id, which the caller
// allocates.
StatusOr<Outcome> Execute(const Definition& definition, const RecordState& record, const Request& request,
                          const ExecutionLimits& limits, const ExecutionEnv* env = nullptr);

// The operation and everything it causes, breadth first, each operation
// seeing the records as the ones before it left them: all their outcomes,
// the first operation's first, or the first rejection (naming the caused
// operation that failed). Bounded by max_cascade and max_cascade_depth.
StatusOr<std::vector<Outcome>> ExecuteCascade(const Definition& definition, const RecordState& record,
                                              const Request& request, const ExecutionLimits& limits,
                                              const ExecutionEnv& env);

// Evaluates `expr`, compiled in the scope of the record's process (its
// fields, id, state, this, now; refs read through `env`), on a stored record
// at `now`, as the system actor.
StatusOr<vm::Value> EvaluateOn(const Definition& definition, const RecordState& record, const vm::CompiledExpr& expr,
                               Timestamp now, const ExecutionEnv* env);

// The record as an API caller sees it: fields, state, and each SLA clock with
// target, due, elapsed, remaining, paused, breached and breached_at at `now`.
nlohmann::json RecordView(const Definition& definition, const RecordState& record, Timestamp now);

// Rebuilds a request from an audit entry, for replay.
StatusOr<Request> RequestFromAudit(const nlohmann::json& entry);

}  // namespace smdl::runtime
