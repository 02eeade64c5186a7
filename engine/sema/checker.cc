#include "sema/checker.h"

#include <algorithm>
#include <cstdlib>
#include <set>
#include <sstream>

#include "sema/loader.h"
#include "sema/passes.h"
#include "sema/stdlib_dir.h"


namespace smdl::sema {

const char* SymbolKindName(Symbol::Kind kind) {
  switch (kind) {
    case Symbol::Kind::kEnum: return "enum";
    case Symbol::Kind::kRecord: return "record";
    case Symbol::Kind::kFunction: return "policy";
    case Symbol::Kind::kSetting: return "setting";
    case Symbol::Kind::kCalendar: return "calendar";
    case Symbol::Kind::kHolidaySet: return "holiday set";
    case Symbol::Kind::kProcess: return "process";
  }
  return "declaration";
}

int EnumInfo::IndexOf(const std::string& value) const {
  for (size_t i = 0; i < values.size(); ++i)
    if (values[i] == value) return static_cast<int>(i);
  return -1;
}

const FieldInfo* RecordInfo::Find(const std::string& name) const {
  for (const auto& f : fields)
    if (f.name == name) return &f;
  return nullptr;
}

const ast::StateDecl* ProcessInfo::FindState(const std::string& name) const {
  int i = StateIndex(name);
  return i < 0 ? nullptr : &decl->states[static_cast<size_t>(i)];
}

int ProcessInfo::StateIndex(const std::string& name) const {
  for (size_t i = 0; i < decl->states.size(); ++i)
    if (decl->states[i].name.text == name) return static_cast<int>(i);
  return -1;
}

int ProcessInfo::InitialChild(int state) const {
  const auto& children = decl->states[static_cast<size_t>(state)].children;
  for (int c : children)
    if (decl->states[static_cast<size_t>(c)].is_initial) return c;
  return children.empty() ? -1 : children.front();
}

int ProcessInfo::LeafOf(int state) const {
  while (state >= 0 && !decl->states[static_cast<size_t>(state)].children.empty()) state = InitialChild(state);
  return state;
}

std::vector<int> ProcessInfo::EntryLeaves(int state) const {
  std::vector<int> out;
  if (state < 0) return out;
  const ast::StateDecl& s = decl->states[static_cast<size_t>(state)];
  if (s.children.empty()) return {state};
  if (!s.is_parallel) return EntryLeaves(InitialChild(state));
  for (int region : s.children)
    for (int leaf : EntryLeaves(region)) out.push_back(leaf);
  return out;
}

std::vector<int> ProcessInfo::TargetLeaves(int target) const {
  std::vector<int> out = EntryLeaves(target);
  const auto& states = decl->states;
  for (int s = target; s >= 0; s = states[static_cast<size_t>(s)].parent) {
    int parent = states[static_cast<size_t>(s)].parent;
    if (parent < 0 || !states[static_cast<size_t>(parent)].is_parallel) continue;
    for (int region : states[static_cast<size_t>(parent)].children)
      if (region != s)
        for (int leaf : EntryLeaves(region)) out.push_back(leaf);
  }
  std::sort(out.begin(), out.end());
  return out;
}

std::vector<std::string> ProcessInfo::StatesWithin(const std::string& name) const {
  std::vector<std::string> out;
  const auto& states = decl->states;
  for (size_t i = 0; i < states.size(); ++i)
    for (int s = static_cast<int>(i); s >= 0; s = states[static_cast<size_t>(s)].parent)
      if (states[static_cast<size_t>(s)].name.text == name) {
        out.push_back(states[i].name.text);
        break;
      }
  return out;
}

std::string Program::TextOf(const SourceRange& range) const {
  if (!range.valid()) return "";
  std::string out;
  for (uint32_t line = range.line; line <= range.end_line; ++line) {
    std::string_view text = sources.Line(range.file, line);
    // Columns count code points: walk the UTF-8 text.
    uint32_t col = 1;
    size_t i = 0;
    auto advance_to = [&](uint32_t target) {
      while (col < target && i < text.size()) {
        unsigned char c = static_cast<unsigned char>(text[i]);
        i += c < 0x80 ? 1 : (c & 0xE0) == 0xC0 ? 2 : (c & 0xF0) == 0xE0 ? 3 : (c & 0xF8) == 0xF0 ? 4 : 1;
        ++col;
      }
      return std::min(i, text.size());
    };
    size_t begin = line == range.line ? advance_to(range.column) : 0;
    size_t end = line == range.end_line ? advance_to(range.end_column) : text.size();
    if (!out.empty()) out += ' ';
    out += std::string(text.substr(begin, end - begin));
  }
  return out;
}

const ProcessInfo* Program::FindProcess(const std::string& name) const {
  for (const auto& p : processes)
    if (p->decl->name.text == name) return p.get();
  return nullptr;
}

const ProcessInfo* Program::ProcessForRecord(const std::string& record_qualified) const {
  for (const auto& p : processes)
    if (p->record && p->record->qualified == record_qualified) return p.get();
  return nullptr;
}

namespace {

// Declarations of one module, gathered per kind and entered in source order,
// so that a duplicate is reported at the later of the two.
struct PendingDeclarations {
  std::vector<std::pair<const ast::Ident*, Symbol>> items;
  void Add(const ast::Ident& name, Symbol symbol) { items.emplace_back(&name, symbol); }
  void Enter(Program& program, ModuleInfo& module) {
    std::stable_sort(items.begin(), items.end(), [](const auto& a, const auto& b) {
      return a.first->range.line != b.first->range.line ? a.first->range.line < b.first->range.line
                                                        : a.first->range.column < b.first->range.column;
    });
    for (auto& [name, symbol] : items) {
      symbol.range = name->range;
      symbol.module = &module;
      auto [it, inserted] = module.own.emplace(name->text, symbol);
      if (!inserted) {
        program.diags.Error("E2030", name->range, "'" + name->text + "' is already declared in module '" + module.name + "'");
        program.diags.Note(it->second.range, "the first declaration is here");
      }
    }
  }
};

std::string Qualify(const ModuleInfo& module, const std::string& name) { return module.name + "." + name; }

}  // namespace

void CollectSymbols(Program& program) {
  for (auto& m : program.modules) {
    ModuleInfo& module = *m;
    const ast::Module& ast = *module.ast;
    PendingDeclarations pending;
    for (const auto& d : ast.enums) {
      auto info = std::make_unique<EnumInfo>();
      info->decl = &d;
      info->module = &module;
      info->qualified = Qualify(module, d.name.text);
      for (const auto& v : d.values) {
        if (info->IndexOf(v.text) >= 0)
          program.diags.Error("E2030", v.range, "enum " + d.name.text + " already has a value '" + v.text + "'");
        else
          info->values.push_back(v.text);
      }
      Symbol s;
      s.kind = Symbol::Kind::kEnum;
      s.enum_info = info.get();
      pending.Add(d.name, s);
      program.enums.push_back(std::move(info));
    }
    for (const auto& d : ast.records) {
      auto info = std::make_unique<RecordInfo>();
      info->decl = &d;
      info->module = &module;
      info->qualified = Qualify(module, d.name.text);
      Symbol s;
      s.kind = Symbol::Kind::kRecord;
      s.record = info.get();
      pending.Add(d.name, s);
      program.records.push_back(std::move(info));
    }
    auto add_function = [&](FunctionInfo::Kind kind, const ast::PolicyDecl* p, const ast::TableDecl* t) {
      auto info = std::make_unique<FunctionInfo>();
      info->kind = kind;
      info->policy = p;
      info->table = t;
      info->module = &module;
      info->name = info->Name().text;
      info->is_override = p ? p->is_override : t->is_override;
      if (!info->is_override) {
        Symbol s;
        s.kind = Symbol::Kind::kFunction;
        s.function = info.get();
        pending.Add(info->Name(), s);
      }
      program.functions.push_back(std::move(info));
    };
    for (const auto& d : ast.policies) add_function(FunctionInfo::Kind::kPolicy, &d, nullptr);
    for (const auto& d : ast.tables) add_function(FunctionInfo::Kind::kTable, nullptr, &d);
    for (const auto& d : ast.settings) {
      auto info = std::make_unique<SettingInfo>();
      info->decl = &d;
      info->module = &module;
      info->is_override = d.is_override;
      if (!d.is_override) {
        Symbol s;
        s.kind = Symbol::Kind::kSetting;
        s.setting = info.get();
        pending.Add(d.name, s);
      }
      program.settings.push_back(std::move(info));
    }
    for (const auto& d : ast.calendars) {
      auto info = std::make_unique<CalendarInfo>();
      info->decl = &d;
      info->module = &module;
      info->is_override = d.is_override;
      if (!d.is_override) {
        Symbol s;
        s.kind = Symbol::Kind::kCalendar;
        s.calendar = info.get();
        pending.Add(d.name, s);
      }
      program.calendars.push_back(std::move(info));
    }
    for (const auto& d : ast.holiday_sets) {
      auto info = std::make_unique<HolidaySetInfo>();
      info->decl = &d;
      info->module = &module;
      Symbol s;
      s.kind = Symbol::Kind::kHolidaySet;
      s.holiday_set = info.get();
      pending.Add(d.name, s);
      program.holiday_sets.push_back(std::move(info));
    }
    for (const auto& d : ast.processes) {
      auto info = std::make_unique<ProcessInfo>();
      info->decl = &d;
      info->module = &module;
      Symbol s;
      s.kind = Symbol::Kind::kProcess;
      s.process = info.get();
      pending.Add(d.name, s);
      program.processes.push_back(std::move(info));
    }
    std::map<std::string, SourceRange> module_roles;
    for (const auto& d : ast.roles)
      for (const auto& name : d.names) {
        auto [first, added] = module_roles.emplace(name.text, name.range);
        if (!added) {
          program.diags.Error("E2030", name.range, "role '" + name.text + "' is already declared in module '" + module.name + "'");
          program.diags.Note(first->second, "the first declaration is here");
        }
        program.roles.emplace(name.text, name.range);
      }
    pending.Enter(program, module);
  }
}

std::vector<std::string> SearchPath(const CheckOptions& options) {
  std::vector<std::string> roots = options.search_path;
  if (options.use_environment) {
    if (const char* env = std::getenv("SMDL_PATH")) {
      std::stringstream ss(env);
      std::string item;
      while (std::getline(ss, item, ':'))
        if (!item.empty()) roots.push_back(item);
    }
    if (!StandardLibraryDir().empty()) roots.push_back(StandardLibraryDir());
  }
  return roots;
}

// Each import not found, with the names of its module that nothing
// declares (their uses were not reported one by one).
static void ReportMissingImports(Program& program) {
  for (const auto& module : program.modules) {
    for (size_t i = 0; i < module->missing_imports.size(); ++i) {
      const auto& missing = module->missing_imports[i];
      program.diags.Error("E2032", missing.range, "unknown module '" + missing.name + "'" +
                                                      (missing.looked.empty()
                                                           ? std::string(" (no folder to look in: give --path DIR or set SMDL_PATH)")
                                                           : " (looked for " + missing.looked + ")"));
      if (i > 0 || module->unknown_names.empty()) continue;
      std::string names;
      for (const auto& n : module->unknown_names) names += (names.empty() ? "'" : ", '") + n + "'";
      program.diags.Note(missing.range, "names used in this module that nothing declares, probably from it: " + names);
    }
  }
}

static void RunPasses(Program& program, const CheckOptions& options) {
  ResolveImports(program, SearchPath(options), options.limits);
  CollectSymbols(program);
  ResolveSignatures(program);
  CheckOverrides(program);
  CheckDeclarations(program);
  CheckTables(program);
  CheckProcesses(program);
  CheckTests(program);
  ReportMissingImports(program);
  program.diags.SortByLocation();
}

StatusOr<std::unique_ptr<Program>> CheckPaths(const std::vector<std::string>& paths, const CheckOptions& options) {
  auto files = ExpandPaths(paths);
  if (!files.ok()) return files.status();
  auto program = std::make_unique<Program>();
  for (const auto& path : *files) {
    auto text = ReadFile(path);
    if (!text.ok()) return text.status();
    AddModule(*program, path, std::move(text).value(), options.limits, false);
  }
  RunPasses(*program, options);
  return program;
}

std::unique_ptr<Program> CheckSources(const std::vector<std::pair<std::string, std::string>>& files,
                                      const CheckOptions& options) {
  auto program = std::make_unique<Program>();
  for (const auto& [path, text] : files) AddModule(*program, path, text, options.limits, false);
  RunPasses(*program, options);
  return program;
}

}  // namespace smdl::sema
