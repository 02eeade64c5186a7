#include "calendar/holidays.h"

#include <catch2/catch.hpp>
#include <map>
#include <string>
#include <vector>

#include "calendar/calendar.h"
#include "calendar/civil.h"
#include "test_support.h"

using smdl::calendar::DaysFromCivilUnchecked;
using smdl::calendar::HolidayDays;
using smdl::calendar::HolidayGroup;
using smdl::calendar::HolidayRule;
using smdl::calendar::Substitute;

namespace {

std::string Text(int64_t day) {
  auto c = smdl::calendar::CivilFromDays(day);
  char out[16];
  std::snprintf(out, sizeof out, "%04d-%02d-%02d", c.year, c.month, c.day);
  return out;
}

std::vector<std::string> Texts(const std::vector<int64_t>& days) {
  std::vector<std::string> out;
  for (int64_t d : days) out.push_back(Text(d));
  return out;
}

HolidayRule Yearly(int month, int day) {
  HolidayRule r;
  r.kind = HolidayRule::Kind::kYearly;
  r.month = month;
  r.day_of_month = day;
  return r;
}

HolidayRule Nth(int ordinal, int weekday, int month) {
  HolidayRule r;
  r.kind = HolidayRule::Kind::kWeekday;
  r.ordinal = ordinal;
  r.weekday = weekday;
  r.month = month;
  return r;
}

}  // namespace

TEST_CASE("Easter Sunday by the anonymous Gregorian algorithm", "[calendar][holidays]") {
  const std::map<int, std::string> easter = {
      {1818, "1818-03-22"}, {1943, "1943-04-25"}, {2019, "2019-04-21"}, {2024, "2024-03-31"},
      {2025, "2025-04-20"}, {2026, "2026-04-05"}, {2027, "2027-03-28"}, {2028, "2028-04-16"},
      {2029, "2029-04-01"}, {2030, "2030-04-21"}, {2038, "2038-04-25"}, {2285, "2285-03-22"},
  };
  for (const auto& [year, date] : easter) {
    INFO(year);
    CHECK(Text(smdl::calendar::EasterSunday(year)) == date);
  }
}

TEST_CASE("n-th and last weekdays of a month", "[calendar][holidays]") {
  HolidayGroup g;
  g.rules = {Nth(1, 0, 5), Nth(5, 0, 5), Nth(4, 3, 11), Nth(5, 6, 2), Nth(1, 4, 1)};
  // 2026: May 4 and 25; Thanksgiving Nov 26; last Sunday of February the
  // 22nd; the first Friday of January the 2nd.
  CHECK(Texts(HolidayDays(g, 2026)) ==
        std::vector<std::string>{"2026-01-02", "2026-02-22", "2026-05-04", "2026-05-25", "2026-11-26"});
  // 2028 is a leap year: February 29 is a Tuesday, the last Sunday the 27th.
  CHECK(Texts(HolidayDays(g, 2028))[1] == "2028-02-27");
}

TEST_CASE("substitutes for holidays on a weekend", "[calendar][holidays]") {
  HolidayGroup g;
  g.rules = {Yearly(12, 25), Yearly(12, 26), Yearly(1, 1)};
  g.substitute = Substitute::kNextWeekday;
  // Christmas on Saturday: Monday and Tuesday off.
  CHECK(Texts(HolidayDays(g, 2027)) ==
        std::vector<std::string>{"2027-01-01", "2027-12-25", "2027-12-26", "2027-12-27", "2027-12-28"});
  // Christmas on Sunday, Boxing Day on Monday: Tuesday off for Christmas.
  CHECK(Texts(HolidayDays(g, 2022)) ==
        std::vector<std::string>{"2022-01-01", "2022-01-03", "2022-12-25", "2022-12-26", "2022-12-27"});
  g.substitute = Substitute::kNearestWeekday;
  // Saturday to Friday, Sunday to Monday; New Year's Day 2028 (a Saturday)
  // is observed on the last day of 2027.
  CHECK(Texts(HolidayDays(g, 2027)) ==
        std::vector<std::string>{"2027-01-01", "2027-12-24", "2027-12-25", "2027-12-26", "2027-12-27"});
  CHECK(Texts(HolidayDays(g, 2028)).front() == "2027-12-31");
  g.substitute = Substitute::kNone;
  CHECK(HolidayDays(g, 2027).size() == 3);
}

