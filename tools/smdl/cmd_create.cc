// smdl create: create a record.
#include <iostream>

#include "engine_cli.h"

namespace smdl::cli {
namespace {

const char* const kCreateHelp =
    "Usage: smdl create --db DIR TYPE [JSON] [--key K] [--actor A [--role R]...]\n"
    "\n"
    "Creates a record of TYPE (a record type a process runs on, by its short\n"
    "or qualified name) from a JSON object of fields, runs the process's\n"
    "'on create', enters the initial state and starts its SLA clocks. Prints\n"
    "the new record as JSON, with its id.\n"
    "\n"
    "Fields are plain JSON: numbers, strings, booleans; enum values by name\n"
    "(\"high\"); timestamps as RFC 3339 strings; durations as \"3600s\" or \"1h\";\n"
    "references by the id of the record; lists and maps as arrays and objects.\n"
    "\n"
    "Options:\n"
    "  --key K             idempotency key: a repeat with the same key returns\n"
    "                      the first result and creates nothing\n"
    "  --actor A           who creates it, for the audit log (default: system)\n"
    "  --role R            a role the actor holds (repeat for more); transitions may\n"
    "                      require roles, guards read them as actor.roles\n"
    SMDL_DB_OPTIONS_HELP
    "\n"
    "Exit status: 0 created, 1 rejected (unknown type, bad or missing field),\n"
    "2 usage or I/O problems. Nothing is written when the create is rejected.\n";

int RunCreate(const std::vector<std::string>& argv) {
  std::string error;
  auto flags = kDbFlags;
  flags.insert(flags.end(), {"--key", "--actor", "--role"});
  auto args = Args::Parse(argv, flags, kDbSwitches, error);
  if (!args) return UsageError("create", error);
  const auto& pos = args->positional();
  if (pos.empty() || pos.size() > 2) return UsageError("create", "give TYPE and optionally a JSON object of fields");
  int exit = 0;
  auto opened = OpenEngine("create", *args, exit, Access::kWrite);
  if (!opened) return exit;
  CallOptions call = CallerOf(*args);
  auto record = opened->engine->Create(pos[0], pos.size() > 1 ? pos[1] : "{}", call);
  if (!record.ok()) return Fail("create", record.status());
  PrintJson(*record);
  return kOk;
}

}  // namespace

SMDL_COMMAND(kCreate, "create", "create a record and start its process", kCreateHelp, RunCreate, 41);

}  // namespace smdl::cli
