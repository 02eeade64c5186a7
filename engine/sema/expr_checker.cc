#include "sema/expr_checker.h"

#include <algorithm>

#include "sema/builtins.h"
#include "sema/scope.h"

namespace smdl::sema {
namespace {

using K = TypeKind;
using ast::ExprKind;
using ast::Op;

size_t EditDistance(const std::string& a, const std::string& b) {
  std::vector<size_t> prev(b.size() + 1), cur(b.size() + 1);
  for (size_t j = 0; j <= b.size(); ++j) prev[j] = j;
  for (size_t i = 1; i <= a.size(); ++i) {
    cur[0] = i;
    for (size_t j = 1; j <= b.size(); ++j)
      cur[j] = std::min({prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1)});
    std::swap(prev, cur);
  }
  return prev[b.size()];
}

// "a.b.c" for a chain of selections on an identifier, else "".
std::string DottedName(const ast::Expr& e) {
  if (e.kind == ExprKind::kIdent) return e.leading_dot ? "" : e.name;
  if (e.kind != ExprKind::kSelect) return "";
  std::string prefix = DottedName(*e.args[0]);
  return prefix.empty() ? "" : prefix + "." + e.name;
}

bool IsMapKeyType(const Type& t) {
  return t.IsErrorOrDyn() || t.is(K::kInt) || t.is(K::kUint) || t.is(K::kString) || t.is(K::kBool) ||
         t.is(K::kEnum);
}

}  // namespace

Type ExprChecker::Check(const ast::Expr& e) {
  Type t = CheckUncached(e);
  env_.program.expr_info[&e] = ExprInfo{t};
  return t;
}

Type ExprChecker::Expect(const ast::Expr& e, const Type& want, const std::string& what) {
  Type t = Check(e);
  if (!IsAssignable(want, t)) {
    std::string hint;
    if (t.is(K::kOptional) && IsAssignable(want, t.params[0])) hint = " (the value may be absent: use .orValue(...))";
    diags().Error("E2002", e.range, what + " must be " + want.ToString() + ", found " + t.ToString() + hint);
  }
  return t;
}

Type ExprChecker::CheckUncached(const ast::Expr& e) {
  switch (e.kind) {
    case ExprKind::kLiteral: return Literal(e);
    case ExprKind::kIdent: return Ident(e);
    case ExprKind::kSelect: return Select(e);
    case ExprKind::kCall: return Call(e);
    case ExprKind::kIndex: return Index(e);
    case ExprKind::kList: return List(e);
    case ExprKind::kMap: return Map(e);
    case ExprKind::kUnary: return Unary(e);
    case ExprKind::kBinary: return Binary(e);
    case ExprKind::kTernary: return Ternary(e);
    case ExprKind::kThis:
      if (env_.record == nullptr) {
        diags().Error("E2021", e.range, "'this' is only available inside a process");
        return Type::Error();
      }
      return Type::Record(env_.record->qualified);
  }
  return Type::Error();
}

Type ExprChecker::Literal(const ast::Expr& e) {
  switch (e.literal) {
    case ast::LiteralKind::kNull: return Type::Null();
    case ast::LiteralKind::kBool: return Type::Bool();
    case ast::LiteralKind::kInt: return Type::Int();
    case ast::LiteralKind::kUint: return Type::Uint();
    case ast::LiteralKind::kDouble: return Type::Double();
    case ast::LiteralKind::kString: return Type::String();
    case ast::LiteralKind::kBytes: return Type::Bytes();
  }
  return Type::Error();
}

const Type* ExprChecker::FindLocal(const std::string& name) const {
  for (auto it = env_.locals.rbegin(); it != env_.locals.rend(); ++it)
    if (it->first == name) return &it->second;
  return nullptr;
}

std::string DidYouMean(const std::string& name, const std::vector<std::string>& candidates) {
  std::string best;
  size_t best_distance = name.size() <= 3 ? 1 : 2;
  for (const auto& c : candidates) {
    size_t d = EditDistance(name, c);
    if (d <= best_distance && c != name) { best = c; best_distance = d; }
  }
  return best.empty() ? "" : " (did you mean '" + best + "'?)";
}

