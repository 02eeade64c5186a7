#include "calendar/calendar.h"

#include <algorithm>
#include <catch2/catch.hpp>
#include <random>

#include "calendar/civil.h"
#include "calendar/time_format.h"
#include "test_support.h"

using smdl::Duration;
using smdl::Timestamp;
using smdl::calendar::Calendar;
using smdl::calendar::CalendarSpec;
using smdl::calendar::WeeklyInterval;

namespace {

using smdl::testing::D;
using smdl::testing::T;

Calendar Make(const CalendarSpec& spec) {
  auto c = Calendar::FromSpec(spec);
  REQUIRE(c.ok());
  return std::move(*c);
}

// mon..fri 08:00-18:00 in `zone`.
CalendarSpec OfficeHours(const char* zone) {
  CalendarSpec spec;
  spec.name = "office";
  spec.timezone = zone;
  for (int d = 0; d < 5; ++d) spec.hours.push_back({d, 8 * 60, 18 * 60});
  return spec;
}

// The due instant, printed with the calendar's offset there.
std::string Due(const Calendar& c, const char* from, const char* duration) {
  auto due = c.Add(T(from), D(duration));
  REQUIRE(due.ok());
  return smdl::calendar::FormatTimestampAt(*due, c.OffsetAt(*due));
}

int64_t Seconds(const Calendar& c, const char* a, const char* b) {
  auto d = c.Between(T(a), T(b));
  REQUIRE(d.ok());
  CHECK(d->nanos == 0);
  return d->seconds;
}

}  // namespace

TEST_CASE("Friday 16:00 plus 4 business hours is Monday 10:00", "[calendar]") {
  Calendar c = Make(OfficeHours("Europe/Berlin"));
  CHECK(Due(c, "2026-03-06T16:00:00+01:00", "4h") == "2026-03-09T10:00:00+01:00");
  CHECK(Seconds(c, "2026-03-06T16:00:00+01:00", "2026-03-09T10:00:00+01:00") == 4 * 3600);
  // A due time at the end of an interval is that end, not the next start.
  CHECK(Due(c, "2026-03-06T14:00:00+01:00", "4h") == "2026-03-06T18:00:00+01:00");
  // From outside working time, counting starts at the next interval.
  CHECK(Due(c, "2026-03-07T12:00:00+01:00", "1h") == "2026-03-09T09:00:00+01:00");
  CHECK(Due(c, "2026-03-09T07:59:00+01:00", "30m") == "2026-03-09T08:30:00+01:00");
  // Zero adds nothing, even outside working time.
  CHECK(Due(c, "2026-03-07T12:00:00+01:00", "0") == "2026-03-07T12:00:00+01:00");
  // Fractions of a second are kept.
  CHECK(Due(c, "2026-03-06T17:59:59.75+01:00", "500ms") == "2026-03-09T08:00:00.25+01:00");
  CHECK(Seconds(c, "2026-03-07T00:00:00+01:00", "2026-03-08T23:59:59+01:00") == 0);
  CHECK(Seconds(c, "2026-03-09T10:00:00+01:00", "2026-03-06T16:00:00+01:00") == -4 * 3600);
}

TEST_CASE("a holiday on a Monday", "[calendar]") {
  CalendarSpec spec = OfficeHours("Europe/Berlin");
  spec.holidays = {"2026-03-09"};
  Calendar c = Make(spec);
  CHECK(Due(c, "2026-03-06T16:00:00+01:00", "4h") == "2026-03-10T10:00:00+01:00");
  CHECK(Seconds(c, "2026-03-06T00:00:00+01:00", "2026-03-11T00:00:00+01:00") == 20 * 3600);
  CHECK_FALSE(c.IsWorking(T("2026-03-09T12:00:00+01:00")));
  CHECK(c.IsWorking(T("2026-03-10T12:00:00+01:00")));
  // Easter Monday as a yearly holiday does not move, but 12-25 does recur.
  CalendarSpec yearly = OfficeHours("UTC");
  yearly.yearly_holidays = {"12-25", "02-29"};
  Calendar y = Make(yearly);
  CHECK(Seconds(y, "2026-12-21T00:00:00Z", "2026-12-28T00:00:00Z") == 40 * 3600);  // Friday the 25th
  CHECK(Seconds(y, "2028-12-25T00:00:00Z", "2028-12-26T00:00:00Z") == 0);          // a Monday
  CHECK(Seconds(y, "2028-02-29T00:00:00Z", "2028-03-01T00:00:00Z") == 0);          // a leap day
}

