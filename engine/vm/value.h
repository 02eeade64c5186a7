// The run-time values of SMDL expressions: CEL's values plus enums, record
// references and optionals.
//
// A Value is 16 bytes: a kind tag, a 32-bit side word and an 8-byte payload.
// Scalars (null, bool, int, uint, double, timestamp, duration, enum values,
// type values) live entirely inside it, so that evaluating a scalar
// expression never touches the heap. Strings, bytes, lists, maps, references,
// present optionals and errors point to an immutable, reference-counted heap
// object that copies share; the count is atomic, so values may be shared
// between threads. Nothing ever mutates a heap object once another Value can
// see it.
//
// Errors are values, as in CEL: an operation on an error yields that error,
// and `Value::Error("...")` carries a message for the user.
#pragma once

#include <atomic>
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "base/time.h"

#if defined(__GNUC__)
#define SMDL_VM_INLINE inline __attribute__((always_inline))
#else
#define SMDL_VM_INLINE inline
#endif

namespace smdl::vm {

enum class ValueKind : uint8_t {
  kNull,
  kBool,
  kInt,
  kUint,
  kDouble,
  kTimestamp,
  kDuration,
  kEnum,
  kType,
  // Heap-backed kinds from here on (kOptional may also be empty: none).
  kString,
  kBytes,
  kList,
  kMap,
  kRef,
  kOptional,
  kError,
};

const char* ValueKindName(ValueKind kind);

// An enum type as the engine sees it: its qualified name and its values in
// declaration order. Interned for the life of the process (InternEnum), so a
// Value can point at it without owning it.
struct EnumType {
  std::string qualified;
  std::vector<std::string> values;
  int IndexOf(std::string_view value) const;
};

// Returns the one EnumType with this name and these values (created on first
// use, never freed). Thread-safe.
const EnumType* InternEnum(const std::string& qualified, const std::vector<std::string>& values);

// A type value's name, interned for the life of the process ("int",
// "google.protobuf.Timestamp", "iso20000.core.Priority", ...). Thread-safe.
const std::string* InternTypeName(std::string_view name);

class Value;

namespace detail {
struct HeapObject {
  std::atomic<uint32_t> refs{1};
  ValueKind kind;
  explicit HeapObject(ValueKind k) : kind(k) {}
};
void Release(HeapObject* object);
}  // namespace detail

// A map: entries in insertion order, keys unique under CEL equality
// (1, 1u and 1.0 are the same key). Lookup is linear for small maps and
// hashed for larger ones.
class MapData {
 public:
  const std::vector<std::pair<Value, Value>>& entries() const { return entries_; }
  size_t size() const;  // defined after Value, which must be complete for it
  // The value under `key`, or nullptr.
  const Value* Find(const Value& key) const;
  // The value under the string key `key`, or nullptr (no Value is built).
  const Value* FindString(std::string_view key) const;

 private:
  friend class Value;
  std::vector<std::pair<Value, Value>> entries_;
  std::vector<uint32_t> index_;  // open addressing over entries_ (+1; 0 empty); empty for small maps
  void BuildIndex();
};

class Value {
 public:
  Value() { bits_.u = 0; }
  // A copy always owns its heap object (even a copy of a borrowed value).
  Value(const Value& o) : head_(o.head_ & ~kBorrowedBit), bits_(o.bits_) { Retain(); }
  Value(Value&& o) noexcept : head_(o.head_), bits_(o.bits_) { o.head_ = 0; }
  Value& operator=(const Value& o) {
    if (this != &o) {
      o.Retain();
      Drop();
      head_ = o.head_ & ~kBorrowedBit;
      bits_ = o.bits_;
    }
    return *this;
  }
  SMDL_VM_INLINE Value& operator=(Value&& o) noexcept {
    if (this != &o) {
      Drop();
      head_ = o.head_;
      bits_ = o.bits_;
      o.head_ = 0;
    }
    return *this;
  }
  ~Value() { Drop(); }

