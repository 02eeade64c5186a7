#include "runtime/sla.h"

#include <algorithm>
#include <cmath>
#include <limits>

#include "base/time.h"
#include "calendar/sla_clock.h"
#include "sema/types.h"

namespace smdl::runtime {
namespace {

using nlohmann::json;

// A clock as stored with its record: the clock arithmetic's value
// (calendar/sla_clock.h) plus what the runtime has done about it: which
// warnings were given, when it breached, when it started.
struct Clock {
  std::optional<calendar::SlaClock> clock;  // none: not started
  std::optional<Timestamp> started_at, breached_at;
  std::vector<int> warned;  // thresholds given, in hundredths of a percent
  std::string calendar;     // qualified; chosen when it started (`calendar EXPR;`), else empty

  // Stored and shown in percent: 50, or 84.4 for a fractional threshold.
  static json Percents(const std::vector<int>& hundredths) {
    json out = json::array();
    for (int h : hundredths) out.push_back(h % 100 == 0 ? json(h / 100) : json(h / 100.0));
    return out;
  }

  calendar::ClockState state() const { return clock ? calendar::StateOf(*clock) : calendar::ClockState::kNotStarted; }

  json ToJson() const {
    auto opt = [](const std::optional<Timestamp>& t) { return t ? json(FormatTimestamp(*t)) : json(); };
    json out = {{"clock", clock ? json::parse(calendar::ToJson(*clock)) : json()},
                {"started_at", opt(started_at)},
                {"breached_at", opt(breached_at)},
                {"warned", Percents(warned)}};
    if (!calendar.empty()) out["calendar"] = calendar;
    return out;
  }

