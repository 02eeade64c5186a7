// Name lookup: module-level names (own declarations, then imports) and the
// resolution of written types (`list<Priority>`, `ref Problem?`).
#pragma once

#include <string>

#include "sema/program.h"

namespace smdl::sema {

// Finds a module-level name visible in `module`: its own declarations first,
// then those of the modules it imports (not transitively). When two imports
// declare the name, reports E2031 at `at` and returns the first.
const Symbol* LookupGlobal(const ModuleInfo& module, const std::string& name, Diagnostics& diags,
                           const SourceRange& at);

// Resolves a written type; unknown names are reported (E2001) and give kError.
Type ResolveType(const ModuleInfo& module, const ast::TypeRef& ref, Diagnostics& diags);

// The built-in type of a name such as `int` or `timestamp`, if it is one.
std::optional<Type> BuiltinTypeNamed(const std::string& name);

}  // namespace smdl::sema
