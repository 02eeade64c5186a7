#include "calendar/sla_clock.h"

#include <catch2/catch.hpp>

#include "test_support.h"
#include <random>

#include "calendar/calendar.h"
#include "calendar/time_format.h"

using smdl::Duration;
using smdl::Timestamp;
using namespace smdl::calendar;

namespace {

using smdl::testing::D;
using smdl::testing::T;

Calendar Office() {
  CalendarSpec spec;
  spec.name = "office";
  spec.timezone = "Europe/Berlin";
  for (int d = 0; d < 5; ++d) spec.hours.push_back({d, 8 * 60, 18 * 60});
  auto c = Calendar::FromSpec(spec);
  REQUIRE(c.ok());
  return std::move(*c);
}

SlaClock Apply(smdl::StatusOr<SlaClock> c) {
  REQUIRE(c.ok());
  return std::move(*c);
}

std::string Show(const Calendar& cal, std::optional<Timestamp> t) {
  return t ? FormatTimestampAt(*t, cal.OffsetAt(*t)) : "none";
}

std::string Due(const SlaClock& c, const Calendar& cal, const char* now) {
  auto st = Evaluate(c, &cal, T(now));
  REQUIRE(st.ok());
  return Show(cal, st->due);
}

int64_t ElapsedSeconds(const SlaClock& c, const Calendar* cal, const char* now) {
  auto e = Elapsed(c, cal, T(now));
  REQUIRE(e.ok());
  return e->seconds;
}

}  // namespace

TEST_CASE("a pause over a weekend", "[sla]") {
  Calendar cal = Office();
  SlaClock c = Apply(Start(NewClock(D("8h")), T("2026-03-06T14:00:00+01:00")));
  CHECK(StateOf(c) == ClockState::kRunning);
  CHECK(Due(c, cal, "2026-03-06T14:00:00+01:00") == "2026-03-09T12:00:00+01:00");
  c = Apply(Pause(c, T("2026-03-06T17:00:00+01:00")));
  CHECK(StateOf(c) == ClockState::kPaused);
  CHECK(ElapsedSeconds(c, &cal, "2026-03-08T12:00:00+01:00") == 3 * 3600);
  CHECK(Due(c, cal, "2026-03-08T12:00:00+01:00") == "none");  // unknown while paused
  c = Apply(Resume(c, T("2026-03-09T09:00:00+01:00")));
  // The hours Friday 17:00-18:00 and Monday 08:00-09:00 do not count.
  CHECK(Due(c, cal, "2026-03-09T09:00:00+01:00") == "2026-03-09T14:00:00+01:00");
  CHECK(ElapsedSeconds(c, &cal, "2026-03-09T10:00:00+01:00") == 4 * 3600);
  auto st = Evaluate(c, &cal, T("2026-03-09T10:00:00+01:00"));
  REQUIRE(st.ok());
  CHECK(st->remaining.seconds == 4 * 3600);
  CHECK_FALSE(st->breached_at);
  // Warnings at 50% and 90%: 4h and 7h12m of working time.
  CHECK(Show(cal, *ThresholdInstant(c, &cal, 50)) == "2026-03-09T10:00:00+01:00");
  CHECK(Show(cal, *ThresholdInstant(c, &cal, 90)) == "2026-03-09T13:12:00+01:00");
  // Without a calendar all time counts: 3h on Friday, then from Monday 09:00.
  CHECK(ElapsedSeconds(c, nullptr, "2026-03-09T10:00:00+01:00") == 4 * 3600);
  auto wall = Evaluate(c, nullptr, T("2026-03-09T10:00:00+01:00"));
  REQUIRE(wall.ok());
  CHECK(Show(cal, wall->due) == "2026-03-09T14:00:00+01:00");
}

