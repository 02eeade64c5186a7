// Instants as users of a calendar see them: RFC 3339 with the calendar's UTC
// offset. (UTC forms and durations: FormatTimestamp, FormatDuration in
// base/time.h.)
#pragma once

#include <cstdint>
#include <string>

#include "base/time.h"

namespace smdl::calendar {

// "2026-03-09T10:00:00+01:00", "2026-03-09T09:00:00+00:00"; a fraction of a
// second only when there is one (".25"). Offsets with seconds (old local
// mean times) are cut to whole minutes, and the local time with them.
std::string FormatTimestampAt(Timestamp t, int32_t offset_seconds);

}  // namespace smdl::calendar
