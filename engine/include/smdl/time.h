// Instants and durations as the engine's API takes and returns them.
#pragma once

#include <cstdint>

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

}  // namespace smdl
