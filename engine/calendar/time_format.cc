#include "calendar/time_format.h"

#include <cstdio>
#include <cstdlib>

#include "calendar/civil.h"

namespace smdl::calendar {
namespace {

std::string Fraction(int32_t nanos) {
  if (nanos == 0) return "";
  char buf[16];
  if (nanos % 1000000 == 0) std::snprintf(buf, sizeof buf, ".%03d", nanos / 1000000);
  else if (nanos % 1000 == 0) std::snprintf(buf, sizeof buf, ".%06d", nanos / 1000);
  else std::snprintf(buf, sizeof buf, ".%09d", nanos);
  return buf;
}

}  // namespace

std::string FormatTimestamp(Timestamp t, int32_t offset, bool z_for_utc) {
  offset = offset / 60 * 60;
  int64_t local = t.seconds + offset;
  int64_t day = FloorDiv(local, kSecondsPerDay);
  int64_t sec = local - day * kSecondsPerDay;
  CivilDate c = CivilFromDays(day);
  char buf[64];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d", c.year, c.month, c.day, static_cast<int>(sec / 3600),
                static_cast<int>(sec / 60 % 60), static_cast<int>(sec % 60));
  std::string out = buf + Fraction(t.nanos);
  if (offset == 0 && z_for_utc) return out + "Z";
  int32_t a = std::abs(offset) / 60;
  std::snprintf(buf, sizeof buf, "%c%02d:%02d", offset < 0 ? '-' : '+', a / 60, a % 60);
  return out + buf;
}

std::string FormatDuration(Duration d) {
  bool negative = d.seconds < 0 || d.nanos < 0;
  std::string out = negative ? "-" : "";
  out += std::to_string(negative ? -d.seconds : d.seconds);
  out += Fraction(negative ? -d.nanos : d.nanos);
  return out + "s";
}

}  // namespace smdl::calendar
