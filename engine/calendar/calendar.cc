#include "calendar/calendar.h"

#include <algorithm>
#include <array>
#include <atomic>
#include <mutex>
#include <set>

#include "calendar/civil.h"
#include "sema/program.h"
#include "syntax/ast.h"

namespace smdl::calendar {
namespace {

__extension__ typedef __int128 Int128;

constexpr int64_t kNanos = 1000000000;
constexpr int kMinYear = 1;
constexpr int kMaxYear = 9999;
constexpr int kCacheFirstYear = 1900;
constexpr int kCacheYears = 500;
constexpr const char* kOutOfRange =
    "timestamp outside the range calendars support (0001-01-03 to 9999-12-29)";

Int128 ToNanos(Timestamp t) { return static_cast<Int128>(t.seconds) * kNanos + t.nanos; }
Int128 DurationNanos(Duration d) { return static_cast<Int128>(d.seconds) * kNanos + d.nanos; }

Timestamp ToTimestamp(Int128 ns) {
  Int128 s = ns / kNanos, r = ns % kNanos;
  if (r < 0) { r += kNanos; s -= 1; }
  return Timestamp{static_cast<int64_t>(s), static_cast<int32_t>(r)};
}

Duration ToDuration(Int128 ns) {
  return Duration{static_cast<int64_t>(ns / kNanos), static_cast<int32_t>(ns % kNanos)};
}

// The UTC year of `seconds`; a block's range is within a day of it.
int UtcYear(int64_t seconds) { return CivilFromDays(FloorDiv(seconds, kSecondsPerDay)).year; }

bool ParseDate(std::string_view s, int64_t& day) {
  if (!IsValidCalendarDate(s, false)) return false;
  int y = (s[0] - '0') * 1000 + (s[1] - '0') * 100 + (s[2] - '0') * 10 + (s[3] - '0');
  int m = (s[5] - '0') * 10 + (s[6] - '0'), d = (s[8] - '0') * 10 + (s[9] - '0');
  day = DaysFromCivilUnchecked(y, m, d);
  return true;
}

bool ParseMonthDay(std::string_view s, int& month, int& day) {
  if (!IsValidCalendarDate(s, true)) return false;
  month = (s[0] - '0') * 10 + (s[1] - '0');
  day = (s[3] - '0') * 10 + (s[4] - '0');
  return true;
}

// The working intervals of one local year, in UTC seconds, merged, with
// running sums: prefix[i] is the working time before interval i.
struct Block {
  int year = 0;
  int64_t begin = 0, end = 0;  // [begin, end): the year's instants
  std::vector<int64_t> starts, ends;
  std::vector<int64_t> prefix;  // size n + 1
  int64_t total() const { return prefix.back(); }

  // Working time in [begin, t), in nanoseconds; begin <= t < end.
  Int128 Position(Int128 t) const {
    int64_t sec = static_cast<int64_t>(t >= 0 ? t / kNanos : (t - kNanos + 1) / kNanos);
    size_t i = static_cast<size_t>(std::upper_bound(ends.begin(), ends.end(), sec) - ends.begin());
    if (i == ends.size()) return static_cast<Int128>(total()) * kNanos;
    Int128 base = static_cast<Int128>(prefix[i]) * kNanos;
    Int128 start = static_cast<Int128>(starts[i]) * kNanos;
    return t <= start ? base : base + (t - start);
  }

  // The earliest instant with working time q since begin; 0 < q <= total.
  Int128 Locate(Int128 q) const {
    Int128 sec = (q + kNanos - 1) / kNanos;
    size_t j = static_cast<size_t>(
        std::lower_bound(prefix.begin() + 1, prefix.end(), static_cast<int64_t>(sec)) - (prefix.begin() + 1));
    return static_cast<Int128>(starts[j]) * kNanos + (q - static_cast<Int128>(prefix[j]) * kNanos);
  }
};

}  // namespace

struct Calendar::Impl {
  std::string name;
  TimeZone zone = TimeZone::Utc();
  std::array<std::vector<std::pair<int32_t, int32_t>>, 7> week;  // local seconds after midnight
  std::vector<std::pair<int32_t, int32_t>> template_hours;       // for extra working days
  std::vector<HolidayGroup> holiday_groups;
  std::set<int64_t> working;
  bool has_time = false;

