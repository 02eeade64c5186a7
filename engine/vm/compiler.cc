#include "vm/compiler.h"

#include <algorithm>
#include <cstdio>
#include <functional>
#include <map>
#include <set>

#include "sema/builtins.h"
#include "sema/scope.h"
#include "vm/interpreter.h"
#include "vm/ops.h"

namespace smdl::vm {

using ast::ExprKind;
using sema::TypeKind;

namespace {

// Reports a constant expression (or a setting's value) whose evaluation ran
// out of `budget`: it would fail whenever it is evaluated, so it is a mistake
// in the program rather than something to leave for run time.
void ReportBudgetExceeded(Diagnostics* diags, const ast::Expr& e, const Budget& budget) {
  if (diags == nullptr) return;
  std::string what = budget.steps > budget.max_steps
                         ? "it takes more than " + std::to_string(budget.max_steps) + " steps"
                         : "it builds more than " + std::to_string(budget.max_size) +
                               " values (list elements, map entries and characters, nested lists and maps "
                               "counted in full)";
  diags->Error("E2027", e.range, "constant expression exceeds the evaluation budget: " + what);
}

// Reports a constant expression whose value is an error ("cannot convert
// '90d' to duration", a division by zero; a literal pattern that does not
// compile is reported where it is compiled):
// it fails whenever it is evaluated, so it is found at check time rather than
// when an event first runs it.
void ReportConstantError(Diagnostics* diags, const ast::Expr& e, const Value& error) {
  if (diags == nullptr) return;
  diags->Error("E2028", e.range, "this constant expression always fails: " + error.error_message());
}

}  // namespace

class Compiler {
 public:
  // kRuntime: settings are read by instruction (while the image is built);
  // kConstant: settings are known and inlined as constants.
  enum class SettingMode { kRuntime, kConstant };

  // Constant expressions that exceed the evaluation budget are reported to
  // `diags` when it is given (E2027).
  Compiler(const Image& image, Chunk& chunk, const Scope& scope, SettingMode mode, Diagnostics* diags)
      : image_(image), program_(image.program()), chunk_(chunk), scope_(scope), mode_(mode), diags_(diags) {
    for (const auto& [name, type] : scope.locals) locals_.push_back({name, next_slot_++});
    chunk_.num_params = next_slot_;
    chunk_.num_locals = next_slot_;
    if (next_slot_ > kMaxSlots) too_big_ = true;
  }

  // Whether the chunk stayed within the instruction format's limits (65,535
  // local slots, call arguments and list elements per instruction operand).
  bool ok() const { return !too_big_; }

  void Root(const ast::Expr& e) {
    Expr(e);
    Emit(Op::kReturn);
    ReportConstantErrors();
  }

  void Table(const sema::FunctionInfo& f) {
    const ast::TableDecl& t = *f.table;
    bool collect = t.hit.text == "collect";
    uint32_t acc = 0;
    std::vector<uint32_t> to_end;
    if (collect) {
      acc = NewSlot();
      Emit(Op::kConst, 0, AddConst(Value::List({})));
      Emit(Op::kStore, 0, acc);
    }
    for (const ast::TableRow& row : t.rows) {
      depth_ = 0;
      std::vector<uint32_t> fails;
      for (size_t c = 0; c < row.inputs.size() && c < f.params.size(); ++c) {
        const ast::TableCell& cell = row.inputs[c];
        uint32_t column = static_cast<uint32_t>(c);
        switch (cell.kind) {
          case ast::TableCell::Kind::kAny: continue;
          case ast::TableCell::Kind::kEqual: {
            uint32_t start = Here();
            Expr(*cell.value);
            if (Here() == start + 1 && chunk_.code[start].op == Op::kConst) {
              uint32_t k = chunk_.code[start].a;
              chunk_.code.pop_back();
              --depth_;
              fails.push_back(Emit(Op::kJumpNeLocalConst, static_cast<uint16_t>(column), k));
              continue;
            }
            Emit(Op::kLocal, 0, column);
            Emit(Op::kEq);
            break;
          }
          case ast::TableCell::Kind::kCompare:
            Emit(Op::kLocal, 0, column);
            Expr(*cell.value);
            Emit(RelationOp(cell.op, false, false));
            break;
          case ast::TableCell::Kind::kIn:
            Emit(Op::kLocal, 0, column);
            Expr(*cell.value);
            Emit(Op::kIn);
            break;
        }
        fails.push_back(Emit(Op::kJumpIfNotTrue));
      }
      if (row.output) Expr(*row.output);
      else Emit(Op::kConst, 0, AddConst(Value::Null()));
      if (collect) to_end.push_back(Emit(Op::kAppendStep, static_cast<uint16_t>(acc)));
      else Emit(Op::kReturn);
      for (uint32_t j : fails) PatchTarget(j, Here());
    }
    depth_ = 0;
    if (collect) {
      for (uint32_t j : to_end) chunk_.code[j].a = Here();
      Emit(Op::kLocal, 0, acc);
    } else {
      Emit(Op::kConst, 0, AddConst(Value::Error("no row of table '" + f.name + "' matches")));
    }
    Emit(Op::kReturn);
    ReportConstantErrors();
  }

 private:
  struct Local {
    std::string name;
    uint32_t slot;
  };

  // ------------------------------------------------------------ emission

  uint32_t Here() const { return static_cast<uint32_t>(chunk_.code.size()); }

