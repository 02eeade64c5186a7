// The front end's entry point: load SMDL files and directories (and the
// modules they import), parse and check them, and return the program with its
// diagnostics.
//
// Imports resolve first among the files given, then on the search path: the
// module `a.b.c` is the file `a/b/c.smdl` under a root. The roots are
// `CheckOptions::search_path`, then the directories in $SMDL_PATH, then the
// standard library shipped with smdl.
#pragma once

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "sema/program.h"
#include "smdl/status.h"
#include "syntax/parser.h"

namespace smdl::sema {

struct CheckOptions {
  std::vector<std::string> search_path;
  bool use_environment = true;  // read $SMDL_PATH and add the standard library
  ParseLimits limits;
};

// Loads and checks `paths` (files, or directories searched for *.smdl).
// A path that cannot be read is a Status; mistakes in the text are
// diagnostics in the returned program.
StatusOr<std::unique_ptr<Program>> CheckPaths(const std::vector<std::string>& paths, const CheckOptions& options);

// Checks in-memory files given as (path, text) pairs.
std::unique_ptr<Program> CheckSources(const std::vector<std::pair<std::string, std::string>>& files,
                                      const CheckOptions& options);

// The search path in effect for `options`.
std::vector<std::string> SearchPath(const CheckOptions& options);

}  // namespace smdl::sema
