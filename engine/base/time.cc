#include "base/time.h"

#include <cmath>
#include <cstdio>

namespace smdl {
namespace {

bool Digits(std::string_view s, size_t pos, size_t n, int& out) {
  if (pos + n > s.size()) return false;
  out = 0;
  for (size_t i = pos; i < pos + n; ++i) {
    if (s[i] < '0' || s[i] > '9') return false;
    out = out * 10 + (s[i] - '0');
  }
  return true;
}

bool IsLeap(int y) { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; }

int DaysInMonth(int y, int m) {
  static const int days[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  return m == 2 && IsLeap(y) ? 29 : days[m - 1];
}

constexpr int64_t kMaxDurationSeconds = 315576000000;  // 10000 years, as CEL

}  // namespace

std::optional<int64_t> DaysFromCivil(int y, int m, int d) {
  if (m < 1 || m > 12 || d < 1 || d > DaysInMonth(y, m)) return std::nullopt;
  // Howard Hinnant's days_from_civil.
  y -= m <= 2;
  const int64_t era = (y >= 0 ? y : y - 399) / 400;
  const int64_t yoe = y - era * 400;
  const int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + doe - 719468;
}

std::optional<Duration> ParseDuration(std::string_view s) {
  bool negative = false;
  if (!s.empty() && (s[0] == '-' || s[0] == '+')) {
    negative = s[0] == '-';
    s.remove_prefix(1);
  }
  if (s.empty()) return std::nullopt;
  if (s == "0") return Duration{};
  long double total_ns = 0;
  while (!s.empty()) {
    size_t i = 0;
    long double value = 0;
    bool any = false;
    while (i < s.size() && s[i] >= '0' && s[i] <= '9') { value = value * 10 + (s[i] - '0'); ++i; any = true; }
    if (i < s.size() && s[i] == '.') {
      ++i;
      long double scale = 0.1L;
      while (i < s.size() && s[i] >= '0' && s[i] <= '9') { value += (s[i] - '0') * scale; scale /= 10; ++i; any = true; }
    }
    if (!any) return std::nullopt;
    s.remove_prefix(i);
    long double unit;
    if (s.substr(0, 2) == "ms") { unit = 1e6L; s.remove_prefix(2); }
    else if (s.substr(0, 2) == "us") { unit = 1e3L; s.remove_prefix(2); }
    else if (s.substr(0, 2) == "ns") { unit = 1L; s.remove_prefix(2); }
    else if (!s.empty() && s[0] == 'h') { unit = 3600e9L; s.remove_prefix(1); }
    else if (!s.empty() && s[0] == 'm') { unit = 60e9L; s.remove_prefix(1); }
    else if (!s.empty() && s[0] == 's') { unit = 1e9L; s.remove_prefix(1); }
    else return std::nullopt;
    total_ns += value * unit;
    if (total_ns > kMaxDurationSeconds * 1e9L) return std::nullopt;
  }
  long double whole = std::floor(total_ns / 1e9L);
  Duration d{static_cast<int64_t>(whole), static_cast<int32_t>(std::llround(total_ns - whole * 1e9L))};
  if (d.nanos >= 1000000000) { d.seconds += 1; d.nanos -= 1000000000; }
  if (negative) { d.seconds = -d.seconds; d.nanos = -d.nanos; }
  return d;
}

std::optional<Timestamp> ParseTimestamp(std::string_view s) {
  int year, month, day, hour, minute, second;
  if (s.size() < 20 || !Digits(s, 0, 4, year) || s[4] != '-' || !Digits(s, 5, 2, month) || s[7] != '-' ||
      !Digits(s, 8, 2, day) || (s[10] != 'T' && s[10] != 't') || !Digits(s, 11, 2, hour) || s[13] != ':' ||
      !Digits(s, 14, 2, minute) || s[16] != ':' || !Digits(s, 17, 2, second))
    return std::nullopt;
  if (year < 1 || hour > 23 || minute > 59 || second > 59) return std::nullopt;
  auto days = DaysFromCivil(year, month, day);
  if (!days) return std::nullopt;
  size_t i = 19;
  int64_t nanos = 0;
  if (i < s.size() && s[i] == '.') {
    ++i;
    int n = 0;
    while (i < s.size() && s[i] >= '0' && s[i] <= '9') {
      if (n < 9) nanos = nanos * 10 + (s[i] - '0');
      ++n;
      ++i;
    }
    if (n == 0) return std::nullopt;
    for (; n < 9; ++n) nanos *= 10;
  }
  int64_t offset = 0;
  if (i < s.size() && (s[i] == 'Z' || s[i] == 'z')) {
    ++i;
  } else if (i < s.size() && (s[i] == '+' || s[i] == '-')) {
    int oh, om;
    if (!Digits(s, i + 1, 2, oh) || i + 3 >= s.size() || s[i + 3] != ':' || !Digits(s, i + 4, 2, om) || oh > 23 ||
        om > 59)
      return std::nullopt;
    offset = (oh * 3600 + om * 60) * (s[i] == '+' ? 1 : -1);
    i += 6;
  } else {
    return std::nullopt;
  }
  if (i != s.size()) return std::nullopt;
  int64_t seconds = *days * 86400 + hour * 3600 + minute * 60 + second - offset;
  return Timestamp{seconds, static_cast<int32_t>(nanos)};
}

bool IsValidCalendarDate(std::string_view text, bool recurring) {
  int y = 2000, m, d;  // 2000 is a leap year, so "02-29" recurs
  if (recurring) {
    return text.size() == 5 && Digits(text, 0, 2, m) && text[2] == '-' && Digits(text, 3, 2, d) &&
           DaysFromCivil(y, m, d).has_value();
  }
  return text.size() == 10 && Digits(text, 0, 4, y) && text[4] == '-' && Digits(text, 5, 2, m) && text[7] == '-' &&
         Digits(text, 8, 2, d) && y >= 1 && DaysFromCivil(y, m, d).has_value();
}

namespace {
template <size_t N>
int IndexIn(const char* const (&words)[N], std::string_view text) {
  for (size_t i = 0; i < N; ++i)
    if (text == words[i]) return static_cast<int>(i);
  return -1;
}
}  // namespace

int WeekdayNamed(std::string_view text) {
  static const char* const kDays[] = {"mon", "tue", "wed", "thu", "fri", "sat", "sun"};
  return IndexIn(kDays, text);
}

int MonthNamed(std::string_view text) {
  static const char* const kMonths[] = {"jan", "feb", "mar", "apr", "may", "jun",
                                        "jul", "aug", "sep", "oct", "nov", "dec"};
  return IndexIn(kMonths, text) + 1;
}

int OrdinalNamed(std::string_view text) {
  static const char* const kOrdinals[] = {"first", "second", "third", "fourth", "last"};
  int i = IndexIn(kOrdinals, text);
  return i < 0 ? -1 : i + 1;
}

}  // namespace smdl

namespace smdl {

void CivilFromDays(int64_t z, int& year, int& month, int& day) {
  // Howard Hinnant's civil_from_days.
  z += 719468;
  const int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const int64_t doe = z - era * 146097;
  const int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const int64_t mp = (5 * doy + 2) / 153;
  day = static_cast<int>(doy - (153 * mp + 2) / 5 + 1);
  month = static_cast<int>(mp < 10 ? mp + 3 : mp - 9);
  year = static_cast<int>(yoe + era * 400 + (month <= 2));
}

namespace {
std::string Fraction(int32_t nanos) {
  if (nanos == 0) return "";
  char buf[16];
  std::snprintf(buf, sizeof buf, ".%09d", nanos);
  std::string s(buf);
  while (s.back() == '0') s.pop_back();
  return s;
}
}  // namespace

std::string FormatTimestamp(Timestamp t) {
  int64_t days = t.seconds >= 0 ? t.seconds / 86400 : (t.seconds - 86399) / 86400;
  int64_t rest = t.seconds - days * 86400;
  int y, m, d;
  CivilFromDays(days, y, m, d);
  char buf[64];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d", y, m, d, static_cast<int>(rest / 3600),
                static_cast<int>(rest / 60 % 60), static_cast<int>(rest % 60));
  return buf + Fraction(t.nanos) + "Z";
}

std::string FormatDuration(Duration d) {
  bool negative = d.seconds < 0 || d.nanos < 0;
  int64_t s = d.seconds < 0 ? -d.seconds : d.seconds;
  int32_t n = d.nanos < 0 ? -d.nanos : d.nanos;
  return (negative ? "-" : "") + std::to_string(s) + Fraction(n) + "s";
}

std::string FormatDurationText(Duration d) {
  bool negative = d.seconds < 0 || d.nanos < 0;
  int64_t s = d.seconds < 0 ? -d.seconds : d.seconds;
  int32_t n = d.nanos < 0 ? -d.nanos : d.nanos;
  std::string out;
  auto part = [&](int64_t value, const char* unit) {
    if (value == 0) return;
    out += (out.empty() ? "" : " ") + std::to_string(value) + unit;
  };
  part(s / 3600, "h");
  part(s / 60 % 60, "m");
  if (s % 60 != 0 || n != 0) out += (out.empty() ? "" : " ") + std::to_string(s % 60) + Fraction(n) + "s";
  if (out.empty()) return "0s";
  return (negative ? "-" : "") + out;
}

Timestamp AddDuration(Timestamp t, Duration d) {
  int64_t seconds = t.seconds + d.seconds;
  int64_t nanos = int64_t{t.nanos} + d.nanos;
  if (nanos >= 1000000000) { nanos -= 1000000000; ++seconds; }
  if (nanos < 0) { nanos += 1000000000; --seconds; }
  return Timestamp{seconds, static_cast<int32_t>(nanos)};
}

Duration Subtract(Timestamp a, Timestamp b) {
  int64_t seconds = a.seconds - b.seconds;
  int64_t nanos = int64_t{a.nanos} - b.nanos;
  if (seconds > 0 && nanos < 0) { nanos += 1000000000; --seconds; }
  if (seconds < 0 && nanos > 0) { nanos -= 1000000000; ++seconds; }
  return Duration{seconds, static_cast<int32_t>(nanos)};
}

}  // namespace smdl
