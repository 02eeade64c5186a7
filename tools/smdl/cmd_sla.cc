// smdl sla: explain a record's SLA clocks.
#include <iostream>

#include "engine_cli.h"

namespace smdl::cli {
namespace {

const char* const kSlaHelp =
    "Usage: smdl sla --db DIR ID [--clock NAME]\n"
    "\n"
    "Explains the SLA clocks of record ID (or only clock NAME): the target and\n"
    "where it came from, the segments of running and paused time, the\n"
    "calendar's working intervals each segment used, elapsed and remaining\n"
    "business time, and how the due instant was computed.\n"
    "\n"
    "Options:\n"
    "  --clock NAME        only this clock\n"
    SMDL_DB_OPTIONS_HELP
    "\n"
    "Exit status: 0 success, 1 no such record or clock, 2 usage or I/O problems.\n";

int RunSla(const std::vector<std::string>& argv) {
  std::string error;
  auto flags = kDbFlags;
  flags.push_back("--clock");
  auto args = Args::Parse(argv, flags, kDbSwitches, error);
  if (!args) return UsageError("sla", error);
  if (args->positional().size() != 1) return UsageError("sla", "give exactly one ID");
  int exit = 0;
  auto opened = OpenEngine("sla", *args, exit, Access::kRead);
  if (!opened) return exit;
  auto explained = opened->engine->ExplainSla(args->positional()[0], args->Get("--clock"));
  if (!explained.ok()) return Fail("sla", explained.status());
  PrintJson(*explained);
  return kOk;
}

}  // namespace

SMDL_COMMAND(kSla, "sla", "explain a record's SLA clocks", kSlaHelp, RunSla, 49);

}  // namespace smdl::cli