TEST_CASE("02-29 is a holiday only in leap years", "[calendar][holidays]") {
  HolidayGroup g;
  g.rules = {Yearly(2, 29)};
  CHECK(HolidayDays(g, 2027).empty());
  CHECK(Texts(HolidayDays(g, 2028)) == std::vector<std::string>{"2028-02-29"});
}

TEST_CASE("rules out of range are rejected", "[calendar][holidays]") {
  HolidayRule easter;
  easter.kind = HolidayRule::Kind::kEaster;
  easter.offset = smdl::kMaxEasterOffset + 1;
  CHECK_FALSE(smdl::calendar::IsValidRule(easter));
  easter.offset = smdl::kMinEasterOffset;
  CHECK(smdl::calendar::IsValidRule(easter));
  CHECK_FALSE(smdl::calendar::IsValidRule(Nth(6, 0, 5)));
  CHECK_FALSE(smdl::calendar::IsValidRule(Nth(1, 7, 5)));
  CHECK_FALSE(smdl::calendar::IsValidRule(Nth(1, 0, 13)));
  CHECK_FALSE(smdl::calendar::IsValidRule(Yearly(2, 30)));
  smdl::calendar::CalendarSpec spec;
  spec.always = true;
  spec.holiday_rules = {easter};
  spec.holiday_rules[0].offset = 400;
  CHECK(smdl::calendar::Calendar::FromSpec(spec).status().code() == smdl::StatusCode::kInvalidArgument);
}

namespace {

// The weekdays of `year` on which `calendar` (mon..fri) is closed, "MM-DD".
std::vector<std::string> ClosedWeekdays(const smdl::calendar::Calendar& calendar, int year) {
  std::vector<std::string> out;
  for (const auto& d : calendar.HolidaysIn(year)) {
    if (smdl::calendar::WeekdayFromDays(DaysFromCivilUnchecked(d.year, d.month, d.day)) >= 5) continue;
    char text[8];
    std::snprintf(text, sizeof text, "%02d-%02d", d.month, d.day);
    out.emplace_back(text);
  }
  return out;
}

using Published = std::map<int, std::vector<std::string>>;

void CheckSet(const char* calendar, const Published& published) {
  auto program = smdl::testing::Check(R"(module site;
import iso20000.holidays;

calendar london { timezone "Europe/London"; mon..fri 09:00-17:00; holidays england_and_wales; }
calendar berlin { timezone "Europe/Berlin"; mon..fri 09:00-17:00; holidays germany; }
calendar washington { timezone "America/New_York"; mon..fri 09:00-17:00; holidays united_states_federal; }
)");
  INFO(smdl::testing::Rendered(*program));
  REQUIRE(program->diags.ErrorCount() == 0);
  auto cal = smdl::calendar::CalendarFromProgram(*program, calendar);
  REQUIRE(cal.ok());
  for (const auto& [year, dates] : published) {
    INFO(calendar << " " << year);
    CHECK(ClosedWeekdays(*cal, year) == dates);
  }
}

}  // namespace

