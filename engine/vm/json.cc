#include "vm/json.h"

#include <charconv>
#include <cmath>
#include <limits>

#include "base/time.h"

namespace smdl::vm {

using json = nlohmann::json;
using K = ValueKind;
using TK = sema::TypeKind;

std::string Base64Encode(std::string_view in) {
  static const char* kChars = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  size_t i = 0;
  for (; i + 2 < in.size(); i += 3) {
    uint32_t n = (uint8_t(in[i]) << 16) | (uint8_t(in[i + 1]) << 8) | uint8_t(in[i + 2]);
    out += kChars[n >> 18]; out += kChars[(n >> 12) & 63]; out += kChars[(n >> 6) & 63]; out += kChars[n & 63];
  }
  if (i + 1 == in.size()) {
    uint32_t n = uint8_t(in[i]) << 16;
    out += kChars[n >> 18]; out += kChars[(n >> 12) & 63]; out += "==";
  } else if (i + 2 == in.size()) {
    uint32_t n = (uint8_t(in[i]) << 16) | (uint8_t(in[i + 1]) << 8);
    out += kChars[n >> 18]; out += kChars[(n >> 12) & 63]; out += kChars[(n >> 6) & 63]; out += '=';
  }
  return out;
}

bool Base64Decode(std::string_view in, std::string& out) {
  auto val = [](char c) -> int {
    if (c >= 'A' && c <= 'Z') return c - 'A';
    if (c >= 'a' && c <= 'z') return c - 'a' + 26;
    if (c >= '0' && c <= '9') return c - '0' + 52;
    if (c == '+' || c == '-') return 62;
    if (c == '/' || c == '_') return 63;
    return -1;
  };
  out.clear();
  while (!in.empty() && in.back() == '=') in.remove_suffix(1);
  uint32_t acc = 0;
  int bits = 0;
  for (char c : in) {
    int v = val(c);
    if (v < 0) return false;
    acc = (acc << 6) | static_cast<uint32_t>(v);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out += static_cast<char>((acc >> bits) & 0xff);
    }
  }
  return bits < 6;
}

// ---------------------------------------------------------------- tagged

json ToTaggedJson(const Value& v) {
  switch (v.kind()) {
    case K::kNull: return {{"null", nullptr}};
    case K::kBool: return {{"bool", v.bool_value()}};
    case K::kInt: return {{"int", std::to_string(v.int_value())}};
    case K::kUint: return {{"uint", std::to_string(v.uint_value())}};
    case K::kDouble: {
      double d = v.double_value();
      if (std::isnan(d)) return {{"double", "NaN"}};
      if (std::isinf(d)) return {{"double", d > 0 ? "Infinity" : "-Infinity"}};
      return {{"double", d}};
    }
    case K::kString: return {{"string", v.string_value()}};
    case K::kBytes: return {{"bytes", Base64Encode(v.string_value())}};
    case K::kTimestamp: return {{"timestamp", FormatTimestamp(v.timestamp_value())}};
    case K::kDuration: return {{"duration", FormatDuration(v.duration_value())}};
    case K::kType: return {{"type", v.type_name()}};
    case K::kEnum: return {{"enum", {{"type", v.enum_type()->qualified}, {"value", v.enum_name()}}}};
    case K::kRef: return {{"ref", {{"type", v.ref_type()}, {"id", v.ref_id()}}}};
    case K::kOptional: return {{"optional", v.has_value() ? ToTaggedJson(v.optional_value()) : json(nullptr)}};
    case K::kError: return {{"error", v.error_message()}};
    case K::kList: {
      json items = json::array();
      for (const Value& item : v.list()) items.push_back(ToTaggedJson(item));
      return {{"list", items}};
    }
    case K::kMap: {
      json entries = json::array();
      for (const auto& [k, val] : v.map().entries()) entries.push_back(json::array({ToTaggedJson(k), ToTaggedJson(val)}));
      return {{"map", entries}};
    }
  }
  return nullptr;
}

