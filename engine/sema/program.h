// A checked program: every module loaded for a run, the symbols they declare
// and what the checker learned about them. Produced by Check() (checker.h);
// read by `smdl graph`, and later by the compiler to the IR.
#pragma once

#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <unordered_map>
#include <vector>

#include "sema/types.h"
#include "smdl/diagnostics.h"
#include "syntax/ast.h"

namespace smdl::sema {

struct ModuleInfo;

struct EnumInfo {
  const ast::EnumDecl* decl = nullptr;
  ModuleInfo* module = nullptr;
  std::string qualified;
  std::vector<std::string> values;
  int IndexOf(const std::string& value) const;
};

struct FieldInfo {
  std::string name;
  Type type;
  const ast::FieldDecl* decl = nullptr;
};

struct RecordInfo {
  const ast::RecordDecl* decl = nullptr;
  ModuleInfo* module = nullptr;
  std::string qualified;
  std::vector<FieldInfo> fields;
  // `index by a, b;` declarations, each the list of its fields (or "state").
  std::vector<std::vector<std::string>> indexes;
  const FieldInfo* Find(const std::string& name) const;
};

// How a records(T) query runs: through the index `index`, matching its first
// values.size() fields to these expressions (which do not depend on the
// query's variable); without an index every record of the type is read.
struct QueryPlan {
  std::vector<std::string> index;
  std::vector<const ast::Expr*> values;
};

// A callable policy or decision table.
struct FunctionInfo {
  enum class Kind { kPolicy, kTable };
  Kind kind = Kind::kPolicy;
  const ast::PolicyDecl* policy = nullptr;
  const ast::TableDecl* table = nullptr;
  ModuleInfo* module = nullptr;
  std::string name;
  std::vector<Type> params;
  Type result;
  bool is_override = false;
  const ast::Ident& Name() const { return policy ? policy->name : table->name; }
};

struct SettingInfo {
  const ast::SettingDecl* decl = nullptr;
  ModuleInfo* module = nullptr;
  Type type;
  bool is_override = false;
};

struct CalendarInfo {
  const ast::CalendarDecl* decl = nullptr;
  ModuleInfo* module = nullptr;
  bool is_override = false;
};

struct HolidaySetInfo {
  const ast::HolidaySetDecl* decl = nullptr;
  ModuleInfo* module = nullptr;
};

struct ProcessInfo {
  const ast::ProcessDecl* decl = nullptr;
  ModuleInfo* module = nullptr;
  const RecordInfo* record = nullptr;
  // Event name -> parameter types, identical in every state (checked).
  std::map<std::string, std::vector<std::pair<std::string, Type>>> events;
  const ast::StateDecl* FindState(const std::string& name) const;
  // The index of state `name` in decl->states, -1 if none.
  int StateIndex(const std::string& name) const;
  // The child compound state `state` enters first: the one marked initial,
  // else the first; -1 for a state without children.
  int InitialChild(int state) const;
  // The leaf entered when `state` is entered: its initial child's, down.
  int LeafOf(int state) const;
  // Every leaf entered when `state` is entered from outside it: down the
  // initial children, and into each region of a parallel state.
  std::vector<int> EntryLeaves(int state) const;
  // The leaves a transition to `target` enters: EntryLeaves(target), and
  // for each parallel state around it, the entry leaves of its other regions.
  std::vector<int> TargetLeaves(int target) const;
  // State `name` and every state inside it: the states a record is in when
  // it is within `name` (empty when there is no such state).
  std::vector<std::string> StatesWithin(const std::string& name) const;
};

// What a name declared at module level stands for.
struct Symbol {
  enum class Kind { kEnum, kRecord, kFunction, kSetting, kCalendar, kHolidaySet, kProcess };
  Kind kind = Kind::kEnum;
  EnumInfo* enum_info = nullptr;
  RecordInfo* record = nullptr;
  FunctionInfo* function = nullptr;
  SettingInfo* setting = nullptr;
  CalendarInfo* calendar = nullptr;
  HolidaySetInfo* holiday_set = nullptr;
  ProcessInfo* process = nullptr;
  SourceRange range;
  const ModuleInfo* module = nullptr;
};

const char* SymbolKindName(Symbol::Kind kind);

struct ModuleInfo {
  ast::Module* ast = nullptr;
  std::string name;
  std::string path;
  bool from_search_path = false;       // loaded to satisfy an import
  std::map<std::string, Symbol> own;   // declared here (overrides excluded)
  std::vector<ModuleInfo*> imports;    // resolved imports
  // Imports that were not found, reported once the checks are done with
  // the names this module could not resolve (likely theirs) in one note,
  // instead of an error for each use of each.
  struct MissingImport {
    std::string name;
    SourceRange range;
    std::string looked;  // where it was looked for
  };
  std::vector<MissingImport> missing_imports;
  mutable std::set<std::string> unknown_names;
};

struct ExprInfo {
  Type type;
};

class Program {
 public:
  SourceManager sources;
  Diagnostics diags;
  std::vector<std::unique_ptr<ast::Module>> asts;
  std::vector<std::unique_ptr<ModuleInfo>> modules;
  std::map<std::string, ModuleInfo*> by_name;

  std::vector<std::unique_ptr<EnumInfo>> enums;
  std::vector<std::unique_ptr<RecordInfo>> records;
  std::vector<std::unique_ptr<FunctionInfo>> functions;
  std::vector<std::unique_ptr<SettingInfo>> settings;
  std::vector<std::unique_ptr<CalendarInfo>> calendars;
  std::vector<std::unique_ptr<HolidaySetInfo>> holiday_sets;
  // Each calendar (or override) that includes holiday sets -> those sets, in order.
  std::map<const ast::CalendarDecl*, std::vector<const ast::HolidaySetDecl*>> holiday_sets_of;
  std::vector<std::unique_ptr<ProcessInfo>> processes;
  // Roles are program-wide names: role -> its first declaration.
  std::map<std::string, SourceRange> roles;

  // Overridden declaration (by its node) -> the override that wins.
  std::map<const void*, const void*> overrides;

  // The checker's findings per expression node.
  std::unordered_map<const ast::Expr*, ExprInfo> expr_info;
  // records(T) calls that an index serves, by the call's node.
  std::unordered_map<const ast::Expr*, QueryPlan> query_plans;

  // Source text of a range (one file), e.g. a guard for a diagram label.
  std::string TextOf(const SourceRange& range) const;
  const ProcessInfo* FindProcess(const std::string& name) const;
  const ProcessInfo* ProcessForRecord(const std::string& record_qualified) const;
};

}  // namespace smdl::sema