  // A non-owning view of `v` (no reference count change), for the
  // interpreter's operand stack: it must not outlive `v`. Copying a borrowed
  // value gives an owning one; MakeOwned() turns it into one in place.
  SMDL_VM_INLINE static Value Borrow(const Value& v) {
    Value b;
    b.head_ = v.heap() ? (v.head_ | kBorrowedBit) : v.head_;
    b.bits_ = v.bits_;
    return b;
  }
  // Makes this a borrowed view of `v` without releasing what it held: only
  // for a slot known to hold no owned heap value (the interpreter's free
  // operand stack slots).
  SMDL_VM_INLINE void OverwriteWithBorrowed(const Value& v) {
    head_ = v.heap() ? (v.head_ | kBorrowedBit) : v.head_;
    bits_ = v.bits_;
  }
  void MakeOwned() {
    if (head_ & kBorrowedBit) {
      head_ &= ~kBorrowedBit;
      Retain();
    }
  }

  // ---- constructors
  static Value Null() { return Value(); }
  static Value Bool(bool b) { Value v(ValueKind::kBool); v.bits_.u = b ? 1 : 0; return v; }
  static Value Int(int64_t i) { Value v(ValueKind::kInt); v.bits_.i = i; return v; }
  static Value Uint(uint64_t u) { Value v(ValueKind::kUint); v.bits_.u = u; return v; }
  static Value Double(double d) { Value v(ValueKind::kDouble); v.bits_.d = d; return v; }
  // Timestamps must lie in CEL's range (years 1 to 9999) and durations within
  // ±10000 years; TimestampChecked/DurationChecked return an error otherwise.
  static Value Timestamp(smdl::Timestamp t) { Value v(ValueKind::kTimestamp, t.nanos); v.bits_.i = t.seconds; return v; }
  static Value Duration(smdl::Duration d) { Value v(ValueKind::kDuration, d.nanos); v.bits_.i = d.seconds; return v; }
  static Value TimestampChecked(smdl::Timestamp t);
  static Value DurationChecked(smdl::Duration d);
  static Value Enum(const EnumType* type, int index) { Value v(ValueKind::kEnum, index); v.bits_.e = type; return v; }
  // A type value; the name is interned.
  static Value Type(std::string_view name) { Value v(ValueKind::kType); v.bits_.t = InternTypeName(name); return v; }
  static Value TypeInterned(const std::string* name) { Value v(ValueKind::kType); v.bits_.t = name; return v; }
  static Value String(std::string s);
  static Value Bytes(std::string s);
  static Value List(std::vector<Value> items);
  // A map from entries; a repeated key gives an error value.
  static Value Map(std::vector<std::pair<Value, Value>> entries);
  // A reference to a record: its qualified type and its id.
  static Value Ref(std::string record_type, std::string id);
  static Value OptionalNone() { return Value(ValueKind::kOptional); }
  static Value OptionalOf(Value inner);
  static Value Error(std::string message);

  // ---- inspection
  ValueKind kind() const { return static_cast<ValueKind>(head_ & 0xff); }
  bool is(ValueKind k) const { return kind() == k; }
  bool is_error() const { return kind() == ValueKind::kError; }
  bool is_null() const { return kind() == ValueKind::kNull; }

  // Accessors; each requires the matching kind (asserted in debug builds).
  bool bool_value() const { return bits_.u != 0; }
  int64_t int_value() const { return bits_.i; }
  uint64_t uint_value() const { return bits_.u; }
  double double_value() const { return bits_.d; }
  smdl::Timestamp timestamp_value() const { return {bits_.i, aux()}; }
  smdl::Duration duration_value() const { return {bits_.i, aux()}; }
  const EnumType* enum_type() const { return bits_.e; }
  int enum_index() const { return aux(); }
  int32_t aux() const { return static_cast<int32_t>(head_ >> 32); }
  const std::string& enum_name() const { return bits_.e->values[static_cast<size_t>(aux())]; }
  const std::string& type_name() const { return *bits_.t; }
  const std::string* type_name_interned() const { return bits_.t; }
  // kString, kBytes: the text; kError: the message.
  const std::string& string_value() const;
  const std::string& error_message() const { return string_value(); }
  const std::vector<Value>& list() const;
  const MapData& map() const;
  const std::string& ref_type() const;
  const std::string& ref_id() const;
  bool has_value() const { return bits_.h != nullptr; }  // kOptional: present?
  const Value& optional_value() const;                   // kOptional, present

  // Mutable access for a builder that holds the only reference (the
  // interpreter building a list); asserts uniqueness in debug builds.
  std::vector<Value>& MutableListForBuild();
  // Whether this is the only reference to its heap object.
  bool IsUnique() const { return heap() && bits_.h && !(head_ & kBorrowedBit) && bits_.h->refs.load(std::memory_order_acquire) == 1; }

