#include "calendar/sla_clock.h"

#include <nlohmann/json.hpp>

#include "calendar/calendar.h"
#include "calendar/time_format.h"

namespace smdl::calendar {
namespace {

__extension__ typedef __int128 Int128;
constexpr int64_t kNanos = 1000000000;

Int128 Ns(Duration d) { return static_cast<Int128>(d.seconds) * kNanos + d.nanos; }
Duration Dur(Int128 ns) { return Duration{static_cast<int64_t>(ns / kNanos), static_cast<int32_t>(ns % kNanos)}; }

const Calendar& Effective(const Calendar* calendar) {
  static const Calendar* const kContinuous = new Calendar(Calendar::Continuous());
  return calendar ? *calendar : *kContinuous;
}

// The instant of the clock's last change: no operation may come before it.
std::optional<Timestamp> LastChange(const SlaClock& c) {
  std::optional<Timestamp> last = c.reset_at;
  for (const auto& s : c.segments) {
    Timestamp t = s.end ? *s.end : s.start;
    if (!last || *last < t) last = t;
  }
  return last;
}

Status CheckOrder(const SlaClock& c, Timestamp at) {
  auto last = LastChange(c);
  if (last && at < *last)
    return InvalidArgument("SLA clock operation at " + FormatTimestamp(at) + " is before its last change at " +
                           FormatTimestamp(*last));
  return Status::Ok();
}

// Closes the open segment at `at` (dropping it if it lasted no time) and
// opens a new one when `running` is given.
SlaClock Switch(SlaClock c, Timestamp at, std::optional<bool> running) {
  if (!c.segments.empty() && !c.segments.back().end) {
    if (c.segments.back().start == at) c.segments.pop_back();
    else c.segments.back().end = at;
  }
  if (running) c.segments.push_back({*running, at, std::nullopt});
  return c;
}

}  // namespace

const char* RetargetName(RetargetPolicy p) {
  switch (p) {
    case RetargetPolicy::kKeep: return "keep";
    case RetargetPolicy::kRecompute: return "recompute";
    case RetargetPolicy::kRestart: return "restart";
  }
  return "recompute";
}

std::optional<RetargetPolicy> ParseRetarget(std::string_view text) {
  if (text == "keep") return RetargetPolicy::kKeep;
  if (text == "recompute") return RetargetPolicy::kRecompute;
  if (text == "restart") return RetargetPolicy::kRestart;
  return std::nullopt;
}

const char* ClockStateName(ClockState s) {
  switch (s) {
    case ClockState::kNotStarted: return "not_started";
    case ClockState::kRunning: return "running";
    case ClockState::kPaused: return "paused";
    case ClockState::kStopped: return "stopped";
  }
  return "not_started";
}

SlaClock NewClock(Duration target, RetargetPolicy retarget) {
  SlaClock c;
  c.target = target;
  c.retarget = retarget;
  return c;
}

ClockState StateOf(const SlaClock& c) {
  if (c.stopped) return ClockState::kStopped;
  if (c.segments.empty() || c.segments.back().end) return ClockState::kNotStarted;
  return c.segments.back().running ? ClockState::kRunning : ClockState::kPaused;
}

StatusOr<SlaClock> Start(const SlaClock& c, Timestamp at) {
  SMDL_RETURN_IF_ERROR(CheckOrder(c, at));
  if (StateOf(c) != ClockState::kNotStarted) return c;
  return Switch(c, at, true);
}

StatusOr<SlaClock> Pause(const SlaClock& c, Timestamp at) {
  SMDL_RETURN_IF_ERROR(CheckOrder(c, at));
  if (StateOf(c) != ClockState::kRunning) return c;
  return Switch(c, at, false);
}

StatusOr<SlaClock> Resume(const SlaClock& c, Timestamp at) {
  SMDL_RETURN_IF_ERROR(CheckOrder(c, at));
  if (StateOf(c) != ClockState::kPaused) return c;
  return Switch(c, at, true);
}

StatusOr<SlaClock> Stop(const SlaClock& c, Timestamp at) {
  SMDL_RETURN_IF_ERROR(CheckOrder(c, at));
  if (StateOf(c) == ClockState::kStopped) return c;
  SlaClock out = Switch(c, at, std::nullopt);
  out.stopped = true;
  return out;
}

StatusOr<SlaClock> Reset(const SlaClock& c, Timestamp at) {
  SMDL_RETURN_IF_ERROR(CheckOrder(c, at));
  ClockState state = StateOf(c);
  if (state == ClockState::kStopped || state == ClockState::kNotStarted) return c;
  SlaClock out = c;
  out.segments = {{state == ClockState::kRunning, at, std::nullopt}};
  out.reset_at = at;
  return out;
}

StatusOr<SlaClock> Retarget(const SlaClock& c, Duration target, Timestamp at) {
  SMDL_RETURN_IF_ERROR(CheckOrder(c, at));
  if (target == c.target || c.retarget == RetargetPolicy::kKeep || StateOf(c) == ClockState::kStopped) return c;
  if (c.retarget == RetargetPolicy::kRecompute) {
    SlaClock out = c;
    out.target = target;
    return out;
  }
  auto out = Reset(c, at);
  if (!out.ok()) return out.status();
  out->target = target;
  return out;
}

StatusOr<Duration> Elapsed(const SlaClock& c, const Calendar* calendar, Timestamp now) {
  const Calendar& cal = Effective(calendar);
  Int128 total = 0;
  for (const auto& s : c.segments) {
    if (!s.running) continue;
    Timestamp end = s.end && *s.end < now ? *s.end : now;
    if (!(s.start < end)) continue;
    auto d = cal.Between(s.start, end);
    if (!d.ok()) return d.status();
    total += Ns(*d);
  }
  return Dur(total);
}

StatusOr<std::optional<Timestamp>> ThresholdInstant(const SlaClock& c, const Calendar* calendar, int percent) {
  if (percent < 0 || percent > 1000) return InvalidArgument("a threshold is 0% to 1000% of the target");
  return ThresholdInstantHundredths(c, calendar, percent * 100);
}

StatusOr<std::optional<Timestamp>> ThresholdInstantHundredths(const SlaClock& c, const Calendar* calendar,
                                                              int hundredths) {
  if (hundredths < 0 || hundredths > 100000) return InvalidArgument("a threshold is 0% to 1000% of the target");
  if (Ns(c.target) < 0) return InvalidArgument("the target of an SLA clock must not be negative");
  const Calendar& cal = Effective(calendar);
  Int128 need = Ns(c.target) * hundredths / 10000;
  for (const auto& s : c.segments) {
    if (!s.running) continue;
    if (s.end) {
      auto len = cal.Between(s.start, *s.end);
      if (!len.ok()) return len.status();
      if (Ns(*len) < need) {
        need -= Ns(*len);
        continue;
      }
    }
    auto at = cal.Add(s.start, Dur(need));
    if (!at.ok()) return at.status();
    return std::optional<Timestamp>(*at);
  }
  return std::optional<Timestamp>();
}

StatusOr<ClockStatus> Evaluate(const SlaClock& c, const Calendar* calendar, Timestamp now) {
  ClockStatus st;
  st.state = StateOf(c);
  st.target = c.target;
  auto elapsed = Elapsed(c, calendar, now);
  if (!elapsed.ok()) return elapsed.status();
  st.elapsed = *elapsed;
  st.remaining = Dur(Ns(c.target) - Ns(*elapsed));
  auto breach = ThresholdInstant(c, calendar, 100);
  if (!breach.ok()) return breach.status();
  if (st.state == ClockState::kRunning) st.due = *breach;
  if (*breach && !(now < **breach)) st.breached_at = *breach;
  return st;
}

StatusOr<std::string> Explain(const SlaClock& c, const Calendar* calendar, Timestamp now, size_t max_intervals) {
  const Calendar& cal = Effective(calendar);
  auto show = [&](Timestamp t) { return FormatTimestampAt(t, cal.OffsetAt(t)); };
  std::string out = "target " + FormatDurationText(c.target) + ", retarget " + RetargetName(c.retarget) + ", ";
  out += calendar ? "calendar " + cal.name() + " (" + cal.zone().name() + ")" : std::string("no calendar (all time counts)");
  out += "\nstate " + std::string(ClockStateName(StateOf(c))) + " at " + show(now) + "\n";
  if (c.reset_at) out += "reset at " + show(*c.reset_at) + "; earlier time no longer counts\n";
  if (c.segments.empty()) out += "no segments: the clock has not started\n";
  Int128 before_open = 0;  // working time of closed running segments
  for (const auto& s : c.segments) {
    Timestamp end = s.end && *s.end < now ? *s.end : now;
    out += std::string(s.running ? "running " : "paused  ") + show(s.start) + " .. " +
           (s.end ? show(*s.end) : "now");
    if (!s.running) {
      out += "\n";
      continue;
    }
    Int128 counted = 0;
    if (s.start < end) {
      auto d = cal.Between(s.start, end);
      if (!d.ok()) return d.status();
      counted = Ns(*d);
    }
    if (s.end) before_open += counted;
    out += ": " + FormatDurationText(Dur(counted)) + "\n";
    if (s.start < end) {
      auto e = cal.Explain(s.start, end, max_intervals);
      if (!e.ok()) return e.status();
      for (const auto& i : e->intervals) out += "  working " + show(i.start) + " .. " + show(i.end) + "\n";
      if (e->truncated) out += "  ...\n";
    }
  }
  auto st = Evaluate(c, calendar, now);
  if (!st.ok()) return st.status();
  out += "elapsed " + FormatDurationText(st->elapsed) + ", remaining " + FormatDurationText(st->remaining) + "\n";
  if (st->due) {
    const ClockSegment& open = c.segments.back();
    Int128 left = Ns(c.target) - before_open;
    if (before_open >= Ns(c.target)) {
      out += "due " + show(*st->due) + ": the target was reached in an earlier segment\n";
    } else {
      out += "due " + show(*st->due) + " = " + show(open.start) + " + " + FormatDurationText(Dur(left)) +
             " of working time (target " + FormatDurationText(c.target) + " - " + FormatDurationText(Dur(before_open)) +
             " counted before this segment)\n";
    }
  } else if (st->state == ClockState::kPaused) {
    out += "due unknown while paused: " + FormatDurationText(st->remaining) + " of working time left after resuming\n";
  } else {
    out += "no due instant: the clock is " + std::string(ClockStateName(st->state)) + "\n";
  }
  out += st->breached_at ? "breached at " + show(*st->breached_at) + "\n" : std::string("not breached\n");
  return out;
}

std::string ToJson(const SlaClock& c) {
  nlohmann::json j;
  j["target"] = FormatDuration(c.target);
  j["retarget"] = RetargetName(c.retarget);
  j["stopped"] = c.stopped;
  if (c.reset_at) j["reset_at"] = FormatTimestamp(*c.reset_at);
  nlohmann::json segs = nlohmann::json::array();
  for (const auto& s : c.segments) {
    nlohmann::json seg = nlohmann::json::array({s.running ? "run" : "pause", FormatTimestamp(s.start)});
    if (s.end) seg.push_back(FormatTimestamp(*s.end));
    segs.push_back(std::move(seg));
  }
  j["segments"] = std::move(segs);
  return j.dump();
}

StatusOr<SlaClock> FromJson(std::string_view text) {
  auto bad = [](const std::string& why) { return Status(StatusCode::kCorruption, "SLA clock JSON: " + why); };
  nlohmann::json j = nlohmann::json::parse(text.begin(), text.end(), nullptr, false);
  if (j.is_discarded() || !j.is_object()) return bad("not a JSON object");
  auto str = [&](const char* key) -> std::optional<std::string> {
    auto it = j.find(key);
    if (it == j.end() || !it->is_string()) return std::nullopt;
    return it->get<std::string>();
  };
  SlaClock c;
  auto target = str("target");
  auto parsed_target = target ? ParseDuration(*target) : std::nullopt;
  if (!parsed_target || Ns(*parsed_target) < 0) return bad("missing or malformed target");
  c.target = *parsed_target;
  auto retarget = str("retarget");
  auto policy = retarget ? ParseRetarget(*retarget) : std::nullopt;
  if (!policy) return bad("missing or unknown retarget policy");
  c.retarget = *policy;
  auto stopped = j.find("stopped");
  if (stopped == j.end() || !stopped->is_boolean()) return bad("missing stopped");
  c.stopped = stopped->get<bool>();
  if (j.contains("reset_at")) {
    auto r = str("reset_at");
    auto t = r ? ParseTimestamp(*r) : std::nullopt;
    if (!t) return bad("malformed reset_at");
    c.reset_at = *t;
  }
  auto segs = j.find("segments");
  if (segs == j.end() || !segs->is_array()) return bad("missing segments");
  for (size_t i = 0; i < segs->size(); ++i) {
    const auto& s = (*segs)[i];
    if (!s.is_array() || s.size() < 2 || s.size() > 3) return bad("a segment is [kind, start] or [kind, start, end]");
    for (const auto& part : s)
      if (!part.is_string()) return bad("segment parts are strings");
    std::string kind = s[0].get<std::string>();
    if (kind != "run" && kind != "pause") return bad("a segment is \"run\" or \"pause\"");
    ClockSegment seg;
    seg.running = kind == "run";
    auto start = ParseTimestamp(s[1].get<std::string>());
    if (!start) return bad("malformed segment start");
    seg.start = *start;
    if (s.size() == 3) {
      auto end = ParseTimestamp(s[2].get<std::string>());
      if (!end || *end < *start) return bad("malformed segment end");
      seg.end = *end;
    } else if (i + 1 != segs->size()) {
      return bad("only the last segment may be open");
    }
    if (!c.segments.empty() && seg.start < *c.segments.back().end) return bad("segments out of order");
    c.segments.push_back(seg);
  }
  if (c.stopped && !c.segments.empty() && !c.segments.back().end) return bad("a stopped clock has an open segment");
  return c;
}

}  // namespace smdl::calendar
