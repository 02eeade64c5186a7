#include "runtime/record_value.h"

#include <optional>

#include "base/time.h"
#include "vm/json.h"

namespace smdl::runtime {

using nlohmann::json;

namespace {

vm::Value ClockValue(const json& clock) {
  std::vector<std::pair<vm::Value, vm::Value>> c;
  for (const char* key : {"due", "breached_at", "started_at"})
    if (clock.contains(key) && clock[key].is_string())
      if (auto t = ParseTimestamp(clock[key].get<std::string>())) c.emplace_back(vm::Value::String(key), vm::Value::Timestamp(*t));
  for (const char* key : {"elapsed", "remaining", "target"})
    if (clock.contains(key) && clock[key].is_string())
      if (auto d = ParseDuration(clock[key].get<std::string>())) c.emplace_back(vm::Value::String(key), vm::Value::Duration(*d));
  for (const char* flag : {"breached", "paused", "running", "stopped"})
    c.emplace_back(vm::Value::String(flag), vm::Value::Bool(clock.value(flag, false)));
  c.emplace_back(vm::Value::String("warned"), vm::Value::Bool(!clock.value("warned", json::array()).empty()));
  return vm::Value::Map(std::move(c));
}

vm::Value Build(const sema::Program& program, const sema::RecordInfo& info, const json& fields, const std::string& id,
                const std::string& state, const json& active, const std::string& created_by,
                std::optional<Timestamp> created_at, const json& sla) {
  std::vector<std::pair<vm::Value, vm::Value>> entries;
  entries.reserve(info.fields.size() + 4);
  for (const auto& f : info.fields) {
    vm::Value v = f.type.is(sema::TypeKind::kOptional) ? vm::Value::OptionalNone() : vm::Value::Null();
    auto given = fields.find(f.name);
    if (given != fields.end()) {
      auto decoded = vm::FromPlainJson(*given, f.type, &program);
      v = decoded.ok() ? *decoded : vm::Value::Error("field '" + f.name + "': " + decoded.status().message());
    }
    entries.emplace_back(vm::Value::String(f.name), std::move(v));
  }
  entries.emplace_back(vm::Value::String("id"), vm::Value::String(id));
  entries.emplace_back(vm::Value::String("state"), vm::Value::String(state));
  // The leaves of its regions, for within(); not a field a process can name.
  if (active.is_array() && !active.empty()) {
    std::vector<vm::Value> leaves;
    for (const auto& leaf : active)
      if (leaf.is_string()) leaves.push_back(vm::Value::String(leaf.get<std::string>()));
    entries.emplace_back(vm::Value::String("active"), vm::Value::List(std::move(leaves)));
  }
  entries.emplace_back(vm::Value::String("created_by"), vm::Value::String(created_by));
  if (created_at) entries.emplace_back(vm::Value::String("created_at"), vm::Value::Timestamp(*created_at));
  std::vector<std::pair<vm::Value, vm::Value>> clocks;
  if (sla.is_object())
    for (const auto& [name, clock] : sla.items()) clocks.emplace_back(vm::Value::String(name), ClockValue(clock));
  entries.emplace_back(vm::Value::String("sla"), vm::Value::Map(std::move(clocks)));
  return vm::Value::Map(std::move(entries));
}

}  // namespace

std::string RefIdOf(const vm::Value& ref) {
  if (ref.is(vm::ValueKind::kRef)) return ref.ref_id();
  if (ref.is(vm::ValueKind::kString)) return ref.string_value();
  return "";
}

vm::Value RecordValue(const sema::Program& program, const sema::RecordInfo& info, const json& view) {
  static const json kNone = json::object();
  auto fields = view.find("fields");
  auto sla = view.find("sla");
  auto active = view.find("active");
  auto created_at = view.find("created_at");
  std::optional<Timestamp> created;
  if (created_at != view.end() && created_at->is_string()) created = ParseTimestamp(created_at->get<std::string>());
  return Build(program, info, fields == view.end() ? kNone : *fields, view.value("id", ""), view.value("state", ""),
               active == view.end() ? kNone : *active, view.value("created_by", ""), created,
               sla == view.end() ? kNone : *sla);
}

vm::Value RecordValue(const sema::Program& program, const sema::RecordInfo& info, const RecordState& record,
                      const json& sla_view) {
  return Build(program, info, record.fields, record.id, record.state, record.active.empty() ? json() : json(record.active),
               record.created_by, record.created_at, sla_view);
}

}  // namespace smdl::runtime
