// Text forms of instants and durations, as users see them: RFC 3339 with a
// given UTC offset, and CEL/protobuf JSON durations ("14400s", "1.500s").
#pragma once

#include <cstdint>
#include <string>

#include "base/time.h"

namespace smdl::calendar {

// "2026-03-09T10:00:00+01:00"; "Z" for offset 0 when `z_for_utc`. Fractions
// of a second are shown with 3, 6 or 9 digits when not zero. Offsets with
// seconds (old local mean times) are cut to whole minutes.
std::string FormatTimestamp(Timestamp t, int32_t offset_seconds = 0, bool z_for_utc = true);

// "14400s", "-90s", "1.500s", "0.000000001s".
std::string FormatDuration(Duration d);

}  // namespace smdl::calendar
