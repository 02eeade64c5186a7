// smdl report: service reporting (ISO/IEC 20000-1, 6.2) over the records of
// a database: how many records are in each state, and how each SLA clock
// complied, grouped by a field (Engine::Report), printed as tables or JSON.
#include <algorithm>
#include <cstdio>
#include <iostream>
#include <limits>
#include <map>
#include <optional>
#include <sstream>

#include <nlohmann/json.hpp>

#include "base/time.h"
#include "engine_cli.h"

namespace smdl::cli {
namespace {

using nlohmann::json;

const char* const kReportHelp =
    "Usage: smdl report --db DIR [--type T] [--by FIELD] [--now TIMESTAMP]\n"
    "                   [--format text|json]\n"
    "\n"
    "A service report (ISO/IEC 20000-1, 6.2) over the records in the database,\n"
    "as they stand at --now (or the system clock):\n"
    "\n"
    "  Records by type and state: how many records of each type are in each\n"
    "  state.\n"
    "\n"
    "  SLA compliance: for each record type, each SLA clock and each value of\n"
    "  FIELD (with --by; without it, one group 'all'), how many of the clocks\n"
    "  that have started are\n"
    "    met       stopped within their target\n"
    "    breached  stopped after their target\n"
    "    running   not stopped and still within their target (paused ones too)\n"
    "    overdue   not stopped and already past their target\n"
    "  and the percentage met of those completed: met / (met + breached).\n"
    "  Clocks that never started (a major incident review on an incident that\n"
    "  is not major) are left out; so is a row with nothing to count.\n"
    "\n"
    "FIELD is a field of the records (an enum such as priority, a string, a\n"
    "number or a boolean), or 'state'. Records without that field, or with it\n"
    "null, are grouped under '-' (null in JSON). Every record of the chosen\n"
    "type (of every type without --type) is read once.\n"
    "\n"
    "Options:\n"
    "  --type T            only records of type T (short or qualified name)\n"
    "  --by FIELD          group SLA compliance by this field\n"
    "  --format F          text (default): aligned tables; json: one object\n"
    "                      with \"records\" and \"sla\" (see docs/runtime.md)\n"
    SMDL_DB_OPTIONS_HELP
    "\n"
    "Exit status: 0 success, 1 nothing deployed (with --type), 2 usage or I/O\n"
    "problems.\n";

std::string Percent(const json& p) {
  if (!p.is_number()) return "-";
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.1f%%", p.get<double>());
  return buf;
}

// Prints rows as columns: text columns left-aligned, the rest right-aligned.
void PrintTable(const std::vector<std::vector<std::string>>& rows, size_t text_columns) {
  std::vector<size_t> width;
  for (const auto& row : rows)
    for (size_t i = 0; i < row.size(); ++i) {
      if (width.size() <= i) width.push_back(0);
      width[i] = std::max(width[i], row[i].size());
    }
  for (const auto& row : rows) {
    std::string line = " ";
    for (size_t i = 0; i < row.size(); ++i) {
      size_t pad = width[i] - row[i].size();
      line += " ";
      if (i < text_columns) line += row[i] + (i + 1 < row.size() ? std::string(pad, ' ') : "");
      else line += std::string(pad, ' ') + row[i];
      if (i + 1 < row.size()) line += " ";
    }
    std::cout << line << "\n";
  }
}

// The report (Engine::Report's JSON) as aligned tables.
void PrintText(const json& r) {
  std::string type = r["type"].is_string() ? r["type"].get<std::string>() : "";
  std::string by = r["by"].is_string() ? r["by"].get<std::string>() : "";
  uint64_t total = r["total"].get<uint64_t>();
  std::cout << "Service report at " << r["now"].get<std::string>() << (type.empty() ? "" : ", type " + type) << "\n\n";
  std::cout << "Records by type and state: " << total << " record" << (total == 1 ? "" : "s") << "\n";
  if (total > 0) {
    std::vector<std::vector<std::string>> rows{{"type", "state", "count"}};
    for (const auto& t : r["records"]) {
      std::string name = TerminalSafe(t["name"].get<std::string>());
      for (const auto& [state, n] : t["states"].items())
        rows.push_back({name, TerminalSafe(state), std::to_string(n.get<uint64_t>())});
      if (t["states"].size() > 1) rows.push_back({name, "(all)", std::to_string(t["total"].get<uint64_t>())});
    }
    PrintTable(rows, 2);
  }
  std::cout << "\nSLA compliance" << (by.empty() ? "" : " by " + by) << "\n";
  std::vector<std::vector<std::string>> rows{
      {"type", "clock", by.empty() ? "group" : by, "met", "breached", "running", "overdue", "met %"}};
  for (const auto& c : r["sla"]) {
    // Group values are field values: printed safely.
    rows.push_back({TerminalSafe(c["name"].get<std::string>()), TerminalSafe(c["clock"].get<std::string>()),
                    TerminalSafe(c["group"].is_string() ? c["group"].get<std::string>() : "-"),
                    std::to_string(c["met"].get<uint64_t>()), std::to_string(c["breached"].get<uint64_t>()),
                    std::to_string(c["running"].get<uint64_t>()), std::to_string(c["overdue"].get<uint64_t>()),
                    Percent(c["met_percent"])});
  }
  if (rows.size() == 1) {
    std::cout << "  no SLA clock has started\n";
    return;
  }
  PrintTable(rows, 3);
  std::cout << "\n  met: stopped within target; breached: stopped after it; running: open,\n"
               "  within target; overdue: open, past target; met % = met / (met + breached)\n";
}

int RunReport(const std::vector<std::string>& argv) {
  std::string error;
  auto flags = kDbFlags;
  flags.insert(flags.end(), {"--type", "--by", "--format"});
  auto args = Args::Parse(argv, flags, kDbSwitches, error);
  if (!args) return UsageError("report", error);
  if (!args->positional().empty()) return UsageError("report", "takes no positional arguments");
  std::string format = args->Get("--format", "text");
  if (format != "text" && format != "json") return UsageError("report", "--format must be text or json");
  if (args->Has("--by") && args->Get("--by").empty()) return UsageError("report", "--by needs a field name");
  int exit = 0;
  auto opened = OpenEngine("report", *args, exit, Access::kRead);
  if (!opened) return exit;

  auto report = opened->engine->Report(args->Get("--type"), args->Get("--by"));
  if (!report.ok()) return Fail("report", report.status());
  json doc = json::parse(*report, nullptr, false);
  if (!doc.is_object()) return Fail("report", Status(StatusCode::kInternal, "the report is not a JSON object"));
  if (format == "json") std::cout << doc.dump(2) << "\n";
  else PrintText(doc);
  return kOk;
}

}  // namespace

SMDL_COMMAND(kReport, "report", "service report: records by state, SLA compliance", kReportHelp, RunReport, 55);

}  // namespace smdl::cli