  static int Effect(const Instr& i) {
    switch (i.op) {
      case Op::kConst: case Op::kLocal: case Op::kTake: case Op::kField: case Op::kFieldOpt: case Op::kHasField:
      case Op::kRecordId: case Op::kRecordState: case Op::kRecordActive: case Op::kThis: case Op::kRecordSla:
      case Op::kNow: case Op::kSetting: case Op::kActor:
        return 1;
      case Op::kStore: case Op::kPop: case Op::kJumpIfNotTrue: case Op::kAndJoin: case Op::kOrJoin:
      case Op::kCond: case Op::kIterInit: case Op::kAllStep: case Op::kExistsStep: case Op::kCountStep:
      case Op::kAppendStep: case Op::kFilterTest: case Op::kReturn:
        return -1;
      case Op::kCall: case Op::kBuiltin: case Op::kQuery: return 1 - static_cast<int>(i.x);
      case Op::kList: return 1 - static_cast<int>(i.a);
      case Op::kMap: return 1 - 2 * static_cast<int>(i.a);
      case Op::kAdd: case Op::kSub: case Op::kMul: case Op::kDiv: case Op::kMod: case Op::kEq: case Op::kNe:
      case Op::kLt: case Op::kLe: case Op::kGt: case Op::kGe: case Op::kIn: case Op::kIndex: case Op::kAddInt:
      case Op::kSubInt: case Op::kLtInt: case Op::kLeInt: case Op::kGtInt: case Op::kGeInt: case Op::kEqScalar:
      case Op::kNeScalar: case Op::kEqString: case Op::kNeString:
        return -1;
      default: return 0;
    }
  }

  uint32_t Emit(Op op, uint16_t x = 0, uint32_t a = 0, uint32_t b = 0) {
    Instr i{op, x, a, b};
    depth_ += Effect(i);
    if (depth_ > static_cast<int>(chunk_.max_stack)) chunk_.max_stack = static_cast<uint32_t>(depth_);
    chunk_.code.push_back(i);
    return Here() - 1;
  }

  uint32_t AddConst(Value v) {
    chunk_.constants.push_back(std::move(v));
    return static_cast<uint32_t>(chunk_.constants.size() - 1);
  }

  void Const(Value v) { Emit(Op::kConst, 0, AddConst(std::move(v))); }

  uint32_t NewSlot(uint32_t n = 1) {
    uint32_t s = next_slot_;
    next_slot_ += n;
    if (next_slot_ > kMaxSlots) too_big_ = true;
    if (next_slot_ > chunk_.num_locals) chunk_.num_locals = next_slot_;
    return s;
  }

  // Sets the jump target of the instruction at `at` (whichever operand holds it).
  void PatchTarget(uint32_t at, uint32_t target) {
    Instr& i = chunk_.code[at];
    if (i.op == Op::kJumpNeLocalConst) i.b = target;
    else i.a = target;
  }

  // ------------------------------------------------------------ helpers

  sema::Type TypeOf(const ast::Expr& e) const {
    auto it = program_.expr_info.find(&e);
    return it == program_.expr_info.end() ? sema::Type::Dyn() : it->second.type;
  }

  const Local* FindLocal(const std::string& name) const {
    for (auto it = locals_.rbegin(); it != locals_.rend(); ++it)
      if (it->name == name) return &*it;
    return nullptr;
  }

  const sema::Symbol* Global(const std::string& name) const {
    if (scope_.module == nullptr) return nullptr;
    Diagnostics probe;
    return sema::LookupGlobal(*scope_.module, name, probe, SourceRange{});
  }

  static Op RelationOp(ast::Op op, bool ints, bool scalars) {
    switch (op) {
      case ast::Op::kLt: return ints ? Op::kLtInt : Op::kLt;
      case ast::Op::kLe: return ints ? Op::kLeInt : Op::kLe;
      case ast::Op::kGt: return ints ? Op::kGtInt : Op::kGt;
      case ast::Op::kGe: return ints ? Op::kGeInt : Op::kGe;
      case ast::Op::kNe: return scalars ? Op::kNeScalar : Op::kNe;
      default: return scalars ? Op::kEqScalar : Op::kEq;
    }
  }

  static bool IsScalarEqType(const sema::Type& t) {
    return t.is(TypeKind::kInt) || t.is(TypeKind::kUint) || t.is(TypeKind::kBool) || t.is(TypeKind::kEnum) ||
           t.is(TypeKind::kTimestamp) || t.is(TypeKind::kDuration);
  }

  void EmitSetting(const sema::SettingInfo& declared) {
    int index = image_.SettingIndex(declared);
    if (index < 0) {
      Const(Value::Error("setting '" + declared.decl->name.text + "' is not compiled"));
      return;
    }
    if (mode_ == SettingMode::kConstant && image_.settings_ready_) {
      Const(image_.SettingValue(static_cast<size_t>(index)));
      return;
    }
    chunk_.settings_used.push_back(static_cast<uint32_t>(index));
    Emit(Op::kSetting, 0, static_cast<uint32_t>(index));
  }

  static Value TypeValueNamed(const std::string& name) {
    if (name == "timestamp") return Value::Type("google.protobuf.Timestamp");
    if (name == "duration") return Value::Type("google.protobuf.Duration");
    return Value::Type(name);
  }

  // `name` of the scope's record, via `this.name` or a bare field name.
  bool RecordMember(const std::string& name) {
    if (scope_.record == nullptr) return false;
    const auto& fields = scope_.record->fields;
    for (size_t i = 0; i < fields.size(); ++i) {
      if (fields[i].name != name) continue;
      Emit(fields[i].type.is(TypeKind::kOptional) ? Op::kFieldOpt : Op::kField, 0, static_cast<uint32_t>(i));
      return true;
    }
    if (name == "id") { Emit(Op::kRecordId); return true; }
    if (name == "state") { Emit(Op::kRecordState); return true; }
    return false;
  }

  // ------------------------------------------------------------ expressions

  void Expr(const ast::Expr& e) {
    uint32_t start = Here();
    uint32_t slot_base = next_slot_;
    ExprUncached(e);
    TryFold(e, start, slot_base);
  }

