#include "syntax/literals.h"

#include "base/utf8.h"

namespace smdl {
namespace {

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

bool ReadHex(std::string_view s, size_t& i, int digits, uint32_t& out) {
  out = 0;
  for (int k = 0; k < digits; ++k, ++i) {
    if (i >= s.size() || HexValue(s[i]) < 0) return false;
    out = out * 16 + static_cast<uint32_t>(HexValue(s[i]));
  }
  return true;
}

}  // namespace

std::optional<std::string> DecodeQuotedLiteral(std::string_view text, bool is_bytes, std::string& error) {
  bool raw = false;
  while (!text.empty() && text.front() != '"' && text.front() != '\'') {
    char c = text.front();
    if (c == 'r' || c == 'R') raw = true;
    text.remove_prefix(1);
  }
  size_t quote = (text.size() >= 6 && (text.substr(0, 3) == "\"\"\"" || text.substr(0, 3) == "'''")) ? 3 : 1;
  if (text.size() < 2 * quote) { error = "malformed string literal"; return std::nullopt; }
  std::string_view body = text.substr(quote, text.size() - 2 * quote);
  std::string out;
  if (raw) return std::string(body);
  for (size_t i = 0; i < body.size();) {
    char c = body[i];
    if (c != '\\') { out.push_back(c); ++i; continue; }
    if (i + 1 >= body.size()) { error = "string ends in a lone backslash"; return std::nullopt; }
    char e = body[i + 1];
    i += 2;
    switch (e) {
      case 'a': out.push_back('\a'); break;
      case 'b': out.push_back('\b'); break;
      case 'f': out.push_back('\f'); break;
      case 'n': out.push_back('\n'); break;
      case 'r': out.push_back('\r'); break;
      case 't': out.push_back('\t'); break;
      case 'v': out.push_back('\v'); break;
      case '\\': case '\'': case '"': case '`': case '?': out.push_back(e); break;
      case 'x': case 'X': {
        uint32_t v;
        if (!ReadHex(body, i, 2, v)) { error = "\\x needs two hex digits"; return std::nullopt; }
        if (is_bytes) out.push_back(static_cast<char>(v)); else AppendUtf8(v, out);
        break;
      }
      case 'u': case 'U': {
        uint32_t v;
        if (!ReadHex(body, i, e == 'u' ? 4 : 8, v)) {
          error = e == 'u' ? "\\u needs four hex digits" : "\\U needs eight hex digits";
          return std::nullopt;
        }
        if (is_bytes) { error = "\\u and \\U escapes are not allowed in bytes literals"; return std::nullopt; }
        if ((v >= 0xD800 && v <= 0xDFFF) || v > 0x10FFFF) { error = "escape is not a valid Unicode code point"; return std::nullopt; }
        AppendUtf8(v, out);
        break;
      }
      case '0': case '1': case '2': case '3': {
        if (i + 2 > body.size() || body[i] < '0' || body[i] > '7' ||
            body[i + 1] < '0' || body[i + 1] > '7') {
          error = "octal escape needs three digits";
          return std::nullopt;
        }
        uint32_t v = static_cast<uint32_t>((e - '0') * 64 + (body[i] - '0') * 8 + (body[i + 1] - '0'));
        i += 2;
        if (is_bytes) out.push_back(static_cast<char>(v)); else AppendUtf8(v, out);
        break;
      }
      default:
        error = std::string("unknown escape sequence \\") + e;
        return std::nullopt;
    }
  }
  return out;
}

std::optional<uint64_t> ParseIntMagnitude(std::string_view text) {
  uint64_t v = 0;
  int base = 10;
  if (text.size() > 2 && text[0] == '0' && (text[1] == 'x' || text[1] == 'X')) {
    base = 16;
    text.remove_prefix(2);
  }
  if (text.empty()) return std::nullopt;
  for (char c : text) {
    int d = HexValue(c);
    if (d < 0 || d >= base) return std::nullopt;
    if (v > (UINT64_MAX - static_cast<uint64_t>(d)) / static_cast<uint64_t>(base)) return std::nullopt;
    v = v * static_cast<uint64_t>(base) + static_cast<uint64_t>(d);
  }
  return v;
}

}  // namespace smdl