namespace {

Status Bad(const std::string& what, const json& j) {
  std::string text = j.dump();
  if (text.size() > 80) text = text.substr(0, 77) + "...";
  return InvalidArgument(what + ": " + text);
}

template <typename T>
bool ParseInteger(const std::string& s, T& out) {
  auto r = std::from_chars(s.data(), s.data() + s.size(), out);
  return !s.empty() && r.ec == std::errc() && r.ptr == s.data() + s.size();
}

}  // namespace

StatusOr<Value> FromTaggedJson(const json& j, const EnumResolver& enums) {
  if (!j.is_object() || j.size() != 1) return Bad("a typed value is an object with one key such as \"int\"", j);
  const std::string& tag = j.begin().key();
  const json& x = j.begin().value();
  if (tag == "null") return Value::Null();
  if (tag == "bool") {
    if (!x.is_boolean()) return Bad("\"bool\" needs true or false", j);
    return Value::Bool(x.get<bool>());
  }
  if (tag == "int") {
    int64_t n;
    if (x.is_string() && ParseInteger(x.get<std::string>(), n)) return Value::Int(n);
    if (x.is_number_integer() && !(x.is_number_unsigned() && x.get<uint64_t>() > uint64_t(INT64_MAX)))
      return Value::Int(x.get<int64_t>());
    return Bad("\"int\" needs a decimal int64 string", j);
  }
  if (tag == "uint") {
    uint64_t n;
    if (x.is_string() && ParseInteger(x.get<std::string>(), n)) return Value::Uint(n);
    if (x.is_number_unsigned()) return Value::Uint(x.get<uint64_t>());
    return Bad("\"uint\" needs a decimal uint64 string", j);
  }
  if (tag == "double") {
    if (x.is_number()) return Value::Double(x.get<double>());
    if (x.is_string()) {
      std::string s = x.get<std::string>();
      if (s == "NaN") return Value::Double(std::numeric_limits<double>::quiet_NaN());
      if (s == "Infinity") return Value::Double(std::numeric_limits<double>::infinity());
      if (s == "-Infinity") return Value::Double(-std::numeric_limits<double>::infinity());
    }
    return Bad("\"double\" needs a number, \"NaN\", \"Infinity\" or \"-Infinity\"", j);
  }
  if (tag == "string") {
    if (!x.is_string()) return Bad("\"string\" needs a string", j);
    return Value::String(x.get<std::string>());
  }
  if (tag == "bytes") {
    std::string out;
    if (!x.is_string() || !Base64Decode(x.get<std::string>(), out)) return Bad("\"bytes\" needs base64 text", j);
    return Value::Bytes(std::move(out));
  }
  if (tag == "timestamp") {
    std::optional<Timestamp> t;
    if (x.is_string()) t = ParseTimestamp(x.get<std::string>());
    if (!t) return Bad("\"timestamp\" needs an RFC 3339 timestamp", j);
    Value v = Value::TimestampChecked(*t);
    if (v.is_error()) return Bad("timestamp out of range", j);
    return v;
  }
  if (tag == "duration") {
    std::optional<Duration> d;
    if (x.is_string()) d = ParseDuration(x.get<std::string>());
    if (!d) return Bad("\"duration\" needs a duration such as \"3600s\"", j);
    return Value::Duration(*d);
  }
  if (tag == "type") {
    if (!x.is_string()) return Bad("\"type\" needs a type name", j);
    return Value::Type(x.get<std::string>());
  }
  if (tag == "list") {
    if (!x.is_array()) return Bad("\"list\" needs an array", j);
    std::vector<Value> items;
    for (const json& item : x) {
      auto v = FromTaggedJson(item, enums);
      if (!v.ok()) return v.status();
      items.push_back(std::move(v).value());
    }
    return Value::List(std::move(items));
  }
  if (tag == "map") {
    if (!x.is_array()) return Bad("\"map\" needs an array of [key, value] pairs", j);
    std::vector<std::pair<Value, Value>> entries;
    for (const json& e : x) {
      if (!e.is_array() || e.size() != 2) return Bad("a map entry is a [key, value] pair", e);
      auto k = FromTaggedJson(e[0], enums);
      if (!k.ok()) return k.status();
      auto v = FromTaggedJson(e[1], enums);
      if (!v.ok()) return v.status();
      entries.emplace_back(std::move(k).value(), std::move(v).value());
    }
    Value m = Value::Map(std::move(entries));
    if (m.is_error()) return InvalidArgument(m.error_message());
    return m;
  }
  if (tag == "enum") {
    if (!x.is_object() || !x.contains("type") || !x.contains("value") || !x["type"].is_string() ||
        !x["value"].is_string())
      return Bad("\"enum\" needs {\"type\": ..., \"value\": ...}", j);
    const EnumType* type = enums ? enums(x["type"].get<std::string>()) : nullptr;
    if (type == nullptr) return Bad("unknown enum type", j);
    int index = type->IndexOf(x["value"].get<std::string>());
    if (index < 0) return Bad("the enum has no such value", j);
    return Value::Enum(type, index);
  }
  if (tag == "ref") {
    if (!x.is_object() || !x.contains("type") || !x.contains("id") || !x["type"].is_string() || !x["id"].is_string())
      return Bad("\"ref\" needs {\"type\": ..., \"id\": ...}", j);
    return Value::Ref(x["type"].get<std::string>(), x["id"].get<std::string>());
  }
  if (tag == "optional") {
    if (x.is_null()) return Value::OptionalNone();
    auto v = FromTaggedJson(x, enums);
    if (!v.ok()) return v.status();
    return Value::OptionalOf(std::move(v).value());
  }
  return Bad("unknown value tag \"" + tag + "\"", j);
}

