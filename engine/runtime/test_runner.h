// `test` blocks executed in virtual time: each test gets a fresh database in
// a temporary directory, the checked modules deployed into it, and a manual
// clock. Steps run in order; the first failing step ends the test and is
// reported with its place and the values involved.
#pragma once

#include <string>
#include <vector>

#include "sema/program.h"
#include "smdl/status.h"

namespace smdl::runtime {

struct TestResult {
  std::string module;
  std::string name;
  std::string location;  // path:line:col of the test
  bool passed = false;
  std::string failure;   // "path:line:col: what failed" when not passed
  double seconds = 0;
};

struct TestOptions {
  std::string filter;          // run only tests whose name contains this
  bool only_given_files = true;  // skip tests of modules loaded only for imports
};

// Runs the tests of a checked program without errors.
StatusOr<std::vector<TestResult>> RunTests(const sema::Program& program, const TestOptions& options);

// A JUnit XML report of the results, for CI systems.
std::string JunitReport(const std::vector<TestResult>& results);

}  // namespace smdl::runtime
