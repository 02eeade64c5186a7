// smdl timers: pending timers, and running the due ones.
#include <iostream>

#include "engine_cli.h"

namespace smdl::cli {
namespace {

const char* const kTimersHelp =
    "Usage: smdl timers --db DIR [--run-due] [--now TIMESTAMP]\n"
    "\n"
    "Without --run-due, prints the pending timers (state timers from 'after',\n"
    "SLA warnings and breaches) as a JSON array ordered by due time.\n"
    "With --run-due, fires every timer due at or before now (the system clock,\n"
    "or --now), in due order, each in its own atomic commit, and prints how\n"
    "many fired. A timer fires once; one cancelled by a state change is gone.\n"
    "\n"
    "Options:\n"
    "  --run-due           fire the due timers\n"
    SMDL_DB_OPTIONS_HELP
    "\n"
    "Exit status: 0 success, 1 a timer's transition failed, 2 usage or I/O problems.\n";

int RunTimers(const std::vector<std::string>& argv) {
  std::string error;
  auto switches = kDbSwitches;
  switches.push_back("--run-due");
  auto args = Args::Parse(argv, kDbFlags, switches, error);
  if (!args) return UsageError("timers", error);
  if (!args->positional().empty()) return UsageError("timers", "takes no positional arguments");
  int exit = 0;
  auto opened = OpenEngine("timers", *args, exit, args->Has("--run-due") ? Access::kWrite : Access::kRead);
  if (!opened) return exit;
  if (args->Has("--run-due")) {
    auto fired = opened->engine->RunDueTimers();
    if (!fired.ok()) return Fail("timers", fired.status());
    std::cout << "fired " << *fired << " timer" << (*fired == 1 ? "" : "s") << "\n";
    return kOk;
  }
  auto timers = opened->engine->PendingTimers();
  if (!timers.ok()) return Fail("timers", timers.status());
  PrintJson(*timers);
  return kOk;
}

}  // namespace

SMDL_COMMAND(kTimers, "timers", "list pending timers, or fire the due ones", kTimersHelp, RunTimers, 46);

}  // namespace smdl::cli
