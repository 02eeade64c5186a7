#include "sema/builtins.h"

#include <set>

namespace smdl::sema {
namespace {

using K = TypeKind;

bool AnyOf(const Type& t, std::initializer_list<K> kinds) {
  if (t.IsErrorOrDyn()) return true;
  for (K k : kinds)
    if (t.kind == k) return true;
  return false;
}

std::string Signature(const std::string& name, const Type* receiver, const std::vector<Type>& args) {
  std::string s = receiver ? receiver->ToString() + "." + name + "(" : name + "(";
  for (size_t i = 0; i < args.size(); ++i) s += (i ? ", " : "") + args[i].ToString();
  return s + ")";
}

BuiltinResult Fail(const std::string& name, const Type* receiver, const std::vector<Type>& args) {
  return {Type::Error(), "no overload of '" + name + "' takes " + Signature(name, receiver, args)};
}

const std::set<std::string> kTimestampAccessors = {"getFullYear", "getMonth", "getDayOfYear", "getDayOfMonth",
                                                    "getDate", "getDayOfWeek", "getHours", "getMinutes",
                                                    "getSeconds", "getMilliseconds"};
const std::set<std::string> kDurationAccessors = {"getHours", "getMinutes", "getSeconds", "getMilliseconds"};

std::optional<BuiltinResult> Global(const std::string& name, const std::vector<Type>& a) {
  auto one = [&](std::initializer_list<K> kinds, Type result) -> BuiltinResult {
    if (a.size() == 1 && AnyOf(a[0], kinds)) return {result, ""};
    return Fail(name, nullptr, a);
  };
  if (name == "size") return one({K::kString, K::kBytes, K::kList, K::kMap}, Type::Int());
  if (name == "int") return one({K::kInt, K::kUint, K::kDouble, K::kString, K::kTimestamp, K::kEnum}, Type::Int());
  if (name == "uint") return one({K::kInt, K::kUint, K::kDouble, K::kString}, Type::Uint());
  if (name == "double") return one({K::kInt, K::kUint, K::kDouble, K::kString}, Type::Double());
  if (name == "string")
    return one({K::kInt, K::kUint, K::kDouble, K::kString, K::kBytes, K::kBool, K::kTimestamp, K::kDuration,
                K::kEnum, K::kRef},
               Type::String());
  if (name == "bytes") return one({K::kString, K::kBytes}, Type::Bytes());
  if (name == "bool") return one({K::kBool, K::kString}, Type::Bool());
  if (name == "timestamp") return one({K::kString, K::kInt, K::kTimestamp}, Type::Timestamp());
  if (name == "duration") return one({K::kString, K::kDuration}, Type::Duration());
  if (name == "dyn") {
    if (a.size() == 1) return BuiltinResult{Type::Dyn(), ""};
    return Fail(name, nullptr, a);
  }
  if (name == "type") {
    if (a.size() == 1) return BuiltinResult{Type::TypeOf(), ""};
    return Fail(name, nullptr, a);
  }
  if (name == "matches") {
    if (a.size() == 2 && AnyOf(a[0], {K::kString}) && AnyOf(a[1], {K::kString})) return BuiltinResult{Type::Bool(), ""};
    return Fail(name, nullptr, a);
  }
  return std::nullopt;
}

std::optional<BuiltinResult> Member(const std::string& name, const Type& r, const std::vector<Type>& a) {
  if (r.kind == K::kOptional) {
    if (name == "hasValue" && a.empty()) return BuiltinResult{Type::Bool(), ""};
    if (name == "value" && a.empty()) return BuiltinResult{r.params[0], ""};
    if (name == "orValue" && a.size() == 1) {
      if (IsAssignable(r.params[0], a[0])) return BuiltinResult{r.params[0], ""};
      return Fail(name, &r, a);
    }
  }
  if (name == "size") {
    if (a.empty() && AnyOf(r, {K::kString, K::kBytes, K::kList, K::kMap})) return BuiltinResult{Type::Int(), ""};
    return Fail(name, &r, a);
  }
  if (name == "sum" || name == "min" || name == "max") {
    // Over a list of numbers or durations (min and max: timestamps and strings too).
    if (!a.empty()) return Fail(name, &r, a);
    if (r.IsErrorOrDyn()) return BuiltinResult{Type::Dyn(), ""};
    if (r.kind != K::kList) return Fail(name, &r, a);
    Type element = r.params.empty() ? Type::Dyn() : r.params[0];
    std::initializer_list<K> kinds = {K::kInt, K::kUint, K::kDouble, K::kDuration};
    std::initializer_list<K> ordered = {K::kInt, K::kUint, K::kDouble, K::kDuration, K::kTimestamp, K::kString};
    if (element.IsErrorOrDyn() || AnyOf(element, name == "sum" ? kinds : ordered)) return BuiltinResult{element, ""};
    return Fail(name, &r, a);
  }
  if (name == "lowerAscii" || name == "upperAscii") {
    if (a.empty() && AnyOf(r, {K::kString})) return BuiltinResult{Type::String(), ""};
    return Fail(name, &r, a);
  }
  if (name == "contains" || name == "startsWith" || name == "endsWith" || name == "matches") {
    if (a.size() == 1 && AnyOf(r, {K::kString}) && AnyOf(a[0], {K::kString})) return BuiltinResult{Type::Bool(), ""};
    return Fail(name, &r, a);
  }
  if (kTimestampAccessors.count(name) && (r.kind == K::kTimestamp || r.IsErrorOrDyn())) {
    if (a.empty() || (a.size() == 1 && AnyOf(a[0], {K::kString}))) return BuiltinResult{Type::Int(), ""};
    return Fail(name, &r, a);
  }
  if (kDurationAccessors.count(name) && r.kind == K::kDuration) {
    if (a.empty()) return BuiltinResult{Type::Int(), ""};
    return Fail(name, &r, a);
  }
  if (kTimestampAccessors.count(name)) return Fail(name, &r, a);
  return std::nullopt;
}

}  // namespace

std::optional<BuiltinResult> CheckBuiltinCall(const std::string& name, const Type* receiver,
                                              const std::vector<Type>& args) {
  return receiver ? Member(name, *receiver, args) : Global(name, args);
}

bool IsMacroName(const std::string& name) {
  return name == "has" || name == "all" || name == "exists" || name == "exists_one" || name == "map" ||
         name == "filter";
}

}  // namespace smdl::sema
