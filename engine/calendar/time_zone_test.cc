#include "calendar/time_zone.h"

#include <catch2/catch.hpp>
#include <cstdio>
#include <random>

#include "base/time.h"
#include "calendar/time_format.h"

using smdl::calendar::TimeZone;

namespace {

int64_t At(const char* rfc3339) { return smdl::ParseTimestamp(rfc3339)->seconds; }

TimeZone Zone(const char* name) {
  auto z = TimeZone::Load(name);
  REQUIRE(z.ok());
  return *z;
}

}  // namespace

TEST_CASE("offsets of Europe/Berlin from the system database", "[calendar][tz]") {
  TimeZone berlin = Zone("Europe/Berlin");
  CHECK(berlin.OffsetAt(At("2026-01-15T12:00:00Z")) == 3600);
  CHECK(berlin.OffsetAt(At("2026-07-15T12:00:00Z")) == 7200);
  // 2026-03-29 01:00 UTC clocks go from 02:00 to 03:00.
  CHECK(berlin.OffsetAt(At("2026-03-29T00:59:59Z")) == 3600);
  CHECK(berlin.OffsetAt(At("2026-03-29T01:00:00Z")) == 7200);
  // 2026-10-25 01:00 UTC clocks go from 03:00 back to 02:00.
  CHECK(berlin.OffsetAt(At("2026-10-25T00:59:59Z")) == 7200);
  CHECK(berlin.OffsetAt(At("2026-10-25T01:00:00Z")) == 3600);
  // Far beyond the transitions listed in the file, the footer's rule holds:
  // 2100-03-28 is the last Sunday of March 2100.
  CHECK(berlin.OffsetAt(At("2100-03-28T00:59:59Z")) == 3600);
  CHECK(berlin.OffsetAt(At("2100-03-28T01:00:00Z")) == 7200);
  CHECK(berlin.OffsetAt(At("2100-10-31T00:59:59Z")) == 7200);
  CHECK(berlin.OffsetAt(At("2100-10-31T01:00:00Z")) == 3600);
}

TEST_CASE("transitions of America/New_York and Australia/Sydney", "[calendar][tz]") {
  TimeZone ny = Zone("America/New_York");
  auto ts = ny.TransitionsBetween(At("2026-01-01T00:00:00Z"), At("2027-01-01T00:00:00Z"));
  REQUIRE(ts.size() == 2);
  CHECK(ts[0].at == At("2026-03-08T07:00:00Z"));  // 02:00 EST
  CHECK(ts[0].offset_after == -4 * 3600);
  CHECK(ts[1].at == At("2026-11-01T06:00:00Z"));  // 02:00 EDT
  CHECK(ts[1].offset_after == -5 * 3600);
  auto far = ny.TransitionsBetween(At("2090-01-01T00:00:00Z"), At("2091-01-01T00:00:00Z"));
  REQUIRE(far.size() == 2);
  CHECK(far[0].at == At("2090-03-12T07:00:00Z"));  // second Sunday of March 2090

  TimeZone sydney = Zone("Australia/Sydney");
  CHECK(sydney.OffsetAt(At("2026-01-15T00:00:00Z")) == 11 * 3600);
  CHECK(sydney.OffsetAt(At("2026-07-15T00:00:00Z")) == 10 * 3600);
  CHECK(sydney.OffsetAt(At("2080-01-15T00:00:00Z")) == 11 * 3600);
  CHECK(sydney.OffsetAt(At("2080-07-15T00:00:00Z")) == 10 * 3600);
}

TEST_CASE("local times in gaps and overlaps map to their first instant", "[calendar][tz]") {
  TimeZone berlin = Zone("Europe/Berlin");
  auto local = [](const char* wall) { return At(wall); };  // wall clock read as if UTC
  CHECK(berlin.LocalToUtc(local("2026-03-29T01:59:59Z")) == At("2026-03-29T00:59:59Z"));
  // 02:30 does not exist: the wall clock reaches it when it jumps to 03:00.
  CHECK(berlin.LocalToUtc(local("2026-03-29T02:30:00Z")) == At("2026-03-29T01:00:00Z"));
  CHECK(berlin.LocalToUtc(local("2026-03-29T03:00:00Z")) == At("2026-03-29T01:00:00Z"));
  CHECK(berlin.LocalToUtc(local("2026-03-29T03:00:01Z")) == At("2026-03-29T01:00:01Z"));
  // 02:30 happens twice: first in summer time.
  CHECK(berlin.LocalToUtc(local("2026-10-25T02:30:00Z")) == At("2026-10-25T00:30:00Z"));
  CHECK(berlin.LocalToUtc(local("2026-10-25T03:00:00Z")) == At("2026-10-25T02:00:00Z"));
  CHECK(berlin.LocalToUtc(local("2026-10-25T01:59:00Z")) == At("2026-10-24T23:59:00Z"));
  // Monotonic over both changes, minute by minute.
  for (const char* day : {"2026-03-29T00:00:00Z", "2026-10-25T00:00:00Z"}) {
    int64_t previous = INT64_MIN;
    for (int m = 0; m < 6 * 60; ++m) {
      int64_t t = berlin.LocalToUtc(local(day) + m * 60);
      CHECK(t >= previous);
      previous = t;
    }
  }
}

