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
};

struct ExecutionLimits {
  int max_follow_on = 32;     // automatic transitions and SLA reactions per operation
  int max_actions = 10000;    // actions run per operation (loops count each pass)
};

// Where an operation reads the records its refs name: the record with the
// definition version it is pinned to, or nullopt when there is no such record.
struct ReadableRecord {
  RecordState record;
  const Definition* definition = nullptr;
};
using RecordSource = std::function<StatusOr<std::optional<ReadableRecord>>(const std::string& id)>;

// kCreate: `record` is ignored except for its id, which the caller allocates.
// `source` serves reads through refs; without one, such a read is an error.
StatusOr<Outcome> Execute(const Definition& definition, const RecordState& record, const Request& request,
                          const ExecutionLimits& limits, const RecordSource* source = nullptr);

// The record as an API caller sees it: fields, state, and each SLA clock with
// target, due, elapsed, remaining, paused, breached and breached_at at `now`.
nlohmann::json RecordView(const Definition& definition, const RecordState& record, Timestamp now);

// Rebuilds a request from an audit entry, for replay.
StatusOr<Request> RequestFromAudit(const nlohmann::json& entry);

}  // namespace smdl::runtime
