#include "runtime/record.h"

#include "base/stored_json.h"
#include "base/time.h"
#include "sema/types.h"
#include "storage/db.h"

namespace smdl::runtime {

using nlohmann::json;

namespace {
json TimeJson(Timestamp t) { return FormatTimestamp(t); }
bool ReadTime(const json& doc, const char* key, Timestamp& out) {
  if (!doc.contains(key) || !doc[key].is_string()) return false;
  auto t = ParseTimestamp(doc[key].get<std::string>());
  if (!t) return false;
  out = *t;
  return true;
}
}  // namespace

json RecordState::ToJson() const {
  json timer_list = json::array();
  for (const auto& t : timers) timer_list.push_back({{"due", TimeJson(t.due)}, {"name", t.name}});
  json out = {{"id", id},
          {"type", type},
          {"state", state},
          {"version", version},
          {"definition", definition},
          {"created_at", TimeJson(created_at)},
          {"updated_at", TimeJson(updated_at)},
          {"entered_at", TimeJson(entered_at)},
          {"fields", fields},
          {"sla", sla},
          {"timers", timer_list}};
  if (!created_by.empty()) out["created_by"] = created_by;
  if (!active.empty()) out["active"] = active;
  return out;
}

StatusOr<RecordState> RecordState::FromJson(std::string_view text) {
  auto corrupt = [] { return Status(StatusCode::kCorruption, "a stored record is not readable"); };
  auto doc = StoredObject::Parse(text);
  if (!doc) return corrupt();
  RecordState r;
  auto id = doc->String("id");
  auto type = doc->String("type");
  auto state = doc->String("state");
  auto version = doc->Unsigned("version");
  auto definition = doc->Unsigned("definition");
  auto fields = doc->Json("fields");
  if (!id || !type || !state || !version || !definition || !fields) return corrupt();
  r.id = *id;
  r.type = *type;
  r.state = *state;
  r.version = *version;
  r.definition = *definition;
  r.fields = std::move(*fields);
  if (auto sla = doc->Json("sla")) r.sla = std::move(*sla);
  if (doc->Has("created_by")) {
    auto by = doc->String("created_by");
    if (!by) return corrupt();
    r.created_by = *by;
  }
  auto time = [&](const char* key, Timestamp& out) {
    auto text = doc->String(key);
    auto t = text ? ParseTimestamp(*text) : std::nullopt;
    if (t) out = *t;
    return t.has_value();
  };
  if (!time("created_at", r.created_at) || !time("updated_at", r.updated_at) || !time("entered_at", r.entered_at))
    return corrupt();
  try {
    if (auto active = doc->Json("active")) r.active = active->get<std::vector<std::string>>();
    if (auto timers = doc->Json("timers")) {
      if (!timers->is_array()) return corrupt();
      for (const auto& t : *timers) {
        TimerRef ref;
        if (!ReadTime(t, "due", ref.due)) return corrupt();
        ref.name = t.at("name").get<std::string>();
        r.timers.push_back(ref);
      }
    }
  } catch (const json::exception&) {
    return corrupt();
  }
  return r;
}

StatusOr<uint64_t> StoredVersion(std::string_view text) {
  size_t at = text.rfind("\"version\":");
  if (at == std::string_view::npos) return Status(StatusCode::kCorruption, "a stored record is not readable");
  uint64_t version = 0;
  size_t i = at + 10;
  if (i >= text.size() || text[i] < '0' || text[i] > '9') return Status(StatusCode::kCorruption, "a stored record is not readable");
  for (; i < text.size() && text[i] >= '0' && text[i] <= '9'; ++i) version = version * 10 + static_cast<uint64_t>(text[i] - '0');
  return version;
}

std::string TimerKey(const std::string& record_id, const TimerRef& timer) {
  // Seconds are offset so that instants before 1970 still sort first.
  std::string key = storage::EncodeU64(static_cast<uint64_t>(timer.due.seconds) ^ (uint64_t{1} << 63));
  key += storage::EncodeU64(static_cast<uint64_t>(timer.due.nanos)).substr(4);
  key += record_id;
  key += '\0';
  key += timer.name;
  return key;
}

bool DecodeTimerKey(std::string_view key, DecodedTimerKey& out) {
  if (key.size() < 13) return false;
  out.due.seconds = static_cast<int64_t>(storage::DecodeU64(key.substr(0, 8)) ^ (uint64_t{1} << 63));
  out.due.nanos = static_cast<int32_t>(storage::DecodeU64(std::string(4, '\0') + std::string(key.substr(8, 4))));
  std::string_view rest = key.substr(12);
  size_t zero = rest.find('\0');
  if (zero == std::string_view::npos) return false;
  out.record_id = std::string(rest.substr(0, zero));
  out.name = std::string(rest.substr(zero + 1));
  return true;
}

std::string TimerValue(const std::string& record_id, const TimerRef& timer) {
  return nlohmann::json{{"record", record_id}, {"name", timer.name}}.dump();
}

std::string IndexKey(const std::string& type, const std::string& state, const std::string& id) {
  return type + '\0' + state + '\0' + id;
}

bool DecodeIndexKey(std::string_view key, DecodedIndexKey& out) {
  size_t first = key.find('\0');
  size_t second = first == std::string_view::npos ? first : key.find('\0', first + 1);
  if (second == std::string_view::npos) return false;
  out.type = std::string(key.substr(0, first));
  out.state = std::string(key.substr(first + 1, second - first - 1));
  out.id = std::string(key.substr(second + 1));
  return true;
}

std::string HistoryKey(const std::string& record_id, uint64_t audit_seq) {
  return record_id + '\0' + storage::EncodeU64(audit_seq);
}

bool DecodeHistoryKey(std::string_view key, DecodedHistoryKey& out) {
  // The sequence's 8 bytes may hold zero bytes too: they are counted from the end.
  if (key.size() < 9 || key[key.size() - 9] != '\0') return false;
  out.record_id = std::string(key.substr(0, key.size() - 9));
  out.audit_seq = storage::DecodeU64(key.substr(key.size() - 8));
  return true;
}

std::string LookupValue(const RecordState& record, const std::string& field) {
  if (field == "state") return json(record.state).dump();
  auto it = record.fields.find(field);
  return it == record.fields.end() ? std::string("null") : it->dump();
}

std::string LookupPrefix(const std::string& type, const std::vector<std::string>& index,
                         const std::vector<std::string>& values) {
  std::string key = type;
  key += '\0';
  for (size_t i = 0; i < index.size(); ++i) key += (i ? "," : "") + index[i];
  key += '\0';
  for (const auto& v : values) {
    key += v;
    key += '\0';
  }
  return key;
}

std::string LookupKey(const RecordState& record, const std::vector<std::string>& index) {
  std::vector<std::string> values;
  for (const auto& f : index) values.push_back(LookupValue(record, f));
  return LookupPrefix(record.type, index, values) + record.id;
}

std::string QueryKey(const RecordState& record, const std::vector<std::string>& index) {
  return index.empty() ? IndexKey(record.type, record.state, record.id) : LookupKey(record, index);
}

bool InQuery(const RecordState& record, const std::string& type, const std::vector<std::string>& index,
             const std::vector<std::string>& values) {
  if (record.type != type) return false;
  for (size_t i = 0; i < values.size(); ++i)
    if (LookupValue(record, index[i]) != values[i]) return false;
  return true;
}

std::string IdOfKey(std::string_view key) {
  size_t at = key.rfind('\0');
  return std::string(at == std::string_view::npos ? key : key.substr(at + 1));
}

std::string IdCounterKey(const std::string& qualified_type) { return "ids/" + sema::ShortName(qualified_type); }

}  // namespace smdl::runtime