std::string ExprChecker::Suggest(const std::string& name) const {
  std::vector<std::string> candidates;
  for (const auto& [n, t] : env_.locals) candidates.push_back(n);
  if (env_.record)
    for (const auto& f : env_.record->fields) candidates.push_back(f.name);
  for (const auto& [n, s] : env_.module.own) candidates.push_back(n);
  for (const ModuleInfo* m : env_.module.imports)
    for (const auto& [n, s] : m->own) candidates.push_back(n);
  if (env_.has_actor) candidates.push_back("actor");
  return DidYouMean(name, candidates);
}

Type ExprChecker::Ident(const ast::Expr& e) {
  const std::string& name = e.name;
  if (!e.leading_dot) {
    if (const Type* local = FindLocal(name)) return *local;
    if (env_.record) {
      if (const FieldInfo* f = env_.record->Find(name)) return f->type;
      if (name == "id" || name == "state") return Type::String();
    }
    if (name == "actor" && env_.has_actor) return Type::Actor();
  }
  if (name == "now" && env_.has_now) return Type::Timestamp();
  if (const Symbol* sym = LookupGlobal(env_.module, name, diags(), e.range)) {
    switch (sym->kind) {
      case Symbol::Kind::kSetting: return sym->setting->type;
      case Symbol::Kind::kCalendar: return Type::Calendar();
      case Symbol::Kind::kFunction:
        diags().Error("E2022", e.range, "'" + name + "' is a " + SymbolKindName(sym->kind) + "; call it with arguments");
        return Type::Error();
      default:
        diags().Error("E2022", e.range, "'" + name + "' is a " + std::string(SymbolKindName(sym->kind)) +
                                            ", not a value");
        return Type::Error();
    }
  }
  if (BuiltinTypeNamed(name) || name == "null_type" || name == "type" || name == "list" || name == "map")
    return Type::TypeOf();
  // Likely declared by an import that was not found: said once, there.
  if (!env_.module.missing_imports.empty() && env_.diags == nullptr) env_.module.unknown_names.insert(name);
  else diags().Error("E2010", e.range, "unknown name '" + name + "'" + Suggest(name));
  return Type::Error();
}

Type ExprChecker::FieldOf(const Type& t, const std::string& name, const ast::Expr& at) {
  switch (t.kind) {
    case K::kError: return Type::Error();
    case K::kDyn: return Type::Dyn();
    case K::kRef:
      if (!env_.reads_records) {
        diags().Error("E2043", at.name_range, "'" + name + "' is read through a ref, which only processes and tests can do; "
                                                   "give the value as a parameter instead");
        return Type::Error();
      }
      [[fallthrough]];
    case K::kRecord: {
      if (name == "id" || name == "state") return Type::String();
      if (name == "sla") return Type::SlaClocks(t.name);
      for (const auto& r : env_.program.records)
        if (r->qualified == t.name)
          if (const FieldInfo* f = r->Find(name)) return f->type;
      if (name == "created_by") return Type::String();
      if (name == "created_at") return Type::Timestamp();
      diags().Error("E2012", at.name_range, "record " + ShortName(t.name) + " has no field '" + name + "'");
      return Type::Error();
    }
    case K::kSlaClocks: {
      const ProcessInfo* p = env_.program.ProcessForRecord(t.name);
      if (p)
        for (const auto& s : p->decl->slas)
          if (s.name.text == name) return Type::SlaClock();
      diags().Error("E2012", at.name_range, "no sla named '" + name + "' in the process of " + ShortName(t.name));
      return Type::Error();
    }
    case K::kSlaClock:
      if (name == "due" || name == "breached_at" || name == "started_at") return Type::Timestamp();
      if (name == "elapsed" || name == "remaining" || name == "target") return Type::Duration();
      if (name == "breached" || name == "paused" || name == "running" || name == "stopped" || name == "warned")
        return Type::Bool();
      diags().Error("E2012", at.name_range,
                    "an sla clock has no field '" + name +
                        "' (it has due, elapsed, remaining, target, started_at, breached, breached_at, paused, "
                        "running, stopped, warned)");
      return Type::Error();
    case K::kActor:
      if (name == "name") return Type::String();
      if (name == "roles") return Type::List(Type::String());
      diags().Error("E2012", at.name_range, "the actor has no field '" + name + "' (it has name, roles)");
      return Type::Error();
    case K::kMap:
      if (t.params[0].is(K::kString) || t.params[0].IsErrorOrDyn()) return t.params[1];
      break;
    case K::kOptional:
      diags().Error("E2012", at.name_range, "cannot select '" + name + "' from " + t.ToString() +
                                                 ", which may be absent: use .value() or .orValue(...) first");
      return Type::Error();
    default:
      break;
  }
  diags().Error("E2012", at.name_range, "type " + t.ToString() + " has no field '" + name + "'");
  return Type::Error();
}

