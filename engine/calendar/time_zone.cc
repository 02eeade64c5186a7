#include "calendar/time_zone.h"

#include <algorithm>
#include <cstdlib>
#include <fstream>

#include "calendar/civil.h"

namespace smdl::calendar {
namespace {

constexpr size_t kMaxTzifBytes = 1 << 20;

int64_t YearOf(int64_t utc) { return CivilFromDays(FloorDiv(utc, kSecondsPerDay)).year; }

class Reader {
 public:
  explicit Reader(std::string_view data) : data_(data) {}
  bool Has(size_t n) const { return pos_ + n <= data_.size(); }
  uint64_t Be(size_t n) {
    uint64_t v = 0;
    for (size_t i = 0; i < n; ++i) v = (v << 8) | static_cast<unsigned char>(data_[pos_ + i]);
    pos_ += n;
    return v;
  }
  void Skip(size_t n) { pos_ += n; }
  size_t pos() const { return pos_; }
  std::string_view rest() const { return data_.substr(pos_); }

 private:
  std::string_view data_;
  size_t pos_ = 0;
};

struct Counts {
  uint64_t isut, isstd, leap, time, type, chars;
};

bool ReadHeader(Reader& r, char& version, Counts& c) {
  if (!r.Has(44)) return false;
  if (r.rest().substr(0, 4) != "TZif") return false;
  r.Skip(4);
  version = r.rest()[0];
  r.Skip(16);
  c.isut = r.Be(4);
  c.isstd = r.Be(4);
  c.leap = r.Be(4);
  c.time = r.Be(4);
  c.type = r.Be(4);
  c.chars = r.Be(4);
  return c.type >= 1 && c.type <= 256 && c.time <= 100000 && c.leap <= 100000 && c.chars <= 100000 &&
         (c.isut == 0 || c.isut == c.type) && (c.isstd == 0 || c.isstd == c.type);
}

size_t BlockSize(const Counts& c, size_t time_size) {
  return c.time * time_size + c.time + c.type * 6 + c.chars + c.leap * (time_size + 4) + c.isstd + c.isut;
}

// POSIX TZ string parsing ("CET-1CEST,M3.5.0,M10.5.0/3").
class PosixParser {
 public:
  explicit PosixParser(std::string_view s) : s_(s) {}
  bool AtEnd() const { return i_ == s_.size(); }
  bool Peek(char c) const { return i_ < s_.size() && s_[i_] == c; }
  bool Eat(char c) {
    if (!Peek(c)) return false;
    ++i_;
    return true;
  }
  bool Name() {
    if (Eat('<')) {
      size_t start = i_;
      while (i_ < s_.size() && s_[i_] != '>') ++i_;
      if (i_ == s_.size() || i_ - start < 3) return false;
      ++i_;
      return true;
    }
    size_t start = i_;
    while (i_ < s_.size() && ((s_[i_] >= 'A' && s_[i_] <= 'Z') || (s_[i_] >= 'a' && s_[i_] <= 'z'))) ++i_;
    return i_ - start >= 3;
  }
  bool Number(int max, int& out) {
    size_t start = i_;
    out = 0;
    while (i_ < s_.size() && s_[i_] >= '0' && s_[i_] <= '9' && i_ - start < 4) out = out * 10 + (s_[i_++] - '0');
    return i_ > start && out <= max;
  }
  // [+-]hh[:mm[:ss]], hh up to `max_hours`.
  bool Time(int max_hours, int32_t& out) {
    int sign = 1;
    if (Eat('-')) sign = -1;
    else Eat('+');
    int h = 0, m = 0, sec = 0;
    if (!Number(max_hours, h)) return false;
    if (Eat(':')) {
      if (!Number(59, m)) return false;
      if (Eat(':') && !Number(59, sec)) return false;
    }
    out = sign * (h * 3600 + m * 60 + sec);
    return true;
  }
  bool Char(char c) { return Eat(c); }
  bool IsDigit() const { return i_ < s_.size() && s_[i_] >= '0' && s_[i_] <= '9'; }

