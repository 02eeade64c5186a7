#include "sema/scope.h"

namespace smdl::sema {

const Symbol* LookupGlobal(const ModuleInfo& module, const std::string& name, Diagnostics& diags,
                           const SourceRange& at) {
  if (auto it = module.own.find(name); it != module.own.end()) return &it->second;
  const Symbol* found = nullptr;
  for (const ModuleInfo* imported : module.imports) {
    auto it = imported->own.find(name);
    if (it == imported->own.end()) continue;
    if (found != nullptr && found != &it->second) {
      diags.Error("E2031", at, "'" + name + "' is ambiguous: it is declared in both '" + found->module->name +
                                   "' and '" + imported->name + "'");
      return found;
    }
    found = &it->second;
  }
  return found;
}

std::optional<Type> BuiltinTypeNamed(const std::string& name) {
  if (name == "bool") return Type::Bool();
  if (name == "int") return Type::Int();
  if (name == "uint") return Type::Uint();
  if (name == "double") return Type::Double();
  if (name == "string") return Type::String();
  if (name == "bytes") return Type::Bytes();
  if (name == "timestamp") return Type::Timestamp();
  if (name == "duration") return Type::Duration();
  if (name == "dyn") return Type::Dyn();
  return std::nullopt;
}

Type ResolveType(const ModuleInfo& module, const ast::TypeRef& ref, Diagnostics& diags) {
  Type t;
  switch (ref.kind) {
    case ast::TypeRef::Kind::kList:
      t = Type::List(ResolveType(module, ref.args[0], diags));
      break;
    case ast::TypeRef::Kind::kMap: {
      Type key = ResolveType(module, ref.args[0], diags);
      bool key_ok = key.IsErrorOrDyn() || key.is(TypeKind::kInt) || key.is(TypeKind::kUint) ||
                    key.is(TypeKind::kString) || key.is(TypeKind::kBool) || key.is(TypeKind::kEnum);
      if (!key_ok) {
        diags.Error("E2004", ref.args[0].range,
                    "map keys must be int, uint, string, bool or an enum, not " + key.ToString());
      }
      t = Type::Map(key, ResolveType(module, ref.args[1], diags));
      break;
    }
    case ast::TypeRef::Kind::kRef:
    case ast::TypeRef::Kind::kNamed: {
      std::string name = ref.name.ToString();
      if (ref.kind == ast::TypeRef::Kind::kNamed) {
        if (auto builtin = BuiltinTypeNamed(name)) { t = *builtin; break; }
        if (name == "calendar") { t = Type::Calendar(); break; }
      }
      const Symbol* sym = ref.name.parts.size() == 1 ? LookupGlobal(module, name, diags, ref.name.range) : nullptr;
      if (sym == nullptr) {
        // Likely declared by an import that was not found: said once, there.
        if (!module.missing_imports.empty()) module.unknown_names.insert(name);
        else diags.Error("E2001", ref.name.range, "unknown type '" + name + "'");
        return Type::Error();
      }
      if (ref.kind == ast::TypeRef::Kind::kRef) {
        if (sym->kind != Symbol::Kind::kRecord) {
          diags.Error("E2005", ref.name.range, "'ref' needs a record type; '" + name + "' is a " +
                                                   SymbolKindName(sym->kind));
          return Type::Error();
        }
        t = Type::Ref(sym->record->qualified);
      } else if (sym->kind == Symbol::Kind::kEnum) {
        t = Type::Enum(sym->enum_info->qualified);
      } else if (sym->kind == Symbol::Kind::kRecord) {
        diags.Error("E2006", ref.name.range, "a field cannot hold a whole record; write 'ref " + name + "'");
        return Type::Error();
      } else {
        diags.Error("E2001", ref.name.range, "'" + name + "' is a " + SymbolKindName(sym->kind) + ", not a type");
        return Type::Error();
      }
      break;
    }
  }
  return ref.optional ? Type::Optional(t) : t;
}

}  // namespace smdl::sema