Type ExprChecker::Select(const ast::Expr& e) {
  const ast::Expr& operand = *e.args[0];
  // CEL's names for the types of timestamps and durations.
  std::string dotted = DottedName(e);
  if ((dotted == "google.protobuf.Timestamp" || dotted == "google.protobuf.Duration") && !FindLocal("google"))
    return Type::TypeOf();
  // A local whose name has dots (`a.b.c`, as CEL environments may declare).
  if (dotted.find('.') != std::string::npos)
    if (const Type* local = FindLocal(dotted)) return *local;
  // `Impact.high`: an enum value, unless a local or field shadows the enum's name.
  if (operand.kind == ExprKind::kIdent && !FindLocal(operand.name) &&
      !(env_.record && env_.record->Find(operand.name))) {
    Diagnostics probe;
    const Symbol* sym = LookupGlobal(env_.module, operand.name, probe, operand.range);
    if (sym && sym->kind == Symbol::Kind::kEnum) {
      const EnumInfo& en = *sym->enum_info;
      env_.program.expr_info[&operand] = ExprInfo{Type::TypeOf()};
      if (en.IndexOf(e.name) < 0) {
        std::string values;
        for (const auto& v : en.values) values += (values.empty() ? "" : ", ") + v;
        diags().Error("E2011", e.name_range, "enum " + en.decl->name.text + " has no value '" + e.name +
                                                 "' (it has " + values + ")");
        return Type::Error();
      }
      return Type::Enum(en.qualified);
    }
  }
  return FieldOf(Check(operand), e.name, e);
}

Type ExprChecker::Macro(const ast::Expr& e) {
  // has(x.f)
  if (!e.has_target) {
    if (e.args.size() != 1 || e.args[0]->kind != ExprKind::kSelect) {
      diags().Error("E2023", e.range, "has() takes one field selection, such as has(this.assignee)");
      return Type::Error();
    }
    const ast::Expr& sel = *e.args[0];
    Type operand = Check(*sel.args[0]);
    if (operand.is(K::kMap) && !operand.params[0].is(K::kString) && !operand.params[0].IsErrorOrDyn()) {
      diags().Error("E2023", sel.range, "has() on a map needs string keys");
    } else if (!operand.is(K::kMap)) {
      FieldOf(operand, sel.name, sel);
    }
    env_.program.expr_info[&sel] = ExprInfo{Type::Dyn()};
    return Type::Bool();
  }
  Type range = Check(*e.args[0]);
  Type elem;
  if (range.is(K::kList)) elem = range.params[0];
  else if (range.is(K::kMap)) elem = range.params[0];
  else if (range.IsErrorOrDyn()) elem = Type::Dyn();
  else {
    diags().Error("E2024", e.args[0]->range, "'" + e.name + "' needs a list or a map, found " + range.ToString());
    elem = Type::Error();
  }
  size_t argc = e.args.size() - 1;
  bool three = e.name == "map" && argc == 3;
  if (!(argc == 2 || three) || e.args[1]->kind != ExprKind::kIdent) {
    diags().Error("E2024", e.range, "'" + e.name + "' takes a variable name and an expression, as in " +
                                         "xs." + e.name + "(x, x > 0)");
    return Type::Error();
  }
  env_.locals.emplace_back(e.args[1]->name, elem);
  env_.program.expr_info[e.args[1].get()] = ExprInfo{elem};
  Type result;
  if (e.name == "map") {
    if (three) Expect(*e.args[2], Type::Bool(), "the filter of map()");
    result = Type::List(Check(*e.args[argc]));
  } else {
    Expect(*e.args[2], Type::Bool(), "the predicate of " + e.name + "()");
    result = e.name == "filter" ? Type::List(elem) : Type::Bool();
  }
  env_.locals.pop_back();
  // An index may narrow what a predicate keeps (filter, exists, exists_one,
  // map with a filter), never what all() must see.
  if (e.name == "filter" || e.name == "exists" || e.name == "exists_one" || three) PlanQuery(e);
  return result;
}