 private:
  std::string_view s_;
  size_t i_ = 0;
};

// Day number of the rule's date in `year`.
int64_t RuleDay(int64_t year, int kind, int day, int month, int week, int weekday) {
  int64_t jan1 = DaysFromCivilUnchecked(year, 1, 1);
  if (kind == 0) return jan1 + day - 1 + (IsLeapYear(year) && day >= 60 ? 1 : 0);  // Jn
  if (kind == 1) return jan1 + day;                                                // n
  int64_t first = DaysFromCivilUnchecked(year, month, 1);
  int first_weekday = (WeekdayFromDays(first) + 1) % 7;  // 0 = Sunday
  int64_t d = first + (weekday - first_weekday + 7) % 7 + (week - 1) * 7;
  int64_t last = first + DaysInMonth(year, month) - 1;
  while (d > last) d -= 7;
  return d;
}

}  // namespace

StatusOr<TimeZone> TimeZone::Load(std::string_view name) {
  if (name.empty() || name.front() == '/' || name.find("..") != std::string_view::npos ||
      name.find('\0') != std::string_view::npos)
    return InvalidArgument("invalid time zone name '" + std::string(name) + "'");
  const char* dir = std::getenv("TZDIR");
  std::string path = std::string(dir && *dir ? dir : "/usr/share/zoneinfo") + "/" + std::string(name);
  std::ifstream in(path, std::ios::binary);
  if (!in) return NotFound("unknown time zone '" + std::string(name) + "' (no file " + path + ")");
  std::string data;
  data.resize(kMaxTzifBytes + 1);
  in.read(data.data(), static_cast<std::streamsize>(data.size()));
  data.resize(static_cast<size_t>(in.gcount()));
  if (data.size() > kMaxTzifBytes) return Status(StatusCode::kCorruption, path + " is too large for a time zone file");
  return FromTzif(std::string(name), data);
}

StatusOr<TimeZone> TimeZone::FromTzif(std::string name, std::string_view data) {
  auto corrupt = [&](const std::string& why) {
    return Status(StatusCode::kCorruption, "time zone '" + name + "': " + why);
  };
  Reader r(data);
  char version = 0;
  Counts c{};
  if (!ReadHeader(r, version, c)) return corrupt("not a TZif file");
  size_t time_size = 4;
  if (version >= '2') {
    if (!r.Has(BlockSize(c, 4))) return corrupt("truncated");
    r.Skip(BlockSize(c, 4));
    if (!ReadHeader(r, version, c)) return corrupt("bad second header");
    time_size = 8;
  }
  if (!r.Has(BlockSize(c, time_size))) return corrupt("truncated");
  std::vector<int64_t> times(c.time);
  for (auto& t : times) {
    uint64_t v = r.Be(time_size);
    t = time_size == 4 ? static_cast<int32_t>(static_cast<uint32_t>(v)) : static_cast<int64_t>(v);
  }
  std::vector<uint8_t> indexes(c.time);
  for (auto& i : indexes) {
    i = static_cast<uint8_t>(r.Be(1));
    if (i >= c.type) return corrupt("bad local time type index");
  }
  std::vector<int32_t> offsets(c.type);
  for (auto& o : offsets) {
    o = static_cast<int32_t>(static_cast<uint32_t>(r.Be(4)));
    if (o < -25 * 3600 || o > 26 * 3600) return corrupt("UTC offset out of range");
    r.Skip(2);
  }
  r.Skip(c.chars + c.leap * (time_size + 4) + c.isstd + c.isut);

  TimeZone tz;
  tz.name_ = std::move(name);
  tz.initial_offset_ = offsets[0];
  int32_t previous = tz.initial_offset_;
  for (size_t i = 0; i < times.size(); ++i) {
    if (i > 0 && times[i] <= times[i - 1]) return corrupt("transitions out of order");
    int32_t o = offsets[indexes[i]];
    if (o != previous) tz.transitions_.push_back({times[i], o});
    previous = o;
  }
  if (time_size == 8) {
    std::string_view footer = r.rest();
    if (footer.size() < 2 || footer[0] != '\n') return corrupt("missing footer");
    size_t end = footer.find('\n', 1);
    if (end == std::string_view::npos) return corrupt("unterminated footer");
    std::string_view rule = footer.substr(1, end - 1);
    if (!rule.empty()) {
      tz.rule_ = ParsePosix(rule);
      if (!tz.rule_) return corrupt("unsupported TZ rule '" + std::string(rule) + "'");
    }
  }
  return tz;
}

StatusOr<TimeZone> TimeZone::FromPosixRule(std::string name, std::string_view rule) {
  TimeZone tz;
  tz.name_ = std::move(name);
  tz.rule_ = ParsePosix(rule);
  if (!tz.rule_) return InvalidArgument("unsupported TZ rule '" + std::string(rule) + "'");
  tz.initial_offset_ = tz.rule_->std_offset;
  return tz;
}

TimeZone TimeZone::Utc() {
  TimeZone tz;
  tz.name_ = "UTC";
  return tz;
}

std::optional<TimeZone::PosixRule> TimeZone::ParsePosix(std::string_view text) {
  PosixParser p(text);
  PosixRule rule;
  int32_t posix = 0;
  if (!p.Name() || !p.Time(24, posix)) return std::nullopt;
  rule.std_offset = -posix;
  if (p.AtEnd()) return rule;
  if (!p.Name()) return std::nullopt;
  rule.has_dst = true;
  rule.dst_offset = rule.std_offset + 3600;
  if (!p.Peek(',') && !p.AtEnd()) {
    if (!p.Time(24, posix)) return std::nullopt;
    rule.dst_offset = -posix;
  }
  // Without a rule, POSIX leaves the dates to the implementation; the US
  // rules are the usual default.
  auto date = [&](DateRule& d) {
    if (p.Eat('J')) {
      d.kind = DateRule::Kind::kJulian1;
      if (!p.Number(365, d.day) || d.day < 1) return false;
    } else if (p.Eat('M')) {
      d.kind = DateRule::Kind::kMonthWeekDay;
      if (!p.Number(12, d.month) || d.month < 1 || !p.Char('.') || !p.Number(5, d.week) || d.week < 1 ||
          !p.Char('.') || !p.Number(6, d.weekday))
        return false;
    } else if (p.IsDigit()) {
      d.kind = DateRule::Kind::kJulian0;
      if (!p.Number(365, d.day)) return false;
    } else {
      return false;
    }
    d.time = 7200;
    if (p.Eat('/') && !p.Time(167, d.time)) return false;
    return true;
  };
  if (p.AtEnd()) {
    rule.start = {DateRule::Kind::kMonthWeekDay, 0, 3, 2, 0, 7200};
    rule.end = {DateRule::Kind::kMonthWeekDay, 0, 11, 1, 0, 7200};
    return rule;
  }
  if (!p.Char(',') || !date(rule.start) || !p.Char(',') || !date(rule.end) || !p.AtEnd()) return std::nullopt;
  return rule;
}

void TimeZone::RuleTransitions(int64_t first_year, int64_t last_year, std::vector<ZoneTransition>& out) const {
  if (!rule_ || !rule_->has_dst) return;
  const PosixRule& r = *rule_;
  auto day = [](const DateRule& d, int64_t year) {
    int kind = d.kind == DateRule::Kind::kJulian1 ? 0 : d.kind == DateRule::Kind::kJulian0 ? 1 : 2;
    return RuleDay(year, kind, d.day, d.month, d.week, d.weekday);
  };
  size_t begin = out.size();
  for (int64_t y = first_year; y <= last_year; ++y) {
    // The start is given in standard time, the end in daylight time.
    out.push_back({day(r.end, y) * kSecondsPerDay + r.end.time - r.dst_offset, r.std_offset});
    out.push_back({day(r.start, y) * kSecondsPerDay + r.start.time - r.std_offset, r.dst_offset});
  }
  // At equal instants the change to standard time comes first, so that a
  // rule for daylight time all year round ("EST5EDT,0/0,J365/25") stays in
  // daylight time.
  std::stable_sort(out.begin() + static_cast<std::ptrdiff_t>(begin), out.end(),
                   [&](const ZoneTransition& a, const ZoneTransition& b) {
                     if (a.at != b.at) return a.at < b.at;
                     return a.offset_after == r.std_offset && b.offset_after != r.std_offset;
                   });
}

int32_t TimeZone::RuleOffsetAt(int64_t utc) const {
  if (!rule_->has_dst) return rule_->std_offset;
  std::vector<ZoneTransition> ts;
  int64_t y = YearOf(utc);
  RuleTransitions(y - 1, y + 1, ts);
  int32_t offset = rule_->std_offset;
  for (const auto& t : ts) {
    if (t.at > utc) break;
    offset = t.offset_after;
  }
  return offset;
}

int32_t TimeZone::OffsetAt(int64_t utc) const {
  if (transitions_.empty()) return rule_ ? RuleOffsetAt(utc) : initial_offset_;
  if (utc < transitions_.front().at) return initial_offset_;
  if (utc >= transitions_.back().at && rule_) return RuleOffsetAt(utc);
  auto it = std::upper_bound(transitions_.begin(), transitions_.end(), utc,
                             [](int64_t t, const ZoneTransition& z) { return t < z.at; });
  return std::prev(it)->offset_after;
}

std::vector<ZoneTransition> TimeZone::TransitionsBetween(int64_t from, int64_t to) const {
  std::vector<ZoneTransition> candidates;
  auto lo = std::lower_bound(transitions_.begin(), transitions_.end(), from,
                             [](const ZoneTransition& z, int64_t t) { return z.at < t; });
  for (auto it = lo; it != transitions_.end() && it->at < to; ++it) candidates.push_back(*it);
  if (rule_ && rule_->has_dst) {
    int64_t after = transitions_.empty() ? INT64_MIN : transitions_.back().at;
    if (to > after) {
      std::vector<ZoneTransition> generated;
      RuleTransitions(YearOf(std::max(from, after)) - 1, YearOf(to) + 1, generated);
      for (const auto& t : generated)
        if (t.at > after && t.at >= from && t.at < to) candidates.push_back(t);
    }
  }
  std::vector<ZoneTransition> out;
  int32_t previous = OffsetAt(from - 1);
  for (const auto& t : candidates) {
    if (t.offset_after == previous) continue;
    out.push_back(t);
    previous = t.offset_after;
  }
  return out;
}

int64_t TimeZone::LocalToUtcIn(int64_t local, std::span<const ZoneTransition> ts, int32_t offset_before) {
  // Periods: (-inf, ts[0].at) with offset_before, then [ts[i].at, ts[i+1].at).
  // Candidates are local - offset for each period that contains them; the
  // earliest wins. With none, `local` lies in a gap: the answer is the
  // transition over which the wall clock jumps past `local`.
  size_t n = ts.size();
  for (size_t i = 0; i <= n; ++i) {
    int32_t offset = i == 0 ? offset_before : ts[i - 1].offset_after;
    int64_t t = local - offset;
    bool after_start = i == 0 || t >= ts[i - 1].at;
    bool before_end = i == n || t < ts[i].at;
    if (after_start && before_end) return t;
  }
  for (size_t i = 0; i < n; ++i) {
    int32_t before = i == 0 ? offset_before : ts[i - 1].offset_after;
    if (ts[i].at + before <= local && local < ts[i].at + ts[i].offset_after) return ts[i].at;
  }
  return local - offset_before;  // not reached for a consistent window
}

int64_t TimeZone::LocalToUtc(int64_t local) const {
  constexpr int64_t kWindow = 2 * kSecondsPerDay;
  std::vector<ZoneTransition> ts = TransitionsBetween(local - kWindow, local + kWindow);
  return LocalToUtcIn(local, ts, OffsetAt(local - kWindow - 1));
}

}  // namespace smdl::calendar
