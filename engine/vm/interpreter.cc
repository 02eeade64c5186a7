#include "vm/interpreter.h"

#include <algorithm>
#include <vector>

#include "vm/ops.h"

namespace smdl::vm {
namespace {

using K = ValueKind;

constexpr size_t kArenaSlots = 16384;
constexpr int kMaxCallDepth = 64;

// Per-thread frame storage, allocated once. Every slot always holds a valid
// Value (null when unused), so frames need no placement construction.
struct Arena {
  std::vector<Value> slots = std::vector<Value>(kArenaSlots);
  size_t top = 0;
  int depth = 0;
};

const Activation kNoActivation{};
constexpr uint32_t kNoJump = UINT32_MAX;

Arena& ThreadArena() {
  thread_local Arena arena;
  return arena;
}

Value BudgetError(const Budget& budget) {
  return Value::Error("evaluation budget exceeded (" + std::to_string(budget.max_steps) + " steps, " +
                      std::to_string(budget.max_size) + " values built)");
}

Value FieldValueSlow(const Activation& act, uint32_t index) {
  if (act.field_source != nullptr) return act.field_source->Field(index);
  return Value::Error("record field " + std::to_string(index) + " is not available");
}

// A field's value, borrowed when it comes from the activation's vector.
SMDL_VM_INLINE Value FieldValue(const Activation& act, uint32_t index) {
  if (index < act.fields.size()) [[likely]] return Value::Borrow(act.fields[index]);
  return FieldValueSlow(act, index);
}

bool ChargeSize(Budget& budget, uint64_t n) {
  budget.size += n;
  if (budget.size > budget.max_size) {
    budget.exhausted = true;
    return false;
  }
  return true;
}

// How much size the budget has left.
uint64_t Room(const Budget& budget) { return budget.size < budget.max_size ? budget.max_size - budget.size : 0; }

// The DeepSize (value.h) of `n` values put into a list or map, counted only
// until it exceeds what the budget has left.
uint64_t DeepSizeOf(const Value* values, size_t n, const Budget& budget) {
  uint64_t room = Room(budget), total = 0;
  for (size_t i = 0; i < n && total <= room; ++i) total += DeepSize(values[i], room - total);
  return total;
}

// Charges `built`, a list, map or string just made, for everything it holds.
bool ChargeBuilt(Budget& budget, const Value& built) {
  return ChargeSize(budget, DeepSize(built, Room(budget)));
}

Value AsBoolError(const Value& v, const char* what) {
  if (v.is_error()) return v;
  return ops::NoSuchOverload(what);
}

Value Run(const Image* image, const Chunk& chunk, const Value* params, size_t nparams, const Activation& act,
          Budget& budget, Arena& arena);

// Executes the body of a frame whose slots start at `base`.
Value Exec(const Image* image, const Chunk& chunk, Value* base, const Activation& act, Budget& budget,
           Arena& arena) {
  static void* const kLabels[] = {
#define SMDL_VM_LABEL(name, format, doc) &&L_##name,
      SMDL_VM_OPCODES(SMDL_VM_LABEL)
#undef SMDL_VM_LABEL
  };
  const Instr* const code = chunk.code.data();
  const Value* const consts = chunk.constants.data();
  Value* const locals = base;
  Value* sp = base + chunk.num_locals;
  const Instr* pc = code;

  // A computed goto does not run destructors: every handler closes the block
  // that holds its Values before it dispatches or jumps.
#define DISPATCH() goto* kLabels[static_cast<size_t>((++pc)->op)]
#define JUMP_TO(target)                                   \
  do {                                                    \
    pc = code + (target);                                 \
    goto* kLabels[static_cast<size_t>(pc->op)];           \
  } while (0)
#define BINARY(fn)                                        \
  do {                                                    \
    Value rhs = std::move(*--sp);                         \
    sp[-1] = fn(sp[-1], rhs);                             \
  } while (0)

  goto* kLabels[static_cast<size_t>(pc->op)];

// Operands are borrowed from constants, locals and fields; a value that
// outlives its source (stored, put in a list or map, returned) is made owned.
// Slots above sp never hold an owned heap value (pops move values out, and
// the fast paths leave only scalars behind), so pushes of borrowed values
// may overwrite them without releasing anything.
L_kConst:
  (sp++)->OverwriteWithBorrowed(consts[pc->a]);
  DISPATCH();
L_kLocal:
  (sp++)->OverwriteWithBorrowed(locals[pc->a]);
  DISPATCH();
L_kTake:
  *sp++ = std::move(locals[pc->a]);
  DISPATCH();
L_kStore:
  locals[pc->a] = std::move(*--sp);
  locals[pc->a].MakeOwned();
  DISPATCH();
L_kPop:
  *--sp = Value();
  DISPATCH();
L_kField:
  *sp++ = FieldValue(act, pc->a);
  DISPATCH();
L_kFieldOpt: {
  Value v = FieldValue(act, pc->a);
  if (v.is(K::kOptional)) *sp++ = v.has_value() ? v.optional_value() : Value();
  else *sp++ = std::move(v);
}
  DISPATCH();
L_kHasField: {
  Value v = FieldValue(act, pc->a);
  if (v.is_error()) *sp++ = std::move(v);
  else if (v.is(K::kOptional)) *sp++ = Value::Bool(v.has_value());  // also accepted for T? fields
  else *sp++ = Value::Bool(!v.is_null());
}
  DISPATCH();
L_kRecordId:
  *sp++ = act.id ? *act.id : Value::Error("the record's id is not available");
  DISPATCH();
L_kRecordState:
  *sp++ = act.state ? *act.state : Value::Error("the record's state is not available");
  DISPATCH();
L_kRecordActive:
  *sp++ = act.active ? *act.active : act.state ? *act.state : Value::Error("the record's state is not available");
  DISPATCH();
L_kWithin: {
  // A record read through a ref is a map: its regions' leaves, else its state.
  Value v = std::move(sp[-1]);
  if (v.is(K::kMap)) {
    const Value* leaves = v.map().Find(Value::String("active"));
    const Value* state = v.map().Find(Value::String("state"));
    v = leaves ? *leaves : state ? *state : Value::Error("within(): the record has no state");
  }
  const auto& names = consts[pc->a].list();
  auto named = [&](const Value& s) { return std::find(names.begin(), names.end(), s) != names.end(); };
  if (v.is(K::kString)) sp[-1] = Value::Bool(named(v));
  else if (v.is(K::kList)) sp[-1] = Value::Bool(std::any_of(v.list().begin(), v.list().end(), named));
  else sp[-1] = v.is_error() ? std::move(v) : Value::Error("within() needs a record");
}
  DISPATCH();
L_kThis: {
  const auto& names = consts[pc->a].list();
  std::vector<std::pair<Value, Value>> entries;
  for (size_t i = 0; i < names.size(); ++i) {
    Value v = FieldValue(act, static_cast<uint32_t>(i));
    if (v.is(K::kOptional)) {
      if (!v.has_value()) continue;
      v = Value(v.optional_value());
    }
    if (v.is_null() || v.is_error()) continue;
    v.MakeOwned();
    entries.emplace_back(names[i], std::move(v));
  }
  if (act.id) entries.emplace_back(Value::String("id"), *act.id);
  if (act.state) entries.emplace_back(Value::String("state"), *act.state);
  if (act.created_by) entries.emplace_back(Value::String("created_by"), *act.created_by);
  if (act.created_at) entries.emplace_back(Value::String("created_at"), *act.created_at);
  if (act.sla) entries.emplace_back(Value::String("sla"), *act.sla);
  Value map = Value::Map(std::move(entries));
  if (!ChargeBuilt(budget, map)) map = BudgetError(budget);
  *sp++ = std::move(map);
}
  DISPATCH();
L_kRecordSla:
  *sp++ = act.sla ? *act.sla : Value::Error("the record's SLA clocks are not available");
  DISPATCH();
L_kActor:
  *sp++ = act.actor ? *act.actor : Value::Error("the actor is not available here");
  DISPATCH();
L_kDeref: {
  Value& ref = sp[-1];
  const std::string& what = consts[pc->a].string_value();
  if (ref.is_error()) {
    // stays the error
  } else if (ref.is_null() || (ref.is(K::kOptional) && !ref.has_value())) {
    ref = Value::Error(what + " is not set");
  } else if (act.records == nullptr) {
    ref = Value::Error("records cannot be read here (reading " + what + ")");
  } else {
    if (ref.is(K::kOptional)) ref = Value(ref.optional_value());
    Value record = act.records->Read(ref, what);
    ref = std::move(record);
  }
}
  DISPATCH();
L_kQuery: {
  size_t n = pc->x;
  Value* values = sp - n;
  const auto& spec = consts[pc->a].list();
  Value result;
  for (size_t i = 0; i < n; ++i)
    if (values[i].is_error()) { result = values[i]; break; }
  if (!result.is_error()) {
    if (act.records == nullptr) {
      result = Value::Error("records cannot be read here (records(" + spec[0].string_value() + "))");
    } else {
      std::vector<std::string> index;
      for (size_t i = 1; i < spec.size(); ++i) index.push_back(spec[i].string_value());
      result = act.records->Query(spec[0].string_value(), index, std::span<const Value>(values, n));
      if (!result.is_error() && !ChargeBuilt(budget, result)) result = BudgetError(budget);
    }
  }
  for (size_t i = 0; i < n; ++i) *--sp = Value();
  *sp++ = std::move(result);
}
  DISPATCH();
L_kNow:
  *sp++ = act.now ? Value::Timestamp(*act.now) : Value::Error("'now' is not available here");
  DISPATCH();
L_kSetting:
  *sp++ = image ? Value::Borrow(image->SettingValue(pc->a)) : Value::Error("settings are not available");
  DISPATCH();
L_kCall: {
  size_t argc = pc->x;
  Value* args = sp - argc;
  Value result;
  bool failed = false;
  for (size_t i = 0; i < argc; ++i)
    if (args[i].is_error()) { result = args[i]; failed = true; break; }
  if (!failed) {
    if (image == nullptr) result = Value::Error("no policies are available");
    else result = Run(image, image->Function(pc->a), args, argc, kNoActivation, budget, arena);
  }
  for (size_t i = 0; i < argc; ++i) *--sp = Value();
  *sp++ = std::move(result);
}
  DISPATCH();
L_kEmitted: {
  Value name = std::move(*--sp);
  if (name.is_error()) *sp++ = std::move(name);
  else if (!name.is(K::kString)) *sp++ = ops::NoSuchOverload("emitted");
  else if (act.emitted == nullptr) *sp++ = Value::Error("emitted() is only available in tests");
  else *sp++ = Value::Int((*act.emitted)(name.string_value()));
}
  DISPATCH();
L_kLastEmitted: {
  Value name = std::move(*--sp);
  if (name.is_error()) *sp++ = std::move(name);
  else if (!name.is(K::kString)) *sp++ = ops::NoSuchOverload("last_emitted");
  else if (act.last_emitted == nullptr) *sp++ = Value::Error("last_emitted() is only available in tests");
  else *sp++ = (*act.last_emitted)(name.string_value());
}
  DISPATCH();
L_kBuiltin: {
  size_t argc = pc->x;
  Value* args = sp - argc;
  Value result = CallBuiltin(static_cast<Builtin>(pc->a), args, argc, budget);
  for (size_t i = 0; i < argc; ++i) *--sp = Value();
  *sp++ = std::move(result);
}
  DISPATCH();
L_kMatchConst: {
  Value& s = sp[-1];
  if (!s.is_error()) {
    if (s.is(K::kString)) s = Value::Bool(RegexMatches(*chunk.patterns[pc->a], s.string_value()));
    else s = ops::NoSuchOverload("matches");
  }
}
  DISPATCH();
L_kAdd:
  BINARY(ops::Add);
  if (sp[-1].is(K::kString) || sp[-1].is(K::kBytes) || sp[-1].is(K::kList)) {
    if (!ChargeBuilt(budget, sp[-1])) sp[-1] = BudgetError(budget);
  }
  DISPATCH();
L_kSub:
  BINARY(ops::Sub);
  DISPATCH();
L_kMul:
  BINARY(ops::Mul);
  DISPATCH();
L_kDiv:
  BINARY(ops::Div);
  DISPATCH();
L_kMod:
  BINARY(ops::Mod);
  DISPATCH();
L_kNeg:
  sp[-1] = ops::Neg(sp[-1]);
  DISPATCH();
L_kNot:
  sp[-1] = ops::Not(sp[-1]);
  DISPATCH();
L_kEq:
  BINARY(ops::Eq);
  DISPATCH();
L_kNe:
  BINARY(ops::Ne);
  DISPATCH();
L_kLt:
  BINARY(ops::Less);
  DISPATCH();
L_kLe:
  BINARY(ops::LessEq);
  DISPATCH();
L_kGt:
  BINARY(ops::Greater);
  DISPATCH();
L_kGe:
  BINARY(ops::GreaterEq);
  DISPATCH();
L_kIn:
  BINARY(ops::In);
  DISPATCH();
L_kIndex:
  BINARY(ops::Index);
  DISPATCH();
L_kAddInt: {
  int64_t r;
  if (sp[-2].is(K::kInt) && sp[-1].is(K::kInt) && !__builtin_add_overflow(sp[-2].int_value(), sp[-1].int_value(), &r)) {
    --sp;
    sp[-1] = Value::Int(r);
  } else {
    BINARY(ops::Add);
  }
}
  DISPATCH();
L_kSubInt: {
  int64_t r;
  if (sp[-2].is(K::kInt) && sp[-1].is(K::kInt) && !__builtin_sub_overflow(sp[-2].int_value(), sp[-1].int_value(), &r)) {
    --sp;
    sp[-1] = Value::Int(r);
  } else {
    BINARY(ops::Sub);
  }
}
  DISPATCH();
// Ints compare by value; two durations or two timestamps by (seconds, nanos).
#define INT_RELATION(label, op, fn)                                          \
  label:                                                                     \
  if (sp[-2].is(K::kInt) && sp[-1].is(K::kInt)) {                            \
    bool r = sp[-2].int_value() op sp[-1].int_value();                       \
    --sp;                                                                    \
    sp[-1] = Value::Bool(r);                                                 \
  } else if ((sp[-2].is(K::kDuration) || sp[-2].is(K::kTimestamp)) &&        \
             sp[-1].kind() == sp[-2].kind()) {                               \
    int64_t x = sp[-2].int_value(), y = sp[-1].int_value();                  \
    bool r = x != y ? x op y : sp[-2].aux() op sp[-1].aux();                 \
    --sp;                                                                    \
    sp[-1] = Value::Bool(r);                                                 \
  } else {                                                                   \
    BINARY(fn);                                                              \
  }                                                                          \
  DISPATCH();
  INT_RELATION(L_kLtInt, <, ops::Less)
  INT_RELATION(L_kLeInt, <=, ops::LessEq)
  INT_RELATION(L_kGtInt, >, ops::Greater)
  INT_RELATION(L_kGeInt, >=, ops::GreaterEq)
#undef INT_RELATION
L_kEqScalar:
L_kNeScalar: {
  const Value& a = sp[-2];
  const Value& b = sp[-1];
  bool ne = pc->op == Op::kNeScalar;
  if (a.kind() == b.kind() && a.kind() < K::kString && a.kind() != K::kDouble) {
    bool eq = a.kind() == K::kBool ? a.bool_value() == b.bool_value()
                                   : (a.int_value() == b.int_value() && a.enum_index() == b.enum_index());
    --sp;
    sp[-1] = Value::Bool(eq != ne);
  } else if (ne) {
    BINARY(ops::Ne);
  } else {
    BINARY(ops::Eq);
  }
}
  DISPATCH();
L_kEqString:
L_kNeString: {
  const Value& a = sp[-2];
  const Value& b = sp[-1];
  bool ne = pc->op == Op::kNeString;
  if (a.is(K::kString) && b.is(K::kString)) {
    const std::string& x = a.string_value();
    const std::string& y = b.string_value();
    bool eq = &x == &y || (x.size() == y.size() && std::char_traits<char>::compare(x.data(), y.data(), x.size()) == 0);
    --sp;
    *sp = Value();
    sp[-1] = Value::Bool(eq != ne);
  } else if (ne) {
    BINARY(ops::Ne);
  } else {
    BINARY(ops::Eq);
  }
}
  DISPATCH();
L_kSelect:
  sp[-1] = ops::Select(sp[-1], consts[pc->a].string_value());
  DISPATCH();
L_kHasKey:
  sp[-1] = ops::HasKey(sp[-1], consts[pc->a].string_value());
  DISPATCH();
L_kList: {
  size_t n = pc->a;
  Value* items = sp - n;
  Value result;
  for (size_t i = 0; i < n; ++i)
    if (items[i].is_error()) { result = items[i]; break; }
  if (!result.is_error()) {
    // Each element counts with everything it holds (DeepSize): a list of
    // references to one shared list is as big as its expansion.
    if (!ChargeSize(budget, n + DeepSizeOf(items, n, budget))) {
      result = BudgetError(budget);
    } else {
      std::vector<Value> list;
      list.reserve(n);
      for (size_t i = 0; i < n; ++i) {
        items[i].MakeOwned();
        list.push_back(std::move(items[i]));
      }
      result = Value::List(std::move(list));
    }
  }
  for (size_t i = 0; i < n; ++i) *--sp = Value();
  *sp++ = std::move(result);
}
  DISPATCH();
L_kMap: {
  size_t n = pc->a;
  Value* items = sp - 2 * n;
  Value result;
  for (size_t i = 0; i < 2 * n; ++i)
    if (items[i].is_error()) { result = items[i]; break; }
  if (!result.is_error()) {
    if (!ChargeSize(budget, n + DeepSizeOf(items, 2 * n, budget))) {
      result = BudgetError(budget);
    } else {
      std::vector<std::pair<Value, Value>> entries;
      entries.reserve(n);
      bool bad_key = false;
      for (size_t i = 0; i < n; ++i) {
        const Value& k = items[2 * i];
        if (!(k.is(K::kInt) || k.is(K::kUint) || k.is(K::kString) || k.is(K::kBool) || k.is(K::kEnum))) bad_key = true;
        items[2 * i].MakeOwned();
        items[2 * i + 1].MakeOwned();
        entries.emplace_back(std::move(items[2 * i]), std::move(items[2 * i + 1]));
      }
      result = bad_key ? Value::Error("unsupported key type for a map") : Value::Map(std::move(entries));
    }
  }
  for (size_t i = 0; i < 2 * n; ++i) *--sp = Value();
  *sp++ = std::move(result);
}
  DISPATCH();
L_kJump:
  JUMP_TO(pc->a);
L_kJumpIfNotTrue: {
  bool jump;
  {
    Value v = std::move(*--sp);
    jump = !(v.is(K::kBool) && v.bool_value());
  }
  if (jump) JUMP_TO(pc->a);
  DISPATCH();
}
L_kJumpNeLocalConst:
  if (!(locals[pc->x] == consts[pc->a])) JUMP_TO(pc->b);
  DISPATCH();
L_kAndShort:
  if (sp[-1].is(K::kBool) && !sp[-1].bool_value()) JUMP_TO(pc->a);
  DISPATCH();
L_kAndJoin: {
  Value rhs = std::move(*--sp);
  Value& lhs = sp[-1];
  if (lhs.is(K::kBool)) {  // true
    lhs = rhs.is(K::kBool) || rhs.is_error() ? std::move(rhs) : AsBoolError(rhs, "_&&_");
  } else if (rhs.is(K::kBool) && !rhs.bool_value()) {
    lhs = std::move(rhs);
  } else if (!lhs.is_error()) {
    lhs = AsBoolError(lhs, "_&&_");
  }
}
  DISPATCH();
L_kOrShort:
  if (sp[-1].is(K::kBool) && sp[-1].bool_value()) JUMP_TO(pc->a);
  DISPATCH();
L_kOrJoin: {
  Value rhs = std::move(*--sp);
  Value& lhs = sp[-1];
  if (lhs.is(K::kBool)) {  // false
    lhs = rhs.is(K::kBool) || rhs.is_error() ? std::move(rhs) : AsBoolError(rhs, "_||_");
  } else if (rhs.is(K::kBool) && rhs.bool_value()) {
    lhs = std::move(rhs);
  } else if (!lhs.is_error()) {
    lhs = AsBoolError(lhs, "_||_");
  }
}
  DISPATCH();
L_kCond: {
  uint32_t target = kNoJump;
  {
    Value c = std::move(*--sp);
    if (!c.is(K::kBool)) {
      *sp++ = AsBoolError(c, "_?_:_");
      target = pc->b;
    } else if (!c.bool_value()) {
      target = pc->a;
    }
  }
  if (target != kNoJump) JUMP_TO(target);
  DISPATCH();
}
L_kIterInit: {
  bool iterable;
  {
    Value range = std::move(*--sp);
    iterable = range.is(K::kList) || range.is(K::kMap);
    if (iterable) {
      range.MakeOwned();
      locals[pc->x] = std::move(range);
      locals[pc->x + 1] = Value::Int(0);
    } else if (range.is_error()) {
      range.MakeOwned();
      *sp++ = std::move(range);
    } else {
      *sp++ = ops::NoSuchOverload("comprehension");
    }
  }
  if (!iterable) JUMP_TO(pc->a);
  DISPATCH();
}
L_kIterNext: {
  const Value& range = locals[pc->x];
  int64_t i = locals[pc->x + 1].int_value();
  size_t size = range.is(K::kList) ? range.list().size() : range.map().size();
  if (static_cast<size_t>(i) >= size) JUMP_TO(pc->a);
  budget.steps += pc->a - static_cast<uint32_t>(pc - code);
  if (budget.steps > budget.max_steps) {
    budget.exhausted = true;
    JUMP_TO(pc->a);
  }
  // The item is borrowed from the range, which the frame holds until it ends.
  locals[pc->b] = Value::Borrow(range.is(K::kList) ? range.list()[static_cast<size_t>(i)]
                                                   : range.map().entries()[static_cast<size_t>(i)].first);
  locals[pc->x + 1] = Value::Int(i + 1);
}
  DISPATCH();
L_kAllStep: {
  bool done = false;
  {
    Value p = std::move(*--sp);
    if (p.is(K::kBool)) {
      if (!p.bool_value()) {
        locals[pc->x] = Value::Bool(false);
        done = true;
      }
    } else if (!locals[pc->x].is_error()) {
      locals[pc->x] = AsBoolError(p, "all");
    }
  }
  if (done) JUMP_TO(pc->a);
  DISPATCH();
}
L_kExistsStep: {
  bool done = false;
  {
    Value p = std::move(*--sp);
    if (p.is(K::kBool)) {
      if (p.bool_value()) {
        locals[pc->x] = Value::Bool(true);
        done = true;
      }
    } else if (!locals[pc->x].is_error()) {
      locals[pc->x] = AsBoolError(p, "exists");
    }
  }
  if (done) JUMP_TO(pc->a);
  DISPATCH();
}
L_kCountStep: {
  bool failed;
  {
    Value p = std::move(*--sp);
    failed = !p.is(K::kBool);
    if (failed) locals[pc->x] = AsBoolError(p, "exists_one");
    else if (p.bool_value()) locals[pc->x] = Value::Int(locals[pc->x].int_value() + 1);
  }
  if (failed) JUMP_TO(pc->a);
  DISPATCH();
}
L_kExistsOneEnd:
  if (sp[-1].is(K::kInt)) sp[-1] = Value::Bool(sp[-1].int_value() == 1);
  DISPATCH();
L_kAppendStep: {
  bool stop = false;
  {
    Value v = std::move(*--sp);
    v.MakeOwned();
    Value& acc = locals[pc->x];
    if (v.is_error()) {
      acc = std::move(v);
      stop = true;
    } else if (!ChargeSize(budget, 1 + DeepSize(v, Room(budget)))) {
      acc = BudgetError(budget);
      stop = true;
    } else if (acc.IsUnique()) {
      acc.MutableListForBuild().push_back(std::move(v));
    } else {
      std::vector<Value> items = acc.list();
      items.push_back(std::move(v));
      acc = Value::List(std::move(items));
    }
  }
  if (stop) JUMP_TO(pc->a);
  DISPATCH();
}
L_kFilterTest: {
  uint32_t target = kNoJump;
  {
    Value p = std::move(*--sp);
    if (!p.is(K::kBool)) {
      locals[pc->x] = AsBoolError(p, "filter");
      target = pc->a;
    } else if (!p.bool_value()) {
      target = pc->b;
    }
  }
  if (target != kNoJump) JUMP_TO(target);
  DISPATCH();
}
L_kReturn: {
  Value result = std::move(*--sp);
  result.MakeOwned();
  return result;
}

#undef DISPATCH
#undef JUMP_TO
#undef BINARY
}

// Runs a frame whose slots (all null) start at `base`; leaves them null.
SMDL_VM_INLINE Value RunFrame(const Image* image, const Chunk& chunk, Value* base, const Value* params,
                              size_t nparams, const Activation& act, Budget& budget, Arena& arena) {
  // Parameters are borrowed: the caller's values outlive the frame.
  for (size_t i = 0; i < chunk.num_params; ++i)
    base[i] = i < nparams ? Value::Borrow(params[i]) : Value::Error("no value for parameter " + std::to_string(i));
  ++arena.depth;
  Value result = Exec(image, chunk, base, act, budget, arena);
  --arena.depth;
  // Return leaves the operand stack empty; only the locals hold values.
  for (size_t i = 0; i < chunk.num_locals; ++i) base[i] = Value();
  return result;
}

// A frame that does not fit in the arena (deep calls with large frames).
__attribute__((noinline)) Value RunOnHeap(const Image* image, const Chunk& chunk, const Value* params,
                                          size_t nparams, const Activation& act, Budget& budget, size_t need,
                                          Arena& arena) {
  std::vector<Value> slots(need);
  return RunFrame(image, chunk, slots.data(), params, nparams, act, budget, arena);
}

Value Run(const Image* image, const Chunk& chunk, const Value* params, size_t nparams, const Activation& act,
          Budget& budget, Arena& arena) {
  if (arena.depth >= kMaxCallDepth) return Value::Error("call depth exceeded (" + std::to_string(kMaxCallDepth) + ")");
  budget.steps += chunk.code.size();
  if (budget.exhausted || budget.steps > budget.max_steps) {
    budget.exhausted = true;
    return BudgetError(budget);
  }
  size_t need = chunk.num_locals + chunk.max_stack + 1;
  if (arena.top + need > arena.slots.size()) [[unlikely]]
    return RunOnHeap(image, chunk, params, nparams, act, budget, need, arena);
  Value* base = arena.slots.data() + arena.top;
  size_t saved_top = arena.top;
  arena.top += need;
  Value result = RunFrame(image, chunk, base, params, nparams, act, budget, arena);
  arena.top = saved_top;
  return result;
}

class Interpreted : public Executable {
 public:
  Interpreted(const Image* image, const Chunk& chunk) : image_(image), chunk_(chunk) {}
  Value Run(const Activation& activation, Budget& budget) const override {
    return Interpret(image_, chunk_, activation, budget);
  }

 private:
  const Image* image_;
  const Chunk& chunk_;
};

}  // namespace

Value Interpret(const Image* image, const Chunk& chunk, const Activation& activation, Budget& budget) {
  Value result =
      Run(image, chunk, activation.locals.data(), activation.locals.size(), activation, budget, ThreadArena());
  if (budget.exhausted) return BudgetError(budget);
  return result;
}

Value InterpretCall(const Image& image, size_t index, std::span<const Value> args, Budget& budget) {
  Value result = Run(&image, image.Function(index), args.data(), args.size(), kNoActivation, budget, ThreadArena());
  if (budget.exhausted) return BudgetError(budget);
  return result;
}

std::unique_ptr<Executable> MakeInterpreted(const Image* image, const Chunk& chunk) {
  return std::make_unique<Interpreted>(image, chunk);
}

}  // namespace smdl::vm
