// CEL's operators and standard functions on Values: the semantics that the
// interpreter executes and the compiler uses to fold constants.
//
// Every function is total: a mistake (overflow, division by zero, no such
// key, an argument of the wrong kind) is an error value, and an error
// operand is returned as it is (the first one, reading left to right).
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "vm/program.h"
#include "vm/value.h"

namespace smdl::vm {

namespace ops {

Value Add(const Value& a, const Value& b);
Value Sub(const Value& a, const Value& b);
Value Mul(const Value& a, const Value& b);
Value Div(const Value& a, const Value& b);
Value Mod(const Value& a, const Value& b);
Value Neg(const Value& a);
Value Not(const Value& a);
Value Eq(const Value& a, const Value& b);
Value Ne(const Value& a, const Value& b);
// op is one of "<", "<=", ">", ">=".
Value Less(const Value& a, const Value& b);
Value LessEq(const Value& a, const Value& b);
Value Greater(const Value& a, const Value& b);
Value GreaterEq(const Value& a, const Value& b);
Value In(const Value& a, const Value& b);
Value Index(const Value& container, const Value& index);
// `m.name` on a map (and on records represented as maps).
Value Select(const Value& map, const std::string& name);
Value HasKey(const Value& map, const std::string& name);

// The name type(v) gives: "int", "google.protobuf.Timestamp", an enum's
// qualified name, ...
const std::string* TypeNameOf(const Value& v);

Value NoSuchOverload(std::string_view function);

}  // namespace ops

// Standard functions, resolved by name and form at compile time, one line
// each: the enum name, the name in expressions, whether the receiver form
// (`x.f()`) and the function form (`f(x)`) are allowed, and the least and
// most arguments, counting the receiver. Builtin and the lookup table in
// builtins.cc come from this list; their signatures for the checker are
// sema/builtins.cc.
#define SMDL_BUILTINS(X)                                \
  X(kSize, "size", true, true, 1, 1)                    \
  X(kContains, "contains", true, false, 2, 2)           \
  X(kStartsWith, "startsWith", true, false, 2, 2)       \
  X(kEndsWith, "endsWith", true, false, 2, 2)           \
  X(kMatches, "matches", true, true, 2, 2)              \
  X(kLowerAscii, "lowerAscii", true, false, 1, 1)       \
  X(kUpperAscii, "upperAscii", true, false, 1, 1)       \
  X(kToInt, "int", false, true, 1, 1)                   \
  X(kToUint, "uint", false, true, 1, 1)                 \
  X(kToDouble, "double", false, true, 1, 1)             \
  X(kToString, "string", false, true, 1, 1)             \
  X(kToBytes, "bytes", false, true, 1, 1)               \
  X(kToBool, "bool", false, true, 1, 1)                 \
  X(kToTimestamp, "timestamp", false, true, 1, 1)       \
  X(kToDuration, "duration", false, true, 1, 1)         \
  X(kDyn, "dyn", false, true, 1, 1)                     \
  X(kTypeOf, "type", false, true, 1, 1)                 \
  X(kGetFullYear, "getFullYear", true, false, 1, 2)     \
  X(kGetMonth, "getMonth", true, false, 1, 2)           \
  X(kGetDayOfYear, "getDayOfYear", true, false, 1, 2)   \
  X(kGetDayOfMonth, "getDayOfMonth", true, false, 1, 2) \
  X(kGetDate, "getDate", true, false, 1, 2)             \
  X(kGetDayOfWeek, "getDayOfWeek", true, false, 1, 2)   \
  X(kGetHours, "getHours", true, false, 1, 2)           \
  X(kGetMinutes, "getMinutes", true, false, 1, 2)       \
  X(kGetSeconds, "getSeconds", true, false, 1, 2)       \
  X(kGetMilliseconds, "getMilliseconds", true, false, 1, 2) \
  X(kHasValue, "hasValue", true, false, 1, 1)           \
  X(kOptValue, "value", true, false, 1, 1)              \
  X(kOrValue, "orValue", true, false, 2, 2)             \
  /* xs.sum(): compiled with the zero of the element type as a second argument */ \
  X(kSum, "sum", true, false, 1, 2)                     \
  X(kMin, "min", true, false, 1, 1)                     \
  X(kMax, "max", true, false, 1, 1)

enum class Builtin : uint16_t {
#define SMDL_BUILTIN_ENUM(id, name, receiver, global, min_args, max_args) id,
  SMDL_BUILTINS(SMDL_BUILTIN_ENUM)
#undef SMDL_BUILTIN_ENUM
};

const char* BuiltinName(Builtin b);

// The built-in `name` called with `argc` arguments (the receiver, if any,
// counted as the first), or nullopt.
std::optional<Builtin> FindBuiltin(std::string_view name, bool receiver, size_t argc);

// Calls a built-in; args[0] is the receiver for receiver-style calls.
Value CallBuiltin(Builtin b, const Value* args, size_t argc, Budget& budget);

// RE2 patterns.
std::shared_ptr<const Regex> CompileRegex(const std::string& pattern, std::string* error);
bool RegexMatches(const Regex& re, const std::string& text);

}  // namespace smdl::vm
