// Signatures of CEL's standard functions as SMDL offers them. Macros (has,
// all, exists, exists_one, map, filter) bind variables and are checked by the
// expression checker itself.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "sema/types.h"

namespace smdl::sema {

struct BuiltinResult {
  Type type;
  std::string error;  // set when the function exists but the arguments do not fit
};

// Result type of `name(args)` (receiver == nullptr) or `receiver.name(args)`,
// or nullopt when no built-in function has that name and form.
std::optional<BuiltinResult> CheckBuiltinCall(const std::string& name, const Type* receiver,
                                              const std::vector<Type>& args);

bool IsMacroName(const std::string& name);

}  // namespace smdl::sema
