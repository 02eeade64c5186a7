// IANA time zones read from the system's time zone database (TZif files in
// /usr/share/zoneinfo, RFC 8536), including the POSIX TZ rule in a TZif
// footer, so that daylight-saving changes are known for every future year,
// not only up to the last transition listed in the file.
//
// A TimeZone answers two questions: the UTC offset at an instant, and the
// instant at which the local wall clock reaches a local time. Both are exact
// to the second. TimeZone is an immutable value; copies are cheap enough
// (a few kilobytes) and it is safe to use from several threads.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "smdl/status.h"

namespace smdl::calendar {

// From `at` (seconds since the Unix epoch, UTC) on, the offset is
// `offset_after` seconds east of UTC.
struct ZoneTransition {
  int64_t at = 0;
  int32_t offset_after = 0;
};

class TimeZone {
 public:
  // Loads `name` ("Europe/Berlin", "UTC") from $TZDIR, or /usr/share/zoneinfo.
  // NotFound for an unknown name, InvalidArgument for a name that tries to
  // leave the database, Corruption for a malformed file.
  static StatusOr<TimeZone> Load(std::string_view name);
  // Reads TZif data (versions 1 to 4).
  static StatusOr<TimeZone> FromTzif(std::string name, std::string_view data);
  // A zone given only by a POSIX TZ rule, e.g. "CET-1CEST,M3.5.0,M10.5.0/3".
  static StatusOr<TimeZone> FromPosixRule(std::string name, std::string_view rule);
  static TimeZone Utc();

  const std::string& name() const { return name_; }

  // Seconds east of UTC in effect at `utc` (seconds since the epoch).
  int32_t OffsetAt(int64_t utc) const;

  // The transitions with from <= at < to, in order; only real changes of the
  // offset are listed.
  std::vector<ZoneTransition> TransitionsBetween(int64_t from, int64_t to) const;

  // The first instant at which the local wall clock shows `local` (seconds
  // since 1970-01-01T00:00 local time) or later. A local time that does not
  // exist (skipped when clocks go forward) maps to the moment of the change;
  // a local time that occurs twice (clocks go back) maps to its first
  // occurrence. The result never decreases when `local` increases.
  int64_t LocalToUtc(int64_t local) const;

  // The same, given the transitions of a window that contains the answer
  // (from TransitionsBetween) and the offset in effect before them; used to
  // convert many local times of one year quickly.
  static int64_t LocalToUtcIn(int64_t local, std::span<const ZoneTransition> transitions, int32_t offset_before);

 private:
  struct DateRule {
    enum class Kind { kJulian1, kJulian0, kMonthWeekDay } kind = Kind::kMonthWeekDay;
    int day = 0;  // kJulian1: 1..365; kJulian0: 0..365
    int month = 0, week = 0, weekday = 0;  // kMonthWeekDay
    int32_t time = 7200;  // seconds after local midnight, may be negative or > 24h
  };
  struct PosixRule {
    int32_t std_offset = 0;
    int32_t dst_offset = 0;
    bool has_dst = false;
    DateRule start, end;
  };

  static std::optional<PosixRule> ParsePosix(std::string_view text);
  // The rule's transitions in years first..last (UTC years, roughly), in order.
  void RuleTransitions(int64_t first_year, int64_t last_year, std::vector<ZoneTransition>& out) const;
  int32_t RuleOffsetAt(int64_t utc) const;

  std::string name_;
  int32_t initial_offset_ = 0;
  std::vector<ZoneTransition> transitions_;
  std::optional<PosixRule> rule_;
};

}  // namespace smdl::calendar
