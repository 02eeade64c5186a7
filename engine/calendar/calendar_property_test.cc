// Property tests over random calendars and instants (fixed seeds), and a
// check of the cached year blocks against a slow reference that converts
// every working interval of every day on its own.
#include <algorithm>
#include <catch2/catch.hpp>
#include <random>
#include <set>
#include <thread>

#include "calendar/calendar.h"
#include "calendar/civil.h"
#include "calendar/time_format.h"

using smdl::Duration;
using smdl::Timestamp;
using smdl::calendar::Calendar;
using smdl::calendar::CalendarSpec;

namespace {

__extension__ typedef __int128 Int128;

Int128 Ns(Timestamp t) { return static_cast<Int128>(t.seconds) * 1000000000 + t.nanos; }
Int128 Ns(Duration d) { return static_cast<Int128>(d.seconds) * 1000000000 + d.nanos; }
Duration Dur(int64_t ns) { return Duration{ns / 1000000000, static_cast<int32_t>(ns % 1000000000)}; }
Timestamp Ts(Int128 ns) {
  Int128 s = ns / 1000000000, r = ns % 1000000000;
  if (r < 0) { r += 1000000000; --s; }
  return Timestamp{static_cast<int64_t>(s), static_cast<int32_t>(r)};
}

const char* const kZones[] = {"UTC", "Europe/Berlin", "America/New_York", "Australia/Sydney", "Asia/Kolkata",
                              "Europe/London", "Pacific/Chatham", "America/Santiago", "Asia/Tehran"};

std::string Date(int64_t day) {
  auto c = smdl::calendar::CivilFromDays(day);
  char buf[16];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02d", c.year, c.month, c.day);
  return buf;
}

// Non-overlapping weekly intervals (as the checker demands), some across
// midnight, some ending at 24:00; holidays and working days in 2019..2036.
CalendarSpec RandomSpec(std::mt19937_64& rng) {
  CalendarSpec spec;
  spec.name = "random";
  spec.timezone = kZones[rng() % std::size(kZones)];
  if (rng() % 8 == 0) {
    spec.always = true;
  } else {
    std::vector<bool> used(7 * 1440, false);
    int wanted = 1 + static_cast<int>(rng() % 12);
    for (int k = 0; k < 200 && wanted > 0; ++k) {
      int start = static_cast<int>(rng() % (7 * 96)) * 15;
      int length = 15 * (1 + static_cast<int>(rng() % 64));
      bool free = true;
      for (int m = 0; m < length && free; ++m) free = !used[static_cast<size_t>((start + m) % (7 * 1440))];
      if (!free) continue;
      for (int m = 0; m < length; ++m) used[static_cast<size_t>((start + m) % (7 * 1440))] = true;
      int s = start % 1440, e = s + length;
      spec.hours.push_back({start / 1440, s, e > 1440 ? e - 1440 : e});
      --wanted;
    }
  }
  int64_t first = smdl::calendar::DaysFromCivilUnchecked(2019, 1, 1);
  for (int i = static_cast<int>(rng() % 30); i > 0; --i) spec.holidays.push_back(Date(first + static_cast<int64_t>(rng() % 6500)));
  for (int i = static_cast<int>(rng() % 4); i > 0; --i) {
    char buf[8];
    std::snprintf(buf, sizeof buf, "%02d-%02d", 1 + static_cast<int>(rng() % 12), 1 + static_cast<int>(rng() % 28));
    spec.yearly_holidays.push_back(buf);
  }
  for (int i = static_cast<int>(rng() % 10); i > 0; --i) spec.working_days.push_back(Date(first + static_cast<int64_t>(rng() % 6500)));
  return spec;
}

Timestamp RandomInstant(std::mt19937_64& rng) {
  int64_t from = smdl::ParseTimestamp("2020-01-01T00:00:00Z")->seconds;
  int64_t to = smdl::ParseTimestamp("2034-01-01T00:00:00Z")->seconds;
  int64_t s = from + static_cast<int64_t>(rng() % static_cast<uint64_t>(to - from));
  // Often exactly on a quarter hour, where interval boundaries are.
  if (rng() % 3 == 0) s -= smdl::calendar::FloorMod(s, 900);
  return Timestamp{s, rng() % 2 ? 0 : static_cast<int32_t>(rng() % 1000000000)};
}

Duration RandomDuration(std::mt19937_64& rng) {
  switch (rng() % 4) {
    case 0: return Duration{static_cast<int64_t>(rng() % 4) * 900, 0};
    case 1: return Duration{static_cast<int64_t>(rng() % 86400), static_cast<int32_t>(rng() % 1000000000)};
    case 2: return Duration{static_cast<int64_t>(rng() % (3000 * 3600)), 0};  // up to ~4 months of hours
    default: return Duration{static_cast<int64_t>(rng() % (20000 * 3600)), static_cast<int32_t>(rng() % 1000000000)};
  }
}

// Working time in [a, b) by converting each day's intervals on their own.
Int128 Reference(const CalendarSpec& spec, const smdl::calendar::TimeZone& zone, Timestamp a, Timestamp b) {
  using namespace smdl::calendar;
  std::set<int64_t> holidays, working;
  std::set<std::pair<int, int>> yearly;
  for (const auto& h : spec.holidays) holidays.insert(DaysFromCivilUnchecked(std::stoi(h.substr(0, 4)), std::stoi(h.substr(5, 2)), std::stoi(h.substr(8, 2))));
  for (const auto& h : spec.working_days) working.insert(DaysFromCivilUnchecked(std::stoi(h.substr(0, 4)), std::stoi(h.substr(5, 2)), std::stoi(h.substr(8, 2))));
  for (const auto& h : spec.yearly_holidays) yearly.insert({std::stoi(h.substr(0, 2)), std::stoi(h.substr(3, 2))});
  std::vector<std::vector<std::pair<int, int>>> week(7);
  for (const auto& h : spec.hours) week[static_cast<size_t>(h.day)].push_back({h.start_minute * 60, (h.end_minute <= h.start_minute ? h.end_minute + 1440 : h.end_minute) * 60});
  if (spec.always)
    for (auto& d : week) d.push_back({0, 86400});
  std::vector<std::pair<int, int>> first;
  for (auto& d : week) {
    std::sort(d.begin(), d.end());
    if (first.empty()) first = d;
  }
  std::vector<std::pair<int64_t, int64_t>> spans;
  int64_t day_a = FloorDiv(a.seconds, kSecondsPerDay) - 3, day_b = FloorDiv(b.seconds, kSecondsPerDay) + 2;
  for (int64_t day = day_a; day <= day_b; ++day) {
    CivilDate c = CivilFromDays(day);
    const auto& own = week[static_cast<size_t>(WeekdayFromDays(day))];
    std::vector<std::pair<int, int>> hours;
    if (working.count(day)) hours = own.empty() ? first : own;
    else if (!holidays.count(day) && !yearly.count({c.month, c.day})) hours = own;
    for (auto [s, e] : hours) spans.push_back({zone.LocalToUtc(day * kSecondsPerDay + s), zone.LocalToUtc(day * kSecondsPerDay + e)});
  }
  std::sort(spans.begin(), spans.end());
  Int128 total = 0, covered_to = Ns(a);
  for (auto [s, e] : spans) {
    Int128 lo = std::max<Int128>(static_cast<Int128>(s) * 1000000000, covered_to);
    Int128 hi = std::min<Int128>(static_cast<Int128>(e) * 1000000000, Ns(b));
    if (hi > lo) {
      total += hi - lo;
      covered_to = hi;
    }
  }
  return total;
}

}  // namespace