  void ExprUncached(const ast::Expr& e) {
    switch (e.kind) {
      case ExprKind::kLiteral: return Literal(e);
      case ExprKind::kIdent: return Ident(e);
      case ExprKind::kSelect: return Select(e);
      case ExprKind::kCall: return Call(e);
      case ExprKind::kIndex:
        Expr(*e.args[0]);
        Expr(*e.args[1]);
        Emit(Op::kIndex);
        return;
      case ExprKind::kList:
        for (const auto& item : e.args) Expr(*item);
        Emit(Op::kList, 0, static_cast<uint32_t>(e.args.size()));
        return;
      case ExprKind::kMap:
        for (const auto& item : e.args) Expr(*item);
        Emit(Op::kMap, 0, static_cast<uint32_t>(e.args.size() / 2));
        return;
      case ExprKind::kUnary:
        Expr(*e.args[0]);
        Emit(e.op == ast::Op::kNot ? Op::kNot : Op::kNeg);
        return;
      case ExprKind::kBinary: return Binary(e);
      case ExprKind::kTernary: return Ternary(e);
      case ExprKind::kThis: return This();
    }
  }

  void Literal(const ast::Expr& e) {
    switch (e.literal) {
      case ast::LiteralKind::kNull: return Const(Value::Null());
      case ast::LiteralKind::kBool: return Const(Value::Bool(e.bool_value));
      case ast::LiteralKind::kInt: return Const(Value::Int(e.int_value));
      case ast::LiteralKind::kUint: return Const(Value::Uint(e.uint_value));
      case ast::LiteralKind::kDouble: return Const(Value::Double(e.double_value));
      case ast::LiteralKind::kString: return Const(Value::String(e.string_value));
      case ast::LiteralKind::kBytes: return Const(Value::Bytes(e.string_value));
    }
  }

  void This() {
    if (scope_.record == nullptr) return Const(Value::Error("'this' is only available inside a process"));
    std::vector<Value> names;
    for (const auto& f : scope_.record->fields) names.push_back(Value::String(f.name));
    Emit(Op::kThis, 0, AddConst(Value::List(std::move(names))));
  }

  void Ident(const ast::Expr& e) {
    const std::string& name = e.name;
    if (!e.leading_dot) {
      if (const Local* local = FindLocal(name)) {
        Emit(Op::kLocal, 0, local->slot);
        return;
      }
      if (RecordMember(name)) return;
    }
    if (name == "actor" && scope_.has_actor && !e.leading_dot) {
      Emit(Op::kActor);
      return;
    }
    if (name == "now" && scope_.has_now) {
      Emit(Op::kNow);
      return;
    }
    if (const sema::Symbol* sym = Global(name)) {
      if (sym->kind == sema::Symbol::Kind::kSetting) return EmitSetting(*sym->setting);
      // A calendar is its qualified name; the runtime finds the winning override.
      if (sym->kind == sema::Symbol::Kind::kCalendar)
        return Const(Value::String(sym->calendar->module->name + "." + sym->calendar->decl->name.text));
      return Const(Value::Error("'" + name + "' is a " + sema::SymbolKindName(sym->kind) + ", not a value"));
    }
    if ((sema::BuiltinTypeNamed(name) && name != "dyn") || name == "null_type" || name == "type" || name == "list" || name == "map")
      return Const(TypeValueNamed(name));
    Const(Value::Error("undeclared reference to '" + name + "'"));
  }

  // "a.b.c" for a chain of selections on an identifier, else "".
  static std::string DottedName(const ast::Expr& e) {
    if (e.kind == ExprKind::kIdent) return e.leading_dot ? "" : e.name;
    if (e.kind != ExprKind::kSelect) return "";
    std::string prefix = DottedName(*e.args[0]);
    return prefix.empty() ? "" : prefix + "." + e.name;
  }

  void Select(const ast::Expr& e) {
    const ast::Expr& operand = *e.args[0];
    std::string dotted = DottedName(e);
    if ((dotted == "google.protobuf.Timestamp" || dotted == "google.protobuf.Duration") && !FindLocal("google"))
      return Const(Value::Type(dotted));
    if (dotted.find('.') != std::string::npos)
      if (const Local* local = FindLocal(dotted)) {
        Emit(Op::kLocal, 0, local->slot);
        return;
      }
    if (operand.kind == ExprKind::kIdent && !FindLocal(operand.name) &&
        !(scope_.record && scope_.record->Find(operand.name))) {
      const sema::Symbol* sym = Global(operand.name);
      if (sym && sym->kind == sema::Symbol::Kind::kEnum) {
        const sema::EnumInfo& en = *sym->enum_info;
        int index = en.IndexOf(e.name);
        if (index < 0) return Const(Value::Error("enum " + en.qualified + " has no value '" + e.name + "'"));
        return Const(Value::Enum(InternEnum(en.qualified, en.values), index));
      }
    }
    if (operand.kind == ExprKind::kThis && scope_.record) {
      if (RecordMember(e.name)) return;
      if (e.name == "sla") {
        Emit(Op::kRecordSla);
        return;
      }
    }
    Expr(operand);
    DerefIfRef(operand);
    Emit(Op::kSelect, 0, AddConst(Value::String(e.name)));
  }

  // within("s"): one of the record's leaves is s or a state inside it, a
  // set the process declares.
  void Within(const ast::Expr& e) {
    size_t first = e.has_target ? 1 : 0;
    std::string type;
    if (e.has_target) type = TypeOf(*e.args[0]).name;
    else if (scope_.record) type = scope_.record->qualified;
    const sema::ProcessInfo* process = type.empty() ? nullptr : program_.ProcessForRecord(type);
    if (!process || e.args.size() != first + 1 || e.args[first]->kind != ExprKind::kLiteral)
      return Const(Value::Error("within() takes the name of a state of the record's process"));
    if (!e.has_target || e.args[0]->kind == ExprKind::kThis) {
      if (!scope_.record) return Const(Value::Error("within() without a record is only available inside a process"));
      Emit(Op::kRecordActive);
    } else {
      Expr(*e.args[0]);
      DerefIfRef(*e.args[0]);
    }
    std::vector<Value> names;
    for (const auto& s : process->StatesWithin(e.args[first]->string_value)) names.push_back(Value::String(s));
    Emit(Op::kWithin, 0, AddConst(Value::List(std::move(names))));
  }