// ---------------------------------------------------------------- plain

namespace {

StatusOr<json> NaturalJson(const Value& v) {
  switch (v.kind()) {
    case K::kNull: return json(nullptr);
    case K::kBool: return json(v.bool_value());
    case K::kInt: return json(v.int_value());
    case K::kUint: return json(v.uint_value());
    case K::kDouble:
      // JSON has no infinity or NaN (nlohmann would write null, which no
      // longer reads back as a double): an overflow is refused, not stored.
      if (!std::isfinite(v.double_value()))
        return InvalidArgument("the number " + v.DebugString() + " is not finite (an overflow or NaN) and cannot be stored");
      return json(v.double_value());
    case K::kString: return json(v.string_value());
    case K::kBytes: return json(Base64Encode(v.string_value()));
    case K::kTimestamp: return json(FormatTimestamp(v.timestamp_value()));
    case K::kDuration: return json(FormatDuration(v.duration_value()));
    case K::kEnum: return json(v.enum_name());
    case K::kRef: return json(v.ref_id());
    case K::kType: return json(v.type_name());
    case K::kOptional:
      if (!v.has_value()) return json(nullptr);
      return NaturalJson(v.optional_value());
    case K::kList: {
      json out = json::array();
      for (const Value& item : v.list()) {
        auto j = NaturalJson(item);
        if (!j.ok()) return j;
        out.push_back(std::move(j).value());
      }
      return out;
    }
    case K::kMap: {
      json out = json::object();
      for (const auto& [k, val] : v.map().entries()) {
        std::string key;
        switch (k.kind()) {
          case K::kString: key = k.string_value(); break;
          case K::kInt: key = std::to_string(k.int_value()); break;
          case K::kUint: key = std::to_string(k.uint_value()); break;
          case K::kBool: key = k.bool_value() ? "true" : "false"; break;
          case K::kEnum: key = k.enum_name(); break;
          default: return InvalidArgument("a map key of kind " + std::string(ValueKindName(k.kind())) + " has no JSON form");
        }
        auto j = NaturalJson(val);
        if (!j.ok()) return j;
        out[key] = std::move(j).value();
      }
      return out;
    }
    case K::kError: return InvalidArgument("an error value has no JSON form: " + v.error_message());
  }
  return InvalidArgument("value has no JSON form");
}

Status Mismatch(const Value& v, const sema::Type& t) {
  return InvalidArgument("value " + v.DebugString() + " does not have type " + t.ToString());
}

bool KindFits(K k, const sema::Type& t) {
  switch (t.kind) {
    case TK::kBool: return k == K::kBool;
    case TK::kInt: return k == K::kInt;
    case TK::kUint: return k == K::kUint;
    case TK::kDouble: return k == K::kDouble;
    case TK::kString: case TK::kCalendar: return k == K::kString;
    case TK::kBytes: return k == K::kBytes;
    case TK::kTimestamp: return k == K::kTimestamp;
    case TK::kDuration: return k == K::kDuration;
    case TK::kEnum: return k == K::kEnum;
    case TK::kRef: return k == K::kRef;
    case TK::kList: return k == K::kList;
    case TK::kMap: case TK::kRecord: case TK::kSlaClocks: case TK::kSlaClock: case TK::kActor: return k == K::kMap;
    case TK::kNull: return k == K::kNull;
    case TK::kType: return k == K::kType;
    default: return true;
  }
}

}  // namespace

