#include "vm/value.h"

#include <cassert>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <memory>
#include <mutex>
#include <unordered_map>
#include <unordered_set>

namespace smdl::vm {
namespace detail {
namespace {

struct TextObject : HeapObject {
  std::string text;
  TextObject(ValueKind k, std::string t) : HeapObject(k), text(std::move(t)) {}
};
struct ListObject : HeapObject {
  std::vector<Value> items;
  explicit ListObject(std::vector<Value> i) : HeapObject(ValueKind::kList), items(std::move(i)) {}
};
struct MapObject : HeapObject {
  MapData data;
  MapObject() : HeapObject(ValueKind::kMap) {}
};
struct RefObject : HeapObject {
  std::string type, id;
  RefObject(std::string t, std::string i) : HeapObject(ValueKind::kRef), type(std::move(t)), id(std::move(i)) {}
};
struct OptionalObject : HeapObject {
  Value inner;
  explicit OptionalObject(Value v) : HeapObject(ValueKind::kOptional), inner(std::move(v)) {}
};

}  // namespace

void Release(HeapObject* h) {
  if (h->refs.fetch_sub(1, std::memory_order_acq_rel) != 1) return;
  switch (h->kind) {
    case ValueKind::kString:
    case ValueKind::kBytes:
    case ValueKind::kError: delete static_cast<TextObject*>(h); break;
    case ValueKind::kList: delete static_cast<ListObject*>(h); break;
    case ValueKind::kMap: delete static_cast<MapObject*>(h); break;
    case ValueKind::kRef: delete static_cast<RefObject*>(h); break;
    case ValueKind::kOptional: delete static_cast<OptionalObject*>(h); break;
    default: assert(false);
  }
}

}  // namespace detail

using detail::ListObject;
using detail::MapObject;
using detail::OptionalObject;
using detail::RefObject;
using detail::TextObject;

const char* ValueKindName(ValueKind kind) {
  switch (kind) {
    case ValueKind::kNull: return "null_type";
    case ValueKind::kBool: return "bool";
    case ValueKind::kInt: return "int";
    case ValueKind::kUint: return "uint";
    case ValueKind::kDouble: return "double";
    case ValueKind::kTimestamp: return "google.protobuf.Timestamp";
    case ValueKind::kDuration: return "google.protobuf.Duration";
    case ValueKind::kEnum: return "enum";
    case ValueKind::kType: return "type";
    case ValueKind::kString: return "string";
    case ValueKind::kBytes: return "bytes";
    case ValueKind::kList: return "list";
    case ValueKind::kMap: return "map";
    case ValueKind::kRef: return "ref";
    case ValueKind::kOptional: return "optional_type";
    case ValueKind::kError: return "error";
  }
  return "?";
}

int EnumType::IndexOf(std::string_view value) const {
  for (size_t i = 0; i < values.size(); ++i)
    if (values[i] == value) return static_cast<int>(i);
  return -1;
}

namespace {
std::mutex& InternMutex() {
  static std::mutex m;
  return m;
}
}  // namespace

const EnumType* InternEnum(const std::string& qualified, const std::vector<std::string>& values) {
  static auto* table = new std::unordered_map<std::string, std::vector<std::unique_ptr<EnumType>>>();
  std::lock_guard<std::mutex> lock(InternMutex());
  auto& bucket = (*table)[qualified];
  for (const auto& e : bucket)
    if (e->values == values) return e.get();
  bucket.push_back(std::make_unique<EnumType>(EnumType{qualified, values}));
  return bucket.back().get();
}

const std::string* InternTypeName(std::string_view name) {
  static auto* table = new std::unordered_set<std::string>();
  std::lock_guard<std::mutex> lock(InternMutex());
  return &*table->emplace(name).first;
}

Value Value::TimestampChecked(smdl::Timestamp t) {
  if (t.seconds < kMinTimestampSeconds || t.seconds > kMaxTimestampSeconds) return Error("timestamp out of range");
  return Timestamp(t);
}

Value Value::DurationChecked(smdl::Duration d) {
  if (d.seconds < -kMaxDurationSeconds || d.seconds > kMaxDurationSeconds) return Error("duration out of range");
  return Duration(d);
}

Value Value::String(std::string s) { return FromHeap(ValueKind::kString, new TextObject(ValueKind::kString, std::move(s))); }
Value Value::Bytes(std::string s) { return FromHeap(ValueKind::kBytes, new TextObject(ValueKind::kBytes, std::move(s))); }
Value Value::Error(std::string s) { return FromHeap(ValueKind::kError, new TextObject(ValueKind::kError, std::move(s))); }
Value Value::List(std::vector<Value> items) { return FromHeap(ValueKind::kList, new ListObject(std::move(items))); }
Value Value::Ref(std::string type, std::string id) {
  return FromHeap(ValueKind::kRef, new RefObject(std::move(type), std::move(id)));
}
Value Value::OptionalOf(Value inner) { return FromHeap(ValueKind::kOptional, new OptionalObject(std::move(inner))); }

Value Value::Map(std::vector<std::pair<Value, Value>> entries) {
  auto* m = new MapObject();
  Value result = FromHeap(ValueKind::kMap, m);
  m->data.entries_.reserve(entries.size());
  for (auto& [k, v] : entries) {
    if (k.is_error()) return k;
    if (v.is_error()) return v;
    if (m->data.Find(k) != nullptr) return Error("Failed with repeated key: " + k.DebugString());
    m->data.entries_.emplace_back(std::move(k), std::move(v));
    if (m->data.entries_.size() == 9 || (m->data.entries_.size() > 9 && m->data.entries_.size() * 2 > m->data.index_.size()))
      m->data.BuildIndex();
    else if (!m->data.index_.empty()) {
      // Insert the new entry into the existing index.
      size_t mask = m->data.index_.size() - 1;
      size_t i = m->data.entries_.back().first.Hash() & mask;
      while (m->data.index_[i] != 0) i = (i + 1) & mask;
      m->data.index_[i] = static_cast<uint32_t>(m->data.entries_.size());
    }
  }
  return result;
}

void MapData::BuildIndex() {
  size_t cap = 16;
  while (cap < entries_.size() * 4) cap *= 2;
  index_.assign(cap, 0);
  size_t mask = cap - 1;
  for (size_t e = 0; e < entries_.size(); ++e) {
    size_t i = entries_[e].first.Hash() & mask;
    while (index_[i] != 0) i = (i + 1) & mask;
    index_[i] = static_cast<uint32_t>(e + 1);
  }
}

const Value* MapData::Find(const Value& key) const {
  if (index_.empty()) {
    for (const auto& [k, v] : entries_)
      if (k == key) return &v;
    return nullptr;
  }
  size_t mask = index_.size() - 1;
  for (size_t i = key.Hash() & mask; index_[i] != 0; i = (i + 1) & mask) {
    const auto& entry = entries_[index_[i] - 1];
    if (entry.first == key) return &entry.second;
  }
  return nullptr;
}

const Value* MapData::FindString(std::string_view key) const {
  if (index_.empty()) {
    for (const auto& [k, v] : entries_)
      if (k.kind() == ValueKind::kString && k.string_value() == key) return &v;
    return nullptr;
  }
  size_t mask = index_.size() - 1;
  for (size_t i = std::hash<std::string_view>()(key) & mask; index_[i] != 0; i = (i + 1) & mask) {
    const auto& entry = entries_[index_[i] - 1];
    if (entry.first.kind() == ValueKind::kString && entry.first.string_value() == key) return &entry.second;
  }
  return nullptr;
}

const std::string& Value::string_value() const {
  assert(kind() == ValueKind::kString || kind() == ValueKind::kBytes || kind() == ValueKind::kError);
  return static_cast<const TextObject*>(bits_.h)->text;
}
const std::vector<Value>& Value::list() const {
  assert(kind() == ValueKind::kList);
  return static_cast<const ListObject*>(bits_.h)->items;
}
std::vector<Value>& Value::MutableListForBuild() {
  assert(kind() == ValueKind::kList && bits_.h->refs.load() == 1);
  return static_cast<ListObject*>(bits_.h)->items;
}
const MapData& Value::map() const {
  assert(kind() == ValueKind::kMap);
  return static_cast<const MapObject*>(bits_.h)->data;
}
const std::string& Value::ref_type() const { return static_cast<const RefObject*>(bits_.h)->type; }
const std::string& Value::ref_id() const { return static_cast<const RefObject*>(bits_.h)->id; }
const Value& Value::optional_value() const { return static_cast<const OptionalObject*>(bits_.h)->inner; }

uint64_t DeepSizeOfHeapValue(const Value& v, uint64_t limit) {
  if (v.is(ValueKind::kString) || v.is(ValueKind::kBytes)) return v.string_value().size();
  // An explicit stack of the lists, maps and optionals still to count, so
  // that deeply nested values cannot exhaust the native stack.
  uint64_t total = 0;
  std::vector<const Value*> pending{&v};
  auto add = [&](const Value& item) {
    switch (item.kind()) {
      case ValueKind::kString:
      case ValueKind::kBytes: total += item.string_value().size(); break;
      case ValueKind::kRef: total += item.ref_type().size() + item.ref_id().size(); break;
      case ValueKind::kList:
      case ValueKind::kMap: pending.push_back(&item); break;
      case ValueKind::kOptional:
        if (item.has_value()) pending.push_back(&item.optional_value());
        break;
      default: break;  // scalars, errors
    }
  };
  while (!pending.empty() && total <= limit) {
    const Value& x = *pending.back();
    pending.pop_back();
    if (x.is(ValueKind::kList)) {
      total += x.list().size();
      for (const Value& item : x.list()) {
        if (total > limit) break;
        add(item);
      }
    } else if (x.is(ValueKind::kMap)) {
      total += x.map().size();
      for (const auto& [key, value] : x.map().entries()) {
        if (total > limit) break;
        add(key);
        add(value);
      }
    } else {
      add(x);
    }
  }
  return total;
}

namespace {

// Numbers compare across kinds. Returns -1/0/1, or 2 when unordered (NaN).
int CompareNumbers(const Value& a, const Value& b) {
  auto cmp = [](auto x, auto y) { return x < y ? -1 : (y < x ? 1 : 0); };
  ValueKind ka = a.kind(), kb = b.kind();
  if (ka == kb) {
    if (ka == ValueKind::kInt) return cmp(a.int_value(), b.int_value());
    if (ka == ValueKind::kUint) return cmp(a.uint_value(), b.uint_value());
    double x = a.double_value(), y = b.double_value();
    if (std::isnan(x) || std::isnan(y)) return 2;
    return cmp(x, y);
  }
  if (ka == ValueKind::kInt && kb == ValueKind::kUint) {
    if (a.int_value() < 0) return -1;
    return cmp(static_cast<uint64_t>(a.int_value()), b.uint_value());
  }
  if (ka == ValueKind::kUint && kb == ValueKind::kInt) return -CompareNumbers(b, a);
  // One side is a double: CEL compares an int or uint with a double as
  // doubles (so 9223372036854775807 == 9223372036854775808.0).
  double x = ka == ValueKind::kDouble ? a.double_value()
             : ka == ValueKind::kInt  ? static_cast<double>(a.int_value())
                                      : static_cast<double>(a.uint_value());
  double y = kb == ValueKind::kDouble ? b.double_value()
             : kb == ValueKind::kInt  ? static_cast<double>(b.int_value())
                                      : static_cast<double>(b.uint_value());
  if (std::isnan(x) || std::isnan(y)) return 2;
  return cmp(x, y);
}

bool IsNumber(ValueKind k) { return k == ValueKind::kInt || k == ValueKind::kUint || k == ValueKind::kDouble; }

}  // namespace

int Compare(const Value& a, const Value& b) {
  auto cmp = [](auto x, auto y) { return x < y ? -1 : (y < x ? 1 : 0); };
  if (IsNumber(a.kind()) && IsNumber(b.kind())) return CompareNumbers(a, b);
  if (a.kind() != b.kind()) return 2;
  switch (a.kind()) {
    case ValueKind::kBool: return cmp(a.bool_value(), b.bool_value());
    case ValueKind::kString:
    case ValueKind::kBytes: {
      int c = a.string_value().compare(b.string_value());
      return c < 0 ? -1 : (c > 0 ? 1 : 0);
    }
    case ValueKind::kTimestamp:
    case ValueKind::kDuration:
      if (a.int_value() != b.int_value()) return cmp(a.int_value(), b.int_value());
      return cmp(a.enum_index(), b.enum_index());  // nanos live in the same word
    case ValueKind::kEnum:
      if (a.enum_type() != b.enum_type()) return 2;
      return cmp(a.enum_index(), b.enum_index());
    default: return 2;
  }
}

bool Value::EqualSlow(const Value& a, const Value& b) {
  if (IsNumber(a.kind()) && IsNumber(b.kind())) return CompareNumbers(a, b) == 0;
  if (a.kind() != b.kind()) {
    // An optional equals null when absent and its value when present.
    if (a.kind() == ValueKind::kOptional) return a.has_value() ? a.optional_value() == b : b.is_null();
    if (b.kind() == ValueKind::kOptional) return b == a;
    // A reference equals a record (a test handle, a map) with the same id.
    if (a.kind() == ValueKind::kRef && b.kind() == ValueKind::kMap) {
      const Value* id = b.map().FindString("id");
      return id != nullptr && id->kind() == ValueKind::kString && id->string_value() == a.ref_id();
    }
    if (a.kind() == ValueKind::kMap && b.kind() == ValueKind::kRef) return b == a;
    return false;
  }
  switch (a.kind()) {
    case ValueKind::kNull: return true;
    case ValueKind::kBool: return a.bool_value() == b.bool_value();
    case ValueKind::kTimestamp:
    case ValueKind::kDuration: return a.int_value() == b.int_value() && a.aux() == b.aux();
    case ValueKind::kEnum: return a.enum_type() == b.enum_type() && a.enum_index() == b.enum_index();
    case ValueKind::kType: return a.type_name_interned() == b.type_name_interned();
    case ValueKind::kString:
    case ValueKind::kBytes: return a.bits_.h == b.bits_.h || a.string_value() == b.string_value();
    case ValueKind::kList: {
      const auto& x = a.list();
      const auto& y = b.list();
      if (x.size() != y.size()) return false;
      for (size_t i = 0; i < x.size(); ++i)
        if (!(x[i] == y[i])) return false;
      return true;
    }
    case ValueKind::kMap: {
      const MapData& x = a.map();
      const MapData& y = b.map();
      if (x.size() != y.size()) return false;
      for (const auto& [k, v] : x.entries()) {
        const Value* other = y.Find(k);
        if (other == nullptr || !(v == *other)) return false;
      }
      return true;
    }
    case ValueKind::kRef: return a.ref_type() == b.ref_type() && a.ref_id() == b.ref_id();
    case ValueKind::kOptional:
      if (a.has_value() != b.has_value()) return false;
      return !a.has_value() || a.optional_value() == b.optional_value();
    case ValueKind::kError: return false;
    default: return false;
  }
}

size_t Value::Hash() const {
  auto mix = [](uint64_t x) {
    x ^= x >> 33;
    x *= 0xff51afd7ed558ccdULL;
    x ^= x >> 33;
    return static_cast<size_t>(x);
  };
  switch (kind()) {
    case ValueKind::kInt: return mix(static_cast<uint64_t>(bits_.i));
    case ValueKind::kUint: return mix(bits_.u);
    case ValueKind::kDouble: {
      double d = bits_.d;
      if (d == std::trunc(d) && d >= -9223372036854775808.0 && d < 9223372036854775808.0)
        return mix(static_cast<uint64_t>(static_cast<int64_t>(d)));
      if (d == std::trunc(d) && d >= 0 && d < 18446744073709551616.0) return mix(static_cast<uint64_t>(d));
      uint64_t u;
      std::memcpy(&u, &d, sizeof u);
      return mix(u);
    }
    case ValueKind::kBool: return bits_.u ? 0x9e3779b97f4a7c15ULL : 0x1234567ULL;
    case ValueKind::kString:
    case ValueKind::kBytes: return std::hash<std::string_view>()(string_value());
    case ValueKind::kEnum: return mix(reinterpret_cast<uintptr_t>(bits_.e) + static_cast<uint64_t>(aux()));
    default: return static_cast<size_t>(kind());
  }
}

std::string FormatDouble(double d) {
  if (std::isnan(d)) return "NaN";
  if (std::isinf(d)) return d > 0 ? "Infinity" : "-Infinity";
  char buf[64];
  auto r = std::to_chars(buf, buf + sizeof buf, d);
  std::string s(buf, r.ptr);
  if (s.find_first_of(".e") == std::string::npos) s += ".0";
  return s;
}


namespace {

std::string Quote(const std::string& s, bool bytes) {
  std::string out = bytes ? "b\"" : "\"";
  for (unsigned char c : s) {
    if (c == '"' || c == '\\') { out += '\\'; out += static_cast<char>(c); }
    else if (c == '\n') out += "\\n";
    else if (c < 0x20 || c == 0x7f || (bytes && c >= 0x80)) {
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\x%02x", c);
      out += buf;
    } else out += static_cast<char>(c);
  }
  return out + "\"";
}

}  // namespace

std::string Value::DebugString() const {
  switch (kind()) {
    case ValueKind::kNull: return "null";
    case ValueKind::kBool: return bits_.u ? "true" : "false";
    case ValueKind::kInt: return std::to_string(bits_.i);
    case ValueKind::kUint: return std::to_string(bits_.u) + "u";
    case ValueKind::kDouble: return FormatDouble(bits_.d);
    case ValueKind::kTimestamp: return "timestamp(\"" + FormatTimestamp(timestamp_value()) + "\")";
    case ValueKind::kDuration: return "duration(\"" + FormatDuration(duration_value()) + "\")";
    case ValueKind::kEnum: {
      const std::string& q = bits_.e->qualified;
      size_t dot = q.rfind('.');
      return (dot == std::string::npos ? q : q.substr(dot + 1)) + "." + enum_name();
    }
    case ValueKind::kType: return type_name();
    case ValueKind::kString: return Quote(string_value(), false);
    case ValueKind::kBytes: return Quote(string_value(), true);
    case ValueKind::kList: {
      std::string s = "[";
      for (size_t i = 0; i < list().size(); ++i) s += (i ? ", " : "") + list()[i].DebugString();
      return s + "]";
    }
    case ValueKind::kMap: {
      std::string s = "{";
      bool first = true;
      for (const auto& [k, v] : map().entries()) {
        s += (first ? "" : ", ") + k.DebugString() + ": " + v.DebugString();
        first = false;
      }
      return s + "}";
    }
    case ValueKind::kRef: {
      const std::string& q = ref_type();
      size_t dot = q.rfind('.');
      return "ref(" + (dot == std::string::npos ? q : q.substr(dot + 1)) + ", " + Quote(ref_id(), false) + ")";
    }
    case ValueKind::kOptional:
      return has_value() ? "optional.of(" + optional_value().DebugString() + ")" : "optional.none()";
    case ValueKind::kError: return "error(" + Quote(string_value(), false) + ")";
  }
  return "?";
}

}  // namespace smdl::vm
