// smdl history: a record's audit entries.
#include <algorithm>
#include <iostream>

#include <nlohmann/json.hpp>

#include "engine_cli.h"

namespace smdl::cli {
namespace {

const char* const kHistoryHelp =
    "Usage: smdl history --db DIR ID [--format json|text]\n"
    "       smdl history --db DIR --deploys [--format json|text]\n"
    "\n"
    "Prints the audit entries of record ID, oldest first, as a JSON array.\n"
    "Each entry has its global sequence number, time, actor, kind (create,\n"
    "event or timer), event and parameters, the states before and after (and\n"
    "every state passed through), the definition version, and the SHA-256 of\n"
    "the previous entry and of itself, which chain the whole log.\n"
    "With --deploys, the entries of every deploy instead: who deployed which\n"
    "definition version when, with each module's SHA-256 and the overrides.\n"
    "\n"
    "With --format text, one line per entry: sequence number, time, actor,\n"
    "the event (a timer's name for timers), the states from -> to (with the\n"
    "states passed through), and the parameters as compact JSON, cut after 60\n"
    "characters. The hashes are left out; JSON has everything.\n"
    "\n"
    "Options:\n"
    "  --format F          json (default) or text\n"
    "  --deploys           the deploys instead of a record's history\n"
    SMDL_DB_OPTIONS_HELP
    "\n"
    "Exit status: 0 found, 1 no such record, 2 usage or I/O problems.\n";

// One line per entry, columns aligned over the whole history.
void PrintText(const nlohmann::json& entries) {
  std::vector<std::vector<std::string>> rows;
  for (const auto& e : entries) {
    std::string kind = e.value("kind", "");
    std::string event = e.value("event", "");
    if (kind == "timer") event = "timer " + event;
    std::string from = e.value("from", "");
    std::string states = (from.empty() ? "(new)" : from);
    for (const auto& s : e.value("path", nlohmann::json::array()))
      if (s.is_string()) states += " -> " + s.get<std::string>();
    if (e.value("path", nlohmann::json::array()).empty()) states += " (stays)";
    std::string params;
    auto p = e.find("params");
    if (p != e.end() && p->is_object() && !p->empty()) {
      params = p->dump();
      if (params.size() > 60) params = params.substr(0, 57) + "...";
    }
    // Actors, states and parameters come from callers: printed safely.
    rows.push_back({std::to_string(e.value("seq", uint64_t{0})), TerminalSafe(e.value("time", "")),
                    TerminalSafe(e.value("actor", "")), TerminalSafe(event), TerminalSafe(states), TerminalSafe(params)});
  }
  std::vector<size_t> width(6, 0);
  for (const auto& r : rows)
    for (size_t i = 0; i < r.size(); ++i) width[i] = std::max(width[i], r[i].size());
  for (const auto& r : rows) {
    std::string line = std::string(width[0] - r[0].size(), ' ') + r[0];
    for (size_t i = 1; i < r.size(); ++i) line += "  " + r[i] + std::string(width[i] - r[i].size(), ' ');
    line.erase(line.find_last_not_of(' ') + 1);
    std::cout << line << "\n";
  }
}

int RunHistory(const std::vector<std::string>& argv) {
  std::string error;
  auto flags = kDbFlags;
  flags.push_back("--format");
  auto switches = kDbSwitches;
  switches.push_back("--deploys");
  auto args = Args::Parse(argv, flags, switches, error);
  if (!args) return UsageError("history", error);
  bool deploys = args->Has("--deploys");
  if (args->positional().size() != (deploys ? 0u : 1u))
    return UsageError("history", deploys ? "--deploys takes no ID" : "give exactly one ID");
  std::string format = args->Get("--format", "json");
  if (format != "json" && format != "text") return UsageError("history", "--format must be json or text");
  int exit = 0;
  auto opened = OpenEngine("history", *args, exit, Access::kRead);
  if (!opened) return exit;
  auto history = deploys ? opened->engine->Deploys() : opened->engine->History(args->positional()[0]);
  if (!history.ok()) return Fail("history", history.status());
  if (format == "json") {
    PrintJson(*history);
    return kOk;
  }
  auto entries = nlohmann::json::parse(*history, nullptr, false);
  if (!entries.is_array()) return Fail("history", Status(StatusCode::kInternal, "the history is not a JSON array"));
  PrintText(entries);
  return kOk;
}

}  // namespace

SMDL_COMMAND(kHistory, "history", "print a record's audit trail", kHistoryHelp, RunHistory, 44);

}  // namespace smdl::cli