TEST_CASE("extra working days take their weekday's or the first weekday's hours", "[calendar]") {
  CalendarSpec spec = OfficeHours("Europe/Berlin");
  spec.working_days = {"2026-03-07"};  // a Saturday
  Calendar c = Make(spec);
  CHECK(Due(c, "2026-03-06T16:00:00+01:00", "4h") == "2026-03-07T10:00:00+01:00");
  // A working day wins over a holiday on the same date.
  CalendarSpec both = OfficeHours("UTC");
  both.yearly_holidays = {"12-24"};
  both.working_days = {"2026-12-24"};  // a Thursday
  Calendar b = Make(both);
  CHECK(Seconds(b, "2026-12-24T00:00:00Z", "2026-12-25T00:00:00Z") == 10 * 3600);
  CHECK(Seconds(b, "2027-12-24T00:00:00Z", "2027-12-25T00:00:00Z") == 0);
  // The first weekday with hours is Monday's here, the night shift.
  CalendarSpec night;
  night.timezone = "UTC";
  night.hours = {{0, 22 * 60, 6 * 60}, {4, 20 * 60, 24 * 60}};
  night.working_days = {"2026-03-04"};  // a Wednesday
  Calendar n = Make(night);
  CHECK(Seconds(n, "2026-03-04T00:00:00Z", "2026-03-06T00:00:00Z") == 8 * 3600);
}

TEST_CASE("night shifts across midnight", "[calendar]") {
  CalendarSpec spec;
  spec.name = "nights";
  spec.timezone = "UTC";
  for (int d = 0; d < 4; ++d) spec.hours.push_back({d, 22 * 60, 6 * 60});  // mon..thu 22:00-06:00
  Calendar c = Make(spec);
  // Monday 23:00: seven hours until Tuesday 06:00, one more from Tuesday 22:00.
  CHECK(Due(c, "2026-03-02T23:00:00Z", "8h") == "2026-03-03T23:00:00+00:00");
  CHECK(Due(c, "2026-03-03T03:00:00Z", "3h") == "2026-03-03T06:00:00+00:00");
  // Thursday's shift ends Friday 06:00; the next starts Monday 22:00.
  CHECK(Due(c, "2026-03-06T05:00:00Z", "2h") == "2026-03-09T23:00:00+00:00");
  // A holiday on Tuesday cancels Tuesday's shift, not Monday's.
  spec.holidays = {"2026-03-03"};
  Calendar h = Make(spec);
  CHECK(Due(h, "2026-03-02T23:00:00Z", "8h") == "2026-03-04T23:00:00+00:00");
  CHECK(Seconds(h, "2026-03-02T00:00:00Z", "2026-03-09T00:00:00Z") == 3 * 8 * 3600);
  // The night shift of Sunday into Monday, and 24:00.
  CalendarSpec weekend;
  weekend.timezone = "UTC";
  weekend.hours = {{6, 20 * 60, 2 * 60}, {5, 18 * 60, 24 * 60}};
  Calendar w = Make(weekend);
  CHECK(Seconds(w, "2026-03-02T00:00:00Z", "2026-03-09T00:00:00Z") == 2 * 3600 + 6 * 3600 + 4 * 3600);
  CHECK(Due(w, "2026-03-07T23:00:00Z", "2h") == "2026-03-08T21:00:00+00:00");
}

