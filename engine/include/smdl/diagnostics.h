// Diagnostics: mistakes in a user's SMDL text, reported as data.
//
// A diagnostic has a severity, a stable code (E1xxx syntax, E2xxx names and
// types, E3xxx processes, E4xxx decision tables, E5xxx calendars and tests,
// W for warnings), a message and a source range. Rendering follows compilers:
//
//   path:line:col: error: message [E2001]
//     source line
//     ^~~~~~
//
// Lines are 1-based; columns are 1-based and count Unicode code points.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace smdl {

enum class Severity { kError, kWarning, kNote };

const char* SeverityName(Severity severity);

// A position in a source file. `end_*` is exclusive; a zero-width range
// (begin == end) points at a single position, e.g. end of file.
struct SourceRange {
  uint32_t file = 0;  // index into the SourceManager; 0 means "no file"
  uint32_t line = 0;
  uint32_t column = 0;
  uint32_t end_line = 0;
  uint32_t end_column = 0;

  bool valid() const { return file != 0 && line != 0; }
};

struct Diagnostic {
  Severity severity = Severity::kError;
  std::string code;
  std::string message;
  SourceRange range;
};

// Owns the text of every file read in a run, so that diagnostics can show
// the offending line. Thread-compatible (not thread-safe).
class SourceManager {
 public:
  SourceManager();
  ~SourceManager();
  SourceManager(const SourceManager&) = delete;
  SourceManager& operator=(const SourceManager&) = delete;

  // Registers a file's text; returns its id (never 0).
  uint32_t Add(std::string path, std::string text);
  const std::string& Path(uint32_t file) const;
  const std::string& Text(uint32_t file) const;
  // The text of a 1-based line without its line terminator; empty if out of range.
  std::string_view Line(uint32_t file, uint32_t line) const;
  size_t FileCount() const;

 private:
  struct File;
  std::vector<std::unique_ptr<File>> files_;
};

// The diagnostics of one run, in the order they were reported.
class Diagnostics {
 public:
  void Report(Severity severity, std::string code, SourceRange range, std::string message);
  void Error(std::string code, SourceRange range, std::string message) {
    Report(Severity::kError, std::move(code), range, std::move(message));
  }
  void Warning(std::string code, SourceRange range, std::string message) {
    Report(Severity::kWarning, std::move(code), range, std::move(message));
  }
  void Note(SourceRange range, std::string message) {
    Report(Severity::kNote, "", range, std::move(message));
  }

  const std::vector<Diagnostic>& all() const { return items_; }
  size_t ErrorCount() const { return errors_; }
  size_t WarningCount() const;
  bool HasErrors() const { return errors_ > 0; }

  // Orders by file, line and column (stable for equal positions).
  void SortByLocation();

  // Renders every diagnostic as compilers do, with the source line and a caret.
  std::string RenderText(const SourceManager& sources) const;
  // Renders a JSON array of {file, line, column, end_line, end_column, severity, code, message}.
  std::string RenderJson(const SourceManager& sources) const;

 private:
  std::vector<Diagnostic> items_;
  size_t errors_ = 0;
};

// Renders one diagnostic (without a trailing newline after the caret line).
std::string RenderDiagnostic(const Diagnostic& d, const SourceManager& sources);

}  // namespace smdl
