// smdl calendar: business-time arithmetic on a calendar declared in SMDL.
#include <cstdio>
#include <iostream>

#include "calendar/calendar.h"
#include "calendar/time_format.h"
#include "cli.h"
#include "sema/checker.h"

namespace smdl::cli {

const char* const kCalendarHelp =
    "Usage: smdl calendar --defs PATH --calendar NAME add --from TIMESTAMP --duration DURATION\n"
    "       smdl calendar --defs PATH --calendar NAME between --from TIMESTAMP --to TIMESTAMP\n"
    "       smdl calendar --defs PATH --calendar NAME holidays --year YEAR\n"
    "\n"
    "Business-time arithmetic on a calendar declared in SMDL: only the\n"
    "calendar's working time counts (its weekly hours in its own time zone,\n"
    "without holidays, with extra working days).\n"
    "\n"
    "  add      prints the due instant: the earliest instant by which DURATION\n"
    "           of working time has passed since TIMESTAMP, in RFC 3339 with the\n"
    "           calendar's UTC offset at that instant:\n"
    "             2026-03-09T10:00:00+01:00\n"
    "  between  prints the working time from --from to --to for people, then\n"
    "           as a CEL duration: \"4h (14400s)\"; negative when --to is before\n"
    "           --from\n"
    "  holidays prints the dates of YEAR on which the calendar is closed for a\n"
    "           holiday (its own, its holiday sets' and their substitutes),\n"
    "           one per line with the day: \"2027-12-27 mon\"\n"
    "\n"
    "Options:\n"
    "  --defs PATH         .smdl file or directory declaring the calendar\n"
    "                      (repeatable); checked first, with its imports\n"
    "  --calendar NAME     the calendar: its name, or module.name when several\n"
    "                      modules declare one of that name; an override of\n"
    "                      it, if any, is used instead\n"
    "  --from TIMESTAMP    RFC 3339, e.g. 2026-03-06T16:00:00+01:00\n"
    "  --duration DURATION working time to add, e.g. 4h, 90m, 1h30m (not negative)\n"
    "  --to TIMESTAMP      end of the range for between\n"
    "  --year YEAR         the year for holidays, 1 to 9999\n"
    "  --explain           also list the working intervals counted, one per line\n"
    "  --path DIR          also look for imported modules under DIR (repeatable)\n"
    "  --no-stdlib         use neither $SMDL_PATH nor the standard library\n"
    "  -h, --help          show this help\n"
    "\n"
    "Exit status: 0 success; 1 errors in the definitions, no such calendar, or\n"
    "no due instant before the year 10000; 2 usage or I/O problems.\n";

namespace {

int Fail(const std::string& message) {
  std::cerr << "smdl calendar: " << message << "\n";
  return kInputError;
}

std::optional<Timestamp> TimestampFlag(const Args& args, const std::string& flag, std::string& error) {
  if (!args.Has(flag)) {
    error = "missing " + flag;
    return std::nullopt;
  }
  auto t = ParseTimestamp(args.Get(flag));
  if (!t) error = flag + " must be an RFC 3339 timestamp such as 2026-03-06T16:00:00+01:00, not '" + args.Get(flag) + "'";
  return t;
}

void PrintIntervals(const calendar::Calendar& cal, Timestamp a, Timestamp b) {
  auto e = cal.Explain(a, b, 1000);
  if (!e.ok()) return;
  for (const auto& i : e->intervals)
    std::cout << "  working " << calendar::FormatTimestampAt(i.start, cal.OffsetAt(i.start)) << " .. "
              << calendar::FormatTimestampAt(i.end, cal.OffsetAt(i.end)) << "\n";
  if (e->truncated) std::cout << "  ... (more than 1000 intervals)\n";
}

}  // namespace

int RunCalendar(const std::vector<std::string>& argv) {
  std::string error;
  auto args = Args::Parse(argv, {"--defs", "--calendar", "--from", "--to", "--duration", "--path", "--year"},
                          {"--no-stdlib", "--explain"}, error);
  if (!args) return UsageError("calendar", error);
  const auto& positional = args->positional();
  if (positional.size() != 1 || (positional[0] != "add" && positional[0] != "between" && positional[0] != "holidays"))
    return UsageError("calendar", "give one action: add, between or holidays");
  const std::string action = positional[0];
  if (!args->Has("--defs")) return UsageError("calendar", "missing --defs PATH");
  if (!args->Has("--calendar")) return UsageError("calendar", "missing --calendar NAME");
  std::optional<Timestamp> from;
  std::optional<Timestamp> to;
  std::optional<Duration> duration;
  int year = 0;
  if (action == "holidays") {
    if (args->Has("--from") || args->Has("--to") || args->Has("--duration"))
      return UsageError("calendar", "holidays takes --year only");
    const std::string text = args->Has("--year") ? args->Get("--year") : "";
    bool digits = !text.empty() && text.size() <= 4 && text.find_first_not_of("0123456789") == std::string::npos;
    if (digits) year = std::stoi(text);
    if (year < 1) return UsageError("calendar", "--year must be a year from 1 to 9999");
  } else if (!(from = TimestampFlag(*args, "--from", error))) {
    return UsageError("calendar", error);
  } else if (args->Has("--year")) {
    return UsageError("calendar", action + " does not take --year");
  } else if (action == "add") {
    if (args->Has("--to")) return UsageError("calendar", "add takes --duration, not --to");
    if (!args->Has("--duration")) return UsageError("calendar", "missing --duration");
    duration = ParseDuration(args->Get("--duration"));
    if (!duration) return UsageError("calendar", "--duration must be a duration such as 4h or 1h30m, not '" + args->Get("--duration") + "'");
    if (duration->seconds < 0 || duration->nanos < 0) return UsageError("calendar", "--duration must not be negative");
  } else {
    if (args->Has("--duration")) return UsageError("calendar", "between takes --to, not --duration");
    to = TimestampFlag(*args, "--to", error);
    if (!to) return UsageError("calendar", error);
  }

  sema::CheckOptions options;
  options.search_path = args->GetAll("--path");
  options.use_environment = !args->Has("--no-stdlib");
  auto program = sema::CheckPaths(args->GetAll("--defs"), options);
  if (!program.ok()) {
    std::cerr << "smdl calendar: " << program.status().message() << "\n";
    return kUsageError;
  }
  const sema::Program& p = **program;
  if (p.diags.ErrorCount() > 0) {
    std::cerr << p.diags.RenderText(p.sources);
    return Fail("the definitions have errors");
  }
  auto cal = calendar::CalendarFromProgram(p, args->Get("--calendar"));
  if (!cal.ok()) return Fail(cal.status().message());

  if (action == "holidays") {
    static const char* const kDays[] = {"mon", "tue", "wed", "thu", "fri", "sat", "sun"};
    for (const auto& d : cal->HolidaysIn(year)) {
      char text[16];
      std::snprintf(text, sizeof text, "%04d-%02d-%02d", d.year, d.month, d.day);
      std::cout << text << " " << kDays[calendar::WeekdayFromDays(calendar::DaysFromCivilUnchecked(d.year, d.month, d.day))]
                << "\n";
    }
  } else if (action == "add") {
    auto due = cal->Add(*from, *duration);
    if (!due.ok()) return Fail(due.status().message());
    std::cout << calendar::FormatTimestampAt(*due, cal->OffsetAt(*due)) << "\n";
    if (args->Has("--explain")) PrintIntervals(*cal, *from, *due);
  } else {
    auto between = cal->Between(*from, *to);
    if (!between.ok()) return Fail(between.status().message());
    std::cout << FormatDurationText(*between) << " (" << FormatDuration(*between) << ")\n";
    if (args->Has("--explain")) PrintIntervals(*cal, *to < *from ? *to : *from, *to < *from ? *from : *to);
  }
  return kOk;
}

SMDL_COMMAND(kCalendar, "calendar", "business-time arithmetic on a calendar: add, between", kCalendarHelp, RunCalendar,
             60);

}  // namespace smdl::cli