namespace {

// Whether `e` names the variable `var` anywhere (then it depends on it).
bool Mentions(const ast::Expr& e, const std::string& var) {
  if (e.kind == ExprKind::kIdent && !e.leading_dot && e.name == var) return true;
  for (const auto& a : e.args)
    if (a && Mentions(*a, var)) return true;
  return false;
}

// The conjuncts of `a && b && ...`.
void Conjuncts(const ast::Expr& e, std::vector<const ast::Expr*>& out) {
  if (e.kind == ExprKind::kBinary && e.op == Op::kAnd) {
    Conjuncts(*e.args[0], out);
    Conjuncts(*e.args[1], out);
  } else {
    out.push_back(&e);
  }
}

bool IsRecordsCall(const ast::Expr& e) {
  return e.kind == ExprKind::kCall && !e.has_target && e.name == "records" && e.args.size() == 1;
}

}  // namespace

void ExprChecker::PlanQuery(const ast::Expr& macro) {
  const ast::Expr& range = *macro.args[0];
  if (!IsRecordsCall(range)) return;
  auto info = env_.program.expr_info.find(&range);
  if (info == env_.program.expr_info.end() || !info->second.type.is(K::kList) ||
      !info->second.type.elem().is(K::kRef))
    return;
  const std::string& type = info->second.type.elem().name;
  const RecordInfo* record = nullptr;
  for (const auto& r : env_.program.records)
    if (r->qualified == type) record = r.get();
  if (!record) return;
  // `v.f == E` (or `E == v.f`) with E free of v, for each field f.
  const std::string& var = macro.args[1]->name;
  std::map<std::string, const ast::Expr*> equal;
  std::vector<const ast::Expr*> parts;
  Conjuncts(*macro.args[2], parts);  // map(x, filter, value): the filter
  for (const ast::Expr* c : parts) {
    if (c->kind != ExprKind::kBinary || c->op != Op::kEq) continue;
    for (int side = 0; side < 2; ++side) {
      const ast::Expr& sel = *c->args[side];
      const ast::Expr& other = *c->args[1 - side];
      if (sel.kind == ExprKind::kSelect && sel.args[0]->kind == ExprKind::kIdent && sel.args[0]->name == var &&
          !Mentions(other, var))
        equal.emplace(sel.name, &other);
    }
  }
  QueryPlan best;
  for (const auto& index : record->indexes) {
    QueryPlan plan{index, {}};
    for (const auto& f : index) {
      auto it = equal.find(f);
      if (it == equal.end()) break;
      plan.values.push_back(it->second);
    }
    if (plan.values.size() > best.values.size()) best = std::move(plan);
  }
  if (best.values.empty()) {
    diags().Warning("W2003", range.range,
                    "this query reads every " + ShortName(type) + ": no index serves it (declare one on " +
                        ShortName(type) + " for a field the condition compares with ==, as in 'index by " +
                        (equal.empty() ? std::string("service") : equal.begin()->first) + ";')");
    return;
  }
  env_.program.query_plans[&range] = std::move(best);
}

// records(T): every record of type T, as refs.
Type ExprChecker::Records(const ast::Expr& e) {
  if (e.args.size() != 1 || e.args[0]->kind != ExprKind::kIdent) {
    diags().Error("E2025", e.range, "records() takes a record type, as in records(Incident)");
    for (const auto& a : e.args) Check(*a);
    return Type::Error();
  }
  const ast::Expr& name = *e.args[0];
  env_.program.expr_info[&name] = ExprInfo{Type::TypeOf()};
  Diagnostics probe;
  const Symbol* sym = LookupGlobal(env_.module, name.name, probe, name.range);
  if (!sym || sym->kind != Symbol::Kind::kRecord) {
    diags().Error("E2044", name.range, "records() takes a record type; '" + name.name + "' is " +
                                           (sym ? std::string("a ") + SymbolKindName(sym->kind) : "not declared"));
    return Type::Error();
  }
  const std::string& type = sym->record->qualified;
  if (!env_.reads_records) {
    diags().Error("E2043", e.range, "records() reads other records, which only processes and tests can do");
    return Type::Error();
  }
  if (!env_.program.ProcessForRecord(type))
    diags().Error("E2044", name.range, "no process runs on record " + name.name + ", so it has no records");
  return Type::List(Type::Ref(type));
}

// Whether `name` is a policy or table the module sees (which a call names
// before any builtin).
bool ExprChecker::UserFunction(const std::string& name) const {
  Diagnostics probe;
  const Symbol* sym = LookupGlobal(env_.module, name, probe, SourceRange{});
  return sym && sym->kind == Symbol::Kind::kFunction;
}

