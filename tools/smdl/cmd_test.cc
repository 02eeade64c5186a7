// smdl test: run `test` blocks in virtual time.
#include <fstream>
#include <iostream>

#include "cli.h"
#include "runtime/test_runner.h"
#include "sema/checker.h"

namespace smdl::cli {
namespace {

const char* const kTestHelp =
    "Usage: smdl test PATH... [--filter TEXT] [--junit FILE] [--path DIR]\n"
    "\n"
    "Runs every `test` block in the .smdl files and directories at PATH, each\n"
    "in virtual time on a fresh temporary database with all the checked\n"
    "modules deployed: clock, create, fire (and expected rejections), advance\n"
    "(firing due timers and SLA warnings and breaches in order), expect.\n"
    "Prints one line per test, the first failure of each failing test with the\n"
    "place of the step and the values involved, and a summary line\n"
    "'N passed, M failed'. Tests of modules loaded only because they are\n"
    "imported are not run.\n"
    "\n"
    "Options:\n"
    "  --filter TEXT       run only tests whose name contains TEXT\n"
    "  --junit FILE        also write a JUnit XML report to FILE\n"
    "  --path DIR          also look for imported modules under DIR (repeatable)\n"
    "  -h, --help          show this help\n"
    "\n"
    "Exit status: 0 all passed, 1 a test failed or the modules have errors,\n"
    "2 usage or I/O problems.\n";

int RunTest(const std::vector<std::string>& argv) {
  std::string error;
  auto args = Args::Parse(argv, {"--filter", "--junit", "--path"}, {}, error);
  if (!args) return UsageError("test", error);
  if (args->positional().empty()) return UsageError("test", "give at least one PATH");
  sema::CheckOptions check_options;
  check_options.search_path = args->GetAll("--path");
  auto program = sema::CheckPaths(args->positional(), check_options);
  if (!program.ok()) {
    std::cerr << "smdl test: " << program.status().message() << "\n";
    return kUsageError;
  }
  if ((*program)->diags.HasErrors()) {
    std::cerr << (*program)->diags.RenderText((*program)->sources);
    return kInputError;
  }
  runtime::TestOptions options;
  options.filter = args->Get("--filter");
  auto results = runtime::RunTests(**program, options);
  if (!results.ok()) {
    std::cerr << "smdl test: " << results.status().message() << "\n";
    return kUsageError;
  }
  size_t passed = 0, failed = 0;
  for (const auto& r : *results) {
    if (r.passed) {
      ++passed;
      std::cout << "PASS " << r.module << ": " << r.name << "\n";
    } else {
      ++failed;
      std::cout << "FAIL " << r.module << ": " << r.name << "\n  " << r.failure << "\n";
    }
  }
  std::cout << passed << " passed, " << failed << " failed\n";
  if (args->Has("--junit")) {
    std::ofstream out(args->Get("--junit"));
    out << runtime::JunitReport(*results);
    if (!out) {
      std::cerr << "smdl test: cannot write " << args->Get("--junit") << "\n";
      return kUsageError;
    }
  }
  return failed == 0 ? kOk : kInputError;
}

}  // namespace

SMDL_COMMAND(kTest, "test", "run test blocks in virtual time", kTestHelp, RunTest, 50);

}  // namespace smdl::cli
