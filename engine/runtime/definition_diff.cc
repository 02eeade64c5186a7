#include "runtime/definition_diff.h"

#include <cctype>
#include <map>
#include <string>

namespace smdl::runtime {
namespace {

using nlohmann::json;

// The text a declaration spans, with runs of whitespace made one space, so
// that re-indenting is no change.
std::string Text(const SourceManager& sources, const SourceRange& range) {
  std::string out;
  if (!range.valid()) return out;
  for (uint32_t line = range.line; line <= range.end_line; ++line) {
    std::string_view text = sources.Line(range.file, line);
    size_t begin = line == range.line ? std::min<size_t>(range.column > 0 ? range.column - 1 : 0, text.size()) : 0;
    size_t end = line == range.end_line ? std::min<size_t>(range.end_column, text.size()) : text.size();
    if (end < begin) end = begin;
    out.append(text.substr(begin, end - begin));
    out += ' ';
  }
  std::string squeezed;
  for (char c : out) {
    bool space = std::isspace(static_cast<unsigned char>(c));
    if (space && (squeezed.empty() || squeezed.back() == ' ')) continue;
    squeezed += space ? ' ' : c;
  }
  while (!squeezed.empty() && squeezed.back() == ' ') squeezed.pop_back();
  return squeezed;
}

std::map<std::string, std::string> Declarations(const sema::Program& p) {
  std::map<std::string, std::string> out;
  auto add = [&](bool is_override, const std::string& kind, const sema::ModuleInfo* module, const std::string& name,
                 const SourceRange& range) {
    std::string key = (is_override ? "override " : "") + kind + " " + (module ? module->name + "." : "") + name;
    out[key] = Text(p.sources, range);
  };
  for (const auto& r : p.records) add(false, "record", r->module, r->decl->name.text, r->decl->range);
  for (const auto& e : p.enums) add(false, "enum", e->module, e->decl->name.text, e->decl->range);
  for (const auto& f : p.functions) {
    if (f->policy) add(f->is_override, "policy", f->module, f->name, f->policy->range);
    else add(f->is_override, "table", f->module, f->name, f->table->range);
  }
  for (const auto& s : p.settings) add(s->is_override, "setting", s->module, s->decl->name.text, s->decl->range);
  for (const auto& c : p.calendars) add(c->is_override, "calendar", c->module, c->decl->name.text, c->decl->range);
  for (const auto& h : p.holiday_sets) add(false, "holidays", h->module, h->decl->name.text, h->decl->range);
  for (const auto& pr : p.processes) add(false, "process", pr->module, pr->decl->name.text, pr->decl->range);
  return out;
}

json Compare(const std::map<std::string, std::string>& before, const std::map<std::string, std::string>& after) {
  json out = {{"added", json::array()}, {"removed", json::array()}, {"changed", json::array()}};
  for (const auto& [key, text] : after) {
    auto it = before.find(key);
    if (it == before.end()) out["added"].push_back(key);
    else if (it->second != text) out["changed"].push_back(key);
  }
  for (const auto& [key, text] : before)
    if (!after.count(key)) out["removed"].push_back(key);
  return out;
}

std::map<std::string, std::string> Modules(const sema::Program& p) {
  std::map<std::string, std::string> out;
  for (const auto& m : p.modules) out[m->name] = p.sources.Text(m->ast->file);
  return out;
}

}  // namespace

json DiffPrograms(const sema::Program* from, const sema::Program& to) {
  std::map<std::string, std::string> none;
  return {{"modules", Compare(from ? Modules(*from) : none, Modules(to))},
          {"declarations", Compare(from ? Declarations(*from) : none, Declarations(to))}};
}

}  // namespace smdl::runtime