StatusOr<json> ToPlainJson(const Value& v, const sema::Type& t) {
  if (v.is_error()) return InvalidArgument("an error value has no JSON form: " + v.error_message());
  if (t.is(TK::kOptional)) {
    if (v.is(K::kOptional)) return v.has_value() ? ToPlainJson(v.optional_value(), t.params[0]) : json(nullptr);
    if (v.is_null()) return json(nullptr);
    return ToPlainJson(v, t.params[0]);
  }
  if (!KindFits(v.kind(), t)) return Mismatch(v, t);
  if (t.is(TK::kEnum) && v.enum_type()->qualified != t.name) return Mismatch(v, t);
  if (t.is(TK::kList) && !t.params.empty()) {
    json out = json::array();
    for (const Value& item : v.list()) {
      auto j = ToPlainJson(item, t.params[0]);
      if (!j.ok()) return j;
      out.push_back(std::move(j).value());
    }
    return out;
  }
  if (t.is(TK::kMap) && t.params.size() == 2) {
    json out = json::object();
    for (const auto& [k, val] : v.map().entries()) {
      if (!KindFits(k.kind(), t.params[0])) return Mismatch(k, t.params[0]);
      auto key = NaturalJson(k);
      if (!key.ok()) return key;
      auto j = ToPlainJson(val, t.params[1]);
      if (!j.ok()) return j;
      std::string name = key->is_string() ? key->get<std::string>() : key->dump();
      out[name] = std::move(j).value();
    }
    return out;
  }
  return NaturalJson(v);
}

namespace {

const sema::RecordInfo* FindRecord(const sema::Program* program, const std::string& name) {
  if (program == nullptr) return nullptr;
  for (const auto& r : program->records)
    if (r->qualified == name) return r.get();
  return nullptr;
}

const sema::EnumInfo* FindEnum(const sema::Program* program, const std::string& name) {
  if (program == nullptr) return nullptr;
  for (const auto& e : program->enums)
    if (e->qualified == name) return e.get();
  return nullptr;
}

StatusOr<Value> FromNatural(const json& j) {
  if (j.is_null()) return Value::Null();
  if (j.is_boolean()) return Value::Bool(j.get<bool>());
  if (j.is_number_unsigned() && j.get<uint64_t>() > uint64_t(INT64_MAX)) return Value::Uint(j.get<uint64_t>());
  if (j.is_number_integer()) return Value::Int(j.get<int64_t>());
  if (j.is_number()) return Value::Double(j.get<double>());
  if (j.is_string()) return Value::String(j.get<std::string>());
  if (j.is_array()) {
    std::vector<Value> items;
    for (const json& x : j) {
      auto v = FromNatural(x);
      if (!v.ok()) return v;
      items.push_back(std::move(v).value());
    }
    return Value::List(std::move(items));
  }
  std::vector<std::pair<Value, Value>> entries;
  for (auto it = j.begin(); it != j.end(); ++it) {
    auto v = FromNatural(it.value());
    if (!v.ok()) return v;
    entries.emplace_back(Value::String(it.key()), std::move(v).value());
  }
  return Value::Map(std::move(entries));
}

// A map key written as JSON object key text.
StatusOr<Value> KeyFromText(const std::string& text, const sema::Type& t, const sema::Program* program) {
  switch (t.kind) {
    case TK::kString: return Value::String(text);
    case TK::kInt: {
      int64_t n;
      if (ParseInteger(text, n)) return Value::Int(n);
      break;
    }
    case TK::kUint: {
      uint64_t n;
      if (ParseInteger(text, n)) return Value::Uint(n);
      break;
    }
    case TK::kBool:
      if (text == "true") return Value::Bool(true);
      if (text == "false") return Value::Bool(false);
      break;
    case TK::kEnum: return FromPlainJson(json(text), t, program);
    default: return Value::String(text);
  }
  return InvalidArgument("map key \"" + text + "\" is not a " + t.ToString());
}

}  // namespace

