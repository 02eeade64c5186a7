// Static types of SMDL expressions: CEL's types plus enums, record
// references, optionals and the handles used in tests.
#pragma once

#include <string>
#include <vector>

namespace smdl::sema {

enum class TypeKind {
  kError,      // already reported; accepted everywhere to avoid cascades
  kDyn,        // checked at run time
  kNull,
  kBool, kInt, kUint, kDouble, kString, kBytes,
  kTimestamp, kDuration,
  kList,       // params: [element]
  kMap,        // params: [key, value]
  kEnum,       // name: qualified enum name
  kRef,        // name: qualified record name; a reference (id) to a record
  kOptional,   // params: [inner]; T? fields
  kType,       // a type value, as returned by type(x)
  kRecord,     // name: qualified record name; `this` and test handles
  kSlaClocks,  // name: qualified record name; `handle.sla`
  kSlaClock,   // one clock: due, elapsed, remaining, ...
  kActor,      // who acts: name, roles
  kCalendar,   // a calendar declared in the program (its qualified name at run time)
};

struct Type {
  TypeKind kind = TypeKind::kError;
  std::string name;
  std::vector<Type> params;

  static Type Error() { return {TypeKind::kError, {}, {}}; }
  static Type Dyn() { return {TypeKind::kDyn, {}, {}}; }
  static Type Null() { return {TypeKind::kNull, {}, {}}; }
  static Type Bool() { return {TypeKind::kBool, {}, {}}; }
  static Type Int() { return {TypeKind::kInt, {}, {}}; }
  static Type Uint() { return {TypeKind::kUint, {}, {}}; }
  static Type Double() { return {TypeKind::kDouble, {}, {}}; }
  static Type String() { return {TypeKind::kString, {}, {}}; }
  static Type Bytes() { return {TypeKind::kBytes, {}, {}}; }
  static Type Timestamp() { return {TypeKind::kTimestamp, {}, {}}; }
  static Type Duration() { return {TypeKind::kDuration, {}, {}}; }
  static Type TypeOf() { return {TypeKind::kType, {}, {}}; }
  static Type List(Type elem) { return {TypeKind::kList, {}, {std::move(elem)}}; }
  static Type Map(Type k, Type v) { return {TypeKind::kMap, {}, {std::move(k), std::move(v)}}; }
  static Type Optional(Type inner);
  static Type Enum(std::string name) { return {TypeKind::kEnum, std::move(name), {}}; }
  static Type Ref(std::string name) { return {TypeKind::kRef, std::move(name), {}}; }
  static Type Record(std::string name) { return {TypeKind::kRecord, std::move(name), {}}; }
  static Type SlaClocks(std::string name) { return {TypeKind::kSlaClocks, std::move(name), {}}; }
  static Type SlaClock() { return {TypeKind::kSlaClock, {}, {}}; }
  static Type Actor() { return {TypeKind::kActor, {}, {}}; }
  static Type Calendar() { return {TypeKind::kCalendar, {}, {}}; }

  bool is(TypeKind k) const { return kind == k; }
  bool IsErrorOrDyn() const { return kind == TypeKind::kError || kind == TypeKind::kDyn; }
  bool IsNumeric() const { return kind == TypeKind::kInt || kind == TypeKind::kUint || kind == TypeKind::kDouble; }
  // Types with an order: numbers, strings, bytes, bools, timestamps, durations, enums.
  bool IsOrdered() const;
  const Type& elem() const { return params[0]; }

  // How a designer writes the type: `list<string>`, `Priority`, `ref Problem?`.
  std::string ToString() const;
  bool operator==(const Type& other) const;
  bool operator!=(const Type& other) const { return !(*this == other); }
};

// Whether a value of type `from` may be stored where `to` is expected.
bool IsAssignable(const Type& to, const Type& from);

// Whether `==` between the two types can ever be true (CEL allows numbers of
// different kinds to be compared; anything else must match).
bool AreComparable(const Type& a, const Type& b);

// The common type of two branches (ternary, list elements), or kError if none.
Type Join(const Type& a, const Type& b);

// The last part of a qualified name: iso20000.core.Priority -> Priority.
std::string ShortName(const std::string& qualified);

}  // namespace smdl::sema
