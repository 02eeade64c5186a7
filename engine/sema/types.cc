#include "sema/types.h"

namespace smdl::sema {

Type Type::Optional(Type inner) {
  if (inner.kind == TypeKind::kOptional || inner.IsErrorOrDyn()) return inner;
  return {TypeKind::kOptional, {}, {std::move(inner)}};
}

bool Type::IsOrdered() const {
  switch (kind) {
    case TypeKind::kInt: case TypeKind::kUint: case TypeKind::kDouble: case TypeKind::kString:
    case TypeKind::kBytes: case TypeKind::kBool: case TypeKind::kTimestamp: case TypeKind::kDuration:
    case TypeKind::kEnum: case TypeKind::kDyn: case TypeKind::kError:
      return true;
    default:
      return false;
  }
}

std::string ShortName(const std::string& qualified) {
  auto dot = qualified.rfind('.');
  return dot == std::string::npos ? qualified : qualified.substr(dot + 1);
}

std::string Type::ToString() const {
  switch (kind) {
    case TypeKind::kError: return "<error>";
    case TypeKind::kDyn: return "dyn";
    case TypeKind::kNull: return "null_type";
    case TypeKind::kBool: return "bool";
    case TypeKind::kInt: return "int";
    case TypeKind::kUint: return "uint";
    case TypeKind::kDouble: return "double";
    case TypeKind::kString: return "string";
    case TypeKind::kBytes: return "bytes";
    case TypeKind::kTimestamp: return "timestamp";
    case TypeKind::kDuration: return "duration";
    case TypeKind::kList: return "list<" + params[0].ToString() + ">";
    case TypeKind::kMap: return "map<" + params[0].ToString() + ", " + params[1].ToString() + ">";
    case TypeKind::kEnum: return ShortName(name);
    case TypeKind::kRef: return "ref " + ShortName(name);
    case TypeKind::kOptional: return params[0].ToString() + "?";
    case TypeKind::kType: return "type";
    case TypeKind::kRecord: return ShortName(name);
    case TypeKind::kSlaClocks: return "sla clocks of " + ShortName(name);
    case TypeKind::kSlaClock: return "sla clock";
    case TypeKind::kActor: return "actor";
    case TypeKind::kCalendar: return "calendar";
  }
  return "<error>";
}

bool Type::operator==(const Type& other) const {
  return kind == other.kind && name == other.name && params == other.params;
}

bool IsAssignable(const Type& to, const Type& from) {
  if (to.IsErrorOrDyn() || from.IsErrorOrDyn()) return true;
  if (to.kind == TypeKind::kOptional) {
    if (from.kind == TypeKind::kNull) return true;
    if (from.kind == TypeKind::kOptional) return IsAssignable(to.params[0], from.params[0]);
    return IsAssignable(to.params[0], from);
  }
  // A test handle or `this` can be passed where a reference is expected.
  if (to.kind == TypeKind::kRef && from.kind == TypeKind::kRecord) return to.name == from.name;
  if (to.kind != from.kind) return false;
  switch (to.kind) {
    case TypeKind::kList:
      return IsAssignable(to.params[0], from.params[0]);
    case TypeKind::kMap:
      return IsAssignable(to.params[0], from.params[0]) && IsAssignable(to.params[1], from.params[1]);
    case TypeKind::kEnum: case TypeKind::kRef: case TypeKind::kRecord:
      return to.name == from.name;
    default:
      return true;
  }
}

bool AreComparable(const Type& a, const Type& b) {
  if (a.IsErrorOrDyn() || b.IsErrorOrDyn()) return true;
  if (a.IsNumeric() && b.IsNumeric()) return true;
  if (a.kind == TypeKind::kOptional) return b.kind == TypeKind::kNull || AreComparable(a.params[0], b.kind == TypeKind::kOptional ? b.params[0] : b);
  if (b.kind == TypeKind::kOptional) return AreComparable(b, a);
  if (a.kind == TypeKind::kRef && b.kind == TypeKind::kRecord) return a.name == b.name;
  if (b.kind == TypeKind::kRef && a.kind == TypeKind::kRecord) return a.name == b.name;
  if (a.kind != b.kind) return false;
  if (a.kind == TypeKind::kList) return AreComparable(a.params[0], b.params[0]);
  if (a.kind == TypeKind::kMap) return AreComparable(a.params[0], b.params[0]) && AreComparable(a.params[1], b.params[1]);
  if (a.kind == TypeKind::kEnum || a.kind == TypeKind::kRef || a.kind == TypeKind::kRecord) return a.name == b.name;
  return true;
}

Type Join(const Type& a, const Type& b) {
  if (a.kind == TypeKind::kError) return b;
  if (b.kind == TypeKind::kError) return a;
  if (a == b) return a;
  if (a.kind == TypeKind::kDyn || b.kind == TypeKind::kDyn) return Type::Dyn();
  if (a.kind == TypeKind::kNull && b.kind != TypeKind::kNull) return Type::Optional(b);
  if (b.kind == TypeKind::kNull) return Type::Optional(a);
  if (a.kind == TypeKind::kOptional && IsAssignable(a, b)) return a;
  if (b.kind == TypeKind::kOptional && IsAssignable(b, a)) return b;
  if (a.kind == b.kind && a.kind == TypeKind::kList) {
    Type e = Join(a.params[0], b.params[0]);
    return e.kind == TypeKind::kError ? Type::List(Type::Dyn()) : Type::List(e);
  }
  if (a.kind == b.kind && a.kind == TypeKind::kMap) {
    Type k = Join(a.params[0], b.params[0]);
    Type v = Join(a.params[1], b.params[1]);
    return Type::Map(k.kind == TypeKind::kError ? Type::Dyn() : k, v.kind == TypeKind::kError ? Type::Dyn() : v);
  }
  return Type::Error();
}

}  // namespace smdl::sema
