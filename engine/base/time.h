// Parsing of the time values that appear as text in SMDL: CEL durations
// ("1h30m", "2.5s", "-15m"), RFC 3339 timestamps and calendar dates.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "smdl/time.h"

namespace smdl {

// CEL duration syntax: an optional sign, then one or more decimal numbers each
// with a unit (h, m, s, ms, us, ns). Range ±10000 years, as CEL's.
std::optional<Duration> ParseDuration(std::string_view text);

// RFC 3339: 2026-03-06T16:00:00Z, with optional fraction and ±hh:mm offset.
std::optional<Timestamp> ParseTimestamp(std::string_view text);

// Days since 1970-01-01 of a proleptic Gregorian date; valid dates only.
std::optional<int64_t> DaysFromCivil(int year, int month, int day);

// "YYYY-MM-DD" (recurring == false) or "MM-DD" (recurring == true).
bool IsValidCalendarDate(std::string_view text, bool recurring);

// Words of calendars, -1 (0 for months) when `text` is none: "mon".."sun" give
// 0..6; "jan".."dec" give 1..12; "first".."fourth" give 1..4 and "last" 5.
int WeekdayNamed(std::string_view text);
int MonthNamed(std::string_view text);
int OrdinalNamed(std::string_view text);

// Days from Easter Sunday that keep a date within Easter's own year (Easter
// falls between March 22 and April 25).
inline constexpr int kMinEasterOffset = -80;
inline constexpr int kMaxEasterOffset = 250;

}  // namespace smdl

namespace smdl {

// The date of a day number (days since 1970-01-01), proleptic Gregorian.
void CivilFromDays(int64_t days, int& year, int& month, int& day);

// RFC 3339 in UTC: "2026-03-06T15:00:00Z", with a fraction only when the
// instant has one ("...:00.250Z").
std::string FormatTimestamp(Timestamp t);

// CEL's canonical form: seconds with a fraction only when needed ("3600s",
// "1.5s", "-0.000000001s").
std::string FormatDuration(Duration d);
// For people: hours, minutes and seconds ("8h", "1h 30m", "26h 15s",
// "0.5s"; hours are the largest unit, as business-time targets are given).
std::string FormatDurationText(Duration d);

// Arithmetic on the (seconds, nanos) pairs; no overflow checks (callers stay
// within CEL's ranges).
Timestamp AddDuration(Timestamp t, Duration d);
Duration Subtract(Timestamp a, Timestamp b);  // a - b
inline int64_t ToNanos(Duration d) { return d.seconds * 1000000000 + d.nanos; }
inline Duration FromNanos(int64_t n) { return Duration{n / 1000000000, static_cast<int32_t>(n % 1000000000)}; }

}  // namespace smdl