  // records(T), through the index the checker chose for it, if any.
  void Records(const ast::Expr& e) {
    sema::Type type = TypeOf(e);
    if (!type.is(TypeKind::kList) || !type.elem().is(TypeKind::kRef))
      return Const(Value::Error("records() takes a record type"));
    std::vector<Value> spec{Value::String(type.elem().name)};
    auto plan = program_.query_plans.find(&e);
    uint16_t values = 0;
    if (plan != program_.query_plans.end()) {
      for (const auto& f : plan->second.index) spec.push_back(Value::String(f));
      for (const ast::Expr* v : plan->second.values) Expr(*v);
      values = static_cast<uint16_t>(plan->second.values.size());
    }
    Emit(Op::kQuery, values, AddConst(Value::List(std::move(spec))));
  }

  // A `ref T` operand is read as the record it names.
  void DerefIfRef(const ast::Expr& operand) {
    if (TypeOf(operand).is(TypeKind::kRef))
      Emit(Op::kDeref, 0, AddConst(Value::String(program_.TextOf(operand.range))));
  }

  void Has(const ast::Expr& e) {
    if (e.args.size() != 1 || e.args[0]->kind != ExprKind::kSelect)
      return Const(Value::Error("has() takes one field selection"));
    const ast::Expr& sel = *e.args[0];
    const ast::Expr& operand = *sel.args[0];
    if (operand.kind == ExprKind::kThis && scope_.record) {
      const auto& fields = scope_.record->fields;
      for (size_t i = 0; i < fields.size(); ++i) {
        if (fields[i].name != sel.name) continue;
        if (fields[i].type.is(TypeKind::kOptional)) Emit(Op::kHasField, 0, static_cast<uint32_t>(i));
        else Const(Value::Bool(true));
        return;
      }
      if (sel.name == "id" || sel.name == "state") return Const(Value::Bool(true));
    }
    Expr(operand);
    DerefIfRef(operand);
    Emit(Op::kHasKey, 0, AddConst(Value::String(sel.name)));
  }

  void Macro(const ast::Expr& e) {
    const std::string& name = e.name;
    size_t argc = e.args.size() - 1;
    bool map3 = name == "map" && argc == 3;
    if (!(argc == 2 || map3) || e.args[1]->kind != ExprKind::kIdent)
      return Const(Value::Error("'" + name + "' takes a variable name and an expression"));
    Expr(*e.args[0]);
    uint32_t iter = NewSlot(2);
    uint32_t var = NewSlot();
    uint32_t acc = NewSlot();
    uint32_t init = Emit(Op::kIterInit, static_cast<uint16_t>(iter));
    if (name == "all") Const(Value::Bool(true));
    else if (name == "exists") Const(Value::Bool(false));
    else if (name == "exists_one") Const(Value::Int(0));
    else Const(Value::List({}));
    Emit(Op::kStore, 0, acc);
    uint32_t loop = Here();
    uint32_t next = Emit(Op::kIterNext, static_cast<uint16_t>(iter), 0, var);
    locals_.push_back({e.args[1]->name, var});
    std::vector<uint32_t> to_done;
    const uint16_t acc16 = static_cast<uint16_t>(acc);
    if (name == "all") {
      Expr(*e.args[2]);
      to_done.push_back(Emit(Op::kAllStep, acc16));
    } else if (name == "exists") {
      Expr(*e.args[2]);
      to_done.push_back(Emit(Op::kExistsStep, acc16));
    } else if (name == "exists_one") {
      Expr(*e.args[2]);
      to_done.push_back(Emit(Op::kCountStep, acc16));
    } else if (name == "map") {
      if (map3) {
        Expr(*e.args[2]);
        to_done.push_back(Emit(Op::kFilterTest, acc16, 0, loop));
      }
      Expr(*e.args[argc]);
      to_done.push_back(Emit(Op::kAppendStep, acc16));
    } else {  // filter
      Expr(*e.args[2]);
      to_done.push_back(Emit(Op::kFilterTest, acc16, 0, loop));
      Emit(Op::kLocal, 0, var);
      to_done.push_back(Emit(Op::kAppendStep, acc16));
    }
    Emit(Op::kJump, 0, loop);
    locals_.pop_back();
    uint32_t done = Here();
    chunk_.code[next].a = done;
    for (uint32_t j : to_done) chunk_.code[j].a = done;
    // The result leaves its slot, so that the macro's slots can be reused.
    Emit(Op::kTake, 0, acc);
    if (name == "exists_one") Emit(Op::kExistsOneEnd);
    chunk_.code[init].a = Here();
    next_slot_ = iter;
  }