  mutable std::mutex mu;
  mutable std::array<std::atomic<const Block*>, kCacheYears> cache{};
  mutable std::vector<std::unique_ptr<Block>> owned;  // guarded by mu

  // The holidays of years year-1..year+1, sorted: those that can fall in
  // `year` or on the day before it (substitutes cross a year's end).
  std::vector<int64_t> HolidaysAround(int year) const {
    std::vector<int64_t> out;
    for (int y = std::max(year - 1, kMinYear); y <= std::min(year + 1, kMaxYear); ++y)
      for (const auto& g : holiday_groups) {
        auto days = HolidayDays(g, y);
        out.insert(out.end(), days.begin(), days.end());
      }
    std::sort(out.begin(), out.end());
    return out;
  }

  const std::vector<std::pair<int32_t, int32_t>>& HoursOf(int64_t day, const std::vector<int64_t>& off) const {
    static const std::vector<std::pair<int32_t, int32_t>> kNone;
    const auto& own = week[static_cast<size_t>(WeekdayFromDays(day))];
    if (working.count(day)) return own.empty() ? template_hours : own;
    if (std::binary_search(off.begin(), off.end(), day)) return kNone;
    return own;
  }

  std::unique_ptr<Block> Build(int year) const {
    auto b = std::make_unique<Block>();
    b->year = year;
    int64_t d0 = DaysFromCivilUnchecked(year, 1, 1), d1 = DaysFromCivilUnchecked(year + 1, 1, 1);
    int64_t window_from = (d0 - 1) * kSecondsPerDay - 2 * kSecondsPerDay;
    int64_t window_to = (d1 + 1) * kSecondsPerDay + 2 * kSecondsPerDay;
    std::vector<ZoneTransition> ts = zone.TransitionsBetween(window_from, window_to);
    int32_t before = zone.OffsetAt(window_from - 1);
    auto utc = [&](int64_t local) { return TimeZone::LocalToUtcIn(local, ts, before); };
    b->begin = utc(d0 * kSecondsPerDay);
    b->end = utc(d1 * kSecondsPerDay);
    std::vector<std::pair<int64_t, int64_t>> spans;
    const std::vector<int64_t> off = HolidaysAround(year);
    // Intervals last at most 48 hours, so the day before the year can reach into it.
    for (int64_t day = d0 - 1; day < d1; ++day) {
      for (const auto& [s, e] : HoursOf(day, off)) {
        int64_t a = std::max(utc(day * kSecondsPerDay + s), b->begin);
        int64_t z = std::min(utc(day * kSecondsPerDay + e), b->end);
        if (a < z) spans.emplace_back(a, z);
      }
    }
    std::sort(spans.begin(), spans.end());
    b->prefix.push_back(0);
    for (const auto& [a, z] : spans) {
      if (!b->ends.empty() && a <= b->ends.back()) {
        if (z > b->ends.back()) {
          b->prefix.back() += z - b->ends.back();
          b->ends.back() = z;
        }
        continue;
      }
      b->starts.push_back(a);
      b->ends.push_back(z);
      b->prefix.push_back(b->prefix.back() + (z - a));
    }
    return b;
  }

  // The block of `year`: cached, or built into `scratch` outside the cache.
  const Block* Get(int year, std::unique_ptr<Block>& scratch) const {
    int slot = year - kCacheFirstYear;
    if (slot < 0 || slot >= kCacheYears) {
      scratch = Build(year);
      return scratch.get();
    }
    auto& entry = cache[static_cast<size_t>(slot)];
    if (const Block* b = entry.load(std::memory_order_acquire)) return b;
    std::lock_guard<std::mutex> lock(mu);
    if (const Block* b = entry.load(std::memory_order_acquire)) return b;
    owned.push_back(Build(year));
    entry.store(owned.back().get(), std::memory_order_release);
    return owned.back().get();
  }