StatusOr<Value> FromPlainJson(const json& j, const sema::Type& t, const sema::Program* program) {
  auto expect = [&](const char* what) { return Bad("expected " + std::string(what) + " for " + t.ToString(), j); };
  switch (t.kind) {
    case TK::kOptional:
      if (j.is_null()) return Value::Null();
      return FromPlainJson(j, t.params[0], program);
    case TK::kBool:
      if (!j.is_boolean()) return expect("true or false");
      return Value::Bool(j.get<bool>());
    case TK::kInt:
      if (!j.is_number_integer() || (j.is_number_unsigned() && j.get<uint64_t>() > uint64_t(INT64_MAX)))
        return expect("an integer");
      return Value::Int(j.get<int64_t>());
    case TK::kUint:
      if (!j.is_number_unsigned()) return expect("a non-negative integer");
      return Value::Uint(j.get<uint64_t>());
    case TK::kDouble:
      if (!j.is_number()) return expect("a number");
      return Value::Double(j.get<double>());
    case TK::kString:
      if (!j.is_string()) return expect("a string");
      return Value::String(j.get<std::string>());
    case TK::kCalendar: {
      // A calendar of the program, by qualified name or an unambiguous short one.
      if (!j.is_string()) return expect("the name of a calendar");
      std::string name = j.get<std::string>();
      if (program == nullptr) return Value::String(name);
      std::string found;
      int matches = 0;
      for (const auto& c : program->calendars) {
        if (c->is_override) continue;
        std::string qualified = c->module->name + "." + c->decl->name.text;
        if (qualified == name) return Value::String(qualified);
        if (c->decl->name.text == name) { found = qualified; ++matches; }
      }
      if (matches == 1) return Value::String(found);
      return InvalidArgument(matches > 1 ? "calendar '" + name + "' is ambiguous: give its qualified name"
                                         : "there is no calendar '" + name + "'");
    }
    case TK::kBytes: {
      std::string out;
      if (!j.is_string() || !Base64Decode(j.get<std::string>(), out)) return expect("base64 text");
      return Value::Bytes(std::move(out));
    }
    case TK::kTimestamp: {
      std::optional<Timestamp> ts;
      if (j.is_string()) ts = ParseTimestamp(j.get<std::string>());
      if (!ts) return expect("an RFC 3339 timestamp");
      Value v = Value::TimestampChecked(*ts);
      if (v.is_error()) return expect("a timestamp between years 1 and 9999");
      return v;
    }
    case TK::kDuration: {
      std::optional<Duration> d;
      if (j.is_string()) d = ParseDuration(j.get<std::string>());
      if (!d) return expect("a duration such as \"3600s\"");
      return Value::Duration(*d);
    }
    case TK::kEnum: {
      const sema::EnumInfo* e = FindEnum(program, t.name);
      if (e == nullptr) return InvalidArgument("unknown enum type " + t.name);
      int index = j.is_string() ? e->IndexOf(j.get<std::string>()) : -1;
      if (index < 0) {
        std::string values;
        for (const auto& v : e->values) values += (values.empty() ? "" : ", ") + v;
        return expect(("one of " + values).c_str());
      }
      return Value::Enum(InternEnum(e->qualified, e->values), index);
    }
    case TK::kRef:
      if (!j.is_string()) return expect("a record id string");
      return Value::Ref(t.name, j.get<std::string>());
    case TK::kList: {
      if (!j.is_array()) return expect("an array");
      std::vector<Value> items;
      for (const json& x : j) {
        auto v = FromPlainJson(x, t.params[0], program);
        if (!v.ok()) return v;
        items.push_back(std::move(v).value());
      }
      return Value::List(std::move(items));
    }
    case TK::kMap: {
      if (!j.is_object()) return expect("an object");
      std::vector<std::pair<Value, Value>> entries;
      for (auto it = j.begin(); it != j.end(); ++it) {
        auto k = KeyFromText(it.key(), t.params[0], program);
        if (!k.ok()) return k;
        auto v = FromPlainJson(it.value(), t.params[1], program);
        if (!v.ok()) return v;
        entries.emplace_back(std::move(k).value(), std::move(v).value());
      }
      Value m = Value::Map(std::move(entries));
      if (m.is_error()) return InvalidArgument(m.error_message());
      return m;
    }
    case TK::kRecord: {
      if (!j.is_object()) return expect("an object");
      const sema::RecordInfo* r = FindRecord(program, t.name);
      if (r == nullptr) return InvalidArgument("unknown record type " + t.name);
      std::vector<std::pair<Value, Value>> entries;
      for (auto it = j.begin(); it != j.end(); ++it) {
        const std::string& name = it.key();
        sema::Type ft = sema::Type::Dyn();
        if (name == "id" || name == "state") ft = sema::Type::String();
        else if (const sema::FieldInfo* f = r->Find(name)) ft = f->type;
        else if (name != "sla") return InvalidArgument("record " + t.name + " has no field '" + name + "'");
        auto v = FromPlainJson(it.value(), ft, program);
        if (!v.ok()) return v;
        entries.emplace_back(Value::String(name), std::move(v).value());
      }
      return Value::Map(std::move(entries));
    }
    case TK::kNull:
      if (!j.is_null()) return expect("null");
      return Value::Null();
    case TK::kType:
      if (!j.is_string()) return expect("a type name");
      return Value::Type(j.get<std::string>());
    default:
      return FromNatural(j);
  }
}