  void Call(const ast::Expr& e) {
    const std::string& name = e.name;
    if (name == "has" && !e.has_target) return Has(e);
    if (e.has_target && sema::IsMacroName(name) && name != "has") return Macro(e);
    if (name == "within" && (e.has_target || !(Global(name) && Global(name)->kind == sema::Symbol::Kind::kFunction)))
      return Within(e);
    if (!e.has_target) {
      if (!FindLocal(name)) {
        if (const sema::Symbol* sym = Global(name)) {
          if (sym->kind != sema::Symbol::Kind::kFunction)
            return Const(Value::Error("'" + name + "' is a " + sema::SymbolKindName(sym->kind) + ", not a function"));
          int index = image_.FunctionIndex(*sym->function);
          if (index < 0) return Const(Value::Error("policy '" + name + "' is not compiled"));
          if (e.args.size() != sym->function->params.size())
            return Const(Value::Error("'" + name + "' takes " + std::to_string(sym->function->params.size()) +
                                      " argument(s)"));
          if (e.args.size() > kMaxSlots) too_big_ = true;
          for (const auto& a : e.args) Expr(*a);
          chunk_.functions_called.push_back(static_cast<uint32_t>(index));
          Emit(Op::kCall, static_cast<uint16_t>(e.args.size()), static_cast<uint32_t>(index));
          return;
        }
      }
      if (name == "records" && e.args.size() == 1) return Records(e);
      if (name == "emitted" && scope_.in_test && e.args.size() == 1) {
        Expr(*e.args[0]);
        Emit(Op::kEmitted);
        return;
      }
      if (name == "last_emitted" && scope_.in_test && e.args.size() == 1) {
        Expr(*e.args[0]);
        Emit(Op::kLastEmitted);
        return;
      }
    }
    std::optional<Builtin> builtin = FindBuiltin(name, e.has_target, e.args.size());
    if (!builtin) {
      std::string form = e.has_target ? "." + name + "()" : name + "()";
      return Const(Value::Error("no such function: " + form + " with " + std::to_string(e.args.size()) +
                                " argument(s)"));
    }
    if (*builtin == Builtin::kMatches && e.args[1]->kind == ExprKind::kLiteral &&
        e.args[1]->literal == ast::LiteralKind::kString) {
      std::string error;
      if (auto re = CompileRegex(e.args[1]->string_value, &error)) {
        Expr(*e.args[0]);
        chunk_.patterns.push_back(std::move(re));
        Emit(Op::kMatchConst, 0, static_cast<uint32_t>(chunk_.patterns.size() - 1));
        return;
      }
      // A pattern that does not compile fails every match: say so now.
      if (diags_) diags_->Error("E2028", e.args[1]->range, "this constant expression always fails: " + error);
    }
    if (*builtin == Builtin::kSum && e.args.size() == 1) {
      // The zero of the element type, so that an empty list sums to a value of the right type.
      sema::Type list = TypeOf(*e.args[0]);
      sema::TypeKind element = list.is(TypeKind::kList) && !list.params.empty() ? list.params[0].kind : TypeKind::kDyn;
      Expr(*e.args[0]);
      Const(element == TypeKind::kUint       ? Value::Uint(0)
            : element == TypeKind::kDouble   ? Value::Double(0.0)
            : element == TypeKind::kDuration ? Value::Duration(smdl::Duration{})
                                             : Value::Int(0));
      Emit(Op::kBuiltin, 2, static_cast<uint32_t>(*builtin));
      return;
    }
    for (const auto& a : e.args) Expr(*a);
    Emit(Op::kBuiltin, static_cast<uint16_t>(e.args.size()), static_cast<uint32_t>(*builtin));
  }

  void Binary(const ast::Expr& e) {
    const ast::Expr& lhs = *e.args[0];
    const ast::Expr& rhs = *e.args[1];
    if (e.op == ast::Op::kAnd || e.op == ast::Op::kOr) {
      bool is_and = e.op == ast::Op::kAnd;
      Expr(lhs);
      uint32_t j = Emit(is_and ? Op::kAndShort : Op::kOrShort);
      Expr(rhs);
      Emit(is_and ? Op::kAndJoin : Op::kOrJoin);
      chunk_.code[j].a = Here();
      return;
    }
    sema::Type a = TypeOf(lhs), b = TypeOf(rhs);
    bool ints = a.is(TypeKind::kInt) && b.is(TypeKind::kInt);
    // The ordered fast instructions also take two durations or two timestamps.
    bool ordered = ints || (a == b && (a.is(TypeKind::kDuration) || a.is(TypeKind::kTimestamp)));
    bool scalars = a == b && IsScalarEqType(a);
    Expr(lhs);
    Expr(rhs);
    switch (e.op) {
      case ast::Op::kAdd: Emit(ints ? Op::kAddInt : Op::kAdd); return;
      case ast::Op::kSub: Emit(ints ? Op::kSubInt : Op::kSub); return;
      case ast::Op::kMul: Emit(Op::kMul); return;
      case ast::Op::kDiv: Emit(Op::kDiv); return;
      case ast::Op::kMod: Emit(Op::kMod); return;
      case ast::Op::kIn: Emit(Op::kIn); return;
      default:
        if (a.is(TypeKind::kString) && b.is(TypeKind::kString) && (e.op == ast::Op::kEq || e.op == ast::Op::kNe)) {
          Emit(e.op == ast::Op::kEq ? Op::kEqString : Op::kNeString);
          return;
        }
        Emit(RelationOp(e.op, ordered, scalars));
        return;
    }
  }

  void Ternary(const ast::Expr& e) {
    Expr(*e.args[0]);
    uint32_t cond = Emit(Op::kCond);
    int depth = depth_;
    Expr(*e.args[1]);
    uint32_t jump = Emit(Op::kJump);
    chunk_.code[cond].a = Here();
    depth_ = depth;
    Expr(*e.args[2]);
    chunk_.code[jump].a = Here();
    chunk_.code[cond].b = Here();
  }

  // ------------------------------------------------------------ folding

  static bool HasJumpA(Op op) {
    switch (op) {
      case Op::kJump: case Op::kJumpIfNotTrue: case Op::kAndShort: case Op::kOrShort: case Op::kCond:
      case Op::kIterInit: case Op::kIterNext: case Op::kAllStep: case Op::kExistsStep: case Op::kCountStep:
      case Op::kAppendStep: case Op::kFilterTest:
        return true;
      default: return false;
    }
  }
  static bool HasJumpB(Op op) { return op == Op::kCond || op == Op::kFilterTest || op == Op::kJumpNeLocalConst; }

