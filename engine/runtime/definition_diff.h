// What changed between two definition versions, declaration by declaration
// (records, processes, policies, tables, settings, calendars, enums): which
// were added, removed or changed (their text differs, whitespace aside), and
// which modules. Deploy answers with it; the server's diff endpoint too.
#pragma once

#include <nlohmann/json.hpp>

#include "sema/program.h"

namespace smdl::runtime {

// {"modules": {"added", "removed", "changed"}, "declarations": {"added",
// "removed", "changed"}}; each declaration as "kind module.name" (an
// override as "override kind module.name").
nlohmann::json DiffPrograms(const sema::Program* from, const sema::Program& to);

}  // namespace smdl::runtime