TEST_CASE("daylight-saving changes in Europe/Berlin", "[calendar][dst]") {
  // Around the clock: a business day is 23 hours in March, 25 in October.
  CalendarSpec always;
  always.timezone = "Europe/Berlin";
  always.always = true;
  Calendar a = Make(always);
  CHECK(Seconds(a, "2026-03-29T00:00:00+01:00", "2026-03-30T00:00:00+02:00") == 23 * 3600);
  CHECK(Seconds(a, "2026-10-25T00:00:00+02:00", "2026-10-26T00:00:00+01:00") == 25 * 3600);
  CHECK(Due(a, "2026-03-29T00:00:00+01:00", "4h") == "2026-03-29T05:00:00+02:00");
  CHECK(Due(a, "2026-10-25T00:00:00+02:00", "4h") == "2026-10-25T03:00:00+01:00");

  // A night shift sat 22:00-06:00 is seven hours in March and nine in October.
  CalendarSpec nights;
  nights.timezone = "Europe/Berlin";
  nights.hours = {{5, 22 * 60, 6 * 60}};
  Calendar n = Make(nights);
  CHECK(Seconds(n, "2026-03-28T12:00:00+01:00", "2026-03-29T12:00:00+02:00") == 7 * 3600);
  CHECK(Seconds(n, "2026-10-24T12:00:00+02:00", "2026-10-25T12:00:00+01:00") == 9 * 3600);
  CHECK(Due(n, "2026-03-28T22:00:00+01:00", "7h") == "2026-03-29T06:00:00+02:00");
  CHECK(Due(n, "2026-10-24T22:00:00+02:00", "9h") == "2026-10-25T06:00:00+01:00");
  CHECK(Due(n, "2026-10-24T22:00:00+02:00", "5h") == "2026-10-25T02:00:00+01:00");

  // Intervals that start in the skipped hour start when it ends; a start in
  // the repeated hour is its first occurrence.
  CalendarSpec odd;
  odd.timezone = "Europe/Berlin";
  odd.hours = {{6, 2 * 60 + 30, 4 * 60}};  // sun 02:30-04:00
  Calendar o = Make(odd);
  CHECK(Seconds(o, "2026-03-29T00:00:00+01:00", "2026-03-30T00:00:00+02:00") == 3600);
  CHECK(Seconds(o, "2026-10-25T00:00:00+02:00", "2026-10-26T00:00:00+01:00") == 2 * 3600 + 1800);

  // Office hours across the change: Friday 16:00 CET + 4h is Monday 10:00 CEST.
  Calendar office = Make(OfficeHours("Europe/Berlin"));
  CHECK(Due(office, "2026-03-27T16:00:00+01:00", "4h") == "2026-03-30T10:00:00+02:00");
  CHECK(Due(office, "2026-10-23T16:00:00+02:00", "4h") == "2026-10-26T10:00:00+01:00");
  CHECK(Seconds(office, "2026-03-23T00:00:00+01:00", "2026-03-30T00:00:00+02:00") == 50 * 3600);
}

TEST_CASE("daylight-saving changes in America/New_York", "[calendar][dst]") {
  CalendarSpec spec;
  spec.timezone = "America/New_York";
  for (int d = 0; d < 5; ++d) spec.hours.push_back({d, 9 * 60, 17 * 60});
  Calendar c = Make(spec);
  // Friday 15:00 EST + 4h: 2h on Friday, Monday 09:00-11:00 EDT.
  CHECK(Due(c, "2026-03-06T15:00:00-05:00", "4h") == "2026-03-09T11:00:00-04:00");
  CHECK(Due(c, "2026-10-30T15:00:00-04:00", "4h") == "2026-11-02T11:00:00-05:00");
  CHECK(Seconds(c, "2026-03-06T15:00:00-05:00", "2026-03-09T11:00:00-04:00") == 4 * 3600);

  CalendarSpec nights;
  nights.timezone = "America/New_York";
  nights.hours = {{5, 22 * 60, 6 * 60}};  // sat 22:00-06:00
  Calendar n = Make(nights);
  CHECK(Seconds(n, "2026-03-07T12:00:00-05:00", "2026-03-08T12:00:00-04:00") == 7 * 3600);
  CHECK(Seconds(n, "2026-10-31T12:00:00-04:00", "2026-11-01T12:00:00-05:00") == 9 * 3600);
  // 01:00 happens twice: three hours after 22:00 EDT is the first, four the second.
  CHECK(Due(n, "2026-10-31T22:00:00-04:00", "3h") == "2026-11-01T01:00:00-04:00");
  CHECK(Due(n, "2026-10-31T22:00:00-04:00", "4h") == "2026-11-01T01:00:00-05:00");
  CHECK(Due(n, "2026-10-31T22:00:00-04:00", "5h") == "2026-11-01T02:00:00-05:00");
}