// The dates published by the UK government (gov.uk/bank-holidays) and the
// rules of the Bank Holidays Act; one-off holidays are not part of the set.
TEST_CASE("England and Wales bank holidays 2025-2030", "[calendar][holidays]") {
  CheckSet("london", {
      {2025, {"01-01", "04-18", "04-21", "05-05", "05-26", "08-25", "12-25", "12-26"}},
      {2026, {"01-01", "04-03", "04-06", "05-04", "05-25", "08-31", "12-25", "12-28"}},
      {2027, {"01-01", "03-26", "03-29", "05-03", "05-31", "08-30", "12-27", "12-28"}},
      {2028, {"01-03", "04-14", "04-17", "05-01", "05-29", "08-28", "12-25", "12-26"}},
      {2029, {"01-01", "03-30", "04-02", "05-07", "05-28", "08-27", "12-25", "12-26"}},
      {2030, {"01-01", "04-19", "04-22", "05-06", "05-27", "08-26", "12-25", "12-26"}},
  });
}

// Nationwide holidays only; those on a weekend are not moved.
TEST_CASE("German national holidays 2025-2030", "[calendar][holidays]") {
  CheckSet("berlin", {
      {2025, {"01-01", "04-18", "04-21", "05-01", "05-29", "06-09", "10-03", "12-25", "12-26"}},
      {2026, {"01-01", "04-03", "04-06", "05-01", "05-14", "05-25", "12-25"}},
      {2027, {"01-01", "03-26", "03-29", "05-06", "05-17"}},
      {2028, {"04-14", "04-17", "05-01", "05-25", "06-05", "10-03", "12-25", "12-26"}},
      {2029, {"01-01", "03-30", "04-02", "05-01", "05-10", "05-21", "10-03", "12-25", "12-26"}},
      {2030, {"01-01", "04-19", "04-22", "05-01", "05-30", "06-10", "10-03", "12-25", "12-26"}},
  });
}

// The days observed by federal employees (OPM): Saturday's holiday on the
// Friday before, Sunday's on the Monday after.
TEST_CASE("United States federal holidays 2025-2030", "[calendar][holidays]") {
  CheckSet("washington", {
      {2025, {"01-01", "01-20", "02-17", "05-26", "06-19", "07-04", "09-01", "10-13", "11-11", "11-27", "12-25"}},
      {2026, {"01-01", "01-19", "02-16", "05-25", "06-19", "07-03", "09-07", "10-12", "11-11", "11-26", "12-25"}},
      {2027, {"01-01", "01-18", "02-15", "05-31", "06-18", "07-05", "09-06", "10-11", "11-11", "11-25", "12-24",
              "12-31"}},
      {2028, {"01-17", "02-21", "05-29", "06-19", "07-04", "09-04", "10-09", "11-10", "11-23", "12-25"}},
      {2029, {"01-01", "01-15", "02-19", "05-28", "06-19", "07-04", "09-03", "10-08", "11-12", "11-22", "12-25"}},
      {2030, {"01-01", "01-21", "02-18", "05-27", "06-19", "07-04", "09-02", "10-14", "11-11", "11-28", "12-25"}},
  });
}

TEST_CASE("a holiday set closes the calendar's working time", "[calendar][holidays]") {
  auto program = smdl::testing::Check(R"(module site;
import iso20000.holidays;

calendar desk {
  timezone "Europe/London";
  mon..fri 09:00-17:00;
  holidays england_and_wales;
  holiday "2027-12-29";
  working "2027-12-28";
}
)");
  REQUIRE(program->diags.ErrorCount() == 0);
  auto desk = smdl::calendar::CalendarFromProgram(*program, "desk");
  REQUIRE(desk.ok());
  // Christmas 2027: Monday 27th is off (a substitute), Tuesday 28th worked
  // although a substitute, Wednesday 29th off by date, Thursday worked.
  auto seconds = [&](const char* a, const char* b) {
    auto d = desk->Between(smdl::testing::T(a), smdl::testing::T(b));
    REQUIRE(d.ok());
    return d->seconds;
  };
  CHECK(seconds("2027-12-27T00:00:00Z", "2027-12-31T00:00:00Z") == 2 * 8 * 3600);
  CHECK_FALSE(desk->IsWorking(smdl::testing::T("2027-12-27T10:00:00Z")));
  CHECK(desk->IsWorking(smdl::testing::T("2027-12-28T10:00:00Z")));
}