TEST_CASE("breach: when, and only once reached", "[sla]") {
  Calendar cal = Office();
  SlaClock c = Apply(Start(NewClock(D("4h")), T("2026-03-06T16:00:00+01:00")));
  auto before = Evaluate(c, &cal, T("2026-03-09T09:59:59+01:00"));
  REQUIRE(before.ok());
  CHECK_FALSE(before->breached_at);
  CHECK(before->remaining.seconds == 1);
  auto at = Evaluate(c, &cal, T("2026-03-09T10:00:00+01:00"));
  REQUIRE(at.ok());
  REQUIRE(at->breached_at);
  CHECK(Show(cal, at->breached_at) == "2026-03-09T10:00:00+01:00");
  auto later = Evaluate(c, &cal, T("2026-03-10T10:00:00+01:00"));
  REQUIRE(later.ok());
  CHECK(Show(cal, later->breached_at) == "2026-03-09T10:00:00+01:00");
  CHECK(later->remaining.seconds == -10 * 3600);
  // Stopped in time: never breached, whatever happens later.
  SlaClock met = Apply(Stop(c, T("2026-03-09T09:00:00+01:00")));
  CHECK(StateOf(met) == ClockState::kStopped);
  auto st = Evaluate(met, &cal, T("2027-01-01T00:00:00Z"));
  REQUIRE(st.ok());
  CHECK_FALSE(st->breached_at);
  CHECK_FALSE(st->due);
  CHECK(st->elapsed.seconds == 3 * 3600);
  // Stopped late: breached at the moment the target was reached.
  SlaClock late = Apply(Stop(c, T("2026-03-09T12:00:00+01:00")));
  auto lst = Evaluate(late, &cal, T("2027-01-01T00:00:00Z"));
  REQUIRE(lst.ok());
  CHECK(Show(cal, lst->breached_at) == "2026-03-09T10:00:00+01:00");
  // Operations on a stopped clock change nothing.
  CHECK(ToJson(Apply(Resume(late, T("2026-03-10T12:00:00+01:00")))) == ToJson(late));
  CHECK(ToJson(Apply(Start(late, T("2026-03-10T12:00:00+01:00")))) == ToJson(late));
  CHECK(ToJson(Apply(Reset(late, T("2026-03-10T12:00:00+01:00")))) == ToJson(late));
}

TEST_CASE("the retarget policies", "[sla]") {
  Calendar cal = Office();
  Timestamp monday = T("2026-03-09T08:00:00+01:00"), ten = T("2026-03-09T10:00:00+01:00");
  SlaClock base = Apply(Start(NewClock(D("8h")), monday));
  base.retarget = RetargetPolicy::kKeep;
  CHECK(Due(Apply(Retarget(base, D("4h"), ten)), cal, "2026-03-09T10:00:00+01:00") == "2026-03-09T16:00:00+01:00");
  base.retarget = RetargetPolicy::kRecompute;
  CHECK(Due(Apply(Retarget(base, D("4h"), ten)), cal, "2026-03-09T10:00:00+01:00") == "2026-03-09T12:00:00+01:00");
  base.retarget = RetargetPolicy::kRestart;
  SlaClock restarted = Apply(Retarget(base, D("4h"), ten));
  CHECK(Due(restarted, cal, "2026-03-09T10:00:00+01:00") == "2026-03-09T14:00:00+01:00");
  CHECK(ElapsedSeconds(restarted, &cal, "2026-03-09T11:00:00+01:00") == 3600);
  REQUIRE(restarted.reset_at);
  CHECK(*restarted.reset_at == ten);
  // Recomputed to a target already exceeded: due and breached in the past.
  base.retarget = RetargetPolicy::kRecompute;
  SlaClock shorter = Apply(Retarget(base, D("1h"), ten));
  auto st = Evaluate(shorter, &cal, ten);
  REQUIRE(st.ok());
  CHECK(Show(cal, st->due) == "2026-03-09T09:00:00+01:00");
  CHECK(Show(cal, st->breached_at) == "2026-03-09T09:00:00+01:00");
  // An unchanged target changes nothing, whatever the policy.
  base.retarget = RetargetPolicy::kRestart;
  CHECK(ToJson(Apply(Retarget(base, D("8h"), ten))) == ToJson(base));
  CHECK(kDefaultRetarget == RetargetPolicy::kRecompute);
  CHECK(ParseRetarget("keep") == RetargetPolicy::kKeep);
  CHECK_FALSE(ParseRetarget("never"));
}

