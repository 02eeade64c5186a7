// Business calendars: when a service desk works, in its own time zone, and
// the arithmetic of working time ("business time") on them.
//
// A calendar has weekly working intervals in local wall-clock time (several
// per day; an interval whose end is not after its start crosses midnight;
// 24:00 is the end of a day), or is open around the clock (`always`);
// holidays on which it is closed (fixed dates, yearly "MM-DD" dates, movable
// rules and named holiday sets, see holidays.h); and extra working days.
//
// Semantics, precisely:
// - An interval belongs to the day on which it starts: a holiday on Tuesday
//   cancels Tuesday's night shift 22:00-06:00 but not Monday's, which ends on
//   Tuesday at 06:00.
// - An extra working day is worked even if it is also a holiday. It gets the
//   hours of its own weekday if that weekday has any, otherwise the hours of
//   the first weekday, counting from Monday, that has working hours (for
//   `mon..fri 08:00-18:00`, a working Saturday runs 08:00-18:00).
// - A local time is the first instant at which the wall clock shows it (or
//   a later time): an interval starting at 02:30 on the night clocks jump
//   from 02:00 to 03:00 starts at 03:00; on the night clocks go back from
//   03:00 to 02:00, a shift 22:00-06:00 lasts nine hours of real time. Business
//   time is always real (UTC) time inside working intervals.
// - Intervals that overlap or touch are merged.
//
// Cost: the working intervals of each local year are built once, in UTC with
// running sums, and cached (years 1900 to 2399; other years are built when
// needed and not kept). Add and Between then cost a binary search per year
// touched and a constant per year crossed, whatever the duration. A Calendar
// is immutable after construction and safe to use from several threads.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "base/time.h"
#include "calendar/civil.h"
#include "calendar/holidays.h"
#include "calendar/time_zone.h"
#include "smdl/status.h"

namespace smdl::ast {
struct CalendarDecl;
struct HolidaySetDecl;
}
namespace smdl::sema {
class Program;
}

namespace smdl::calendar {

// One weekly working interval. `day`: 0 = Monday ... 6 = Sunday. Minutes
// after local midnight, 0..1440; end <= start crosses midnight into the next
// day; start == end is invalid.
struct WeeklyInterval {
  int day = 0;
  int start_minute = 0;
  int end_minute = 0;
};

// A calendar as plain data, for building one without SMDL text.
struct CalendarSpec {
  std::string name;
  std::string timezone = "UTC";             // IANA name
  bool always = false;                      // open 24/7 (hours must be empty)
  std::vector<WeeklyInterval> hours;
  std::vector<std::string> holidays;        // "YYYY-MM-DD"
  std::vector<std::string> yearly_holidays; // "MM-DD"
  std::vector<HolidayRule> holiday_rules;   // more holidays, e.g. Easter-based
  Substitute substitute = Substitute::kNone;  // for the three lists above
  std::vector<HolidayGroup> holiday_sets;   // included sets, each its own substitutes
  std::vector<std::string> working_days;    // "YYYY-MM-DD"
};

// A stretch of working time, [start, end).
struct BusinessInterval {
  Timestamp start;
  Timestamp end;
};

struct Explanation {
  std::vector<BusinessInterval> intervals;  // in order, clipped to the range asked for
  bool truncated = false;                   // more intervals than max_intervals
};

class Calendar {
 public:
  // InvalidArgument for malformed data, NotFound for an unknown time zone.
  static StatusOr<Calendar> FromSpec(const CalendarSpec& spec);
  // As FromSpec, with a zone already loaded (tests use POSIX rule zones).
  static StatusOr<Calendar> FromSpec(const CalendarSpec& spec, TimeZone zone);
  // From a checked declaration and the holiday sets it includes, in order;
  // `name` is what messages call it.
  static StatusOr<Calendar> FromDecl(const ast::CalendarDecl& decl, std::string name = "",
                                     const std::vector<const ast::HolidaySetDecl*>& sets = {});
  // All time counts: 24/7 in UTC, no holidays. Business time is wall time.
  static Calendar Continuous();

  Calendar(Calendar&&) noexcept;
  Calendar& operator=(Calendar&&) noexcept;
  ~Calendar();

  const std::string& name() const;
  const TimeZone& zone() const;
  // The calendar's UTC offset at `t`, in seconds east of UTC.
  int32_t OffsetAt(Timestamp t) const;

  // The earliest instant `due` with Between(from, due) == business. A zero
  // duration gives `from`. InvalidArgument for a negative duration or an
  // instant outside 0001-01-03 to 9999-12-29 (UTC); ResourceExhausted when the calendar has
  // too little working time for a due time before the year 10000 (for
  // instance none at all).
  StatusOr<Timestamp> Add(Timestamp from, Duration business) const;

  // Working time in [a, b); negative when b is before a. InvalidArgument for
  // instants outside 0001-01-03 to 9999-12-29 (UTC).
  StatusOr<Duration> Between(Timestamp a, Timestamp b) const;

  // The working intervals within [a, b), at most `max_intervals` of them.
  StatusOr<Explanation> Explain(Timestamp a, Timestamp b, size_t max_intervals = 1000) const;

  // Whether `t` lies in working time.
  bool IsWorking(Timestamp t) const;

  // The local dates of `year` (1..9999) closed for a holiday and not made
  // extra working days, in order.
  std::vector<CivilDate> HolidaysIn(int year) const;

 private:
  struct Impl;
  explicit Calendar(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

// The calendar called `name` in a checked program: its bare name
// ("support_hours", if only one module declares it) or qualified by its
// module ("iso20000.core.support_hours"). When an override replaces it, the
// winning override is used. NotFound if there is no such calendar,
// InvalidArgument if a bare name is ambiguous.
StatusOr<Calendar> CalendarFromProgram(const sema::Program& program, std::string_view name);

}  // namespace smdl::calendar