// `within("approval")`, `r.within("approval")`: whether a record is in a
// state or in any state inside it. The name is a string literal naming a
// state of the record's process.
Type ExprChecker::Within(const ast::Expr& e) {
  size_t first = e.has_target ? 1 : 0;
  std::string type;
  if (e.has_target) {
    Type receiver = Check(*e.args[0]);
    if (receiver.is(K::kError)) {
      for (size_t i = 1; i < e.args.size(); ++i) Check(*e.args[i]);
      return Type::Error();
    }
    if (receiver.is(K::kRef) && !env_.reads_records) {
      diags().Error("E2043", e.name_range, "within() reads a record's state through a ref, which only processes and tests can do");
      return Type::Error();
    }
    if (!receiver.is(K::kRef) && !receiver.is(K::kRecord)) {
      diags().Error("E2013", e.name_range, "type " + receiver.ToString() + " has no function 'within'");
      return Type::Error();
    }
    type = receiver.name;
  } else if (env_.record && env_.program.ProcessForRecord(env_.record->qualified)) {
    type = env_.record->qualified;
  } else {
    diags().Error("E2013", e.name_range, "within() without a record asks about the record a process runs on; name one: r.within(\"state\")");
    for (const auto& a : e.args) Check(*a);
    return Type::Error();
  }
  if (e.args.size() != first + 1 || e.args[first]->kind != ExprKind::kLiteral ||
      e.args[first]->literal != ast::LiteralKind::kString) {
    diags().Error("E2025", e.range, "within() takes the name of a state, as a string literal: within(\"approval\")");
    for (size_t i = first; i < e.args.size(); ++i) Check(*e.args[i]);
    return Type::Bool();
  }
  const ast::Expr& arg = *e.args[first];
  env_.program.expr_info[&arg] = ExprInfo{Type::String()};
  const ProcessInfo* process = env_.program.ProcessForRecord(type);
  if (!process) {
    diags().Error("E2044", e.range, "no process runs on record " + ShortName(type) + ", so it has no states");
    return Type::Bool();
  }
  if (!process->FindState(arg.string_value)) {
    std::vector<std::string> names;
    for (const auto& s : process->decl->states) names.push_back(s.name.text);
    diags().Error("E3054", arg.range, "process '" + process->decl->name.text + "' has no state '" + arg.string_value + "'" +
                                          DidYouMean(arg.string_value, names));
  }
  return Type::Bool();
}

Type ExprChecker::Call(const ast::Expr& e) {
  const std::string& name = e.name;
  if ((name == "has" && !e.has_target) || (e.has_target && IsMacroName(name) && name != "has")) return Macro(e);
  if (name == "within" && (e.has_target || !UserFunction(name))) return Within(e);

  size_t first_arg = e.has_target ? 1 : 0;
  std::vector<Type> args;
  if (!e.has_target) {
    // User-declared policies and tables.
    if (!FindLocal(name)) {
      const Symbol* sym = LookupGlobal(env_.module, name, diags(), e.name_range);
      if (sym && sym->kind == Symbol::Kind::kFunction) {
        const FunctionInfo& f = *sym->function;
        if (e.args.size() != f.params.size()) {
          diags().Error("E2025", e.range, "'" + name + "' takes " + std::to_string(f.params.size()) +
                                              " argument(s), " + std::to_string(e.args.size()) + " given");
          for (const auto& a : e.args) Check(*a);
          return f.result;
        }
        for (size_t i = 0; i < e.args.size(); ++i)
          Expect(*e.args[i], f.params[i], "argument " + std::to_string(i + 1) + " of '" + name + "'");
        return f.result;
      }
      if (sym) {
        diags().Error("E2026", e.name_range, "'" + name + "' is a " + SymbolKindName(sym->kind) + ", not a function");
        for (const auto& a : e.args) Check(*a);
        return Type::Error();
      }
    }
    if (name == "records") return Records(e);
    if (name == "emitted" && env_.in_test) {
      if (e.args.size() != 1) {
        diags().Error("E2025", e.range, "emitted() takes the name of a message");
        return Type::Int();
      }
      Expect(*e.args[0], Type::String(), "the argument of emitted()");
      return Type::Int();
    }
    // The last message of that name: message, payload, record, type, time.
    if (name == "last_emitted" && env_.in_test) {
      if (e.args.size() != 1) {
        diags().Error("E2025", e.range, "last_emitted() takes the name of a message");
        return Type::Map(Type::String(), Type::Dyn());
      }
      Expect(*e.args[0], Type::String(), "the argument of last_emitted()");
      return Type::Map(Type::String(), Type::Dyn());
    }
  }
  Type receiver;
  if (e.has_target) receiver = Check(*e.args[0]);
  for (size_t i = first_arg; i < e.args.size(); ++i) args.push_back(Check(*e.args[i]));
  if (e.has_target && receiver.is(K::kError)) return Type::Error();
  auto result = CheckBuiltinCall(name, e.has_target ? &receiver : nullptr, args);
  if (!result) {
    if (e.has_target && receiver.is(K::kDyn)) return Type::Dyn();
    if (e.has_target)
      diags().Error("E2013", e.name_range, "type " + receiver.ToString() + " has no function '" + name + "'");
    else
      diags().Error("E2013", e.name_range, "unknown function '" + name + "'" + Suggest(name));
    return Type::Error();
  }
  if (!result->error.empty()) {
    bool silent = std::any_of(args.begin(), args.end(), [](const Type& t) { return t.is(K::kError); });
    if (!silent) diags().Error("E2025", e.range, result->error);
    return Type::Error();
  }
  return result->type;
}