TEST_CASE("between(t, add(t, d)) == d, and add is the earliest such instant", "[calendar][property]") {
  std::mt19937_64 rng(20260306);
  for (int round = 0; round < 60; ++round) {
    CalendarSpec spec = RandomSpec(rng);
    auto c = Calendar::FromSpec(spec);
    REQUIRE(c.ok());
    for (int i = 0; i < 150; ++i) {
      Timestamp t = RandomInstant(rng);
      Duration d = RandomDuration(rng);
      auto due = c->Add(t, d);
      REQUIRE(due.ok());
      auto back = c->Between(t, *due);
      REQUIRE(back.ok());
      INFO(spec.timezone << " from " << smdl::FormatTimestamp(t) << " + " << smdl::FormatDuration(d)
                         << " = " << smdl::FormatTimestamp(*due));
      REQUIRE(Ns(*back) == Ns(d));
      if (Ns(d) > 0) {
        auto before = c->Between(t, Ts(Ns(*due) - 1));
        REQUIRE(before.ok());
        REQUIRE(Ns(*before) < Ns(d));
      }
    }
  }
}

TEST_CASE("add is monotonic in the duration, between is additive", "[calendar][property]") {
  std::mt19937_64 rng(7);
  for (int round = 0; round < 40; ++round) {
    auto c = Calendar::FromSpec(RandomSpec(rng));
    REQUIRE(c.ok());
    for (int i = 0; i < 100; ++i) {
      Timestamp t = RandomInstant(rng);
      Duration d1 = RandomDuration(rng), d2 = RandomDuration(rng);
      if (Ns(d2) < Ns(d1)) std::swap(d1, d2);
      auto a1 = c->Add(t, d1), a2 = c->Add(t, d2);
      REQUIRE((a1.ok() && a2.ok()));
      REQUIRE_FALSE(*a2 < *a1);
      Timestamp u = RandomInstant(rng), v = RandomInstant(rng);
      auto tu = c->Between(t, u), uv = c->Between(u, v), tv = c->Between(t, v);
      REQUIRE(Ns(*tu) + Ns(*uv) == Ns(*tv));
    }
  }
}

