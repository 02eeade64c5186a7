// smdl recover: make a damaged database open again, keeping what can be read.
#include <iostream>

#include "engine_cli.h"

namespace smdl::cli {
namespace {

const char* const kRecoverHelp =
    "Usage: smdl recover --db DIR\n"
    "\n"
    "Every other command refuses a damaged database rather than lose what\n"
    "it cannot read. This one repairs it in place, keeping what can be read:\n"
    "a missing CURRENT file is rebuilt from the data files, and a damaged\n"
    "write-ahead log is replayed up to its first damaged record (the\n"
    "operations after it are lost, whole). Then it verifies the result and\n"
    "prints a JSON report with the audit log's new head; compare that head\n"
    "with your last checkpoint or verify to see what was lost.\n"
    "\n"
    "It changes DIR: copy the directory first (cp -a DIR DIR.damaged).\n"
    "\n"
    "Options:\n"
    "  --db DIR            the damaged database (required)\n"
    "  -h, --help          show this help\n"
    "\n"
    "Exit status: 0 recovered and verified, 1 recovered but inconsistent,\n"
    "2 usage or I/O problems.\n";

int RunRecover(const std::vector<std::string>& argv) {
  std::string error;
  auto args = Args::Parse(argv, {"--db"}, {}, error);
  if (!args) return UsageError("recover", error);
  if (!args->positional().empty()) return UsageError("recover", "takes no positional arguments");
  if (!args->Has("--db")) return UsageError("recover", "--db DIR is required");
  auto report = Engine::Recover(args->Get("--db"));
  if (!report.ok()) return Fail("recover", report.status());
  PrintJson(*report);
  return kOk;
}

}  // namespace

SMDL_COMMAND(kRecover, "recover", "repair a damaged database, keeping what can be read", kRecoverHelp, RunRecover, 57);

}  // namespace smdl::cli
