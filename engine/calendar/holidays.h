// Holiday rules as plain data, and the dates they give in a year: fixed and
// yearly dates, days counted from Western Easter, the n-th or last weekday of
// a month, and substitute days for holidays that fall on a weekend.
#pragma once

#include <cstdint>
#include <vector>

#include "base/time.h"  // kMinEasterOffset, kMaxEasterOffset

namespace smdl::calendar {

// Where a holiday on a Saturday or Sunday is also taken.
enum class Substitute {
  kNone,
  kNextWeekday,     // the next Monday to Friday that is not a holiday of its group
  kNearestWeekday,  // Saturday: the Friday before; Sunday: the Monday after
};

struct HolidayRule {
  enum class Kind { kDate, kYearly, kEaster, kWeekday };
  Kind kind = Kind::kDate;
  int64_t day = 0;   // kDate: days since 1970-01-01
  int month = 1;     // kYearly, kWeekday: 1..12
  int day_of_month = 1;  // kYearly: 1..31 (02-29 only in leap years)
  int offset = 0;    // kEaster: days after Easter Sunday, kMinEasterOffset..kMaxEasterOffset
  int ordinal = 1;   // kWeekday: 1..4, or 5 for the last
  int weekday = 0;   // kWeekday: 0 = Monday ... 6 = Sunday
};

// Rules whose weekend dates are substituted alike: a calendar's own holiday
// lines, or one holiday set.
struct HolidayGroup {
  std::vector<HolidayRule> rules;
  Substitute substitute = Substitute::kNone;
};

// Western Easter Sunday of `year` (1..9999), in days since 1970-01-01, by the
// anonymous Gregorian algorithm.
int64_t EasterSunday(int year);

// Whether each field of `rule` is in its range.
bool IsValidRule(const HolidayRule& rule);

// The days closed for the holidays of `year`, sorted, without duplicates: each
// rule's date in that year and the substitutes for those on a weekend (which
// may fall in the next or the previous year). Rules must be valid.
std::vector<int64_t> HolidayDays(const HolidayGroup& group, int year);

}  // namespace smdl::calendar