  static bool UsesConstant(Op op) {
    return op == Op::kConst || op == Op::kSelect || op == Op::kHasKey || op == Op::kThis ||
           op == Op::kJumpNeLocalConst || op == Op::kDeref || op == Op::kQuery;
  }

  bool Foldable(const Instr& i, uint32_t slot_base) const {
    switch (i.op) {
      case Op::kLocal: case Op::kTake: case Op::kStore: return i.a >= slot_base;
      case Op::kIterNext: return i.x >= slot_base && i.b >= slot_base;
      case Op::kIterInit: case Op::kAllStep: case Op::kExistsStep: case Op::kCountStep: case Op::kAppendStep:
      case Op::kFilterTest: case Op::kJumpNeLocalConst:
        return i.x >= slot_base;
      case Op::kField: case Op::kFieldOpt: case Op::kHasField: case Op::kRecordId: case Op::kRecordState:
      case Op::kRecordActive: case Op::kThis: case Op::kRecordSla: case Op::kNow: case Op::kSetting: case Op::kCall: case Op::kEmitted:
      case Op::kReturn: case Op::kActor: case Op::kDeref: case Op::kLastEmitted: case Op::kQuery:
        return false;
      default: return true;
    }
  }

  // Replaces the code of `e`, from `start`, by its value when it reads
  // nothing but constants. The slice runs within the budget of a normal
  // evaluation (so folding costs at most what one evaluation may cost). When
  // it runs out, the slice becomes the budget error, which is what every
  // evaluation of it would give, and is reported: outer slices then fold
  // around the error instead of running it again.
  void TryFold(const ast::Expr& e, uint32_t start, uint32_t slot_base) {
    if (too_big_) return;  // operands may be truncated: never run this code
    uint32_t end = Here();
    if (end == start || (end == start + 1 && chunk_.code[start].op == Op::kConst)) return;
    for (uint32_t i = start; i < end; ++i)
      if (!Foldable(chunk_.code[i], slot_base)) return;
    Chunk temp;
    temp.name = "fold";
    temp.code.assign(chunk_.code.begin() + start, chunk_.code.end());
    for (Instr& i : temp.code) {
      if (HasJumpA(i.op)) i.a -= start;
      if (HasJumpB(i.op)) i.b -= start;
    }
    temp.code.push_back(Instr{Op::kReturn});
    // Only the constants and patterns the slice uses, so that folding stays
    // linear in the size of the expression.
    std::map<uint32_t, uint32_t> consts, patterns;
    for (Instr& i : temp.code) {
      if (UsesConstant(i.op)) {
        auto [it, added] = consts.emplace(i.a, static_cast<uint32_t>(temp.constants.size()));
        if (added) temp.constants.push_back(chunk_.constants[i.a]);
        i.a = it->second;
      } else if (i.op == Op::kMatchConst) {
        auto [it, added] = patterns.emplace(i.a, static_cast<uint32_t>(temp.patterns.size()));
        if (added) temp.patterns.push_back(chunk_.patterns[i.a]);
        i.a = it->second;
      }
    }
    temp.num_locals = chunk_.num_locals;
    temp.max_stack = chunk_.max_stack + 1;
    Budget budget;
    Value v = Interpret(nullptr, temp, Activation{}, budget);
    if (budget.exhausted) {
      ReportBudgetExceeded(diags_, e, budget);
    } else if (v.is_error()) {
      // Only where the error arises: an expression around one folds to the
      // same error.
      if (!ReportedWithin(e.range) && !PendingWithin(e.range)) failing_.emplace_back(&e, v);
    } else {
      // A constant around it absorbed the error (`false && 1 / 0 == 0` is
      // false, as CEL defines): it never shows.
      std::erase_if(failing_, [&](const auto& f) { return Within(f.first->range, e.range); });
    }
    chunk_.code.resize(start);
    --depth_;
    Const(std::move(v));
  }

  static bool Within(const SourceRange& inner, const SourceRange& outer) {
    auto before = [](uint32_t l1, uint32_t c1, uint32_t l2, uint32_t c2) { return l1 < l2 || (l1 == l2 && c1 <= c2); };
    return inner.file == outer.file && before(outer.line, outer.column, inner.line, inner.column) &&
           before(inner.end_line, inner.end_column, outer.end_line, outer.end_column);
  }
  // Whether a mistake inside `range` was reported already.
  bool ReportedWithin(const SourceRange& range) const {
    if (diags_ == nullptr) return true;
    return std::any_of(diags_->all().begin(), diags_->all().end(),
                       [&](const Diagnostic& d) { return Within(d.range, range); });
  }
  bool PendingWithin(const SourceRange& range) const {
    return std::any_of(failing_.begin(), failing_.end(), [&](const auto& f) { return Within(f.first->range, range); });
  }
  // Reports the constants that fail and that nothing around them absorbed.
  void ReportConstantErrors() {
    for (const auto& [expr, error] : failing_) ReportConstantError(diags_, *expr, error);
    failing_.clear();
  }