TEST_CASE("reset, idempotent operations and time order", "[sla]") {
  Calendar cal = Office();
  SlaClock c = NewClock(D("2h"));
  CHECK(StateOf(c) == ClockState::kNotStarted);
  // Pause and resume before the start change nothing.
  CHECK(ToJson(Apply(Pause(c, T("2026-03-09T08:00:00+01:00")))) == ToJson(c));
  CHECK(ToJson(Apply(Resume(c, T("2026-03-09T08:00:00+01:00")))) == ToJson(c));
  c = Apply(Start(c, T("2026-03-09T08:00:00+01:00")));
  CHECK(ToJson(Apply(Start(c, T("2026-03-09T09:00:00+01:00")))) == ToJson(c));
  CHECK(ToJson(Apply(Resume(c, T("2026-03-09T09:00:00+01:00")))) == ToJson(c));
  c = Apply(Reset(c, T("2026-03-09T09:30:00+01:00")));
  CHECK(ElapsedSeconds(c, &cal, "2026-03-09T10:00:00+01:00") == 1800);
  CHECK(Due(c, cal, "2026-03-09T10:00:00+01:00") == "2026-03-09T11:30:00+01:00");
  c = Apply(Pause(c, T("2026-03-09T10:00:00+01:00")));
  SlaClock paused_reset = Apply(Reset(c, T("2026-03-09T11:00:00+01:00")));
  CHECK(StateOf(paused_reset) == ClockState::kPaused);
  CHECK(ElapsedSeconds(paused_reset, &cal, "2026-03-09T12:00:00+01:00") == 0);
  // Time runs forward.
  CHECK(Pause(c, T("2026-03-09T09:59:59+01:00")).status().code() == smdl::StatusCode::kInvalidArgument);
  CHECK(Resume(paused_reset, T("2026-03-09T10:30:00+01:00")).status().code() == smdl::StatusCode::kInvalidArgument);
  // Pausing at the instant of the start leaves no empty running segment.
  SlaClock z = Apply(Pause(Apply(Start(NewClock(D("1h")), T("2026-03-09T08:00:00Z"))), T("2026-03-09T08:00:00Z")));
  REQUIRE(z.segments.size() == 1);
  CHECK_FALSE(z.segments[0].running);
  CHECK(ThresholdInstant(z, &cal, 1001).status().code() == smdl::StatusCode::kInvalidArgument);
}

TEST_CASE("clocks survive JSON", "[sla]") {
  SlaClock c = Apply(Start(NewClock(D("14400s"), RetargetPolicy::kRestart), T("2026-03-06T15:00:00Z")));
  c = Apply(Pause(c, T("2026-03-06T17:00:00.5Z")));
  c = Apply(Reset(c, T("2026-03-07T00:00:00Z")));
  c = Apply(Resume(c, T("2026-03-09T08:00:00Z")));
  std::string json = ToJson(c);
  CHECK(json ==
        R"({"reset_at":"2026-03-07T00:00:00Z","retarget":"restart","segments":[["pause","2026-03-07T00:00:00Z","2026-03-09T08:00:00Z"],["run","2026-03-09T08:00:00Z"]],"stopped":false,"target":"14400s"})");
  auto back = FromJson(json);
  REQUIRE(back.ok());
  CHECK(ToJson(*back) == json);
  SlaClock frac = Apply(Pause(Apply(Start(NewClock(D("1.5s")), T("2026-03-06T15:00:00Z"))), T("2026-03-06T17:00:00.5Z")));
  auto frac_back = FromJson(ToJson(frac));
  REQUIRE(frac_back.ok());
  CHECK(frac_back->target.nanos == 500000000);
  CHECK(frac_back->segments[0].end->nanos == 500000000);
  for (const char* bad : {"", "[]", "{}", R"({"target":"1h","retarget":"keep","stopped":false})",
                          R"({"target":"1h","retarget":"maybe","stopped":false,"segments":[]})",
                          R"({"target":"-1h","retarget":"keep","stopped":false,"segments":[]})",
                          R"({"target":"1h","retarget":"keep","stopped":false,"segments":[["run","2026-03-06T15:00:00Z"],["pause","2026-03-06T16:00:00Z"]]})",
                          R"({"target":"1h","retarget":"keep","stopped":false,"segments":[["walk","2026-03-06T15:00:00Z"]]})",
                          R"({"target":"1h","retarget":"keep","stopped":false,"segments":[["run","2026-03-06T15:00:00Z","2026-03-06T14:00:00Z"]]})",
                          R"({"target":"1h","retarget":"keep","stopped":true,"segments":[["run","2026-03-06T15:00:00Z"]]})"}) {
    INFO(bad);
    CHECK(FromJson(bad).status().code() == smdl::StatusCode::kCorruption);
  }
}

