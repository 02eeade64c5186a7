// The pure arithmetic of SLA clocks. A clock is a value: its target, its
// retarget policy and the segments of time in which it ran or was paused.
// Everything users see (elapsed, remaining, due, warning and breach
// instants) is derived from the segments on a calendar, so every figure can
// be explained and recomputed. The runtime stores clocks with records (as
// JSON, ToJson/FromJson) and applies the operations when triggers match.
//
// Semantics:
// - Elapsed time is the calendar's working time inside running segments; a
//   paused segment counts nothing. Without a calendar (nullptr) all time
//   counts.
// - Operations return the new clock and are idempotent: starting a started
//   clock, pausing a paused one or resuming a running one changes nothing.
//   Pause and resume before the start change nothing. Stop is final: after
//   it every operation leaves the clock as it is. An operation at an instant
//   before the clock's last change is InvalidArgument (time runs forward).
// - Reset drops the history: elapsed time is zero again from the instant of
//   the reset; a running clock keeps running, a paused one stays paused.
// - The instant a threshold (a warning at N%, the breach at 100%) is
//   reached is when elapsed time reaches N% of the target, rounded down to
//   the nanosecond. It is known when it lies in the past segments, or when
//   the clock runs (assuming it keeps running); while paused it is unknown,
//   because the clock does not know when it will resume.
// - The due instant is the 100% instant of a running clock: it can lie in
//   the past when the clock is already breached.
// - When the target changes (Retarget), the clock's policy decides: kKeep
//   ignores the new target; kRecompute takes it and keeps the elapsed time,
//   so the due instant moves; kRestart takes it and resets the clock at the
//   instant of the change. The default is kRecompute.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/time.h"
#include "smdl/status.h"

namespace smdl::calendar {

class Calendar;

enum class RetargetPolicy { kKeep, kRecompute, kRestart };
inline constexpr RetargetPolicy kDefaultRetarget = RetargetPolicy::kRecompute;
const char* RetargetName(RetargetPolicy policy);  // "keep", "recompute", "restart"
std::optional<RetargetPolicy> ParseRetarget(std::string_view text);

struct ClockSegment {
  bool running = true;              // false: paused
  Timestamp start;
  std::optional<Timestamp> end;     // none: the clock is in this segment now
};

struct SlaClock {
  Duration target;
  RetargetPolicy retarget = kDefaultRetarget;
  std::vector<ClockSegment> segments;  // in order; only the last may be open
  bool stopped = false;
  std::optional<Timestamp> reset_at;   // the last reset, if any
};

enum class ClockState { kNotStarted, kRunning, kPaused, kStopped };
const char* ClockStateName(ClockState state);  // "not_started", "running", "paused", "stopped"

SlaClock NewClock(Duration target, RetargetPolicy retarget = kDefaultRetarget);
ClockState StateOf(const SlaClock& clock);

StatusOr<SlaClock> Start(const SlaClock& clock, Timestamp at);
StatusOr<SlaClock> Pause(const SlaClock& clock, Timestamp at);
StatusOr<SlaClock> Resume(const SlaClock& clock, Timestamp at);
StatusOr<SlaClock> Stop(const SlaClock& clock, Timestamp at);
StatusOr<SlaClock> Reset(const SlaClock& clock, Timestamp at);
// The target is now `target` (re-evaluated at `at`); the clock's policy decides.
StatusOr<SlaClock> Retarget(const SlaClock& clock, Duration target, Timestamp at);

// Working time in running segments up to `now`.
StatusOr<Duration> Elapsed(const SlaClock& clock, const Calendar* calendar, Timestamp now);

// The instant elapsed time reaches `percent`% of the target (0..1000), or
// none when it is unknown (not reached, and the clock is not running).
StatusOr<std::optional<Timestamp>> ThresholdInstant(const SlaClock& clock, const Calendar* calendar, int percent);
// The same for a threshold in hundredths of a percent (8440 is 84.4%).
StatusOr<std::optional<Timestamp>> ThresholdInstantHundredths(const SlaClock& clock, const Calendar* calendar,
                                                              int hundredths);

// Everything the runtime shows about a clock at `now`.
struct ClockStatus {
  ClockState state = ClockState::kNotStarted;
  Duration target;
  Duration elapsed;
  Duration remaining;                    // target - elapsed; negative when overdue
  std::optional<Timestamp> due;          // running clocks only
  std::optional<Timestamp> breached_at;  // the target was reached at or before now
};
StatusOr<ClockStatus> Evaluate(const SlaClock& clock, const Calendar* calendar, Timestamp now);

// A readable account: the target, each segment with the working intervals
// it counted, elapsed and remaining time, and how the due instant follows.
// Instants are shown with the calendar's UTC offset. At most
// `max_intervals` intervals are listed per segment.
StatusOr<std::string> Explain(const SlaClock& clock, const Calendar* calendar, Timestamp now,
                              size_t max_intervals = 20);

// Compact JSON, e.g.
// {"target":"14400s","retarget":"recompute","stopped":false,
//  "segments":[["run","2026-03-06T15:00:00Z","2026-03-06T17:00:00Z"],["pause","2026-03-06T17:00:00Z"]]}
std::string ToJson(const SlaClock& clock);
StatusOr<SlaClock> FromJson(std::string_view json);  // Corruption if malformed

}  // namespace smdl::calendar