  // CEL equality (numbers compare across int, uint and double; NaN is not
  // equal to itself; values of different kinds are not equal). Errors are
  // never equal; callers propagate errors before comparing.
  friend bool operator==(const Value& a, const Value& b) {
    // Fast path: two values of one inline kind other than double compare
    // by their bits (null, bool, int, uint, timestamp, duration, enum, type).
    ValueKind k = a.kind();
    if (k == b.kind() && k < ValueKind::kString && k != ValueKind::kDouble)
      return a.bits_.u == b.bits_.u && a.aux() == b.aux();
    return EqualSlow(a, b);
  }
  friend bool operator!=(const Value& a, const Value& b) { return !(a == b); }
  static bool EqualSlow(const Value& a, const Value& b);

  // A hash consistent with ==, for map keys (int, uint, bool, string, enum).
  size_t Hash() const;

  // A readable rendering for tests and logs: 5, 5u, 1.5, "text", b"\x00",
  // [1, 2], {"a": 1}, timestamp("2026-01-01T00:00:00Z"), duration("3600s"),
  // Priority.p1, ref(Incident, "INC-1"), optional.of(1), optional.none(),
  // int (a type), error("...").
  std::string DebugString() const;

 private:
  // The header word: kind in bits 0-7, the borrowed flag in bit 8, the side
  // word (nanos, enum index) in bits 32-63. One 8-byte word, so that copies
  // are two plain 8-byte moves.
  static constexpr uint64_t kBorrowedBit = uint64_t{1} << 8;
  explicit Value(ValueKind k, int32_t aux = 0)
      : head_(static_cast<uint64_t>(k) | (static_cast<uint64_t>(static_cast<uint32_t>(aux)) << 32)) {
    bits_.h = nullptr;
  }
  bool heap() const { return kind() >= ValueKind::kString; }
  void Retain() const {
    if (heap() && bits_.h) bits_.h->refs.fetch_add(1, std::memory_order_relaxed);
  }
  SMDL_VM_INLINE void Drop() {
    if (heap() && bits_.h && !(head_ & kBorrowedBit)) detail::Release(bits_.h);
  }
  static Value FromHeap(ValueKind k, detail::HeapObject* h) { Value v(k); v.bits_.h = h; return v; }

  uint64_t head_ = 0;  // ValueKind::kNull is 0
  union Bits {
    int64_t i;
    uint64_t u;
    double d;
    const EnumType* e;
    const std::string* t;
    detail::HeapObject* h;
  } bits_;
};

inline size_t MapData::size() const { return entries_.size(); }

static_assert(sizeof(Value) == 16, "Value must stay small");

// Orders two values of the same orderable kind (numbers across kinds, strings,
// bytes, bools, timestamps, durations, enums of one type). Returns -1, 0 or 1,
// or 2 when the values are not ordered (NaN, different kinds, lists, ...).
int Compare(const Value& a, const Value& b);

// How much a value amounts to once written out in full, as a record's JSON
// or a printed result expands it: list elements, map entries and the
// characters of strings, bytes and references, over the whole nesting. A
// sub-value shared by several lists or maps counts every time it appears, so
// [x, x] counts x twice although it is stored once. Scalars count 0 (as
// elements or entries they are counted by their container). Counting stops as
// soon as the total exceeds `limit`, and the result is then some number
// greater than `limit`: the cost is bounded by `limit`, not by the expansion.
// The evaluation budget (vm::Budget) charges it for every value added to a
// list or map being built, so scalars take the inline path.
uint64_t DeepSizeOfHeapValue(const Value& v, uint64_t limit);  // strings, lists, maps, ...
inline uint64_t DeepSize(const Value& v, uint64_t limit) {
  return v.kind() < ValueKind::kString ? 0 : DeepSizeOfHeapValue(v, limit);
}

// Timestamps and durations are written by smdl::FormatTimestamp and
// smdl::FormatDuration (base/time.h).
// The shortest text that reads back as the same double, always with a
// fraction or an exponent ("1.0", "1e+100"); "NaN", "Infinity", "-Infinity".
std::string FormatDouble(double d);

// CEL's limits on timestamps (0001-01-01 to 9999-12-31T23:59:59.999999999Z).
constexpr int64_t kMinTimestampSeconds = -62135596800;
constexpr int64_t kMaxTimestampSeconds = 253402300799;
constexpr int64_t kMaxDurationSeconds = 315576000000;

}  // namespace smdl::vm