  static StatusOr<Clock> FromJson(const json& doc) {
    Clock c;
    if (!doc.is_object()) return c;
    if (doc.contains("clock") && doc["clock"].is_object()) {
      auto parsed = calendar::FromJson(doc["clock"].dump());
      if (!parsed.ok()) return parsed.status();
      c.clock = std::move(*parsed);
    }
    auto opt = [&](const char* key) -> std::optional<Timestamp> {
      if (!doc.contains(key) || !doc[key].is_string()) return std::nullopt;
      auto t = ParseTimestamp(doc[key].get<std::string>());
      return t ? std::optional<Timestamp>(*t) : std::nullopt;
    };
    c.started_at = opt("started_at");
    c.calendar = doc.value("calendar", "");
    c.breached_at = opt("breached_at");
    for (const auto& w : doc.value("warned", json::array()))
      if (w.is_number()) c.warned.push_back(static_cast<int>(std::llround(w.get<double>() * 100)));
    return c;
  }
};

StatusOr<Clock> LoadClock(const RecordState& record, const std::string& name) {
  auto c = Clock::FromJson(record.sla.value(name, json::object()));
  if (!c.ok()) return Status(StatusCode::kCorruption, "record " + record.id + ", sla clock '" + name + "': " + c.status().message());
  return c;
}

calendar::RetargetPolicy Policy(const ir::Sla& sla) {
  switch (sla.retarget) {
    case ir::Sla::Retarget::kKeep: return calendar::RetargetPolicy::kKeep;
    case ir::Sla::Retarget::kRestart: return calendar::RetargetPolicy::kRestart;
    default: return calendar::RetargetPolicy::kRecompute;
  }
}

bool Matches(const std::vector<ir::SlaTrigger>& triggers, SlaHook hook, const std::string& name) {
  for (const auto& t : triggers) {
    bool kind_matches = (hook == SlaHook::kCreate && t.kind == ir::SlaTrigger::Kind::kCreate) ||
                        (hook == SlaHook::kEnter && t.kind == ir::SlaTrigger::Kind::kEnter) ||
                        (hook == SlaHook::kLeave && t.kind == ir::SlaTrigger::Kind::kLeave) ||
                        (hook == SlaHook::kEvent && t.kind == ir::SlaTrigger::Kind::kEvent);
    if (kind_matches && (hook == SlaHook::kCreate || std::find(t.names.begin(), t.names.end(), name) != t.names.end()))
      return true;
  }
  return false;
}

bool PausedWhileIn(const ir::Sla& sla, const std::string& state) {
  for (const auto& t : sla.pause)
    if (t.kind == ir::SlaTrigger::Kind::kWhileIn && std::find(t.names.begin(), t.names.end(), state) != t.names.end())
      return true;
  return false;
}

Status EvalTarget(SlaContext& ctx, const ir::Sla& sla, Duration& out) {
  vm::Value v = ctx.eval(sla.target);
  if (!v.is(vm::ValueKind::kDuration))
    return FailedPrecondition("the target of sla '" + sla.name + "' is not a duration: " +
                              (v.is_error() ? v.error_message() : v.DebugString()));
  out = v.duration_value();
  if (out.seconds < 0 || out.nanos < 0) return FailedPrecondition("the target of sla '" + sla.name + "' is negative");
  // Clocks count nanoseconds in 64 bits: about 292 years.
  if (out.seconds >= std::numeric_limits<int64_t>::max() / 1000000000 - 1)
    return FailedPrecondition("the target of sla '" + sla.name + "' is longer than an SLA clock can count (292 years)");
  return Status::Ok();
}

// The calendar a clock counts on: the SLA's, or the one chosen when it started.
const calendar::Calendar* CalendarOf(const ir::Sla& sla, const Clock& c) {
  if (c.calendar.empty() || sla.calendars == nullptr) return sla.calendar;
  auto it = sla.calendars->find(c.calendar);
  return it == sla.calendars->end() ? nullptr : it->second;
}

// `calendar EXPR;`: which calendar this record's clock counts on.
Status ChooseCalendar(SlaContext& ctx, const ir::Sla& sla, Clock& c) {
  c.calendar.clear();
  if (!sla.calendar_expr) return Status::Ok();
  vm::Value v = ctx.eval(sla.calendar_expr);
  if (!v.is(vm::ValueKind::kString))
    return FailedPrecondition("the calendar of sla '" + sla.name + "' fails: " +
                              (v.is_error() ? v.error_message() : v.DebugString()));
  if (!sla.calendars || !sla.calendars->count(v.string_value()))
    return FailedPrecondition("the calendar of sla '" + sla.name + "' is " + v.string_value() +
                              ", which these definitions do not declare");
  c.calendar = v.string_value();
  return Status::Ok();
}

Status StartClock(SlaContext& ctx, const ir::Sla& sla, Clock& c) {
  if (c.clock) return Status::Ok();
  Duration target;
  SMDL_RETURN_IF_ERROR(EvalTarget(ctx, sla, target));
  SMDL_RETURN_IF_ERROR(ChooseCalendar(ctx, sla, c));
  auto started = calendar::Start(calendar::NewClock(target, Policy(sla)), ctx.now);
  if (!started.ok()) return started.status();
  c.clock = std::move(*started);
  c.started_at = ctx.now;
  // Paused at once while the record is in (or within) a `pause in` state.
  auto active = ctx.machine.ActiveStates(ctx.machine.Configuration(ctx.record.state, ctx.record.active));
  if (std::any_of(active.begin(), active.end(), [&](const std::string& s) { return PausedWhileIn(sla, s); })) {
    auto paused = calendar::Pause(*c.clock, ctx.now);
    if (!paused.ok()) return paused.status();
    c.clock = std::move(*paused);
  }
  return Status::Ok();
}

// Applies one clock operation when `when` holds.
template <typename Op>
Status Apply(bool when, Clock& c, Op op, Timestamp now) {
  if (!when || !c.clock) return Status::Ok();
  auto next = op(*c.clock, now);
  if (!next.ok()) return next.status();
  c.clock = std::move(*next);
  return Status::Ok();
}

}  // namespace

Status ApplySlaTriggers(SlaContext& ctx, SlaHook hook, const std::string& name) {
  for (const auto& sla : ctx.machine.slas()) {
    auto loaded = LoadClock(ctx.record, sla.name);
    if (!loaded.ok()) return loaded.status();
    Clock c = std::move(*loaded);
    if (Matches(sla.reset, hook, name) && c.clock) {
      // A reset starts a new cycle: a running or paused clock counts from
      // zero in the same phase; a stopped one is not started again until a
      // start trigger says so (recurring clocks: `reset` and `start` on the
      // same trigger).
      if (calendar::StateOf(*c.clock) == calendar::ClockState::kStopped) {
        c.clock.reset();
        c.calendar.clear();  // chosen again when it starts again
      }
      else SMDL_RETURN_IF_ERROR(Apply(true, c, calendar::Reset, ctx.now));
      c.warned.clear();
      c.breached_at.reset();
    }
    if (Matches(sla.start, hook, name)) SMDL_RETURN_IF_ERROR(StartClock(ctx, sla, c));
    bool pause = Matches(sla.pause, hook, name) || (hook == SlaHook::kEnter && PausedWhileIn(sla, name));
    bool resume = Matches(sla.resume, hook, name) || (hook == SlaHook::kLeave && PausedWhileIn(sla, name));
    SMDL_RETURN_IF_ERROR(Apply(pause, c, calendar::Pause, ctx.now));
    SMDL_RETURN_IF_ERROR(Apply(resume && !pause, c, calendar::Resume, ctx.now));
    SMDL_RETURN_IF_ERROR(Apply(Matches(sla.stop, hook, name), c, calendar::Stop, ctx.now));
    // A clock a reset emptied is not started: a later start starts it anew.
    if (c.clock) ctx.record.sla[sla.name] = c.ToJson();
    else ctx.record.sla.erase(sla.name);
  }
  return Status::Ok();
}

Status RetargetSlas(SlaContext& ctx) {
  for (const auto& sla : ctx.machine.slas()) {
    auto loaded = LoadClock(ctx.record, sla.name);
    if (!loaded.ok()) return loaded.status();
    Clock c = std::move(*loaded);
    if (!c.clock || c.state() == calendar::ClockState::kStopped) continue;
    Duration target;
    SMDL_RETURN_IF_ERROR(EvalTarget(ctx, sla, target));
    if (target == c.clock->target) continue;
    auto next = calendar::Retarget(*c.clock, target, ctx.now);
    if (!next.ok()) return next.status();
    bool restarted = sla.retarget == ir::Sla::Retarget::kRestart;
    c.clock = std::move(*next);
    if (restarted) {
      // A restart is a new clock: earlier warnings and a breach no longer count.
      c.warned.clear();
      c.breached_at.reset();
    }
    ctx.record.sla[sla.name] = c.ToJson();
  }
  return Status::Ok();
}

Status ScheduleSlaTimers(SlaContext& ctx) {
  std::erase_if(ctx.record.timers, [](const TimerRef& t) { return t.name.rfind("sla:", 0) == 0; });
  for (const auto& sla : ctx.machine.slas()) {
    auto loaded = LoadClock(ctx.record, sla.name);
    if (!loaded.ok()) return loaded.status();
    const Clock& c = *loaded;
    if (c.state() != calendar::ClockState::kRunning) continue;
    for (const auto& w : sla.warnings) {
      if (std::find(c.warned.begin(), c.warned.end(), w.percent) != c.warned.end()) continue;
      auto at = calendar::ThresholdInstantHundredths(*c.clock, CalendarOf(sla, c), w.percent);
      if (!at.ok()) return at.status();
      if (*at) ctx.record.timers.push_back({std::max(**at, ctx.now), "sla:" + sla.name + ":warn:" + ast::PercentText(w.percent)});
    }
    if (!c.breached_at) {
      auto at = calendar::ThresholdInstant(*c.clock, CalendarOf(sla, c), 100);
      if (!at.ok()) return at.status();
      if (*at) ctx.record.timers.push_back({std::max(**at, ctx.now), "sla:" + sla.name + ":breach"});
    }
  }
  return Status::Ok();
}

StatusOr<std::optional<const std::vector<ir::SlaAction>*>> FireSlaTimer(SlaContext& ctx, const std::string& name) {
  using Result = std::optional<const std::vector<ir::SlaAction>*>;
  // "sla:NAME:warn:P" or "sla:NAME:breach"
  size_t first = name.find(':');
  size_t second = name.find(':', first + 1);
  if (first == std::string::npos || second == std::string::npos) return Result();
  std::string clock_name = name.substr(first + 1, second - first - 1);
  std::string what = name.substr(second + 1);
  const ir::Sla* sla = nullptr;
  for (const auto& s : ctx.machine.slas())
    if (s.name == clock_name) sla = &s;
  if (!sla) return Result();
  auto loaded = LoadClock(ctx.record, clock_name);
  if (!loaded.ok()) return loaded.status();
  Clock c = std::move(*loaded);
  if (c.state() != calendar::ClockState::kRunning) return Result();
  Result result;
  if (what == "breach") {
    if (c.breached_at) return Result();
    auto at = calendar::ThresholdInstant(*c.clock, CalendarOf(*sla, c), 100);
    if (!at.ok()) return at.status();
    c.breached_at = *at ? **at : ctx.now;
    result = &sla->breach;
  } else if (what.rfind("warn:", 0) == 0) {
    int percent = static_cast<int>(std::llround(std::strtod(what.c_str() + 5, nullptr) * 100));
    if (std::find(c.warned.begin(), c.warned.end(), percent) != c.warned.end()) return Result();
    c.warned.push_back(percent);
    std::sort(c.warned.begin(), c.warned.end());
    for (const auto& w : sla->warnings)
      if (w.percent == percent) result = &w.actions;
  }
  ctx.record.sla[clock_name] = c.ToJson();
  return result;
}

json SlaView(const ir::Machine& machine, const RecordState& record, Timestamp now) {
  json out = json::object();
  auto opt = [](const std::optional<Timestamp>& t) { return t ? json(FormatTimestamp(*t)) : json(); };
  for (const auto& sla : machine.slas()) {
    auto loaded = LoadClock(record, sla.name);
    json v;
    if (!loaded.ok()) {
      v["error"] = loaded.status().message();
      out[sla.name] = v;
      continue;
    }
    const Clock& c = *loaded;
    calendar::ClockStatus status;
    if (c.clock) {
      auto evaluated = calendar::Evaluate(*c.clock, CalendarOf(sla, c), now);
      if (evaluated.ok()) status = *evaluated;
    }
    v["state"] = calendar::ClockStateName(status.state);
    v["target"] = c.clock ? json(FormatDuration(c.clock->target)) : json();
    v["elapsed"] = FormatDuration(status.elapsed);
    v["remaining"] = FormatDuration(ToNanos(status.remaining) > 0 ? status.remaining : Duration{});
    v["due"] = opt(status.due);
    v["paused"] = status.state == calendar::ClockState::kPaused;
    v["running"] = status.state == calendar::ClockState::kRunning;
    v["stopped"] = status.state == calendar::ClockState::kStopped;
    std::optional<Timestamp> breached_at = c.breached_at ? c.breached_at : status.breached_at;
    v["breached"] = breached_at.has_value();
    v["breached_at"] = opt(breached_at);
    v["started_at"] = opt(c.started_at);
    v["warned"] = Clock::Percents(c.warned);
    v["calendar"] = !c.calendar.empty() ? json(sema::ShortName(c.calendar))
                    : sla.calendar_name.empty() ? json() : json(sla.calendar_name);
    out[sla.name] = v;
  }
  return out;
}

StatusOr<std::string> ExplainClock(const Definition& def, const RecordState& record, const std::string& name,
                                   Timestamp now) {
  const ir::Machine* machine = def.image->MachineForType(record.type);
  if (!machine) return def.image->UnknownTypeError(record.type);
  json out = json::object();
  json views = SlaView(*machine, record, now);
  bool found = false;
  for (const auto& sla : machine->slas()) {
    if (!name.empty() && sla.name != name) continue;
    found = true;
    auto loaded = LoadClock(record, sla.name);
    if (!loaded.ok()) return loaded.status();
    json view = views[sla.name];
    if (loaded->clock) {
      auto text = calendar::Explain(*loaded->clock, CalendarOf(sla, *loaded), now);
      if (!text.ok()) return text.status();
      view["explanation"] = *text;
      view["clock"] = json::parse(calendar::ToJson(*loaded->clock));
    } else {
      view["explanation"] = "not started";
    }
    view["retarget"] = calendar::RetargetName(Policy(sla));
    out[sla.name] = view;
  }
  if (!found)
    return NotFound(name.empty() ? "record " + record.id + " has no SLA clocks"
                                 : "record " + record.id + " has no SLA clock '" + name + "'");
  return out.dump();
}

}  // namespace smdl::runtime
