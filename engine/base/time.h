// Parsing of the time values that appear as text in SMDL: CEL durations
// ("1h30m", "2.5s", "-15m"), RFC 3339 timestamps and calendar dates.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace smdl {

// Nanoseconds since the Unix epoch / in a duration. int64 covers ±292 years,
// wider than CEL's timestamp range (years 1 to 9999) needs for durations but
// not for timestamps: timestamps are kept as seconds and nanos.
struct Timestamp {
  int64_t seconds = 0;  // since 1970-01-01T00:00:00Z
  int32_t nanos = 0;    // [0, 1e9)
  bool operator<(const Timestamp& o) const { return seconds != o.seconds ? seconds < o.seconds : nanos < o.nanos; }
  bool operator==(const Timestamp& o) const { return seconds == o.seconds && nanos == o.nanos; }
};

struct Duration {
  int64_t seconds = 0;
  int32_t nanos = 0;  // same sign as seconds, |nanos| < 1e9
  bool operator<(const Duration& o) const { return seconds != o.seconds ? seconds < o.seconds : nanos < o.nanos; }
  bool operator==(const Duration& o) const { return seconds == o.seconds && nanos == o.nanos; }
};

// CEL duration syntax: an optional sign, then one or more decimal numbers each
// with a unit (h, m, s, ms, us, ns). Range ±10000 years, as CEL's.
std::optional<Duration> ParseDuration(std::string_view text);

// RFC 3339: 2026-03-06T16:00:00Z, with optional fraction and ±hh:mm offset.
std::optional<Timestamp> ParseTimestamp(std::string_view text);

// Days since 1970-01-01 of a proleptic Gregorian date; valid dates only.
std::optional<int64_t> DaysFromCivil(int year, int month, int day);

// "YYYY-MM-DD" (recurring == false) or "MM-DD" (recurring == true).
bool IsValidCalendarDate(std::string_view text, bool recurring);

}  // namespace smdl
