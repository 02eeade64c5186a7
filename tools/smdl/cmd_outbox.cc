// smdl outbox: messages emitted by transitions.
#include <iostream>

#include "engine_cli.h"

namespace smdl::cli {
namespace {

const char* const kOutboxHelp =
    "Usage: smdl outbox --db DIR [--ack N] [--limit N]\n"
    "\n"
    "Prints the messages that committed transitions emitted and that are not\n"
    "yet acknowledged, oldest first, as a JSON array: sequence number, message\n"
    "name, payload, record, time and the audit entry that emitted it.\n"
    "Delivery is at least once: a consumer reads, delivers, then acknowledges.\n"
    "With --ack N, acknowledges (removes) every message up to and including\n"
    "sequence number N.\n"
    "\n"
    "Options:\n"
    "  --ack N             acknowledge messages up to N\n"
    "  --limit N           print at most N messages (default 100)\n"
    SMDL_DB_OPTIONS_HELP
    "\n"
    "Exit status: 0 success, 2 usage or I/O problems.\n";

int RunOutbox(const std::vector<std::string>& argv) {
  std::string error;
  auto flags = kDbFlags;
  flags.insert(flags.end(), {"--ack", "--limit"});
  auto args = Args::Parse(argv, flags, kDbSwitches, error);
  if (!args) return UsageError("outbox", error);
  if (!args->positional().empty()) return UsageError("outbox", "takes no positional arguments");
  uint64_t ack = 0;
  size_t limit = 100;
  try {
    if (args->Has("--ack")) ack = std::stoull(args->Get("--ack"));
    if (args->Has("--limit")) limit = std::stoul(args->Get("--limit"));
  } catch (...) {
    return UsageError("outbox", "--ack and --limit take numbers");
  }
  int exit = 0;
  auto opened = OpenEngine("outbox", *args, exit, args->Has("--ack") ? Access::kWrite : Access::kRead);
  if (!opened) return exit;
  if (args->Has("--ack")) {
    Status status = opened->engine->Acknowledge(ack);
    if (!status.ok()) return Fail("outbox", status);
    std::cout << "acknowledged messages up to " << ack << "\n";
    return kOk;
  }
  auto messages = opened->engine->Outbox(limit);
  if (!messages.ok()) return Fail("outbox", messages.status());
  PrintJson(*messages);
  return kOk;
}

}  // namespace

SMDL_COMMAND(kOutbox, "outbox", "read and acknowledge emitted messages", kOutboxHelp, RunOutbox, 47);

}  // namespace smdl::cli
