// Helpers shared by the C++ unit tests.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "sema/checker.h"

namespace smdl::testing {

// Checks one in-memory file (with the standard library on the search path).
inline std::unique_ptr<sema::Program> Check(const std::string& text, bool with_stdlib = true) {
  sema::CheckOptions options;
  options.use_environment = with_stdlib;
  return sema::CheckSources({{"test.smdl", text}}, options);
}

// The codes of all errors and warnings, in order.
inline std::vector<std::string> Codes(const sema::Program& program) {
  std::vector<std::string> codes;
  for (const auto& d : program.diags.all())
    if (d.severity != Severity::kNote) codes.push_back(d.code);
  return codes;
}

inline std::string Rendered(const sema::Program& program) { return program.diags.RenderText(program.sources); }

}  // namespace smdl::testing

// Instants and durations written as text in tests; a malformed one fails the test.
#include <catch2/catch.hpp>

#include "base/time.h"

namespace smdl::testing {

inline Timestamp T(const char* rfc3339) {
  auto t = ParseTimestamp(rfc3339);
  REQUIRE(t);
  return *t;
}

inline Duration D(const char* text) {
  auto d = ParseDuration(text);
  REQUIRE(d);
  return *d;
}

}  // namespace smdl::testing

// A temporary directory, removed with everything in it at the end of the test.
#include <stdlib.h>

#include <filesystem>

namespace smdl::testing {

class TempDir {
 public:
  TempDir() {
    std::string pattern = (std::filesystem::temp_directory_path() / "smdl-test-XXXXXX").string();
    path_ = mkdtemp(pattern.data());
  }
  ~TempDir() { std::filesystem::remove_all(path_); }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

}  // namespace smdl::testing
