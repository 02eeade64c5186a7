// SLA clocks in the runtime: how a record's clocks react to its life (create,
// entering and leaving states, events, a changed target), the durable timers
// for their warnings and breaches, and how they are shown and explained.
//
// Each clock is stored with the record (RecordState::sla) as its segments of
// running and paused time, its target and what has happened (warnings given,
// breach); elapsed, remaining and due are derived from those, on the clock's
// calendar, so that every figure can be explained.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "ir/machine.h"
#include "runtime/definitions.h"
#include "runtime/record.h"
#include "vm/value.h"

namespace smdl::runtime {

enum class SlaHook { kCreate, kEnter, kLeave, kEvent };

struct SlaContext {
  const ir::Machine& machine;
  RecordState& record;
  Timestamp now;
  std::function<vm::Value(const ir::ExprPtr&)> eval;  // evaluates over the record
};

// Starts, stops, pauses, resumes and resets the clocks whose triggers match.
Status ApplySlaTriggers(SlaContext& ctx, SlaHook hook, const std::string& name);
// Re-evaluates targets after an operation, per each clock's retarget policy.
Status RetargetSlas(SlaContext& ctx);
// Replaces the record's SLA timers with the next warning and breach instants.
Status ScheduleSlaTimers(SlaContext& ctx);
// Marks the warning or breach of timer `name` as happened and returns the
// actions to run (nullopt when the timer no longer applies).
StatusOr<std::optional<const std::vector<ir::SlaAction>*>> FireSlaTimer(SlaContext& ctx, const std::string& name);

// Each clock as the API shows it at `now`.
nlohmann::json SlaView(const ir::Machine& machine, const RecordState& record, Timestamp now);
// One clock explained (JSON text).
StatusOr<std::string> ExplainClock(const Definition& def, const RecordState& record, const std::string& sla,
                                   Timestamp now);

}  // namespace smdl::runtime