Type ExprChecker::Index(const ast::Expr& e) {
  Type container = Check(*e.args[0]);
  Type index = Check(*e.args[1]);
  if (container.IsErrorOrDyn()) return container;
  if (container.is(K::kList)) {
    if (!(index.is(K::kInt) || index.is(K::kUint) || index.IsErrorOrDyn()))
      diags().Error("E2014", e.args[1]->range, "a list index must be int, found " + index.ToString());
    return container.params[0];
  }
  if (container.is(K::kMap)) {
    if (!AreComparable(container.params[0], index))
      diags().Error("E2014", e.args[1]->range,
                    "this map's keys are " + container.params[0].ToString() + ", found " + index.ToString());
    return container.params[1];
  }
  diags().Error("E2014", e.range, "type " + container.ToString() + " cannot be indexed");
  return Type::Error();
}

Type ExprChecker::List(const ast::Expr& e) {
  if (e.args.empty()) return Type::List(Type::Dyn());
  Type elem = Check(*e.args[0]);
  for (size_t i = 1; i < e.args.size(); ++i) {
    Type t = Check(*e.args[i]);
    Type joined = Join(elem, t);
    if (joined.is(K::kError) && !elem.is(K::kError) && !t.is(K::kError)) {
      // CEL allows mixed lists; they are list<dyn> and checked when used.
      elem = Type::Dyn();
    } else {
      elem = joined;
    }
  }
  return Type::List(elem);
}

Type ExprChecker::Map(const ast::Expr& e) {
  if (e.args.empty()) return Type::Map(Type::Dyn(), Type::Dyn());
  Type key = Type::Error(), value = Type::Error();
  for (size_t i = 0; i + 1 < e.args.size(); i += 2) {
    Type k = Check(*e.args[i]);
    Type v = Check(*e.args[i + 1]);
    if (!IsMapKeyType(k))
      diags().Error("E2004", e.args[i]->range, "map keys must be int, uint, string, bool or an enum, not " + k.ToString());
    Type jk = Join(key, k), jv = Join(value, v);
    key = jk.is(K::kError) && !k.is(K::kError) ? Type::Dyn() : jk;
    value = jv.is(K::kError) && !v.is(K::kError) ? Type::Dyn() : jv;
  }
  return Type::Map(key, value);
}

Type ExprChecker::Unary(const ast::Expr& e) {
  Type t = Check(*e.args[0]);
  if (t.IsErrorOrDyn()) return t.is(K::kDyn) && e.op == Op::kNot ? Type::Bool() : t;
  if (e.op == Op::kNot) {
    if (t.is(K::kBool)) return t;
  } else if (t.is(K::kInt) || t.is(K::kDouble) || t.is(K::kDuration)) {
    return t;
  }
  diags().Error("E2016", e.range, std::string("operator ") + ast::OpSpelling(e.op) + " cannot be applied to " + t.ToString());
  return Type::Error();
}

