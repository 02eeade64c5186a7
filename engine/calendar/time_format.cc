#include "calendar/time_format.h"

#include <cstdio>
#include <cstdlib>

#include "calendar/civil.h"

namespace smdl::calendar {

std::string FormatTimestampAt(Timestamp t, int32_t offset) {
  offset = offset / 60 * 60;
  int64_t local = t.seconds + offset;
  int64_t day = FloorDiv(local, kSecondsPerDay);
  int64_t sec = local - day * kSecondsPerDay;
  CivilDate c = CivilFromDays(day);
  char buf[64];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d", c.year, c.month, c.day, static_cast<int>(sec / 3600),
                static_cast<int>(sec / 60 % 60), static_cast<int>(sec % 60));
  std::string out = buf;
  if (t.nanos != 0) {
    std::snprintf(buf, sizeof buf, ".%09d", t.nanos);
    std::string fraction = buf;
    while (fraction.back() == '0') fraction.pop_back();
    out += fraction;
  }
  int32_t minutes = std::abs(offset) / 60;
  std::snprintf(buf, sizeof buf, "%c%02d:%02d", offset < 0 ? '-' : '+', minutes / 60, minutes % 60);
  return out + buf;
}

}  // namespace smdl::calendar
