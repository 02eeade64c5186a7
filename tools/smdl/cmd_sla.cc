// smdl sla: explain a record's SLA clocks.
#include <iostream>

#include <nlohmann/json.hpp>

#include "engine_cli.h"

namespace smdl::cli {
namespace {

const char* const kSlaHelp =
    "Usage: smdl sla --db DIR ID [--clock NAME] [--format text|json]\n"
    "\n"
    "Explains the SLA clocks of record ID (or only clock NAME): the target and\n"
    "where it came from, the segments of running and paused time, the\n"
    "calendar's working intervals each segment used, elapsed and remaining\n"
    "business time, and how the due instant was computed. Text (the default)\n"
    "gives each clock's explanation as lines; JSON gives the clock's view with\n"
    "the explanation as one string and the stored clock.\n"
    "\n"
    "Options:\n"
    "  --clock NAME        only this clock\n"
    "  --format F          text (default) or json\n"
    SMDL_DB_OPTIONS_HELP
    "\n"
    "Exit status: 0 success, 1 no such record or clock, 2 usage or I/O problems.\n";

int RunSla(const std::vector<std::string>& argv) {
  std::string error;
  auto flags = kDbFlags;
  flags.push_back("--clock");
  flags.push_back("--format");
  auto args = Args::Parse(argv, flags, kDbSwitches, error);
  if (!args) return UsageError("sla", error);
  if (args->positional().size() != 1) return UsageError("sla", "give exactly one ID");
  std::string format = args->Get("--format", "text");
  if (format != "text" && format != "json") return UsageError("sla", "--format must be text or json");
  int exit = 0;
  auto opened = OpenEngine("sla", *args, exit, Access::kRead);
  if (!opened) return exit;
  auto explained = opened->engine->ExplainSla(args->positional()[0], args->Get("--clock"));
  if (!explained.ok()) return Fail("sla", explained.status());
  if (format == "json") {
    PrintJson(*explained);
    return kOk;
  }
  // Each clock: its name, then its explanation's lines, indented.
  auto clocks = nlohmann::json::parse(*explained, nullptr, false);
  if (!clocks.is_object()) return Fail("sla", Internal("the explanation is not a JSON object"));
  bool first = true;
  for (const auto& [name, clock] : clocks.items()) {
    std::cout << (first ? "" : "\n") << "sla " << name << "\n";
    first = false;
    std::string text = clock.value("explanation", "");
    size_t at = 0;
    while (at < text.size()) {
      size_t end = text.find('\n', at);
      if (end == std::string::npos) end = text.size();
      std::cout << "  " << text.substr(at, end - at) << "\n";
      at = end + 1;
    }
  }
  return kOk;
}

}  // namespace

SMDL_COMMAND(kSla, "sla", "explain a record's SLA clocks", kSlaHelp, RunSla, 49);

}  // namespace smdl::cli
