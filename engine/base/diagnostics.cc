#include "smdl/diagnostics.h"

#include <algorithm>
#include <nlohmann/json.hpp>

#include "base/utf8.h"

namespace smdl {

const char* SeverityName(Severity severity) {
  switch (severity) {
    case Severity::kError: return "error";
    case Severity::kWarning: return "warning";
    case Severity::kNote: return "note";
  }
  return "error";
}

struct SourceManager::File {
  std::string path;
  std::string text;
  std::vector<size_t> line_starts;  // byte offset of each line
};

SourceManager::SourceManager() = default;
SourceManager::~SourceManager() = default;

uint32_t SourceManager::Add(std::string path, std::string text) {
  auto file = std::make_unique<File>();
  file->path = std::move(path);
  file->text = std::move(text);
  file->line_starts.push_back(0);
  const std::string& t = file->text;
  for (size_t i = 0; i < t.size(); ++i) {
    // Only \n ends a line, as the lexer counts them (\r\n works, a lone \r does not).
    if (t[i] == '\n') file->line_starts.push_back(i + 1);
  }
  files_.push_back(std::move(file));
  return static_cast<uint32_t>(files_.size());
}

static const std::string kEmpty;

const std::string& SourceManager::Path(uint32_t file) const {
  return file == 0 || file > files_.size() ? kEmpty : files_[file - 1]->path;
}

const std::string& SourceManager::Text(uint32_t file) const {
  return file == 0 || file > files_.size() ? kEmpty : files_[file - 1]->text;
}

std::string_view SourceManager::Line(uint32_t file, uint32_t line) const {
  if (file == 0 || file > files_.size()) return {};
  const File& f = *files_[file - 1];
  if (line == 0 || line > f.line_starts.size()) return {};
  size_t begin = f.line_starts[line - 1];
  size_t end = line < f.line_starts.size() ? f.line_starts[line] : f.text.size();
  std::string_view v(f.text.data() + begin, end - begin);
  while (!v.empty() && (v.back() == '\n' || v.back() == '\r')) v.remove_suffix(1);
  return v;
}

size_t SourceManager::FileCount() const { return files_.size(); }

void Diagnostics::Report(Severity severity, std::string code, SourceRange range, std::string message) {
  if (severity == Severity::kError) ++errors_;
  items_.push_back(Diagnostic{severity, std::move(code), std::move(message), range});
}

size_t Diagnostics::WarningCount() const {
  return std::count_if(items_.begin(), items_.end(),
                       [](const Diagnostic& d) { return d.severity == Severity::kWarning; });
}

void Diagnostics::SortByLocation() {
  // Notes stay attached to the diagnostic they follow: sort groups, not items.
  std::vector<std::vector<Diagnostic>> groups;
  for (auto& d : items_) {
    if (d.severity == Severity::kNote && !groups.empty()) groups.back().push_back(std::move(d));
    else groups.push_back({std::move(d)});
  }
  std::stable_sort(groups.begin(), groups.end(), [](const auto& a, const auto& b) {
    const SourceRange& x = a.front().range;
    const SourceRange& y = b.front().range;
    if (x.file != y.file) return x.file < y.file;
    if (x.line != y.line) return x.line < y.line;
    return x.column < y.column;
  });
  items_.clear();
  for (auto& g : groups)
    for (auto& d : g) items_.push_back(std::move(d));
}

// Copies the prefix of `line` up to code point column `column` (1-based),
// keeping tabs so the caret lines up, and turning everything else to spaces.
static std::string CaretIndent(std::string_view line, uint32_t column) {
  std::string indent;
  uint32_t col = 1;
  size_t i = 0;
  while (col < column && i < line.size()) {
    unsigned char c = static_cast<unsigned char>(line[i]);
    size_t len = c < 0x80 ? 1 : (c & 0xE0) == 0xC0 ? 2 : (c & 0xF0) == 0xE0 ? 3 : (c & 0xF8) == 0xF0 ? 4 : 1;
    indent.push_back(c == '\t' ? '\t' : ' ');
    i += len;
    ++col;
  }
  while (col < column) { indent.push_back(' '); ++col; }
  return indent;
}

// Makes a source line safe to print: control characters other than tab become '?'.
static std::string Printable(std::string_view line) {
  std::string out;
  out.reserve(line.size());
  for (char c : line) {
    unsigned char u = static_cast<unsigned char>(c);
    out.push_back((u < 0x20 && c != '\t') || u == 0x7F ? '?' : c);
  }
  return out;
}

std::string RenderDiagnostic(const Diagnostic& d, const SourceManager& sources) {
  std::string out;
  if (d.range.valid()) {
    out += sources.Path(d.range.file) + ":" + std::to_string(d.range.line) + ":" +
           std::to_string(d.range.column) + ": ";
  } else if (d.range.file != 0) {
    out += sources.Path(d.range.file) + ": ";
  }
  out += SeverityName(d.severity);
  out += ": ";
  out += d.message;
  if (!d.code.empty()) out += " [" + d.code + "]";
  if (!d.range.valid()) return out;
  std::string_view line = sources.Line(d.range.file, d.range.line);
  constexpr size_t kMaxShown = 240;  // a minified or binary line is not worth printing whole
  if (line.size() > kMaxShown) return out;
  out += "\n  " + Printable(line) + "\n  " + CaretIndent(line, d.range.column) + "^";
  if (d.range.end_line == d.range.line && d.range.end_column > d.range.column + 1) {
    size_t line_len = CodePointCount(line);
    uint32_t end = std::min<uint32_t>(d.range.end_column, static_cast<uint32_t>(line_len + 1));
    for (uint32_t c = d.range.column + 1; c < end; ++c) out += "~";
  }
  return out;
}

std::string Diagnostics::RenderText(const SourceManager& sources) const {
  std::string out;
  for (const auto& d : items_) {
    out += RenderDiagnostic(d, sources);
    out += "\n";
  }
  return out;
}

std::string Diagnostics::RenderJson(const SourceManager& sources) const {
  nlohmann::json array = nlohmann::json::array();
  for (const auto& d : items_) {
    nlohmann::json j;
    j["file"] = sources.Path(d.range.file);
    j["line"] = d.range.line;
    j["column"] = d.range.column;
    j["end_line"] = d.range.end_line;
    j["end_column"] = d.range.end_column;
    j["severity"] = SeverityName(d.severity);
    j["code"] = d.code;
    j["message"] = d.message;
    array.push_back(std::move(j));
  }
  // Invalid UTF-8 in a message (quoted from the input) is replaced, never thrown on.
  return array.dump(2, ' ', false, nlohmann::json::error_handler_t::replace);
}

}  // namespace smdl
