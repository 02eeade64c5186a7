#include "calendar/holidays.h"

#include <algorithm>

#include "calendar/civil.h"

namespace smdl::calendar {
namespace {

bool IsWeekend(int64_t day) { return WeekdayFromDays(day) >= 5; }

// The rule's date in `year` into `out`; false when it has none that year.
bool DateIn(const HolidayRule& r, int year, int64_t& out) {
  switch (r.kind) {
    case HolidayRule::Kind::kDate:
      out = r.day;
      return CivilFromDays(r.day).year == year;
    case HolidayRule::Kind::kYearly:
      if (r.day_of_month > DaysInMonth(year, r.month)) return false;  // 02-29
      out = DaysFromCivilUnchecked(year, r.month, r.day_of_month);
      return true;
    case HolidayRule::Kind::kEaster:
      out = EasterSunday(year) + r.offset;
      return true;
    case HolidayRule::Kind::kWeekday: {
      if (r.ordinal == 5) {
        int64_t last = DaysFromCivilUnchecked(year, r.month, DaysInMonth(year, r.month));
        out = last - FloorMod(WeekdayFromDays(last) - r.weekday, 7);
      } else {
        int64_t first = DaysFromCivilUnchecked(year, r.month, 1);
        out = first + FloorMod(r.weekday - WeekdayFromDays(first), 7) + 7 * (r.ordinal - 1);
      }
      return true;
    }
  }
  return false;
}

}  // namespace

int64_t EasterSunday(int year) {
  const int a = year % 19, b = year / 100, c = year % 100;
  const int d = b / 4, e = b % 4, f = (b + 8) / 25, g = (b - f + 1) / 3;
  const int h = (19 * a + b - d - g + 15) % 30;
  const int i = c / 4, k = c % 4;
  const int l = (32 + 2 * e + 2 * i - h - k) % 7;
  const int m = (a + 11 * h + 22 * l) / 451;
  const int month = (h + l - 7 * m + 114) / 31;
  const int day = (h + l - 7 * m + 114) % 31 + 1;
  return DaysFromCivilUnchecked(year, month, day);
}

bool IsValidRule(const HolidayRule& r) {
  switch (r.kind) {
    case HolidayRule::Kind::kDate: {
      int year = CivilFromDays(r.day).year;
      return year >= 1 && year <= 9999;
    }
    case HolidayRule::Kind::kYearly:
      return r.month >= 1 && r.month <= 12 && r.day_of_month >= 1 && r.day_of_month <= DaysInMonth(2000, r.month);
    case HolidayRule::Kind::kEaster:
      return r.offset >= kMinEasterOffset && r.offset <= kMaxEasterOffset;
    case HolidayRule::Kind::kWeekday:
      return r.month >= 1 && r.month <= 12 && r.ordinal >= 1 && r.ordinal <= 5 && r.weekday >= 0 && r.weekday <= 6;
  }
  return false;
}

std::vector<int64_t> HolidayDays(const HolidayGroup& group, int year) {
  std::vector<int64_t> days;
  for (const auto& rule : group.rules) {
    int64_t day = 0;
    if (DateIn(rule, year, day)) days.push_back(day);
  }
  std::sort(days.begin(), days.end());
  days.erase(std::unique(days.begin(), days.end()), days.end());
  if (group.substitute == Substitute::kNone) return days;
  std::vector<int64_t> out = days;
  for (int64_t day : days) {
    if (!IsWeekend(day)) continue;
    if (group.substitute == Substitute::kNearestWeekday) {
      out.push_back(WeekdayFromDays(day) == 5 ? day - 1 : day + 1);
      continue;
    }
    // In date order, so a Saturday's substitute is taken before a Sunday's.
    int64_t s = day + 1;
    while (IsWeekend(s) || std::find(out.begin(), out.end(), s) != out.end()) ++s;
    out.push_back(s);
  }
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

}  // namespace smdl::calendar
