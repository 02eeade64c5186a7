// smdl deploy: store checked modules as a new definition version.
#include <iostream>

#include <nlohmann/json.hpp>

#include "engine_cli.h"

namespace smdl::cli {
namespace {

const char* const kDeployHelp =
    "Usage: smdl deploy --db DIR PATH... [--actor A] [--force]\n"
    "\n"
    "Checks the .smdl files and directories at PATH (with the modules they\n"
    "import, from the search path and the standard library) and stores all of\n"
    "them in the database as a new definition version, which becomes current.\n"
    "New records run under it; existing records stay on the version they were\n"
    "created under. Deploying the same sources again changes nothing.\n"
    "Prints the version, its SHA-256, the overrides that won and what changed\n"
    "from the previous version (declarations added, changed, removed). Modules\n"
    "that hold only tests are checked but not deployed. Every deploy is an\n"
    "entry in the audit log ('smdl history --deploys' lists them).\n"
    "\n"
    "A deploy that drops a record type stored records have is refused, naming\n"
    "them, unless --force: those records then stay on their version (they can\n"
    "be read and sent events; no new one can be created).\n"
    "\n"
    "While smdl serve holds the database, the deploy goes through it and takes\n"
    "effect at once (the token in $SMDL_TOKEN needs the admin role).\n"
    "\n"
    "Options:\n"
    "  --path DIR          also look for imported modules under DIR (repeatable)\n"
    "  --actor A           who deploys, for the audit log (default: system)\n"
    "  --force             deploy even if record types in use are dropped\n"
    SMDL_DB_OPTIONS_HELP
    "\n"
    "Exit status: 0 deployed, 1 errors in the modules (nothing is stored),\n"
    "2 usage or I/O problems.\n";

int RunDeploy(const std::vector<std::string>& argv) {
  std::string error;
  auto flags = kDbFlags;
  flags.push_back("--actor");
  auto switches = kDbSwitches;
  switches.push_back("--force");
  auto args = Args::Parse(argv, flags, switches, error);
  if (!args) return UsageError("deploy", error);
  if (args->positional().empty()) return UsageError("deploy", "give at least one PATH");
  int exit = 0;
  auto opened = OpenEngine("deploy", *args, exit, Access::kCreate);
  if (!opened) return exit;
  DeployOptions options;
  options.force = args->Has("--force");
  auto result = opened->engine->Deploy(args->positional(), CallerOf(*args), options);
  if (!result.ok()) {
    if (result.status().code() == StatusCode::kInvalidArgument) {
      std::cerr << result.status().message();
      return kInputError;
    }
    return Fail("deploy", result.status());
  }
  std::cout << (result->unchanged ? "unchanged: definition version " : "deployed definition version ")
            << result->version << " (" << result->modules.size() << " modules, sha256 " << result->hash.substr(0, 16)
            << ")\n";
  for (const auto& o : result->overrides) std::cout << "  override " << o << "\n";
  if (!result->test_modules.empty()) {
    std::cout << "  not deployed, tests only (" << result->test_modules.size() << "):";
    for (size_t i = 0; i < result->test_modules.size(); ++i) std::cout << (i ? ", " : " ") << result->test_modules[i];
    std::cout << "\n";
  }
  // What changed from the previous version, declaration by declaration
  // (the first version is all new).
  auto changes = nlohmann::json::parse(result->changes.empty() ? "{}" : result->changes, nullptr, false);
  if (result->version > 1 && changes.is_object() && changes.contains("declarations"))
    for (const char* how : {"added", "changed", "removed"})
      for (const auto& d : changes["declarations"][how]) std::cout << "  " << how << " " << d.get<std::string>() << "\n";
  return kOk;
}

}  // namespace

SMDL_COMMAND(kDeploy, "deploy", "check modules and store them as a new definition version", kDeployHelp, RunDeploy, 40);

}  // namespace smdl::cli
