#include "vm/ops.h"

#include <cmath>
#include <limits>

namespace smdl::vm::ops {
namespace {

using K = ValueKind;
__extension__ typedef __int128 i128;

constexpr i128 kNanos = 1000000000;

i128 TotalNanos(const Value& v) { return static_cast<i128>(v.int_value()) * kNanos + v.enum_index(); }

Value DurationFromNanos(i128 n) {
  if (n > static_cast<i128>(kMaxDurationSeconds) * kNanos || n < -static_cast<i128>(kMaxDurationSeconds) * kNanos)
    return Value::Error("duration out of range");
  return Value::Duration({static_cast<int64_t>(n / kNanos), static_cast<int32_t>(n % kNanos)});
}

Value TimestampFromNanos(i128 n) {
  i128 secs = n / kNanos, nanos = n % kNanos;
  if (nanos < 0) { nanos += kNanos; secs -= 1; }
  if (secs < kMinTimestampSeconds || secs > kMaxTimestampSeconds) return Value::Error("timestamp out of range");
  return Value::Timestamp({static_cast<int64_t>(secs), static_cast<int32_t>(nanos)});
}

Value Overflow() { return Value::Error("integer overflow"); }

bool IsNumber(K k) { return k == K::kInt || k == K::kUint || k == K::kDouble; }

}  // namespace

Value NoSuchOverload(std::string_view function) {
  return Value::Error("no such overload: " + std::string(function));
}

#define SMDL_PROPAGATE2(a, b)        \
  if ((a).is_error()) return (a);    \
  if ((b).is_error()) return (b)

Value Add(const Value& a, const Value& b) {
  SMDL_PROPAGATE2(a, b);
  if (a.kind() == b.kind()) {
    switch (a.kind()) {
      case K::kInt: {
        int64_t r;
        if (__builtin_add_overflow(a.int_value(), b.int_value(), &r)) return Overflow();
        return Value::Int(r);
      }
      case K::kUint: {
        uint64_t r;
        if (__builtin_add_overflow(a.uint_value(), b.uint_value(), &r)) return Overflow();
        return Value::Uint(r);
      }
      case K::kDouble: return Value::Double(a.double_value() + b.double_value());
      case K::kString: return Value::String(a.string_value() + b.string_value());
      case K::kBytes: return Value::Bytes(a.string_value() + b.string_value());
      case K::kList: {
        if (b.list().empty()) return a;
        if (a.list().empty()) return b;
        std::vector<Value> items = a.list();
        items.insert(items.end(), b.list().begin(), b.list().end());
        return Value::List(std::move(items));
      }
      case K::kDuration: return DurationFromNanos(TotalNanos(a) + TotalNanos(b));
      default: break;
    }
  }
  if (a.is(K::kTimestamp) && b.is(K::kDuration)) return TimestampFromNanos(TotalNanos(a) + TotalNanos(b));
  if (a.is(K::kDuration) && b.is(K::kTimestamp)) return TimestampFromNanos(TotalNanos(a) + TotalNanos(b));
  return NoSuchOverload("_+_");
}

Value Sub(const Value& a, const Value& b) {
  SMDL_PROPAGATE2(a, b);
  if (a.kind() == b.kind()) {
    switch (a.kind()) {
      case K::kInt: {
        int64_t r;
        if (__builtin_sub_overflow(a.int_value(), b.int_value(), &r)) return Overflow();
        return Value::Int(r);
      }
      case K::kUint: {
        uint64_t r;
        if (__builtin_sub_overflow(a.uint_value(), b.uint_value(), &r)) return Overflow();
        return Value::Uint(r);
      }
      case K::kDouble: return Value::Double(a.double_value() - b.double_value());
      case K::kDuration: return DurationFromNanos(TotalNanos(a) - TotalNanos(b));
      case K::kTimestamp: {
        // As in cel-go, the difference of two timestamps must fit in int64
        // nanoseconds (about 292 years).
        i128 d = TotalNanos(a) - TotalNanos(b);
        if (d > INT64_MAX || d < INT64_MIN) return Value::Error("duration out of range");
        return DurationFromNanos(d);
      }
      default: break;
    }
  }
  if (a.is(K::kTimestamp) && b.is(K::kDuration)) return TimestampFromNanos(TotalNanos(a) - TotalNanos(b));
  return NoSuchOverload("_-_");
}

Value Mul(const Value& a, const Value& b) {
  SMDL_PROPAGATE2(a, b);
  if (a.kind() == b.kind()) {
    switch (a.kind()) {
      case K::kInt: {
        int64_t r;
        if (__builtin_mul_overflow(a.int_value(), b.int_value(), &r)) return Overflow();
        return Value::Int(r);
      }
      case K::kUint: {
        uint64_t r;
        if (__builtin_mul_overflow(a.uint_value(), b.uint_value(), &r)) return Overflow();
        return Value::Uint(r);
      }
      case K::kDouble: return Value::Double(a.double_value() * b.double_value());
      default: break;
    }
  }
  return NoSuchOverload("_*_");
}

Value Div(const Value& a, const Value& b) {
  SMDL_PROPAGATE2(a, b);
  if (a.kind() == b.kind()) {
    switch (a.kind()) {
      case K::kInt:
        if (b.int_value() == 0) return Value::Error("division by zero");
        if (a.int_value() == std::numeric_limits<int64_t>::min() && b.int_value() == -1) return Overflow();
        return Value::Int(a.int_value() / b.int_value());
      case K::kUint:
        if (b.uint_value() == 0) return Value::Error("division by zero");
        return Value::Uint(a.uint_value() / b.uint_value());
      case K::kDouble: return Value::Double(a.double_value() / b.double_value());
      default: break;
    }
  }
  return NoSuchOverload("_/_");
}

Value Mod(const Value& a, const Value& b) {
  SMDL_PROPAGATE2(a, b);
  if (a.kind() == b.kind()) {
    switch (a.kind()) {
      case K::kInt:
        if (b.int_value() == 0) return Value::Error("modulus by zero");
        if (a.int_value() == std::numeric_limits<int64_t>::min() && b.int_value() == -1) return Overflow();
        return Value::Int(a.int_value() % b.int_value());
      case K::kUint:
        if (b.uint_value() == 0) return Value::Error("modulus by zero");
        return Value::Uint(a.uint_value() % b.uint_value());
      default: break;
    }
  }
  return NoSuchOverload("_%_");
}

Value Neg(const Value& a) {
  if (a.is_error()) return a;
  switch (a.kind()) {
    case K::kInt:
      if (a.int_value() == std::numeric_limits<int64_t>::min()) return Overflow();
      return Value::Int(-a.int_value());
    case K::kDouble: return Value::Double(-a.double_value());
    case K::kDuration: return DurationFromNanos(-TotalNanos(a));
    default: return NoSuchOverload("-_");
  }
}

Value Not(const Value& a) {
  if (a.is_error()) return a;
  if (a.is(K::kBool)) return Value::Bool(!a.bool_value());
  return NoSuchOverload("!_");
}

Value Eq(const Value& a, const Value& b) {
  SMDL_PROPAGATE2(a, b);
  return Value::Bool(a == b);
}

Value Ne(const Value& a, const Value& b) {
  SMDL_PROPAGATE2(a, b);
  return Value::Bool(!(a == b));
}

namespace {

// -1/0/1, or nullopt-ish: 2 = unordered numbers (NaN: every comparison false),
// 3 = not comparable (an error).
int Order(const Value& a, const Value& b) {
  int c = Compare(a, b);
  if (c != 2) return c;
  if (IsNumber(a.kind()) && IsNumber(b.kind())) return 2;
  return 3;
}

template <typename Pred>
Value Relation(const Value& a, const Value& b, const char* name, Pred pred) {
  SMDL_PROPAGATE2(a, b);
  int c = Order(a, b);
  if (c == 3) return NoSuchOverload(name);
  if (c == 2) return Value::Bool(false);
  return Value::Bool(pred(c));
}

}  // namespace

Value Less(const Value& a, const Value& b) { return Relation(a, b, "_<_", [](int c) { return c < 0; }); }
Value LessEq(const Value& a, const Value& b) { return Relation(a, b, "_<=_", [](int c) { return c <= 0; }); }
Value Greater(const Value& a, const Value& b) { return Relation(a, b, "_>_", [](int c) { return c > 0; }); }
Value GreaterEq(const Value& a, const Value& b) { return Relation(a, b, "_>=_", [](int c) { return c >= 0; }); }

Value In(const Value& a, const Value& b) {
  SMDL_PROPAGATE2(a, b);
  if (b.is(K::kList)) {
    for (const Value& item : b.list())
      if (item == a) return Value::Bool(true);
    return Value::Bool(false);
  }
  if (b.is(K::kMap)) return Value::Bool(b.map().Find(a) != nullptr);
  return NoSuchOverload("@in");
}

Value Index(const Value& c, const Value& i) {
  SMDL_PROPAGATE2(c, i);
  if (c.is(K::kList)) {
    const auto& items = c.list();
    int64_t n;
    if (i.is(K::kInt)) {
      n = i.int_value();
    } else if (i.is(K::kUint)) {
      if (i.uint_value() > static_cast<uint64_t>(std::numeric_limits<int64_t>::max()))
        return Value::Error("index out of range: " + std::to_string(i.uint_value()));
      n = static_cast<int64_t>(i.uint_value());
    } else if (i.is(K::kDouble)) {
      double d = i.double_value();
      if (d != std::trunc(d) || !(d >= -9.2e18 && d <= 9.2e18)) return Value::Error("invalid list index: " + FormatDouble(d));
      n = static_cast<int64_t>(d);
    } else {
      return NoSuchOverload("_[_]");
    }
    if (n < 0 || static_cast<uint64_t>(n) >= items.size())
      return Value::Error("index out of range: " + std::to_string(n));
    return items[static_cast<size_t>(n)];
  }
  if (c.is(K::kMap)) {
    if (const Value* v = c.map().Find(i)) return *v;
    return Value::Error("no such key: " + i.DebugString());
  }
  return NoSuchOverload("_[_]");
}

Value Select(const Value& m, const std::string& name) {
  if (m.is_error()) return m;
  if (m.is(K::kMap)) {
    if (const Value* v = m.map().FindString(name)) return *v;
    return Value::Error("no such key: " + name);
  }
  if (m.is(K::kNull)) return Value::Error("cannot select '" + name + "' from null");
  return Value::Error("no such field: " + name);
}

Value HasKey(const Value& m, const std::string& name) {
  if (m.is_error()) return m;
  if (m.is(K::kMap)) return Value::Bool(m.map().FindString(name) != nullptr);
  return Value::Error("invalid type for field selection: has() needs a map or a record");
}

const std::string* TypeNameOf(const Value& v) {
  static const std::string* names[] = {
      InternTypeName("null_type"), InternTypeName("bool"), InternTypeName("int"), InternTypeName("uint"),
      InternTypeName("double"), InternTypeName("google.protobuf.Timestamp"),
      InternTypeName("google.protobuf.Duration"), nullptr, InternTypeName("type"), InternTypeName("string"),
      InternTypeName("bytes"), InternTypeName("list"), InternTypeName("map"), nullptr,
      InternTypeName("optional_type"), InternTypeName("error")};
  if (v.is(K::kEnum)) return InternTypeName(v.enum_type()->qualified);
  if (v.is(K::kRef)) return InternTypeName(v.ref_type());
  return names[static_cast<size_t>(v.kind())];
}

}  // namespace smdl::vm::ops