  // The block that contains `t`, or nullptr outside years 1..9999.
  const Block* Find(Int128 t, std::unique_ptr<Block>& scratch) const {
    int64_t sec = static_cast<int64_t>(t >= 0 ? t / kNanos : (t - kNanos + 1) / kNanos);
    if (sec < -62135596800LL + 2 * kSecondsPerDay || sec > 253402300799LL - 2 * kSecondsPerDay) return nullptr;
    int year = UtcYear(sec);
    const Block* b = Get(year, scratch);
    if (sec < b->begin) {
      if (year - 1 < kMinYear) return nullptr;
      b = Get(year - 1, scratch);
    } else if (sec >= b->end) {
      if (year + 1 > kMaxYear) return nullptr;
      b = Get(year + 1, scratch);
    }
    return b;
  }
};

Calendar::Calendar(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Calendar::Calendar(Calendar&&) noexcept = default;
Calendar& Calendar::operator=(Calendar&&) noexcept = default;
Calendar::~Calendar() = default;

const std::string& Calendar::name() const { return impl_->name; }
const TimeZone& Calendar::zone() const { return impl_->zone; }
int32_t Calendar::OffsetAt(Timestamp t) const { return impl_->zone.OffsetAt(t.seconds); }

StatusOr<Calendar> Calendar::FromSpec(const CalendarSpec& spec) {
  auto zone = TimeZone::Load(spec.timezone);
  if (!zone.ok()) return zone.status();
  return FromSpec(spec, std::move(*zone));
}

StatusOr<Calendar> Calendar::FromSpec(const CalendarSpec& spec, TimeZone zone) {
  auto impl = std::make_unique<Impl>();
  impl->name = spec.name;
  impl->zone = std::move(zone);
  const std::string who = "calendar '" + spec.name + "': ";
  if (spec.always && !spec.hours.empty()) return InvalidArgument(who + "'always' cannot have working hours too");
  if (spec.always) {
    for (auto& day : impl->week) day.emplace_back(0, static_cast<int32_t>(kSecondsPerDay));
  }
  for (const auto& h : spec.hours) {
    if (h.day < 0 || h.day > 6) return InvalidArgument(who + "a day must be 0 (Monday) to 6 (Sunday)");
    if (h.start_minute < 0 || h.start_minute > 1440 || h.end_minute < 0 || h.end_minute > 1440)
      return InvalidArgument(who + "times of day run from 00:00 to 24:00");
    if (h.start_minute == h.end_minute) return InvalidArgument(who + "a working interval must not be empty");
    int32_t s = h.start_minute * 60, e = h.end_minute * 60;
    if (e <= s) e += static_cast<int32_t>(kSecondsPerDay);
    impl->week[static_cast<size_t>(h.day)].emplace_back(s, e);
  }
  for (auto& day : impl->week) std::sort(day.begin(), day.end());
  for (const auto& day : impl->week)
    if (!day.empty()) {
      impl->template_hours = day;
      break;
    }
  HolidayGroup own{spec.holiday_rules, spec.substitute};
  for (const auto& text : spec.holidays) {
    HolidayRule rule;
    if (!ParseDate(text, rule.day)) return InvalidArgument(who + "a holiday is written \"YYYY-MM-DD\", found \"" + text + "\"");
    own.rules.push_back(rule);
  }
  for (const auto& text : spec.yearly_holidays) {
    HolidayRule rule;
    rule.kind = HolidayRule::Kind::kYearly;
    if (!ParseMonthDay(text, rule.month, rule.day_of_month))
      return InvalidArgument(who + "a yearly holiday is written \"MM-DD\", found \"" + text + "\"");
    own.rules.push_back(rule);
  }
  impl->holiday_groups.push_back(std::move(own));
  for (const auto& set : spec.holiday_sets) impl->holiday_groups.push_back(set);
  for (const auto& group : impl->holiday_groups)
    for (const auto& rule : group.rules)
      if (!IsValidRule(rule)) return InvalidArgument(who + "a holiday rule is out of range");
  for (const auto& text : spec.working_days) {
    int64_t day = 0;
    if (!ParseDate(text, day)) return InvalidArgument(who + "a working day is written \"YYYY-MM-DD\", found \"" + text + "\"");
    impl->working.insert(day);
  }
  impl->has_time = !impl->template_hours.empty();
  return Calendar(std::move(impl));
}

namespace {

// The holiday lines of a calendar or a set, already checked, as plain rules.
StatusOr<HolidayGroup> GroupFrom(const std::vector<ast::CalendarDate>& dates,
                                 const std::vector<ast::MovableHoliday>& movable,
                                 const std::optional<ast::SubstituteLine>& substitute) {
  HolidayGroup g;
  for (const auto& d : dates) {
    HolidayRule r;
    bool ok = d.recurring ? ParseMonthDay(d.text, r.month, r.day_of_month) : ParseDate(d.text, r.day);
    if (!ok) return InvalidArgument("malformed holiday \"" + d.text + "\"");
    if (d.recurring) r.kind = HolidayRule::Kind::kYearly;
    g.rules.push_back(r);
  }
  for (const auto& m : movable) {
    HolidayRule r;
    if (m.kind == ast::MovableHoliday::Kind::kEaster) {
      r.kind = HolidayRule::Kind::kEaster;
      if (m.offset < kMinEasterOffset || m.offset > kMaxEasterOffset) return InvalidArgument("Easter offset out of range");
      r.offset = static_cast<int>(m.offset);
    } else {
      r.kind = HolidayRule::Kind::kWeekday;
      r.ordinal = OrdinalNamed(m.ordinal.text);
      r.weekday = WeekdayNamed(m.weekday.text);
      r.month = MonthNamed(m.month.text);
    }
    if (!IsValidRule(r)) return InvalidArgument("malformed movable holiday");
    g.rules.push_back(r);
  }
  if (substitute) {
    g.substitute = substitute->mode.text == "nearest" ? Substitute::kNearestWeekday : Substitute::kNextWeekday;
  }
  return g;
}

}  // namespace

StatusOr<Calendar> Calendar::FromDecl(const ast::CalendarDecl& decl, std::string name,
                                      const std::vector<const ast::HolidaySetDecl*>& sets) {
  CalendarSpec spec;
  spec.name = name.empty() ? decl.name.text : std::move(name);
  if (!decl.timezone) return InvalidArgument("calendar '" + spec.name + "' has no timezone");
  spec.timezone = *decl.timezone;
  spec.always = decl.always;
  static const char* const kDays[] = {"mon", "tue", "wed", "thu", "fri", "sat", "sun"};
  auto index = [](const std::string& text) {
    for (int i = 0; i < 7; ++i)
      if (text == kDays[i]) return i;
    return -1;
  };
  for (const auto& h : decl.hours) {
    for (const auto& [from, to] : h.days) {
      int a = index(from.text), b = to ? index(to->text) : a;
      if (a < 0 || b < 0 || b < a) return InvalidArgument("calendar '" + spec.name + "' has a malformed day range");
      for (int d = a; d <= b; ++d)
        for (const auto& [s, e] : h.intervals) spec.hours.push_back({d, s.hour * 60 + s.minute, e.hour * 60 + e.minute});
    }
  }
  auto own = GroupFrom(decl.holidays, decl.movable_holidays, decl.substitute);
  if (!own.ok()) return InvalidArgument("calendar '" + spec.name + "': " + own.status().message());
  spec.holiday_rules = std::move(own->rules);
  spec.substitute = own->substitute;
  for (const auto* set : sets) {
    auto group = GroupFrom(set->holidays, set->movable_holidays, set->substitute);
    if (!group.ok()) return InvalidArgument("holiday set '" + set->name.text + "': " + group.status().message());
    spec.holiday_sets.push_back(std::move(*group));
  }
  for (const auto& d : decl.working_days) spec.working_days.push_back(d.text);
  return FromSpec(spec);
}

Calendar Calendar::Continuous() {
  CalendarSpec spec;
  spec.name = "continuous";
  spec.always = true;
  auto c = FromSpec(spec, TimeZone::Utc());
  return std::move(*c);
}

StatusOr<Timestamp> Calendar::Add(Timestamp from, Duration business) const {
  Int128 need = DurationNanos(business);
  if (need < 0) return InvalidArgument("a business duration to add must not be negative");
  if (need == 0) return from;
  std::unique_ptr<Block> scratch;
  const Block* b = impl_->Find(ToNanos(from), scratch);
  if (!b) return InvalidArgument(kOutOfRange);
  if (!impl_->has_time)
    return ResourceExhausted("calendar '" + impl_->name + "' has no working hours, so no due time exists");
  Int128 q = b->Position(ToNanos(from)) + need;
  for (;;) {
    Int128 total = static_cast<Int128>(b->total()) * kNanos;
    if (q <= total) return ToTimestamp(b->Locate(q));
    q -= total;
    if (b->year + 1 > kMaxYear)
      return ResourceExhausted("calendar '" + impl_->name + "' has too little working time for a due time before the year 10000");
    b = impl_->Get(b->year + 1, scratch);
  }
}

StatusOr<Duration> Calendar::Between(Timestamp a, Timestamp b) const {
  if (b < a) {
    auto d = Between(b, a);
    if (!d.ok()) return d.status();
    return Duration{-d->seconds, -d->nanos};
  }
  std::unique_ptr<Block> scratch_a, scratch_b;
  const Block* ba = impl_->Find(ToNanos(a), scratch_a);
  const Block* bb = impl_->Find(ToNanos(b), scratch_b);
  if (!ba || !bb) return InvalidArgument(kOutOfRange);
  Int128 result = bb->Position(ToNanos(b)) - ba->Position(ToNanos(a));
  std::unique_ptr<Block> scratch;
  for (int y = ba->year; y < bb->year; ++y) result += static_cast<Int128>(impl_->Get(y, scratch)->total()) * kNanos;
  return ToDuration(result);
}

StatusOr<Explanation> Calendar::Explain(Timestamp a, Timestamp b, size_t max_intervals) const {
  Explanation out;
  if (!(a < b)) return out;
  std::unique_ptr<Block> scratch_a, scratch_b, scratch;
  const Block* ba = impl_->Find(ToNanos(a), scratch_a);
  const Block* bb = impl_->Find(ToNanos(b), scratch_b);
  if (!ba || !bb) return InvalidArgument(kOutOfRange);
  int last_year = bb->year;
  for (int y = ba->year; y <= last_year; ++y) {
    const Block* blk = impl_->Get(y, scratch);
    size_t i = static_cast<size_t>(std::upper_bound(blk->ends.begin(), blk->ends.end(), a.seconds) - blk->ends.begin());
    for (; i < blk->starts.size(); ++i) {
      Timestamp s{blk->starts[i], 0}, e{blk->ends[i], 0};
      if (!(s < b)) return out;
      if (s < a) s = a;
      if (b < e) e = b;
      if (!out.intervals.empty() && out.intervals.back().end == s) {
        out.intervals.back().end = e;  // continues across the end of a year
        continue;
      }
      if (out.intervals.size() == max_intervals) {
        out.truncated = true;
        return out;
      }
      out.intervals.push_back({s, e});
    }
  }
  return out;
}

bool Calendar::IsWorking(Timestamp t) const {
  std::unique_ptr<Block> scratch;
  const Block* b = impl_->Find(ToNanos(t), scratch);
  if (!b) return false;
  size_t i = static_cast<size_t>(std::upper_bound(b->ends.begin(), b->ends.end(), t.seconds) - b->ends.begin());
  return i < b->starts.size() && b->starts[i] <= t.seconds;
}

std::vector<CivilDate> Calendar::HolidaysIn(int year) const {
  std::vector<CivilDate> out;
  if (year < kMinYear || year > kMaxYear) return out;
  for (int64_t day : impl_->HolidaysAround(year)) {
    CivilDate c = CivilFromDays(day);
    if (c.year != year || impl_->working.count(day)) continue;
    if (out.empty() || DaysFromCivilUnchecked(out.back().year, out.back().month, out.back().day) != day) out.push_back(c);
  }
  return out;
}

StatusOr<Calendar> CalendarFromProgram(const sema::Program& program, std::string_view name) {
  std::vector<const sema::CalendarInfo*> found;
  for (const auto& c : program.calendars) {
    if (c->is_override || !c->decl) continue;
    std::string qualified = c->module ? c->module->name + "." + c->decl->name.text : c->decl->name.text;
    if (c->decl->name.text == name || qualified == name) found.push_back(c.get());
  }
  if (found.empty()) return NotFound("no calendar '" + std::string(name) + "'");
  if (found.size() > 1) {
    std::string list;
    for (const auto* c : found) list += (list.empty() ? "" : ", ") + c->module->name + "." + c->decl->name.text;
    return InvalidArgument("calendar name '" + std::string(name) + "' is ambiguous: " + list);
  }
  const sema::CalendarInfo* info = found.front();
  const ast::CalendarDecl* decl = info->decl;
  for (int hops = 0; hops < 16; ++hops) {
    auto it = program.overrides.find(decl);
    if (it == program.overrides.end()) break;
    decl = static_cast<const ast::CalendarDecl*>(it->second);
  }
  std::string qualified = info->module ? info->module->name + "." + info->decl->name.text : info->decl->name.text;
  auto sets = program.holiday_sets_of.find(decl);
  return Calendar::FromDecl(*decl, qualified, sets == program.holiday_sets_of.end() ? std::vector<const ast::HolidaySetDecl*>{} : sets->second);
}

}  // namespace smdl::calendar