TEST_CASE("the cached year blocks agree with a day-by-day reference", "[calendar][property]") {
  std::mt19937_64 rng(42);
  for (int round = 0; round < 40; ++round) {
    CalendarSpec spec = RandomSpec(rng);
    auto zone = smdl::calendar::TimeZone::Load(spec.timezone);
    REQUIRE(zone.ok());
    auto c = Calendar::FromSpec(spec);
    REQUIRE(c.ok());
    for (int i = 0; i < 25; ++i) {
      Timestamp a = RandomInstant(rng);
      Timestamp b = Ts(Ns(a) + static_cast<Int128>(rng() % (40LL * 86400)) * 1000000000 + static_cast<Int128>(rng() % 1000000000));
      INFO(spec.timezone << " " << smdl::FormatTimestamp(a) << " .. " << smdl::FormatTimestamp(b));
      REQUIRE(Ns(*c->Between(a, b)) == Reference(spec, *zone, a, b));
    }
  }
}

TEST_CASE("a 24x7 calendar is wall-clock arithmetic", "[calendar][property]") {
  std::mt19937_64 rng(99);
  for (const char* zone : kZones) {
    CalendarSpec spec;
    spec.timezone = zone;
    spec.always = true;
    auto c = Calendar::FromSpec(spec);
    REQUIRE(c.ok());
    Calendar continuous = Calendar::Continuous();
    for (int i = 0; i < 300; ++i) {
      Timestamp t = RandomInstant(rng);
      Duration d = RandomDuration(rng);
      REQUIRE(Ns(*c->Add(t, d)) == Ns(t) + Ns(d));
      REQUIRE(Ns(*continuous.Add(t, d)) == Ns(t) + Ns(d));
      Timestamp u = RandomInstant(rng);
      REQUIRE(Ns(*c->Between(t, u)) == Ns(u) - Ns(t));
    }
  }
  (void)Dur;
}

TEST_CASE("one calendar used from several threads gives the same answers", "[calendar][property]") {
  std::mt19937_64 rng(11);
  CalendarSpec spec = RandomSpec(rng);
  spec.timezone = "Europe/Berlin";
  std::vector<std::pair<Timestamp, Duration>> cases;
  for (int i = 0; i < 4000; ++i) cases.push_back({RandomInstant(rng), RandomDuration(rng)});
  auto reference = Calendar::FromSpec(spec);
  REQUIRE(reference.ok());
  std::vector<Int128> expected;
  for (const auto& [t, d] : cases) expected.push_back(Ns(*reference->Add(t, d)));
  auto shared = Calendar::FromSpec(spec);  // cold: threads build its years concurrently
  REQUIRE(shared.ok());
  std::vector<int> mismatches(4, 0);
  std::vector<std::thread> threads;
  for (int k = 0; k < 4; ++k)
    threads.emplace_back([&, k] {
      for (size_t i = static_cast<size_t>(k); i < cases.size() * 2; i += 3) {
        size_t j = i % cases.size();
        auto due = shared->Add(cases[j].first, cases[j].second);
        if (!due.ok() || Ns(*due) != expected[j]) ++mismatches[static_cast<size_t>(k)];
      }
    });
  for (auto& t : threads) t.join();
  for (int m : mismatches) CHECK(m == 0);
}
