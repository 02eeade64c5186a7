// smdl fire: send an event to a record.
#include <iostream>

#include "engine_cli.h"

namespace smdl::cli {
namespace {

const char* const kFireHelp =
    "Usage: smdl fire --db DIR ID EVENT [JSON] [--key K] [--actor A [--role R]...]\n"
    "\n"
    "Sends EVENT with a JSON object of parameters to record ID. The first\n"
    "transition of the record's state for that event whose guard holds is\n"
    "taken: its actions run, the record enters the target state, timers and\n"
    "SLA clocks move, emitted messages go to the outbox, all in one atomic\n"
    "commit. Prints the record as JSON afterwards.\n"
    "\n"
    "A rejected event changes nothing and says why: no such record, event not\n"
    "accepted in this state (with the events that are), guard false (with the\n"
    "guard's text), a missing or ill-typed parameter, an action's error.\n"
    "\n"
    "Options:\n"
    "  --key K             idempotency key: a repeat returns the first result\n"
    "  --actor A           who sends it, for the audit log (default: system)\n"
    "  --role R            a role the actor holds (repeat for more); transitions may\n"
    "                      require roles, guards read them as actor.roles\n"
    SMDL_DB_OPTIONS_HELP
    "\n"
    "Exit status: 0 done, 1 rejected, 2 usage or I/O problems.\n";

int RunFire(const std::vector<std::string>& argv) {
  std::string error;
  auto flags = kDbFlags;
  flags.insert(flags.end(), {"--key", "--actor", "--role"});
  auto args = Args::Parse(argv, flags, kDbSwitches, error);
  if (!args) return UsageError("fire", error);
  const auto& pos = args->positional();
  if (pos.size() < 2 || pos.size() > 3) return UsageError("fire", "give ID, EVENT and optionally a JSON object of parameters");
  int exit = 0;
  auto opened = OpenEngine("fire", *args, exit, Access::kWrite);
  if (!opened) return exit;
  CallOptions call = CallerOf(*args);
  auto record = opened->engine->Fire(pos[0], pos[1], pos.size() > 2 ? pos[2] : "{}", call);
  if (!record.ok()) return Fail("fire", record.status());
  PrintJson(*record);
  return kOk;
}

}  // namespace

SMDL_COMMAND(kFire, "fire", "send an event to a record", kFireHelp, RunFire, 42);

}  // namespace smdl::cli