TEST_CASE("a year boundary with yearly holidays", "[calendar]") {
  CalendarSpec spec = OfficeHours("Europe/Berlin");
  spec.yearly_holidays = {"12-25", "12-26", "01-01"};
  Calendar c = Make(spec);
  // Thursday 2026-12-31 16:00: two hours, then Friday is New Year's Day.
  CHECK(Due(c, "2026-12-31T16:00:00+01:00", "4h") == "2027-01-04T10:00:00+01:00");
  CHECK(Seconds(c, "2026-12-31T16:00:00+01:00", "2027-01-04T10:00:00+01:00") == 4 * 3600);
  // A night shift across the year end, split by nothing.
  CalendarSpec nights;
  nights.timezone = "Europe/Berlin";
  for (int d = 0; d < 7; ++d) nights.hours.push_back({d, 22 * 60, 6 * 60});
  Calendar n = Make(nights);
  CHECK(Due(n, "2026-12-31T23:00:00+01:00", "6h") == "2027-01-01T05:00:00+01:00");
  CHECK(Due(n, "2026-12-31T23:00:00+01:00", "8h") == "2027-01-01T23:00:00+01:00");
  auto e = n.Explain(T("2026-12-31T20:00:00+01:00"), T("2027-01-01T12:00:00+01:00"));
  REQUIRE(e.ok());
  REQUIRE(e->intervals.size() == 1);  // one shift, although the cache splits years
  CHECK(e->intervals[0].start == T("2026-12-31T22:00:00+01:00"));
  CHECK(e->intervals[0].end == T("2027-01-01T06:00:00+01:00"));
}

TEST_CASE("multi-week and multi-year targets", "[calendar]") {
  Calendar c = Make(OfficeHours("UTC"));  // 50 hours a week
  CHECK(Due(c, "2026-03-02T08:00:00Z", "150h") == "2026-03-20T18:00:00+00:00");
  CHECK(Due(c, "2026-03-02T08:00:00Z", "151h") == "2026-03-23T09:00:00+00:00");
  // Ten years of office hours, and back.
  auto due = c.Add(T("2026-03-02T08:00:00Z"), D("26000h"));
  REQUIRE(due.ok());
  CHECK(smdl::FormatTimestamp(*due) == "2036-02-15T18:00:00Z");  // the Friday of the 520th week
  CHECK(Seconds(c, "2026-03-02T08:00:00Z", "2036-02-15T18:00:00Z") == 26000 * 3600);
  CHECK(Seconds(c, "2026-03-02T08:00:00Z", "2036-02-29T18:00:00Z") == 26100 * 3600);
  // Far outside the cached years.
  CHECK(Due(c, "2600-01-03T08:00:00Z", "10h") == "2600-01-03T18:00:00+00:00");
  CHECK(Seconds(c, "1850-01-07T00:00:00Z", "1850-01-14T00:00:00Z") == 50 * 3600);
}

TEST_CASE("explanations list the intervals used", "[calendar]") {
  CalendarSpec spec = OfficeHours("Europe/Berlin");
  spec.hours = {};
  for (int d = 0; d < 5; ++d) {
    spec.hours.push_back({d, 8 * 60, 12 * 60});
    spec.hours.push_back({d, 13 * 60, 18 * 60});
  }
  Calendar c = Make(spec);
  auto e = c.Explain(T("2026-03-06T11:00:00+01:00"), T("2026-03-09T10:00:00+01:00"));
  REQUIRE(e.ok());
  REQUIRE(e->intervals.size() == 3);
  CHECK(e->intervals[0].start == T("2026-03-06T11:00:00+01:00"));
  CHECK(e->intervals[0].end == T("2026-03-06T12:00:00+01:00"));
  CHECK(e->intervals[1].start == T("2026-03-06T13:00:00+01:00"));
  CHECK(e->intervals[1].end == T("2026-03-06T18:00:00+01:00"));
  CHECK(e->intervals[2].start == T("2026-03-09T08:00:00+01:00"));
  CHECK(e->intervals[2].end == T("2026-03-09T10:00:00+01:00"));
  CHECK_FALSE(e->truncated);
  auto cut = c.Explain(T("2026-03-02T00:00:00+01:00"), T("2026-04-02T00:00:00+01:00"), 5);
  REQUIRE(cut.ok());
  CHECK(cut->intervals.size() == 5);
  CHECK(cut->truncated);
}

