// Loading: files and directories to parsed modules, and imports to modules
// found on the search path. Internal to sema.
#pragma once

#include <string>
#include <vector>

#include "sema/checker.h"

namespace smdl::sema {

// Parses one text into `program` as a new module.
ModuleInfo& AddModule(Program& program, std::string path, std::string text, const ParseLimits& limits,
                      bool from_search_path);

// Expands directories to their *.smdl files (sorted, recursive); a missing
// path is an error.
StatusOr<std::vector<std::string>> ExpandPaths(const std::vector<std::string>& paths);

StatusOr<std::string> ReadFile(const std::string& path);

// Resolves every import, loading modules from `roots` as needed. Reports
// unknown modules, duplicate module names and misplaced library files.
void ResolveImports(Program& program, const std::vector<std::string>& roots, const ParseLimits& limits);

}  // namespace smdl::sema
