// JSON that comes from outside smdl (request fields and parameters, `smdl
// eval` variables and batch lines): parsed only after its nesting depth is
// known to be bounded, so that no deep document can exhaust the stack of
// whatever walks it later, and refused if a number does not fit a double.
#pragma once

#include <cstddef>
#include <string_view>

#include <nlohmann/json.hpp>

#include "smdl/status.h"

namespace smdl {

// How deeply arrays and objects may nest in input.
inline constexpr size_t kMaxJsonDepth = 128;

// The document in `text`, or InvalidArgument beginning with `what` ("the
// parameters: not valid JSON: ...", "...: arrays and objects nest deeper
// than 128 levels (at byte 4096)", "...: a number is too large for a
// double").
StatusOr<nlohmann::json> ParseJsonInput(std::string_view text, std::string_view what,
                                        size_t max_depth = kMaxJsonDepth);

// The byte offset at which `text` first nests deeper than `max_depth`
// arrays and objects (brackets inside strings do not count), or npos.
size_t JsonDepthExceededAt(std::string_view text, size_t max_depth);

}  // namespace smdl