TEST_CASE("errors instead of endless searches", "[calendar]") {
  Calendar c = Make(OfficeHours("UTC"));
  CHECK(c.Add(T("2026-03-02T08:00:00Z"), D("-1h")).status().code() == smdl::StatusCode::kInvalidArgument);
  CHECK(c.Add(T("9999-12-30T08:00:00Z"), D("1h")).status().code() == smdl::StatusCode::kInvalidArgument);
  CHECK(c.Add(T("9999-06-01T08:00:00Z"), D("87600h")).status().code() == smdl::StatusCode::kResourceExhausted);
  CalendarSpec none;
  none.name = "closed";
  Calendar z = Make(none);
  auto due = z.Add(T("2026-03-02T08:00:00Z"), D("1h"));
  CHECK(due.status().code() == smdl::StatusCode::kResourceExhausted);
  CHECK(due.status().message().find("closed") != std::string::npos);
  // Every day a holiday except leap days: due on 2028-02-29.
  CalendarSpec sparse;
  sparse.timezone = "UTC";
  sparse.always = true;
  for (int m = 1; m <= 12; ++m)
    for (int d = 1; d <= smdl::calendar::DaysInMonth(2027, m); ++d) {
      char buf[8];
      std::snprintf(buf, sizeof buf, "%02d-%02d", m, d);
      sparse.yearly_holidays.push_back(buf);
    }
  Calendar s = Make(sparse);
  CHECK(Due(s, "2026-03-02T08:00:00Z", "1h") == "2028-02-29T01:00:00+00:00");
  // Malformed specs.
  CalendarSpec bad = OfficeHours("UTC");
  bad.holidays = {"2026-02-30"};
  CHECK_FALSE(Calendar::FromSpec(bad).ok());
  bad = OfficeHours("UTC");
  bad.hours.push_back({7, 0, 60});
  CHECK_FALSE(Calendar::FromSpec(bad).ok());
  bad = OfficeHours("UTC");
  bad.hours.push_back({1, 60, 60});
  CHECK_FALSE(Calendar::FromSpec(bad).ok());
  CHECK(Calendar::FromSpec(OfficeHours("Mars/Olympus")).status().code() == smdl::StatusCode::kNotFound);
}

TEST_CASE("calendars from checked SMDL, with overrides", "[calendar]") {
  auto program = smdl::testing::Check(R"(module site;
import iso20000.core;

calendar desk {
  timezone "Europe/London";
  mon..fri 08:00-12:30, 13:30-17:30;
  sat 09:00-13:00;
  holiday "2026-12-25";
  holiday every "12-26";
  working "2026-12-27";
}

override calendar support_hours {
  timezone "Europe/Berlin";
  mon..fri 07:00-19:00;
}
)");
  INFO(smdl::testing::Rendered(*program));
  REQUIRE(program->diags.ErrorCount() == 0);
  auto desk = smdl::calendar::CalendarFromProgram(*program, "desk");
  REQUIRE(desk.ok());
  CHECK(desk->name() == "site.desk");
  // Weekdays have 8.5 hours, Saturdays 4. Week of Christmas 2026: Mon-Thu,
  // Fri 25th and Sat 26th closed, Sunday 27th worked with Monday's hours.
  CHECK(Seconds(*desk, "2026-03-02T00:00:00Z", "2026-03-09T00:00:00Z") == (5 * 17 + 8) * 1800);
  CHECK(Seconds(*desk, "2026-12-21T00:00:00Z", "2026-12-28T00:00:00Z") == 5 * 17 * 1800);
  auto support = smdl::calendar::CalendarFromProgram(*program, "iso20000.core.support_hours");
  REQUIRE(support.ok());
  CHECK(Seconds(*support, "2026-03-02T00:00:00+01:00", "2026-03-03T00:00:00+01:00") == 12 * 3600);
  auto bare = smdl::calendar::CalendarFromProgram(*program, "support_hours");
  REQUIRE(bare.ok());
  CHECK(bare->zone().name() == "Europe/Berlin");
  CHECK(smdl::calendar::CalendarFromProgram(*program, "nope").status().code() == smdl::StatusCode::kNotFound);
}
