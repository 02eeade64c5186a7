// smdl token: the bearer tokens a server accepts.
#include <iostream>

#include <nlohmann/json.hpp>

#include "base/time.h"
#include "engine_cli.h"
#include "server/tokens.h"

namespace smdl::cli {
namespace {

const char* const kTokenHelp =
    "Usage: smdl token add --tokens FILE NAME [--role R]...\n"
    "       smdl token remove --tokens FILE NAME\n"
    "       smdl token list --tokens FILE\n"
    "\n"
    "Manages the bearer tokens of smdl serve. A token stands for NAME, the\n"
    "actor the audit log records for what it does, with roles R (transitions\n"
    "may require them; guards read them as actor.roles; 'admin' may deploy).\n"
    "\n"
    "add prints the new token once, on stdout; FILE keeps only its SHA-256\n"
    "(created if missing, readable by its owner only). A running server\n"
    "reads FILE again within a second of a change: added tokens work and\n"
    "removed ones stop working without a restart.\n"
    "\n"
    "Options:\n"
    "  --tokens FILE       the tokens file (required)\n"
    "  --role R            a role of the token (repeat for more)\n"
    "  -h, --help          show this help\n"
    "\n"
    "Exit status: 0 done, 1 a name taken or unknown, 2 usage or I/O problems.\n";

int RunToken(const std::vector<std::string>& argv) {
  std::string error;
  auto args = Args::Parse(argv, {"--tokens", "--role"}, {}, error);
  if (!args) return UsageError("token", error);
  const auto& pos = args->positional();
  if (pos.empty()) return UsageError("token", "give add, remove or list");
  std::string file = args->Get("--tokens");
  if (file.empty()) return UsageError("token", "--tokens FILE is required");
  const std::string& verb = pos[0];
  if (verb == "add") {
    if (pos.size() != 2) return UsageError("token", "give the token's NAME: smdl token add --tokens FILE NAME --role R");
    auto token = server::AddToken(file, pos[1], args->GetAll("--role"), FormatTimestamp(SystemClock().Now()));
    if (!token.ok()) return Fail("token", token.status());
    std::cout << *token << "\n";
    return kOk;
  }
  if (!args->GetAll("--role").empty()) return UsageError("token", "--role is for add");
  if (verb == "remove") {
    if (pos.size() != 2) return UsageError("token", "give the token's NAME");
    Status removed = server::RemoveToken(file, pos[1]);
    if (!removed.ok()) return Fail("token", removed);
    return kOk;
  }
  if (verb == "list") {
    if (pos.size() != 1) return UsageError("token", "list takes no NAME");
    auto entries = server::ReadTokens(file);
    if (!entries.ok()) return Fail("token", entries.status());
    nlohmann::json out = nlohmann::json::array();
    for (const auto& e : *entries) out.push_back({{"name", e.name}, {"roles", e.roles}, {"created", e.created}});
    PrintJson(out.dump());
    return kOk;
  }
  return UsageError("token", "unknown verb '" + verb + "' (add, remove, list)");
}

}  // namespace

SMDL_COMMAND(kToken, "token", "manage the bearer tokens of smdl serve", kTokenHelp, RunToken, 81);

}  // namespace smdl::cli
