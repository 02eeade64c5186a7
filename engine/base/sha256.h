// SHA-256 (FIPS 180-4), for the audit log's hash chain and definition hashes.
#pragma once

#include <string>
#include <string_view>

namespace smdl {

// The digest of `data` as 64 lowercase hex digits.
std::string Sha256Hex(std::string_view data);

}  // namespace smdl
