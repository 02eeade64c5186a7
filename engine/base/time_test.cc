#include "base/time.h"

#include <catch2/catch.hpp>

using smdl::ParseDuration;
using smdl::ParseTimestamp;

TEST_CASE("durations parse as CEL writes them", "[time]") {
  CHECK(ParseDuration("1h")->seconds == 3600);
  CHECK(ParseDuration("1h30m")->seconds == 5400);
  CHECK(ParseDuration("1.5s")->seconds == 1);
  CHECK(ParseDuration("1.5s")->nanos == 500000000);
  CHECK(ParseDuration("-15m")->seconds == -900);
  CHECK(ParseDuration("250ms")->nanos == 250000000);
  CHECK(ParseDuration("0")->seconds == 0);
  CHECK_FALSE(ParseDuration(""));
  CHECK_FALSE(ParseDuration("h"));
  CHECK_FALSE(ParseDuration("5"));
  CHECK_FALSE(ParseDuration("5d"));
  CHECK_FALSE(ParseDuration("99999999999h"));
}

TEST_CASE("timestamps parse as RFC 3339", "[time]") {
  CHECK(ParseTimestamp("1970-01-01T00:00:00Z")->seconds == 0);
  CHECK(ParseTimestamp("2009-02-13T23:31:30Z")->seconds == 1234567890);
  // A Friday 16:00 in Berlin winter time is 15:00 UTC.
  CHECK(ParseTimestamp("2026-03-06T16:00:00+01:00")->seconds == ParseTimestamp("2026-03-06T15:00:00Z")->seconds);
  CHECK(ParseTimestamp("2026-03-06T16:00:00.25Z")->nanos == 250000000);
  CHECK_FALSE(ParseTimestamp("2026-02-30T00:00:00Z"));
  CHECK_FALSE(ParseTimestamp("2026-03-06 16:00:00Z"));
  CHECK_FALSE(ParseTimestamp("2026-03-06T16:00:00"));
  CHECK_FALSE(ParseTimestamp("2026-03-06T24:00:00Z"));
}

TEST_CASE("calendar dates", "[time]") {
  CHECK(smdl::IsValidCalendarDate("2026-12-25", false));
  CHECK(smdl::IsValidCalendarDate("02-29", true));
  CHECK_FALSE(smdl::IsValidCalendarDate("2026-02-29", false));
  CHECK_FALSE(smdl::IsValidCalendarDate("12-25", false));
  CHECK_FALSE(smdl::IsValidCalendarDate("2026-12-25", true));
}

namespace smdl {

TEST_CASE("timestamps and durations format canonically", "[time]") {
  CHECK(FormatTimestamp(*ParseTimestamp("2026-03-06T16:00:00+01:00")) == "2026-03-06T15:00:00Z");
  CHECK(FormatTimestamp(*ParseTimestamp("1969-12-31T23:59:59.25Z")) == "1969-12-31T23:59:59.25Z");
  CHECK(FormatTimestamp(*ParseTimestamp("2028-02-29T00:00:00Z")) == "2028-02-29T00:00:00Z");
  CHECK(FormatDuration(*ParseDuration("1h")) == "3600s");
  CHECK(FormatDuration(*ParseDuration("-1.5s")) == "-1.5s");
  CHECK(FormatDuration(Duration{0, 0}) == "0s");
  // For people: hours as the largest unit, zero parts left out.
  CHECK(FormatDurationText(*ParseDuration("8h")) == "8h");
  CHECK(FormatDurationText(*ParseDuration("24h")) == "24h");
  CHECK(FormatDurationText(*ParseDuration("90m")) == "1h 30m");
  CHECK(FormatDurationText(*ParseDuration("26h15s")) == "26h 15s");
  CHECK(FormatDurationText(*ParseDuration("-1.5s")) == "-1.5s");
  CHECK(FormatDurationText(Duration{0, 0}) == "0s");
  Timestamp t = *ParseTimestamp("2026-01-01T00:00:00.9Z");
  Timestamp later = AddDuration(t, *ParseDuration("0.2s"));
  CHECK(FormatTimestamp(later) == "2026-01-01T00:00:01.1Z");
  CHECK(FormatDuration(Subtract(later, t)) == "0.2s");
  CHECK(FormatDuration(Subtract(t, later)) == "-0.2s");
}

}  // namespace smdl
