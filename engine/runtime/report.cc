// Engine::Report: service reporting (ISO/IEC 20000-1, 6.2) over the records
// as Engine::List shows them: how many records of each type are in each
// state, and how each SLA clock complied, grouped by a field.
#include <algorithm>
#include <limits>
#include <map>
#include <optional>

#include <nlohmann/json.hpp>

#include "base/time.h"
#include "ir/machine.h"
#include "runtime/engine_impl.h"
#include "sema/types.h"

namespace smdl {
namespace {

using nlohmann::json;

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

}  // namespace

StatusOr<std::string> Engine::Report(const std::string& type, const std::string& by) const {
  // Grouping by a field no record has is a typo, never a report of one
  // empty group: the field must belong to the type asked for, or to some type.
  if (!by.empty() && by != "state" && impl_->definitions->current_version() != 0) {
    auto def = impl_->definitions->Get();
    if (!def.ok()) return def.status();
    auto found = (*def)->image->MachinesFor(type);
    if (!found.ok()) return found.status();
    const std::vector<const ir::Machine*>& machines = *found;
    bool known = std::any_of(machines.begin(), machines.end(),
                             [&](const ir::Machine* m) { return m->record().Find(by) != nullptr; });
    if (!known) {
      std::string fields;
      if (!type.empty())
        for (const auto& f : machines.front()->record().fields) fields += (fields.empty() ? "" : ", ") + f.name;
      return InvalidArgument("no field '" + by + "' to group by" +
                             (type.empty() ? std::string(" in any record type")
                                           : " in " + sema::ShortName(machines.front()->record_type()) + " (its fields: " + fields + ", and state)"));
    }
  }
  ListQuery query;
  query.type = type;
  query.limit = std::numeric_limits<size_t>::max();
  auto listed = List(query);
  if (!listed.ok()) return listed.status();
  json records = json::parse(*listed, nullptr, false);
  if (!records.is_array()) return Internal("the record list is not a JSON array");
  std::map<std::string, std::map<std::string, uint64_t>> states;
  std::map<SlaKey, Compliance> sla;
  uint64_t total = 0;
  for (const auto& record : records) {
    std::string t = record.value("type", "");
    states[t][record.value("state", "")] += 1;
    ++total;
    auto clocks = record.find("sla");
    if (clocks == record.end() || !clocks->is_object()) continue;
    std::optional<std::string> group = GroupValue(record, by);
    for (const auto& [clock, view] : clocks->items()) {
      if (!view.is_object()) continue;
      Compliance& c = sla[SlaKey{t, clock, group}];
      std::string state = view.value("state", "");
      bool breached = view.value("breached", false);
      if (state == "stopped") (breached ? c.breached : c.met) += 1;
      else if (state == "running" || state == "paused") (breached ? c.overdue : c.running) += 1;
      else c.not_started += 1;
    }
  }
  json by_type = json::array();
  for (const auto& [t, counts] : states) {
    uint64_t sum = 0;
    json by_state = json::object();
    for (const auto& [state, n] : counts) {
      by_state[state] = n;
      sum += n;
    }
    by_type.push_back({{"type", t}, {"name", sema::ShortName(t)}, {"total", sum}, {"states", by_state}});
  }
  json clocks = json::array();
  for (const auto& [key, c] : sla) {
    if (c.counted() == 0) continue;
    json percent = c.met + c.breached == 0
                       ? json()
                       : json(100.0 * static_cast<double>(c.met) / static_cast<double>(c.met + c.breached));
    clocks.push_back({{"type", key.type},
                      {"name", sema::ShortName(key.type)},
                      {"clock", key.clock},
                      {"group", key.group ? json(*key.group) : json()},
                      {"met", c.met},
                      {"breached", c.breached},
                      {"running", c.running},
                      {"overdue", c.overdue},
                      {"not_started", c.not_started},
                      {"completed", c.met + c.breached},
                      {"met_percent", percent}});
  }
  return json{{"now", FormatTimestamp(impl_->clock->Now())},
              {"type", type.empty() ? json() : json(type)},
              {"by", by.empty() ? json() : json(by)},
              {"total", total},
              {"records", by_type},
              {"sla", clocks}}
      .dump();
}

}  // namespace smdl