TEST_CASE("explanations show segments, intervals and the due computation", "[sla]") {
  Calendar cal = Office();
  SlaClock c = Apply(Start(NewClock(D("4h")), T("2026-03-06T16:00:00+01:00")));
  c = Apply(Pause(c, T("2026-03-06T17:00:00+01:00")));
  c = Apply(Resume(c, T("2026-03-09T08:00:00+01:00")));
  auto text = Explain(c, &cal, T("2026-03-09T09:00:00+01:00"));
  REQUIRE(text.ok());
  CHECK(*text ==
        "target 4h, retarget recompute, calendar office (Europe/Berlin)\n"
        "state running at 2026-03-09T09:00:00+01:00\n"
        "running 2026-03-06T16:00:00+01:00 .. 2026-03-06T17:00:00+01:00: 1h\n"
        "  working 2026-03-06T16:00:00+01:00 .. 2026-03-06T17:00:00+01:00\n"
        "paused  2026-03-06T17:00:00+01:00 .. 2026-03-09T08:00:00+01:00\n"
        "running 2026-03-09T08:00:00+01:00 .. now: 1h\n"
        "  working 2026-03-09T08:00:00+01:00 .. 2026-03-09T09:00:00+01:00\n"
        "elapsed 2h, remaining 2h\n"
        "due 2026-03-09T11:00:00+01:00 = 2026-03-09T08:00:00+01:00 + 3h of working time (target 4h - 1h "
        "counted before this segment)\n"
        "not breached\n");
  SlaClock paused = Apply(Pause(c, T("2026-03-09T09:00:00+01:00")));
  auto p = Explain(paused, &cal, T("2026-03-09T12:00:00+01:00"));
  REQUIRE(p.ok());
  CHECK(p->find("due unknown while paused: 2h of working time left after resuming") != std::string::npos);
}

TEST_CASE("random clocks: elapsed at the due instant is the target", "[sla][property]") {
  std::mt19937_64 rng(314);
  Calendar cal = Office();
  for (int round = 0; round < 300; ++round) {
    SlaClock c = NewClock(Duration{static_cast<int64_t>(rng() % (60 * 3600)), 0});
    Timestamp t{smdl::ParseTimestamp("2026-01-01T00:00:00Z")->seconds + static_cast<int64_t>(rng() % (300 * 86400)), 0};
    c = Apply(Start(c, t));
    for (int step = 0; step < 8; ++step) {
      t.seconds += static_cast<int64_t>(rng() % (3 * 86400));
      switch (rng() % 4) {
        case 0: c = Apply(Pause(c, t)); break;
        case 1: c = Apply(Resume(c, t)); break;
        case 2: if (rng() % 4 == 0) c = Apply(Reset(c, t)); break;
        default: c = Apply(Retarget(c, Duration{static_cast<int64_t>(rng() % (60 * 3600)), 0}, t)); break;
      }
    }
    c = Apply(Resume(c, t));
    auto due = ThresholdInstant(c, &cal, 100);
    REQUIRE(due.ok());
    REQUIRE(*due);
    auto elapsed = Elapsed(c, &cal, **due);
    REQUIRE(elapsed.ok());
    REQUIRE(*elapsed == c.target);
    auto back = FromJson(ToJson(c));
    REQUIRE(back.ok());
    REQUIRE(ToJson(*back) == ToJson(c));
  }
}
