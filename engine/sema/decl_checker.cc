// Declarations other than processes and tables: record fields and defaults,
// policies, settings, overrides and calendars.
#include <algorithm>
#include <filesystem>
#include <set>

#include "base/time.h"
#include "sema/expr_checker.h"
#include "sema/passes.h"
#include "sema/scope.h"

namespace smdl::sema {
namespace {

const std::set<std::string> kReservedFields = {"id", "state", "sla", "now", "created_by", "created_at"};

std::string Signature(const FunctionInfo& f) {
  std::string s = "(";
  for (size_t i = 0; i < f.params.size(); ++i) s += (i ? ", " : "") + f.params[i].ToString();
  return s + ") -> " + f.result.ToString();
}

const std::vector<ast::Param>& ParamsOf(const FunctionInfo& f) {
  return f.policy ? f.policy->params : f.table->params;
}

void CheckParamNames(Program& program, const std::vector<ast::Param>& params) {
  std::set<std::string> seen;
  for (const auto& p : params)
    if (!seen.insert(p.name.text).second)
      program.diags.Error("E2030", p.name.range, "parameter '" + p.name.text + "' is declared twice");
}

}  // namespace

void ResolveSignatures(Program& program) {
  for (auto& r : program.records) {
    std::set<std::string> seen;
    for (const auto& f : r->decl->fields) {
      if (kReservedFields.count(f.name.text)) {
        program.diags.Error("E2035", f.name.range, "'" + f.name.text + "' is reserved: every record has it built in");
      } else if (!seen.insert(f.name.text).second) {
        program.diags.Error("E2030", f.name.range, "record " + r->decl->name.text + " already has a field '" +
                                                       f.name.text + "'");
        continue;
      }
      r->fields.push_back(FieldInfo{f.name.text, ResolveType(*r->module, f.type, program.diags), &f});
    }
    std::set<std::vector<std::string>> indexes;
    for (const auto& index : r->decl->indexes) {
      std::vector<std::string> fields;
      bool ok = true;
      for (const auto& f : index.fields) {
        const FieldInfo* field = r->Find(f.text);
        if (f.text != "state" && !field) {
          program.diags.Error("E2012", f.range, "record " + r->decl->name.text + " has no field '" + f.text + "' to index");
          ok = false;
          continue;
        }
        if (field) {
          Type t = field->type.is(TypeKind::kOptional) ? field->type.params[0] : field->type;
          bool scalar = t.is(TypeKind::kString) || t.is(TypeKind::kInt) || t.is(TypeKind::kUint) ||
                        t.is(TypeKind::kBool) || t.is(TypeKind::kEnum) || t.is(TypeKind::kRef) ||
                        t.is(TypeKind::kTimestamp) || t.is(TypeKind::kDuration) || t.is(TypeKind::kError);
          if (!scalar) {
            program.diags.Error("E2044", f.range, "field '" + f.text + "' is a " + field->type.ToString() +
                                                      ": an index holds strings, ints, uints, bools, enums, refs, timestamps and durations");
            ok = false;
          }
        }
        if (std::find(fields.begin(), fields.end(), f.text) != fields.end()) {
          program.diags.Error("E2030", f.range, "field '" + f.text + "' is named twice in this index");
          ok = false;
        }
        fields.push_back(f.text);
      }
      if (!ok) continue;
      if (!indexes.insert(fields).second) {
        program.diags.Error("E2030", index.range, "record " + r->decl->name.text + " already has this index");
        continue;
      }
      r->indexes.push_back(fields);
    }
  }
  for (auto& f : program.functions) {
    CheckParamNames(program, ParamsOf(*f));
    for (const auto& p : ParamsOf(*f)) f->params.push_back(ResolveType(*f->module, p.type, program.diags));
    f->result = ResolveType(*f->module, f->policy ? f->policy->result : f->table->result, program.diags);
  }
  for (auto& s : program.settings) s->type = ResolveType(*s->module, s->decl->type, program.diags);
}

void CheckOverrides(Program& program) {
  std::map<const void*, SourceRange> first_override;
  auto record = [&](const void* target, const void* by, const SourceRange& at, const std::string& name) {
    auto [it, inserted] = first_override.emplace(target, at);
    if (!inserted) {
      program.diags.Error("E2042", at, "'" + name + "' is overridden more than once");
      program.diags.Note(it->second, "the other override is here");
      return;
    }
    program.overrides[target] = by;
  };
  auto lookup = [&](ModuleInfo& module, const ast::Ident& name, Symbol::Kind kind) -> const Symbol* {
    const Symbol* sym = LookupGlobal(module, name.text, program.diags, name.range);
    if (sym == nullptr) {
      program.diags.Error("E2040", name.range, "nothing named '" + name.text +
                                                   "' to override: import the module that declares it");
      return nullptr;
    }
    if (sym->kind != kind) {
      program.diags.Error("E2041", name.range, "'" + name.text + "' is a " + SymbolKindName(sym->kind) +
                                                   "; an override must be a " + SymbolKindName(kind) + " too");
      return nullptr;
    }
    return sym;
  };
  for (auto& f : program.functions) {
    if (!f->is_override) continue;
    const Symbol* sym = lookup(*f->module, f->Name(), Symbol::Kind::kFunction);
    if (!sym) continue;
    const FunctionInfo& base = *sym->function;
    if (base.params != f->params || base.result != f->result) {
      program.diags.Error("E2041", f->Name().range, "override of '" + f->name + "' has signature " + Signature(*f) +
                                                        ", but the original has " + Signature(base));
      program.diags.Note(base.Name().range, "the original is declared here");
      continue;
    }
    const void* base_node = base.policy ? static_cast<const void*>(base.policy) : base.table;
    const void* by = f->policy ? static_cast<const void*>(f->policy) : f->table;
    record(base_node, by, f->Name().range, f->name);
  }
  for (auto& s : program.settings) {
    if (!s->is_override) continue;
    const Symbol* sym = lookup(*s->module, s->decl->name, Symbol::Kind::kSetting);
    if (!sym) continue;
    if (sym->setting->type != s->type) {
      program.diags.Error("E2041", s->decl->type.range, "override of '" + s->decl->name.text + "' has type " +
                                                            s->type.ToString() + ", but the original has " +
                                                            sym->setting->type.ToString());
      continue;
    }
    record(sym->setting->decl, s->decl, s->decl->name.range, s->decl->name.text);
  }
  for (auto& c : program.calendars) {
    if (!c->is_override) continue;
    const Symbol* sym = lookup(*c->module, c->decl->name, Symbol::Kind::kCalendar);
    if (!sym) continue;
    record(sym->calendar->decl, c->decl, c->decl->name.range, c->decl->name.text);
  }
}

namespace {

// The holiday and substitute lines of a calendar or a holiday set.
void CheckHolidayLines(Diagnostics& diags, const std::vector<ast::CalendarDate>& dates,
                       const std::vector<ast::MovableHoliday>& movable,
                       const std::optional<ast::SubstituteLine>& substitute) {
  for (const auto& d : dates)
    if (!IsValidCalendarDate(d.text, d.recurring))
      diags.Error("E5017", d.range, d.recurring ? "a recurring holiday is written \"MM-DD\", found \"" + d.text + "\""
                                                : "a holiday is written \"YYYY-MM-DD\", found \"" + d.text + "\"");
  const std::string forms = "(write e.g. holiday easter + 1; or holiday first mon of may;)";
  for (const auto& h : movable) {
    if (h.kind == ast::MovableHoliday::Kind::kEaster) {
      if (h.anchor.text != "easter") {
        diags.Error("E5030", h.anchor.range, "'" + h.anchor.text + "' is not a holiday rule " + forms);
      } else if (!h.offset_valid || h.offset < kMinEasterOffset || h.offset > kMaxEasterOffset) {
        diags.Error("E5033", h.offset_range, "days from Easter must be between " + std::to_string(kMinEasterOffset) +
                                                 " and +" + std::to_string(kMaxEasterOffset) +
                                                 ", so that the date stays in Easter's year");
      }
      continue;
    }
    if (h.of.text != "of") {
      diags.Error("E5030", h.of.range, "expected 'of' after '" + h.ordinal.text + " " + h.weekday.text + "', found '" +
                                           h.of.text + "' " + forms);
      continue;
    }
    if (OrdinalNamed(h.ordinal.text) < 0)
      diags.Error("E5031", h.ordinal.range, "'" + h.ordinal.text + "' is not an ordinal (first, second, third, fourth, last)");
    if (WeekdayNamed(h.weekday.text) < 0)
      diags.Error("E5012", h.weekday.range, "'" + h.weekday.text + "' is not a day (mon, tue, wed, thu, fri, sat, sun)");
    if (MonthNamed(h.month.text) < 1)
      diags.Error("E5032", h.month.range,
                  "'" + h.month.text + "' is not a month (jan, feb, mar, apr, may, jun, jul, aug, sep, oct, nov, dec)");
  }
  if (substitute && (substitute->unit.text != "weekday" ||
                     (substitute->mode.text != "next" && substitute->mode.text != "nearest")))
    diags.Error("E5035", substitute->range, "write 'substitute next weekday;' or 'substitute nearest weekday;'");
}

// `holidays NAME, ...;` of a calendar: each a holiday set visible in `module`, once.
void ResolveHolidaySets(Program& program, const ModuleInfo& module, const ast::CalendarDecl& c) {
  std::vector<const ast::HolidaySetDecl*> sets;
  for (const auto& name : c.holiday_sets) {
    const Symbol* sym = LookupGlobal(module, name.text, program.diags, name.range);
    if (!sym && !module.missing_imports.empty()) {
      module.unknown_names.insert(name.text);  // reported once, with the missing import
      continue;
    }
    if (!sym || sym->kind != Symbol::Kind::kHolidaySet) {
      program.diags.Error("E5034", name.range,
                          sym ? "'" + name.text + "' is a " + SymbolKindName(sym->kind) + ", not a holiday set"
                              : "unknown holiday set '" + name.text + "' (declare it with holidays " + name.text +
                                    " { ... } or import its module)");
      continue;
    }
    if (std::find(sets.begin(), sets.end(), sym->holiday_set->decl) != sets.end()) {
      program.diags.Error("E5037", name.range, "calendar '" + c.name.text + "' already includes holiday set '" + name.text + "'");
      continue;
    }
    sets.push_back(sym->holiday_set->decl);
  }
  if (!sets.empty()) program.holiday_sets_of[&c] = std::move(sets);
}

void CheckCalendar(Program& program, const ast::CalendarDecl& c) {
  Diagnostics& diags = program.diags;
  if (!c.timezone) {
    diags.Error("E5010", c.name.range, "calendar '" + c.name.text + "' needs a timezone, e.g. timezone \"UTC\";");
  } else {
    const std::string& tz = *c.timezone;
    std::error_code ec;
    bool safe = !tz.empty() && tz.find("..") == std::string::npos && tz.front() != '/';
    if (!safe || !std::filesystem::is_regular_file(std::filesystem::path("/usr/share/zoneinfo") / tz, ec)) {
      diags.Error("E5011", c.timezone_range, "unknown time zone '" + tz + "' (use an IANA name such as Europe/Berlin)");
    }
  }
  if (c.always && !c.hours.empty()) {
    diags.Error("E5015", c.always_range, "a calendar that is 'always' open cannot also list working hours");
  }
  if (!c.always && c.hours.empty()) {
    diags.Error("E5016", c.name.range, "calendar '" + c.name.text + "' has no working hours (add e.g. mon..fri 08:00-18:00; or always;)");
  }
  static const std::vector<std::string> kDays = {"mon", "tue", "wed", "thu", "fri", "sat", "sun"};
  auto day_index = [&](const ast::Ident& d) -> int {
    for (size_t i = 0; i < kDays.size(); ++i)
      if (kDays[i] == d.text) return static_cast<int>(i);
    diags.Error("E5012", d.range, "'" + d.text + "' is not a day (mon, tue, wed, thu, fri, sat, sun)");
    return -1;
  };
  // Minutes of the week already covered, to report overlapping intervals.
  std::vector<int> covered(7 * 24 * 60, 0);
  for (const auto& h : c.hours) {
    std::vector<int> days;
    for (const auto& [from, to] : h.days) {
      int a = day_index(from);
      int b = to ? day_index(*to) : a;
      if (a < 0 || b < 0) continue;
      if (b < a) {
        diags.Error("E5012", to->range, "day range " + from.text + ".." + to->text + " runs backwards");
        continue;
      }
      for (int d = a; d <= b; ++d) days.push_back(d);
    }
    for (const auto& [start, end] : h.intervals) {
      int s = start.hour * 60 + start.minute, e = end.hour * 60 + end.minute;
      if (s == e) {
        diags.Error("E5013", start.range, "an interval must not be empty");
        continue;
      }
      // An interval that ends before it starts crosses midnight into the next day.
      int length = e > s ? e - s : 24 * 60 - s + e;
      bool overlap = false;
      for (int d : days)
        for (int m = 0; m < length; ++m) {
          int minute = (d * 24 * 60 + s + m) % (7 * 24 * 60);
          if (covered[minute]++) overlap = true;
        }
      if (overlap) diags.Error("E5014", start.range, "working intervals of calendar '" + c.name.text + "' overlap");
    }
  }
  CheckHolidayLines(diags, c.holidays, c.movable_holidays, c.substitute);
  for (const auto& d : c.working_days)
    if (!IsValidCalendarDate(d.text, false))
      diags.Error("E5017", d.range, "a working day is written \"YYYY-MM-DD\", found \"" + d.text + "\"");
}

}  // namespace

void CheckDeclarations(Program& program) {
  for (auto& r : program.records) {
    ExprEnv env{program, *r->module, nullptr, false, false, {}};
    ExprChecker checker(env);
    for (const auto& f : r->fields)
      if (f.decl->default_value) checker.Expect(*f.decl->default_value, f.type, "the default of '" + f.name + "'");
  }
  for (auto& f : program.functions) {
    if (!f->policy) continue;
    ExprEnv env{program, *f->module, nullptr, false, false, {}};
    for (size_t i = 0; i < f->params.size(); ++i) env.locals.emplace_back(f->policy->params[i].name.text, f->params[i]);
    ExprChecker checker(env);
    checker.Expect(*f->policy->body, f->result, "the result of policy '" + f->name + "'");
  }
  for (auto& s : program.settings) {
    ExprEnv env{program, *s->module, nullptr, false, false, {}};
    ExprChecker checker(env);
    checker.Expect(*s->decl->value, s->type, "the value of setting '" + s->decl->name.text + "'");
  }
  for (auto& c : program.calendars) {
    CheckCalendar(program, *c->decl);
    ResolveHolidaySets(program, *c->module, *c->decl);
  }
  for (auto& h : program.holiday_sets)
    CheckHolidayLines(program.diags, h->decl->holidays, h->decl->movable_holidays, h->decl->substitute);
}

}  // namespace smdl::sema
