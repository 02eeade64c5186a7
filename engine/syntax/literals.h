// Decoding of CEL literals: strings and bytes (quotes, raw strings, escapes)
// and numbers (decimal, hex, unsigned, double), with range checks.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace smdl {

// Decodes a string or bytes literal as written (prefix and quotes included).
// On error returns nullopt and sets `error`. Strings decode to UTF-8.
std::optional<std::string> DecodeQuotedLiteral(std::string_view text, bool is_bytes, std::string& error);

// Parses an INT token (decimal or 0x hex) as an unsigned magnitude; nullopt on overflow.
std::optional<uint64_t> ParseIntMagnitude(std::string_view text);

}  // namespace smdl
