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

// Standard functions, resolved by name and form at compile time.
enum class Builtin : uint16_t {
  kSize,
  kContains,
  kStartsWith,
  kEndsWith,
  kMatches,
  kToInt,
  kToUint,
  kToDouble,
  kToString,
  kToBytes,
  kToBool,
  kToTimestamp,
  kToDuration,
  kDyn,
  kTypeOf,
  kGetFullYear,
  kGetMonth,
  kGetDayOfYear,
  kGetDayOfMonth,
  kGetDate,
  kGetDayOfWeek,
  kGetHours,
  kGetMinutes,
  kGetSeconds,
  kGetMilliseconds,
  kHasValue,
  kOptValue,
  kOrValue,
  kSum,  // xs.sum(): compiled with the zero of the element type as a second argument
  kMin,
  kMax,
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
