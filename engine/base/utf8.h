// UTF-8 helpers: validation with the position of the first bad byte, and
// decoding to code points (what the lexer and diagnostic columns count).
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace smdl {

// Returns the byte offset of the first invalid sequence, or npos if `text` is valid UTF-8.
size_t FindInvalidUtf8(std::string_view text);

// Decodes `text` to UTF-32, replacing each invalid sequence by U+FFFD.
std::u32string DecodeUtf8Lossy(std::string_view text);

// Appends the UTF-8 encoding of code point `cp` to `out`.
void AppendUtf8(std::u32string::value_type cp, std::string& out);

// Number of code points in valid or invalid UTF-8 (each bad byte counts as one).
size_t CodePointCount(std::string_view text);

}  // namespace smdl
