// smdl check: parse and check SMDL files, print diagnostics.
#include <iostream>

#include "cli.h"
#include "ir/machine.h"
#include "sema/checker.h"

namespace smdl::cli {

const char* const kCheckHelp =
    "Usage: smdl check [OPTIONS] PATH...\n"
    "\n"
    "Checks SMDL files and directories (searched recursively for *.smdl),\n"
    "with every module they import, and reports all mistakes found:\n"
    "  path:line:col: error: message [CODE]\n"
    "followed by the source line and a caret under the mistake.\n"
    "\n"
    "Options:\n"
    "  --format text|json  text (default) prints diagnostics to stderr and a\n"
    "                      summary to stdout; json prints one JSON array of\n"
    "                      {file, line, column, end_line, end_column, severity,\n"
    "                      code, message} to stdout\n"
    "  --path DIR          also look for imported modules under DIR (repeatable);\n"
    "                      then $SMDL_PATH, then the standard library\n"
    "  --no-stdlib         use neither $SMDL_PATH nor the standard library\n"
    "  --werror            treat warnings as errors\n"
    "  -h, --help          show this help\n"
    "\n"
    "Exit status: 0 no errors, 1 errors in the input, 2 usage or I/O problems.\n";

int RunCheck(const std::vector<std::string>& argv) {
  std::string error;
  auto args = Args::Parse(argv, {"--format", "--path"}, {"--no-stdlib", "--werror"}, error);
  if (!args) return UsageError("check", error);
  std::string format = args->Get("--format", "text");
  if (format != "text" && format != "json") return UsageError("check", "--format must be text or json");
  if (args->positional().empty()) return UsageError("check", "give at least one file or directory");

  sema::CheckOptions options;
  options.search_path = args->GetAll("--path");
  options.use_environment = !args->Has("--no-stdlib");
  auto program = sema::CheckPaths(args->positional(), options);
  if (!program.ok()) {
    std::cerr << "smdl check: " << program.status().message() << "\n";
    return kUsageError;
  }
  sema::Program& p = **program;
  // Compiling finds what checking cannot: constant expressions that exceed
  // the evaluation budget (E2027). Only a program without errors compiles;
  // any other reason for the build to fail is deploy's to report.
  if (!p.diags.HasErrors()) {
    (void)ir::Image::Build(p, &p.diags);
    p.diags.SortByLocation();
  }
  size_t errors = p.diags.ErrorCount();
  size_t warnings = p.diags.WarningCount();
  if (format == "json") {
    std::cout << p.diags.RenderJson(p.sources) << "\n";
  } else {
    std::cerr << p.diags.RenderText(p.sources);
    std::cout << "checked " << p.modules.size() << (p.modules.size() == 1 ? " module" : " modules") << ": "
              << errors << (errors == 1 ? " error, " : " errors, ") << warnings
              << (warnings == 1 ? " warning" : " warnings") << "\n";
  }
  bool failed = errors > 0 || (args->Has("--werror") && warnings > 0);
  return failed ? kInputError : kOk;
}

SMDL_COMMAND(kCheck, "check", "check .smdl files and directories, report diagnostics", kCheckHelp, RunCheck, 10);

}  // namespace smdl::cli
