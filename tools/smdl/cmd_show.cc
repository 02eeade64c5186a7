// smdl show: print a record.
#include "engine_cli.h"

namespace smdl::cli {
namespace {

const char* const kShowHelp =
    "Usage: smdl show --db DIR ID\n"
    "\n"
    "Prints record ID as JSON: type, state, version, the definition version it\n"
    "runs under, its fields, and each SLA clock with target, due, elapsed,\n"
    "remaining, paused, breached and breached_at at the current time.\n"
    "\n"
    "Options:\n"
    SMDL_DB_OPTIONS_HELP
    "\n"
    "Exit status: 0 found, 1 no such record, 2 usage or I/O problems.\n";

int RunShow(const std::vector<std::string>& argv) {
  std::string error;
  auto args = Args::Parse(argv, kDbFlags, kDbSwitches, error);
  if (!args) return UsageError("show", error);
  if (args->positional().size() != 1) return UsageError("show", "give exactly one ID");
  int exit = 0;
  auto opened = OpenEngine("show", *args, exit, Access::kRead);
  if (!opened) return exit;
  auto record = opened->engine->Get(args->positional()[0]);
  if (!record.ok()) return Fail("show", record.status());
  PrintJson(*record);
  return kOk;
}

}  // namespace

SMDL_COMMAND(kShow, "show", "print a record with its SLA clocks", kShowHelp, RunShow, 43);

}  // namespace smdl::cli
