// smdl checkpoint: the audit log's head, verified and signed with a secret
// kept outside the database.
#include <fstream>
#include <iostream>

#include "engine_cli.h"

namespace smdl::cli {
namespace {

const char* const kCheckpointHelp =
    "Usage: smdl checkpoint --db DIR --key-file FILE [--out FILE]\n"
    "\n"
    "Verifies the database (as 'smdl verify' does), then prints a checkpoint\n"
    "of its audit log's head, {\"seq\", \"hash\", \"time\", \"mac\"}, where mac is\n"
    "the HMAC-SHA-256 of the rest under the key in FILE (a secret of at least\n"
    "16 bytes that is not stored with the database, for example made with\n"
    "'head -c 32 /dev/urandom | base64 > key'). Keep checkpoints away from\n"
    "the database; 'smdl verify --checkpoint FILE --key-file FILE' later\n"
    "proves that the log up to the checkpoint was not rewritten, and nobody\n"
    "without the key can make a checkpoint that passes.\n"
    "\n"
    "Options:\n"
    "  --key-file FILE     the secret to sign with (required)\n"
    "  --out FILE          write the checkpoint to FILE instead of stdout\n"
    SMDL_DB_OPTIONS_HELP
    "\n"
    "Exit status: 0 written, 1 the database does not verify, 2 usage or I/O problems.\n";

int RunCheckpoint(const std::vector<std::string>& argv) {
  std::string error;
  auto flags = kDbFlags;
  flags.insert(flags.end(), {"--key-file", "--out"});
  auto args = Args::Parse(argv, flags, kDbSwitches, error);
  if (!args) return UsageError("checkpoint", error);
  if (!args->positional().empty()) return UsageError("checkpoint", "takes no positional arguments");
  if (!args->Has("--key-file")) return UsageError("checkpoint", "--key-file FILE is required");
  auto key = ReadSmallFile(args->Get("--key-file"), error);
  if (!key) return UsageError("checkpoint", error);
  if (key->size() < 16) return UsageError("checkpoint", "the key must have at least 16 bytes");
  int exit = 0;
  auto opened = OpenEngine("checkpoint", *args, exit, Access::kRead);
  if (!opened) return exit;
  auto checkpoint = opened->engine->Checkpoint(*key);
  if (!checkpoint.ok()) return Fail("checkpoint", checkpoint.status());
  if (!args->Has("--out")) {
    std::cout << *checkpoint << "\n";
    return kOk;
  }
  std::ofstream out(args->Get("--out"), std::ios::trunc);
  out << *checkpoint << "\n";
  out.close();
  if (!out) return Fail("checkpoint", IoError("cannot write " + args->Get("--out")));
  return kOk;
}

}  // namespace

SMDL_COMMAND(kCheckpoint, "checkpoint", "sign the audit log's head with a key kept elsewhere", kCheckpointHelp,
             RunCheckpoint, 56);

}  // namespace smdl::cli
