// smdl history: a record's audit entries.
#include "engine_cli.h"

namespace smdl::cli {
namespace {

const char* const kHistoryHelp =
    "Usage: smdl history --db DIR ID\n"
    "\n"
    "Prints the audit entries of record ID, oldest first, as a JSON array.\n"
    "Each entry has its global sequence number, time, actor, kind (create,\n"
    "event or timer), event and parameters, the states before and after (and\n"
    "every state passed through), the definition version, and the SHA-256 of\n"
    "the previous entry and of itself, which chain the whole log.\n"
    "\n"
    "Options:\n"
    SMDL_DB_OPTIONS_HELP
    "\n"
    "Exit status: 0 found, 1 no such record, 2 usage or I/O problems.\n";

int RunHistory(const std::vector<std::string>& argv) {
  std::string error;
  auto args = Args::Parse(argv, kDbFlags, kDbSwitches, error);
  if (!args) return UsageError("history", error);
  if (args->positional().size() != 1) return UsageError("history", "give exactly one ID");
  int exit = 0;
  auto opened = OpenEngine("history", *args, exit);
  if (!opened) return exit;
  auto history = opened->engine->History(args->positional()[0]);
  if (!history.ok()) return Fail("history", history.status());
  PrintJson(*history);
  return kOk;
}

}  // namespace

SMDL_COMMAND(kHistory, "history", "print a record's audit trail", kHistoryHelp, RunHistory, 44);

}  // namespace smdl::cli
