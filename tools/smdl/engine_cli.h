// What the commands that work on a database share: opening the engine from
// --db (with --now for virtual time and --async), printing JSON results and
// turning a Status into a message and an exit code.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "cli.h"
#include "service.h"
#include "smdl/engine.h"

namespace smdl::cli {

// Options every database command takes.
inline const std::vector<std::string> kDbFlags = {"--db", "--now", "--path"};
inline const std::vector<std::string> kDbSwitches = {"--async"};

struct OpenedEngine {
  std::unique_ptr<ManualClock> clock;  // set when --now is given
  std::unique_ptr<Service> engine;     // the engine here, or the server that holds --db
};

// What a command does with the database.
//  kRead:   reads only; opened without the lock and without writing anything
//           (a missing database is an error).
//  kWrite:  changes an existing database (a missing one is an error).
//  kCreate: deploy: creates the database when the directory does not exist
//           or is empty.
enum class Access { kRead, kWrite, kCreate };

// Opens the engine on --db (required unless smdl --server URL is given). A
// command that writes to a database a running server holds goes through that
// server (found from the database directory), as does every command under
// --server; the token comes from $SMDL_TOKEN. On failure prints why and sets
// `exit`.
std::optional<OpenedEngine> OpenEngine(const std::string& command, const Args& args, int& exit, Access access);

// Who calls, from --key, --actor and --role (those a command does not take
// are absent, so empty).
CallOptions CallerOf(const Args& args);

// The contents of a small file named on the command line (a key, a
// checkpoint), without a final newline; nullopt with `error` set when it
// cannot be read or is empty.
std::optional<std::string> ReadSmallFile(const std::string& path, std::string& error);

// Prints a JSON document (indented) to stdout.
void PrintJson(const std::string& json_text);

// Prints "smdl COMMAND: message" to stderr; rejected operations and
// inconsistencies give 1, I/O and internal failures 2.
int Fail(const std::string& command, const Status& status);

// Help text shared by the database commands.
#define SMDL_DB_OPTIONS_HELP                                                              \
  "  --db DIR            the engine's database directory (required)\n"                 \
  "  --now TIMESTAMP     run at this instant (RFC 3339) instead of the system clock\n" \
  "  --async             write without fsync (see docs/runtime.md, durability)\n"     \
  "  -h, --help          show this help\n"

}  // namespace smdl::cli