  const Image& image_;
  const sema::Program& program_;
  Chunk& chunk_;
  const Scope& scope_;
  SettingMode mode_;
  Diagnostics* diags_;
  // Constant subexpressions whose value is an error, reported at the end of
  // the expression unless a constant around them absorbs the error.
  std::vector<std::pair<const ast::Expr*, Value>> failing_;
  static constexpr uint32_t kMaxSlots = 65535;
  std::vector<Local> locals_;
  uint32_t next_slot_ = 0;
  int depth_ = 0;
  bool too_big_ = false;
};

// ------------------------------------------------------------ Image

namespace {

const void* NodeOf(const sema::FunctionInfo& f) {
  return f.policy ? static_cast<const void*>(f.policy) : static_cast<const void*>(f.table);
}

const void* Winner(const sema::Program& program, const void* node) {
  for (int guard = 0; guard < 64; ++guard) {
    auto it = program.overrides.find(node);
    if (it == program.overrides.end()) return node;
    node = it->second;
  }
  return node;
}

}  // namespace

CompiledExpr::CompiledExpr(const Image& image, Chunk chunk, sema::Type type)
    : image_(image), chunk_(std::move(chunk)), type_(std::move(type)), exec_(MakeInterpreted(&image_, chunk_)) {}

Value CompiledExpr::Evaluate(const Activation& activation) const {
  Budget budget;
  return Evaluate(activation, budget);
}

bool CompiledExpr::IsConstant() const { return chunk_.code.size() == 2 && chunk_.code[0].op == Op::kConst; }

int Image::FunctionIndex(const sema::FunctionInfo& declared) const {
  auto it = function_by_node_.find(NodeOf(declared));
  return it == function_by_node_.end() ? -1 : it->second;
}

int Image::SettingIndex(const sema::SettingInfo& declared) const {
  auto it = setting_by_node_.find(declared.decl);
  return it == setting_by_node_.end() ? -1 : it->second;
}

StatusOr<std::unique_ptr<Image>> Image::Build(const sema::Program& program, Diagnostics* diags) {
  if (program.diags.HasErrors()) return FailedPrecondition("the program has errors; fix them before compiling");
  auto image = std::make_unique<Image>(program);
  Image& im = *image;

  // Functions: one chunk per winning declaration; every declaration node maps to it.
  std::map<const void*, const sema::FunctionInfo*> function_info;
  for (const auto& f : program.functions) function_info[NodeOf(*f)] = f.get();
  std::map<const void*, int> winner_index;
  for (const auto& f : program.functions) {
    const void* w = Winner(program, NodeOf(*f));
    auto [it, inserted] = winner_index.emplace(w, static_cast<int>(im.functions_.size()));
    if (inserted) {
      FunctionSlot fn;
      fn.info = function_info.count(w) ? function_info[w] : f.get();
      fn.chunk = std::make_unique<Chunk>();
      im.functions_.push_back(std::move(fn));
    }
    im.function_by_node_[NodeOf(*f)] = it->second;
  }
  // Settings likewise.
  std::map<const void*, const sema::SettingInfo*> setting_info;
  for (const auto& s : program.settings) setting_info[s->decl] = s.get();
  std::map<const void*, int> setting_winner;
  for (const auto& s : program.settings) {
    const void* w = Winner(program, s->decl);
    auto [it, inserted] = setting_winner.emplace(w, static_cast<int>(im.settings_.size()));
    if (inserted) {
      SettingSlot st;
      st.info = setting_info.count(w) ? setting_info[w] : s.get();
      im.settings_.push_back(std::move(st));
    }
    im.setting_by_node_[s->decl] = it->second;
  }

  for (FunctionSlot& fn : im.functions_) {
    const sema::FunctionInfo& f = *fn.info;
    Scope scope;
    scope.module = f.module;
    const auto& params = f.policy ? f.policy->params : f.table->params;
    for (size_t i = 0; i < params.size() && i < f.params.size(); ++i)
      scope.locals.emplace_back(params[i].name.text, f.params[i]);
    fn.chunk->name = std::string(f.policy ? "policy " : "table ") + f.module->name + "." + f.name;
    Compiler compiler(im, *fn.chunk, scope, Compiler::SettingMode::kRuntime, diags);
    if (f.policy) compiler.Root(*f.policy->body);
    else compiler.Table(f);
    if (!compiler.ok()) return ResourceExhausted(fn.chunk->name + " is too large to compile");
  }
  SMDL_RETURN_IF_ERROR(im.EvaluateSettings(diags));
  im.settings_ready_ = true;
  return image;
}

Status Image::EvaluateSettings(Diagnostics* diags) {
  size_t n = settings_.size();
  std::vector<Chunk> chunks(n);
  for (size_t i = 0; i < n; ++i) {
    const sema::SettingInfo& s = *settings_[i].info;
    Scope scope;
    scope.module = s.module;
    chunks[i].name = "setting " + s.module->name + "." + s.decl->name.text;
    Compiler compiler(*this, chunks[i], scope, Compiler::SettingMode::kRuntime, diags);
    compiler.Root(*s.decl->value);
    if (!compiler.ok()) return ResourceExhausted(chunks[i].name + " is too large to compile");
  }
  // Settings a function reads, directly or through the functions it calls.
  std::vector<std::set<uint32_t>> function_settings(functions_.size());
  std::vector<int> visiting(functions_.size(), 0);
  std::function<const std::set<uint32_t>&(uint32_t)> settings_of = [&](uint32_t f) -> const std::set<uint32_t>& {
    if (visiting[f]) return function_settings[f];
    visiting[f] = 1;
    const Chunk& c = *functions_[f].chunk;
    function_settings[f].insert(c.settings_used.begin(), c.settings_used.end());
    for (uint32_t g : c.functions_called) {
      const auto& more = settings_of(g);
      function_settings[f].insert(more.begin(), more.end());
    }
    return function_settings[f];
  };
  std::vector<int> state(n, 0);  // 0 new, 1 in progress, 2 done
  std::function<void(size_t)> evaluate = [&](size_t i) {
    state[i] = 1;
    std::set<uint32_t> deps(chunks[i].settings_used.begin(), chunks[i].settings_used.end());
    for (uint32_t f : chunks[i].functions_called) {
      const auto& more = settings_of(f);
      deps.insert(more.begin(), more.end());
    }
    bool cyclic = false;
    for (uint32_t d : deps) {
      if (state[d] == 1) cyclic = true;
      else if (state[d] == 0) evaluate(d);
    }
    if (cyclic) {
      settings_[i].value = Value::Error("setting '" + settings_[i].info->decl->name.text + "' depends on itself");
    } else {
      Budget budget;
      settings_[i].value = Interpret(this, chunks[i], Activation{}, budget);
      if (budget.exhausted) ReportBudgetExceeded(diags, *settings_[i].info->decl->value, budget);
    }
    settings_[i].done = true;
    state[i] = 2;
  };
  for (size_t i = 0; i < n; ++i)
    if (state[i] == 0) evaluate(i);
  return Status::Ok();
}

StatusOr<std::unique_ptr<CompiledExpr>> Image::Compile(const ast::Expr& expr, const Scope& scope,
                                                       Diagnostics* diags) const {
  if (scope.locals.size() > 60000) return InvalidArgument("too many locals in scope");
  Chunk chunk;
  chunk.name = "expression";
  Compiler compiler(*this, chunk, scope, Compiler::SettingMode::kConstant, diags);
  compiler.Root(expr);
  if (!compiler.ok()) return ResourceExhausted("the expression is too large to compile");
  auto it = program_.expr_info.find(&expr);
  sema::Type type = it == program_.expr_info.end() ? sema::Type::Dyn() : it->second.type;
  return std::make_unique<CompiledExpr>(*this, std::move(chunk), std::move(type));
}

StatusOr<Value> Image::Setting(const sema::ModuleInfo& module, std::string_view name) const {
  Diagnostics probe;
  const sema::Symbol* sym = sema::LookupGlobal(module, std::string(name), probe, SourceRange{});
  if (sym == nullptr || sym->kind != sema::Symbol::Kind::kSetting)
    return NotFound("no setting '" + std::string(name) + "' in module '" + module.name + "'");
  int index = SettingIndex(*sym->setting);
  if (index < 0) return NotFound("setting '" + std::string(name) + "' is not compiled");
  return settings_[static_cast<size_t>(index)].value;
}

StatusOr<Value> Image::Call(const sema::ModuleInfo& module, std::string_view name, std::span<const Value> args,
                            Budget& budget) const {
  Diagnostics probe;
  const sema::Symbol* sym = sema::LookupGlobal(module, std::string(name), probe, SourceRange{});
  if (sym == nullptr || sym->kind != sema::Symbol::Kind::kFunction)
    return NotFound("no policy or table '" + std::string(name) + "' in module '" + module.name + "'");
  int index = FunctionIndex(*sym->function);
  if (index < 0) return NotFound("'" + std::string(name) + "' is not compiled");
  if (args.size() != sym->function->params.size())
    return InvalidArgument("'" + std::string(name) + "' takes " + std::to_string(sym->function->params.size()) +
                           " argument(s), " + std::to_string(args.size()) + " given");
  return InterpretCall(*this, static_cast<size_t>(index), args, budget);
}

const EnumType* Image::EnumFor(std::string_view qualified) const {
  for (const auto& e : program_.enums)
    if (e->qualified == qualified) return InternEnum(e->qualified, e->values);
  return nullptr;
}

Scope ProcessScope(const sema::ProcessInfo& process, std::vector<std::pair<std::string, sema::Type>> locals) {
  Scope scope;
  scope.module = process.module;
  scope.record = process.record;
  scope.locals = std::move(locals);
  scope.has_now = true;
  return scope;
}

// ------------------------------------------------------------ disassembly

const char* OpName(Op op) {
  static const char* const kNames[] = {
#define SMDL_VM_NAME(name, format, doc) #name + 1,
      SMDL_VM_OPCODES(SMDL_VM_NAME)
#undef SMDL_VM_NAME
  };
  return static_cast<size_t>(op) < static_cast<size_t>(Op::kCount) ? kNames[static_cast<size_t>(op)] : "?";
}

const char* OpFormat(Op op) {
  static const char* const kFormats[] = {
#define SMDL_VM_FORMAT(name, format, doc) #format,
      SMDL_VM_OPCODES(SMDL_VM_FORMAT)
#undef SMDL_VM_FORMAT
  };
  return static_cast<size_t>(op) < static_cast<size_t>(Op::kCount) ? kFormats[static_cast<size_t>(op)] : "-";
}

std::string Disassemble(const Chunk& chunk) {
  std::string out = chunk.name + ": " + std::to_string(chunk.code.size()) + " instructions, " +
                    std::to_string(chunk.num_locals) + " locals (" + std::to_string(chunk.num_params) +
                    " parameters), stack " + std::to_string(chunk.max_stack) + "\n";
  for (size_t pc = 0; pc < chunk.code.size(); ++pc) {
    const Instr& i = chunk.code[pc];
    std::string format = OpFormat(i.op);
    char line[160];
    std::snprintf(line, sizeof line, "%5zu  %-16s", pc, OpName(i.op));
    out += line;
    if (format.find('X') != std::string::npos) out += " x=" + std::to_string(i.x);
    if (format.find('A') != std::string::npos) out += " a=" + std::to_string(i.a);
    if (format.find('B') != std::string::npos) out += " b=" + std::to_string(i.b);
    if ((i.op == Op::kConst || i.op == Op::kSelect || i.op == Op::kHasKey) && i.a < chunk.constants.size())
      out += "  ; " + chunk.constants[i.a].DebugString();
    if (i.op == Op::kJumpNeLocalConst && i.a < chunk.constants.size())
      out += "  ; " + chunk.constants[i.a].DebugString();
    if (i.op == Op::kBuiltin) out += std::string("  ; ") + BuiltinName(static_cast<Builtin>(i.a));
    out += "\n";
  }
  return out;
}

}  // namespace smdl::vm
