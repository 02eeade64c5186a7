// smdl list: records by type and state.
#include "engine_cli.h"

namespace smdl::cli {
namespace {

const char* const kListHelp =
    "Usage: smdl list --db DIR [--type T [--state S] [--where EXPR]] [--limit N] [--after ID]\n"
    "\n"
    "Prints the records of type T (short or qualified name) in state S, as a\n"
    "JSON array ordered by type, state and id. Without --type, all records;\n"
    "--state and --where need --type.\n"
    "\n"
    "--where keeps the records for which a CEL condition holds, written as a\n"
    "guard of the type's process would be: fields, id, state, refs read\n"
    "through (--where 'priority == Priority.p1 && service.state == \"live\"').\n"
    "A mistake in it (an unknown field) is an error with its diagnostic.\n"
    "\n"
    "Pages: --limit N gives at most N records; --after ID continues after\n"
    "record ID, the last one of the previous page. A record that changes\n"
    "state between pages may move to a later page or an earlier one.\n"
    "\n"
    "Options:\n"
    "  --type T            record type\n"
    "  --state S           state name\n"
    "  --where EXPR        a condition each record listed meets\n"
    "  --limit N           at most N records (default 1000)\n"
    "  --after ID          only records listed after record ID\n"
    SMDL_DB_OPTIONS_HELP
    "\n"
    "Exit status: 0 success, 1 a mistake in --where or --after, 2 usage or I/O problems.\n";

int RunList(const std::vector<std::string>& argv) {
  std::string error;
  auto flags = kDbFlags;
  flags.insert(flags.end(), {"--type", "--state", "--limit", "--where", "--after"});
  auto args = Args::Parse(argv, flags, kDbSwitches, error);
  if (!args) return UsageError("list", error);
  if (!args->positional().empty()) return UsageError("list", "takes no positional arguments");
  if (args->Has("--state") && !args->Has("--type")) return UsageError("list", "--state needs --type");
  if (args->Has("--where") && !args->Has("--type")) return UsageError("list", "--where needs --type");
  ListQuery query{args->Get("--type"), args->Get("--state"), 1000, args->Get("--after"), args->Get("--where")};
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