StatusOr<sema::Type> ParseTypeName(std::string_view text) {
  auto trim = [](std::string_view s) {
    while (!s.empty() && s.front() == ' ') s.remove_prefix(1);
    while (!s.empty() && s.back() == ' ') s.remove_suffix(1);
    return s;
  };
  text = trim(text);
  if (text == "int") return sema::Type::Int();
  if (text == "uint") return sema::Type::Uint();
  if (text == "double") return sema::Type::Double();
  if (text == "bool") return sema::Type::Bool();
  if (text == "string") return sema::Type::String();
  if (text == "bytes") return sema::Type::Bytes();
  if (text == "null_type") return sema::Type::Null();
  if (text == "dyn") return sema::Type::Dyn();
  if (text == "type") return sema::Type::TypeOf();
  if (text == "timestamp" || text == "google.protobuf.Timestamp") return sema::Type::Timestamp();
  if (text == "duration" || text == "google.protobuf.Duration") return sema::Type::Duration();
  auto args = [&](std::string_view inner) {
    std::vector<std::string_view> parts;
    int depth = 0;
    size_t begin = 0;
    for (size_t i = 0; i < inner.size(); ++i) {
      if (inner[i] == '(') ++depth;
      else if (inner[i] == ')') --depth;
      else if (inner[i] == ',' && depth == 0) { parts.push_back(inner.substr(begin, i - begin)); begin = i + 1; }
    }
    parts.push_back(inner.substr(begin));
    return parts;
  };
  if (text.size() > 6 && text.substr(0, 5) == "list(" && text.back() == ')') {
    auto parts = args(text.substr(5, text.size() - 6));
    if (parts.size() != 1) return InvalidArgument("list() takes one type: " + std::string(text));
    auto elem = ParseTypeName(parts[0]);
    if (!elem.ok()) return elem;
    return sema::Type::List(*elem);
  }
  if (text.size() > 5 && text.substr(0, 4) == "map(" && text.back() == ')') {
    auto parts = args(text.substr(4, text.size() - 5));
    if (parts.size() != 2) return InvalidArgument("map() takes two types: " + std::string(text));
    auto k = ParseTypeName(parts[0]);
    if (!k.ok()) return k;
    auto v = ParseTypeName(parts[1]);
    if (!v.ok()) return v;
    return sema::Type::Map(*k, *v);
  }
  return InvalidArgument("unknown type name '" + std::string(text) + "'");
}

}  // namespace smdl::vm
