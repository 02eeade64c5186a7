// Benchmark of business-time arithmetic (bench/run.sh, docs/benchmarks.md):
// Calendar::Add and Between on a realistic office calendar (Europe/Berlin,
// a lunch break, Saturday mornings, yearly and fixed holidays), with targets
// from minutes to several weeks, from random instants in 2026..2030.
// Reports operations per second on one thread, best of RUNS rounds.
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <random>
#include <string>
#include <vector>

#include "calendar/calendar.h"

using smdl::Duration;
using smdl::Timestamp;
using smdl::calendar::Calendar;
using smdl::calendar::CalendarSpec;

namespace {

double Seconds(std::chrono::steady_clock::duration d) { return std::chrono::duration<double>(d).count(); }

Calendar Office() {
  CalendarSpec spec;
  spec.name = "office";
  spec.timezone = "Europe/Berlin";
  for (int d = 0; d < 5; ++d) {
    spec.hours.push_back({d, 8 * 60, 12 * 60 + 30});
    spec.hours.push_back({d, 13 * 60 + 30, 17 * 60 + 30});
  }
  spec.hours.push_back({5, 9 * 60, 13 * 60});
  spec.yearly_holidays = {"01-01", "05-01", "10-03", "12-24", "12-25", "12-26", "12-31"};
  // Easter and Whit holidays, 2026 to 2030.
  spec.holidays = {"2026-04-03", "2026-04-06", "2026-05-14", "2026-05-25", "2027-03-26", "2027-03-29",
                   "2027-05-06", "2027-05-17", "2028-04-14", "2028-04-17", "2028-05-25", "2028-06-05",
                   "2029-03-30", "2029-04-02", "2029-05-10", "2029-05-21", "2030-04-19", "2030-04-22",
                   "2030-05-30", "2030-06-10"};
  spec.working_days = {"2026-12-27", "2027-12-27"};
  auto c = Calendar::FromSpec(spec);
  if (!c.ok()) {
    std::fprintf(stderr, "bench_calendar: %s\n", c.status().ToString().c_str());
    std::exit(2);
  }
  return std::move(*c);
}

struct Case {
  Timestamp from;
  Duration business;
};

std::vector<Case> Cases(size_t n, int64_t max_hours, uint64_t seed) {
  std::mt19937_64 rng(seed);
  const int64_t start = 1767225600;  // 2026-01-01T00:00:00Z
  const int64_t span = 4 * 365 * 86400;
  std::vector<Case> cases(n);
  for (auto& c : cases) {
    c.from = Timestamp{start + static_cast<int64_t>(rng() % span), 0};
    c.business = Duration{60 + static_cast<int64_t>(rng() % static_cast<uint64_t>(max_hours * 3600)), 0};
  }
  return cases;
}

// Best rate over `runs` rounds of `op` applied to every case.
template <typename Op>
double Rate(const std::vector<Case>& cases, int runs, Op op) {
  double best = 0;
  for (int r = 0; r < runs; ++r) {
    auto t0 = std::chrono::steady_clock::now();
    for (const auto& c : cases) op(c);
    double s = Seconds(std::chrono::steady_clock::now() - t0);
    best = std::max(best, static_cast<double>(cases.size()) / s);
  }
  return best;
}

}  // namespace

int main() {
  int runs = std::getenv("RUNS") ? std::max(1, std::atoi(std::getenv("RUNS"))) : 5;
  const size_t n = 1000000;
  int64_t checksum = 0;
  int64_t errors = 0;

  // The first use of each year builds its intervals: measured once, cold.
  {
    Calendar cold = Office();
    auto t0 = std::chrono::steady_clock::now();
    for (int y = 0; y < 5; ++y) checksum += cold.Add(Timestamp{1767225600 + y * 31536000LL, 0}, Duration{3600, 0})->seconds;
    std::printf("calendar: first use of a year (builds its ~560 intervals): %.1f us\n",
                Seconds(std::chrono::steady_clock::now() - t0) * 1e6 / 5);
  }

  Calendar office = Office();
  struct Mix {
    const char* label;
    int64_t max_hours;
  };
  for (const Mix& mix : {Mix{"targets up to 8h", 8}, Mix{"targets up to 2 weeks (80h)", 80},
                         Mix{"targets up to 8 weeks (320h)", 320}}) {
    std::vector<Case> cases = Cases(n, mix.max_hours, 20260306);
    for (const auto& c : cases) {  // warm: every year the cases reach is built
      auto due = office.Add(c.from, c.business);
      if (!due.ok()) ++errors;
    }
    double rate = Rate(cases, runs, [&](const Case& c) {
      auto due = office.Add(c.from, c.business);
      if (due.ok()) checksum += due->seconds;
      else ++errors;
    });
    std::printf("calendar add, %s: %.2f million additions/s (one core)\n", mix.label, rate / 1e6);
  }
  std::vector<Case> cases = Cases(n, 320, 7);
  double rate = Rate(cases, runs, [&](const Case& c) {
    Timestamp to{c.from.seconds + c.business.seconds * 2, 0};
    auto d = office.Between(c.from, to);
    if (d.ok()) checksum += d->seconds;
    else ++errors;
  });
  std::printf("calendar between, spans up to 640h: %.2f million/s (one core)\n", rate / 1e6);
  if (errors) {
    std::fprintf(stderr, "bench_calendar: %lld operations failed\n", static_cast<long long>(errors));
    return 1;
  }
  std::fprintf(stderr, "(checksum %lld)\n", static_cast<long long>(checksum));
  return 0;
}