Type ExprChecker::Binary(const ast::Expr& e) {
  Type a = Check(*e.args[0]);
  Type b = Check(*e.args[1]);
  const std::string op = ast::OpSpelling(e.op);
  bool any_error = a.is(K::kError) || b.is(K::kError);
  auto fail = [&](const std::string& code, const std::string& message) {
    if (!any_error) diags().Error(code, e.range, message);
    return Type::Error();
  };
  switch (e.op) {
    case Op::kAnd: case Op::kOr:
      if (!(a.is(K::kBool) || a.IsErrorOrDyn()))
        diags().Error("E2017", e.args[0]->range, "operand of " + op + " must be bool, found " + a.ToString());
      if (!(b.is(K::kBool) || b.IsErrorOrDyn()))
        diags().Error("E2017", e.args[1]->range, "operand of " + op + " must be bool, found " + b.ToString());
      return Type::Bool();
    case Op::kEq: case Op::kNe:
      if (!AreComparable(a, b)) return fail("E2018", "cannot compare " + a.ToString() + " with " + b.ToString());
      return Type::Bool();
    case Op::kLt: case Op::kLe: case Op::kGt: case Op::kGe: {
      bool ok = a.IsErrorOrDyn() || b.IsErrorOrDyn() || (a.IsNumeric() && b.IsNumeric()) ||
                (a.kind == b.kind && a.IsOrdered() && a.name == b.name);
      if (!ok) {
        std::string hint = a.is(K::kOptional) || b.is(K::kOptional) ? " (a value may be absent: use .orValue(...))" : "";
        return fail("E2018", "cannot order " + a.ToString() + " and " + b.ToString() + " with " + op + hint);
      }
      return Type::Bool();
    }
    case Op::kIn:
      if (b.IsErrorOrDyn()) return Type::Bool();
      if (b.is(K::kList) && AreComparable(b.params[0], a)) return Type::Bool();
      if (b.is(K::kMap) && AreComparable(b.params[0], a)) return Type::Bool();
      return fail("E2018", "cannot look for " + a.ToString() + " in " + b.ToString());
    default:
      break;
  }
  // Arithmetic.
  if (a.IsErrorOrDyn() || b.IsErrorOrDyn()) {
    if (a.is(K::kError) || b.is(K::kError)) return Type::Error();
    return Type::Dyn();
  }
  auto same = [&](K k) { return a.is(k) && b.is(k); };
  switch (e.op) {
    case Op::kAdd:
      if (same(K::kInt) || same(K::kUint) || same(K::kDouble) || same(K::kString) || same(K::kBytes) ||
          same(K::kDuration))
        return a;
      if (same(K::kList)) return Type::List(Join(a.params[0], b.params[0]).is(K::kError) ? Type::Dyn() : Join(a.params[0], b.params[0]));
      if (a.is(K::kTimestamp) && b.is(K::kDuration)) return a;
      if (a.is(K::kDuration) && b.is(K::kTimestamp)) return b;
      break;
    case Op::kSub:
      if (same(K::kInt) || same(K::kUint) || same(K::kDouble) || same(K::kDuration)) return a;
      if (same(K::kTimestamp)) return Type::Duration();
      if (a.is(K::kTimestamp) && b.is(K::kDuration)) return a;
      break;
    case Op::kMul: case Op::kDiv:
      if (same(K::kInt) || same(K::kUint) || same(K::kDouble)) return a;
      break;
    case Op::kMod:
      if (same(K::kInt) || same(K::kUint)) return a;
      break;
    default:
      break;
  }
  std::string hint;
  if (a.IsNumeric() && b.IsNumeric()) hint = " (CEL does not mix number kinds: convert with int(), uint() or double())";
  if (a.is(K::kOptional) || b.is(K::kOptional)) hint = " (a value may be absent: use .orValue(...))";
  return fail("E2019", "operator " + op + " cannot be applied to " + a.ToString() + " and " + b.ToString() + hint);
}

Type ExprChecker::Ternary(const ast::Expr& e) {
  Expect(*e.args[0], Type::Bool(), "the condition of ?:");
  Type a = Check(*e.args[1]);
  Type b = Check(*e.args[2]);
  Type joined = Join(a, b);
  if (joined.is(K::kError) && !a.is(K::kError) && !b.is(K::kError)) {
    diags().Error("E2020", e.range, "the branches of ?: have different types: " + a.ToString() + " and " + b.ToString());
  }
  return joined;
}

}  // namespace smdl::sema
