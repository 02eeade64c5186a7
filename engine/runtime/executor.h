// The execution of one operation on one record, as a pure function of the
// definition, the record before, the request and the time: it returns the
// record after and everything the operation must write (audit entry, outbox
// messages, timers), or the reason it is rejected. Nothing here touches the
// database, so the engine commits the outcome atomically and `verify`
// replays the audit log through the same functions.
#pragma once

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
};

struct Outcome {
  RecordState before;  // kCreate: empty
  RecordState after;
  std::vector<std::string> path;          // states entered, in order (automatic transitions included)
  std::vector<nlohmann::json> outbox;     // emitted messages
  nlohmann::json audit;                   // the entry, without seq and hashes
};

struct ExecutionLimits {
  int max_follow_on = 32;  // automatic transitions and SLA reactions per operation
};

// kCreate: `record` is ignored except for its id, which the caller allocates.
StatusOr<Outcome> Execute(const Definition& definition, const RecordState& record, const Request& request,
                          const ExecutionLimits& limits);

// The record as an API caller sees it: fields, state, and each SLA clock with
// target, due, elapsed, remaining, paused, breached and breached_at at `now`.
nlohmann::json RecordView(const Definition& definition, const RecordState& record, Timestamp now);

// Rebuilds a request from an audit entry, for replay.
StatusOr<Request> RequestFromAudit(const nlohmann::json& entry);

}  // namespace smdl::runtime
