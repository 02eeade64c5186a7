// smdl list: records by type and state.
#include "engine_cli.h"

namespace smdl::cli {
namespace {

const char* const kListHelp =
    "Usage: smdl list --db DIR [--type T] [--state S] [--limit N]\n"
    "\n"
    "Prints the records of type T (short or qualified name) in state S, as a\n"
    "JSON array ordered by type, state and id. Without --type, all records;\n"
    "--state needs --type.\n"
    "\n"
    "Options:\n"
    "  --type T            record type\n"
    "  --state S           state name\n"
    "  --limit N           at most N records (default 1000)\n"
    SMDL_DB_OPTIONS_HELP
    "\n"
    "Exit status: 0 success, 2 usage or I/O problems.\n";

int RunList(const std::vector<std::string>& argv) {
  std::string error;
  auto flags = kDbFlags;
  flags.insert(flags.end(), {"--type", "--state", "--limit"});
  auto args = Args::Parse(argv, flags, kDbSwitches, error);
  if (!args) return UsageError("list", error);
  if (!args->positional().empty()) return UsageError("list", "takes no positional arguments");
  if (args->Has("--state") && !args->Has("--type")) return UsageError("list", "--state needs --type");
  ListQuery query{args->Get("--type"), args->Get("--state"), 1000};
  if (args->Has("--limit")) {
    try {
      query.limit = std::stoul(args->Get("--limit"));
    } catch (...) {
      return UsageError("list", "--limit must be a number");
    }
  }
  int exit = 0;
  auto opened = OpenEngine("list", *args, exit, Access::kRead);
  if (!opened) return exit;
  auto records = opened->engine->List(query);
  if (!records.ok()) return Fail("list", records.status());
  PrintJson(*records);
  return kOk;
}

}  // namespace

SMDL_COMMAND(kList, "list", "list records by type and state", kListHelp, RunList, 45);

}  // namespace smdl::cli
