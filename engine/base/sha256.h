// SHA-256 and HMAC-SHA-256 (OpenSSL's), for the audit log's hash chain,
// definition hashes and signed checkpoints. The only file that includes
// OpenSSL.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace smdl {

// The digest of `data` as 64 lowercase hex digits.
std::string Sha256Hex(std::string_view data);

// HMAC-SHA-256 of `data` under `key`, as 64 lowercase hex digits.
std::string HmacSha256Hex(std::string_view key, std::string_view data);

// `bytes` random bytes from the operating system's generator, as hex (for
// secrets: bearer tokens).
std::string RandomHex(size_t bytes);

// Compares two strings in time that depends only on their lengths (for MACs).
bool ConstantTimeEquals(std::string_view a, std::string_view b);

}  // namespace smdl
