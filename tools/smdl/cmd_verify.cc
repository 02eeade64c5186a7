// smdl verify: the audit chain and the replay of every record.
#include <iostream>

#include "engine_cli.h"

namespace smdl::cli {
namespace {

const char* const kVerifyHelp =
    "Usage: smdl verify --db DIR\n"
    "\n"
    "Checks that the audit log is intact (every entry's SHA-256 matches its\n"
    "content and the hash of the entry before, no sequence number is missing)\n"
    "and that every record equals the replay of its history from its creation\n"
    "under the definition versions it ran on. Prints a JSON summary, or the\n"
    "first inconsistency.\n"
    "\n"
    "Options:\n"
    SMDL_DB_OPTIONS_HELP
    "\n"
    "Exit status: 0 consistent, 1 an inconsistency (named on stderr),\n"
    "2 usage or I/O problems.\n";

int RunVerify(const std::vector<std::string>& argv) {
  std::string error;
  auto args = Args::Parse(argv, kDbFlags, kDbSwitches, error);
  if (!args) return UsageError("verify", error);
  if (!args->positional().empty()) return UsageError("verify", "takes no positional arguments");
  int exit = 0;
  auto opened = OpenEngine("verify", *args, exit);
  if (!opened) return exit;
  auto summary = opened->engine->Verify();
  if (!summary.ok()) return Fail("verify", summary.status());
  PrintJson(*summary);
  return kOk;
}

}  // namespace

SMDL_COMMAND(kVerify, "verify", "check the audit chain and replay every record", kVerifyHelp, RunVerify, 48);

}  // namespace smdl::cli
