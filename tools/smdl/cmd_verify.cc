// smdl verify: the audit chain, the definitions, the replay of every record
// and the families derived from the log; optionally against anchors kept
// outside the database.
#include <iostream>

#include "engine_cli.h"

namespace smdl::cli {
namespace {

const char* const kVerifyHelp =
    "Usage: smdl verify --db DIR [--expect-head SEQ:HASH] [--checkpoint FILE --key-file FILE]\n"
    "\n"
    "Checks that the audit log is intact (every entry's SHA-256 matches its\n"
    "content and the hash of the entry before, no sequence number is missing),\n"
    "that every stored definition is the one its deploy recorded, that every\n"
    "record equals the replay of its history from its creation under the\n"
    "definition versions it ran on, and that the history index, the list\n"
    "index, the timers, the unacknowledged outbox messages and the counters\n"
    "agree with the log. Prints a JSON summary with the log's head (its last\n"
    "entry's sequence and hash), or the first inconsistency.\n"
    "\n"
    "The head printed today, kept outside the database, is an anchor for a\n"
    "later verify: someone who rewrites the log and recomputes every hash\n"
    "still changes the hash at the anchored entry. See docs/runtime.md.\n"
    "\n"
    "Options:\n"
    "  --expect-head SEQ:HASH  the entry SEQ must have this hash (a head\n"
    "                      printed by an earlier verify); repeatable\n"
    "  --checkpoint FILE   a checkpoint signed by 'smdl checkpoint'; its head\n"
    "                      is checked like --expect-head (needs --key-file)\n"
    "  --key-file FILE     the secret the checkpoint was signed with\n"
    SMDL_DB_OPTIONS_HELP
    "\n"
    "Exit status: 0 consistent, 1 an inconsistency (named on stderr),\n"
    "2 usage or I/O problems.\n";

int RunVerify(const std::vector<std::string>& argv) {
  std::string error;
  auto flags = kDbFlags;
  flags.insert(flags.end(), {"--expect-head", "--checkpoint", "--key-file"});
  auto args = Args::Parse(argv, flags, kDbSwitches, error);
  if (!args) return UsageError("verify", error);
  if (!args->positional().empty()) return UsageError("verify", "takes no positional arguments");
  VerifyOptions options;
  for (const std::string& head : args->GetAll("--expect-head")) {
    size_t colon = head.find(':');
    AuditAnchor anchor;
    try {
      size_t used = 0;
      if (colon == std::string::npos || colon == 0) throw std::invalid_argument("no colon");
      anchor.seq = std::stoull(head.substr(0, colon), &used);
      if (used != colon) throw std::invalid_argument("not a number");
    } catch (...) {
      return UsageError("verify", "--expect-head takes SEQ:HASH, as the head of an earlier verify (got '" + head + "')");
    }
    anchor.hash = head.substr(colon + 1);
    if (anchor.hash.size() != 64 || anchor.hash.find_first_not_of("0123456789abcdef") != std::string::npos)
      return UsageError("verify", "--expect-head: the hash must be 64 lowercase hex digits");
    options.anchors.push_back(anchor);
  }
  if (args->Has("--checkpoint") != args->Has("--key-file"))
    return UsageError("verify", "--checkpoint and --key-file go together");
  if (args->Has("--checkpoint")) {
    auto checkpoint = ReadSmallFile(args->Get("--checkpoint"), error);
    if (!checkpoint) return UsageError("verify", error);
    auto key = ReadSmallFile(args->Get("--key-file"), error);
    if (!key) return UsageError("verify", error);
    auto anchor = Engine::ReadCheckpoint(*checkpoint, *key);
    if (!anchor.ok()) return Fail("verify", anchor.status());
    options.anchors.push_back(*anchor);
  }
  int exit = 0;
  auto opened = OpenEngine("verify", *args, exit, Access::kRead);
  if (!opened) return exit;
  auto summary = opened->engine->Verify(options);
  if (!summary.ok()) return Fail("verify", summary.status());
  PrintJson(*summary);
  return kOk;
}

}  // namespace

SMDL_COMMAND(kVerify, "verify", "check the audit chain, definitions, records and indexes", kVerifyHelp, RunVerify, 48);

}  // namespace smdl::cli