TEST_CASE("POSIX rules match the database", "[calendar][tz]") {
  auto rule = TimeZone::FromPosixRule("cet", "CET-1CEST,M3.5.0,M10.5.0/3");
  REQUIRE(rule.ok());
  TimeZone berlin = Zone("Europe/Berlin");
  for (int64_t t = At("2030-01-01T00:00:00Z"); t < At("2031-01-01T00:00:00Z"); t += 3 * 3600 + 17)
    REQUIRE(rule->OffsetAt(t) == berlin.OffsetAt(t));
  auto india = TimeZone::FromPosixRule("ist", "IST-5:30");
  REQUIRE(india.ok());
  CHECK(india->OffsetAt(0) == 5 * 3600 + 1800);
  auto quoted = TimeZone::FromPosixRule("x", "<-03>3");
  REQUIRE(quoted.ok());
  CHECK(quoted->OffsetAt(0) == -3 * 3600);
  // Daylight time all year (RFC 8536 section 3.3.1).
  auto permanent = TimeZone::FromPosixRule("x", "EST5EDT,0/0,J365/25");
  REQUIRE(permanent.ok());
  CHECK(permanent->OffsetAt(At("2030-01-01T12:00:00Z")) == -4 * 3600);
  CHECK(permanent->OffsetAt(At("2030-07-01T12:00:00Z")) == -4 * 3600);
  CHECK_FALSE(TimeZone::FromPosixRule("x", "CET-1CEST,M13.5.0,M10.5.0").ok());
  CHECK_FALSE(TimeZone::FromPosixRule("x", "").ok());
}

TEST_CASE("bad zone names and files are errors", "[calendar][tz]") {
  CHECK(TimeZone::Load("No/Such_Zone").status().code() == smdl::StatusCode::kNotFound);
  CHECK(TimeZone::Load("../../etc/passwd").status().code() == smdl::StatusCode::kInvalidArgument);
  CHECK(TimeZone::Load("/etc/passwd").status().code() == smdl::StatusCode::kInvalidArgument);
  CHECK(TimeZone::FromTzif("x", "TZif2 too short").status().code() == smdl::StatusCode::kCorruption);
  CHECK(TimeZone::FromTzif("x", "").status().code() == smdl::StatusCode::kCorruption);
  CHECK(Zone("UTC").OffsetAt(At("2026-06-01T00:00:00Z")) == 0);
}

TEST_CASE("instants print as RFC 3339 with a calendar's offset", "[calendar][tz]") {
  using smdl::calendar::FormatTimestampAt;
  CHECK(FormatTimestampAt({At("2026-03-09T09:00:00Z"), 0}, 3600) == "2026-03-09T10:00:00+01:00");
  CHECK(FormatTimestampAt({At("2026-03-09T09:00:00Z"), 0}, 0) == "2026-03-09T09:00:00+00:00");
  CHECK(FormatTimestampAt({At("2026-03-09T09:00:00Z"), 250000000}, -5 * 3600) == "2026-03-09T04:00:00.25-05:00");
  CHECK(FormatTimestampAt({At("2026-03-09T09:00:00Z"), 0}, 5 * 3600 + 1800) == "2026-03-09T14:30:00+05:30");
  CHECK(FormatTimestampAt({At("2026-03-09T09:00:00Z"), 0}, -(3 * 3600 + 1800)) == "2026-03-09T05:30:00-03:30");
  // Amsterdam's old +00:19:32 is shown as +00:19, with the local time to match.
  CHECK(FormatTimestampAt({0, 0}, 19 * 60 + 32) == "1970-01-01T00:19:00+00:19");
  CHECK(FormatTimestampAt({-1, 0}, 0) == "1969-12-31T23:59:59+00:00");
}

TEST_CASE("damaged TZif data and odd rules never crash", "[calendar][tz]") {
  std::string path = "/usr/share/zoneinfo/America/New_York";
  std::FILE* f = std::fopen(path.c_str(), "rb");
  REQUIRE(f);
  std::string good(1 << 16, '\0');
  good.resize(std::fread(good.data(), 1, good.size(), f));
  std::fclose(f);
  REQUIRE(TimeZone::FromTzif("ny", good).ok());
  std::mt19937_64 rng(5);
  int accepted = 0;
  for (int i = 0; i < 3000; ++i) {
    std::string bad = good;
    int flips = 1 + static_cast<int>(rng() % 4);
    for (int k = 0; k < flips; ++k) bad[rng() % bad.size()] = static_cast<char>(rng());
    if (rng() % 4 == 0) bad.resize(rng() % bad.size());
    auto z = TimeZone::FromTzif("damaged", bad);
    if (!z.ok()) continue;
    ++accepted;
    // Whatever was accepted answers without crashing.
    for (int64_t t = -2000000000; t < 4000000000; t += 700000000) {
      (void)z->OffsetAt(t);
      (void)z->LocalToUtc(t);
    }
  }
  CHECK(accepted > 0);  // flips in unused bytes (abbreviations) are harmless
  for (const char* rule : {"A", "ABC", "ABC+", "ABC-25", "ABC5DEF,M3.2.0", "ABC5DEF,M3.2.0,M11.1.0/200",
                           "ABC5DEF,J0,J365", "ABC5DEF,366,0", "<>5", "<AB>5", "ABC5DEF,M3.2.0/-167,M11.1.0/167"}) {
    auto z = TimeZone::FromPosixRule("x", rule);
    if (z.ok()) (void)z->OffsetAt(1700000000);
  }
  CHECK(TimeZone::FromPosixRule("x", "ABC5DEF,M3.2.0/-167,M11.1.0/167").ok());
  CHECK_FALSE(TimeZone::FromPosixRule("x", "ABC5DEF,M3.2.0,M11.1.0/200").ok());
}
