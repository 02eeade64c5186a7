// smdl report: service reporting (ISO/IEC 20000-1, 6.2) over the records of
// a database: how many records are in each state, and how each SLA clock
// complied, grouped by a field. Built on Engine::List only.
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

// The short name of a qualified type: iso20000.incident.Incident -> Incident.
std::string ShortType(const std::string& type) {
  size_t dot = type.rfind('.');
  return dot == std::string::npos ? type : type.substr(dot + 1);
}

// A grouping value as text; nullopt for a missing or null value.
std::optional<std::string> GroupValue(const json& record, const std::string& by) {
  if (by.empty()) return std::string("all");
  const json* v = nullptr;
  const json& fields = record.value("fields", json::object());
  if (fields.is_object() && fields.contains(by)) v = &fields[by];
  else if (by == "state" && record.contains("state")) v = &record["state"];
  if (!v || v->is_null()) return std::nullopt;
  if (v->is_string()) return v->get<std::string>();
  return v->dump();
}

struct Compliance {
  uint64_t met = 0, breached = 0, running = 0, overdue = 0, not_started = 0;
  uint64_t counted() const { return met + breached + running + overdue; }
  std::optional<double> met_percent() const {
    if (met + breached == 0) return std::nullopt;
    return 100.0 * static_cast<double>(met) / static_cast<double>(met + breached);
  }
};

// Keys sort by type, clock, then group; a missing group sorts last.
struct SlaKey {
  std::string type, clock;
  std::optional<std::string> group;
  bool operator<(const SlaKey& o) const {
    if (type != o.type) return type < o.type;
    if (clock != o.clock) return clock < o.clock;
    if (group.has_value() != o.group.has_value()) return group.has_value();
    return group < o.group;
  }
};

struct Report {
  std::string now;
  std::string type, by;
  std::map<std::string, std::map<std::string, uint64_t>> states;  // type -> state -> count
  uint64_t total = 0;
  std::map<SlaKey, Compliance> sla;
};

// Adds one record (as Engine::List shows it) to the report.
void Count(Report& report, const json& record) {
  std::string type = record.value("type", "");
  report.states[type][record.value("state", "")] += 1;
  report.total += 1;
  auto clocks = record.find("sla");
  if (clocks == record.end() || !clocks->is_object()) return;
  std::optional<std::string> group = GroupValue(record, report.by);
  for (const auto& [clock, view] : clocks->items()) {
    if (!view.is_object()) continue;
    Compliance& c = report.sla[SlaKey{type, clock, group}];
    std::string state = view.value("state", "");
    bool breached = view.value("breached", false);
    if (state == "stopped") (breached ? c.breached : c.met) += 1;
    else if (state == "running" || state == "paused") (breached ? c.overdue : c.running) += 1;
    else c.not_started += 1;
  }
}

std::string Percent(std::optional<double> p) {
  if (!p) return "-";
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.1f%%", *p);
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

void PrintText(const Report& r) {
  std::cout << "Service report at " << r.now << (r.type.empty() ? "" : ", type " + r.type) << "\n\n";
  std::cout << "Records by type and state: " << r.total << " record" << (r.total == 1 ? "" : "s") << "\n";
  if (r.total > 0) {
    std::vector<std::vector<std::string>> rows{{"type", "state", "count"}};
    for (const auto& [type, states] : r.states) {
      uint64_t sum = 0;
      for (const auto& [state, n] : states) {
        rows.push_back({TerminalSafe(ShortType(type)), TerminalSafe(state), std::to_string(n)});
        sum += n;
      }
      if (states.size() > 1) rows.push_back({TerminalSafe(ShortType(type)), "(all)", std::to_string(sum)});
    }
    PrintTable(rows, 2);
  }
  std::cout << "\nSLA compliance" << (r.by.empty() ? "" : " by " + r.by) << "\n";
  std::vector<std::vector<std::string>> rows{
      {"type", "clock", r.by.empty() ? "group" : r.by, "met", "breached", "running", "overdue", "met %"}};
  for (const auto& [key, c] : r.sla) {
    if (c.counted() == 0) continue;
    // Group values are field values: printed safely.
    rows.push_back({TerminalSafe(ShortType(key.type)), TerminalSafe(key.clock), TerminalSafe(key.group.value_or("-")),
                    std::to_string(c.met),
                    std::to_string(c.breached), std::to_string(c.running), std::to_string(c.overdue),
                    Percent(c.met_percent())});
  }
  if (rows.size() == 1) {
    std::cout << "  no SLA clock has started\n";
    return;
  }
  PrintTable(rows, 3);
  std::cout << "\n  met: stopped within target; breached: stopped after it; running: open,\n"
               "  within target; overdue: open, past target; met % = met / (met + breached)\n";
}

void PrintJsonReport(const Report& r) {
  json records = json::array();
  for (const auto& [type, states] : r.states) {
    uint64_t sum = 0;
    json by_state = json::object();
    for (const auto& [state, n] : states) {
      by_state[state] = n;
      sum += n;
    }
    records.push_back({{"type", type}, {"name", ShortType(type)}, {"total", sum}, {"states", by_state}});
  }
  json sla = json::array();
  for (const auto& [key, c] : r.sla) {
    if (c.counted() == 0) continue;
    auto p = c.met_percent();
    sla.push_back({{"type", key.type},
                   {"name", ShortType(key.type)},
                   {"clock", key.clock},
                   {"group", key.group ? json(*key.group) : json()},
                   {"met", c.met},
                   {"breached", c.breached},
                   {"running", c.running},
                   {"overdue", c.overdue},
                   {"not_started", c.not_started},
                   {"completed", c.met + c.breached},
                   {"met_percent", p ? json(*p) : json()}});
  }
  json out = {{"now", r.now},
              {"type", r.type.empty() ? json() : json(r.type)},
              {"by", r.by.empty() ? json() : json(r.by)},
              {"total", r.total},
              {"records", records},
              {"sla", sla}};
  std::cout << out.dump(2) << "\n";
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

  Report report;
  report.type = args->Get("--type");
  report.by = args->Get("--by");
  report.now = FormatTimestamp(opened->clock ? opened->clock->Now() : SystemClock().Now());
  ListQuery query{report.type, "", std::numeric_limits<size_t>::max(), "", ""};
  auto listed = opened->engine->List(query);
  if (!listed.ok()) return Fail("report", listed.status());
  json records = json::parse(*listed, nullptr, false);
  if (!records.is_array()) return Fail("report", Status(StatusCode::kInternal, "the record list is not a JSON array"));
  for (const auto& record : records) Count(report, record);

  if (format == "json") PrintJsonReport(report);
  else PrintText(report);
  return kOk;
}

}  // namespace

SMDL_COMMAND(kReport, "report", "service report: records by state, SLA compliance", kReportHelp, RunReport, 55);

}  // namespace smdl::cli
