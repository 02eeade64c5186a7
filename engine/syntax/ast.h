// The SMDL abstract syntax tree: what the parser hands to the checker.
//
// Plain structs that own their children; every node carries the source range
// it came from, so that every later stage can point at the user's text.
// ANTLR types never appear here (see parser.cc, the only place that sees them).
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "smdl/diagnostics.h"

namespace smdl::ast {

struct Ident {
  std::string text;
  SourceRange range;
};

// A dotted name such as `iso20000.core` or `Impact`.
struct QualifiedName {
  std::vector<Ident> parts;
  SourceRange range;
  std::string ToString() const;
};

// ------------------------------------------------------------ expressions

enum class ExprKind {
  kLiteral,
  kIdent,      // name (leading_dot for `.name`)
  kSelect,     // operand.name
  kCall,       // name(args) or target.name(args) when has_target
  kIndex,      // operand[index]
  kList,       // [a, b]
  kMap,        // {k: v, ...}: args alternate key, value
  kUnary,      // op operand
  kBinary,     // lhs op rhs
  kTernary,    // cond ? a : b
  kThis,       // the record a process runs on
};

enum class LiteralKind { kNull, kBool, kInt, kUint, kDouble, kString, kBytes };

enum class Op {
  kNone,
  kNot, kNeg,
  kOr, kAnd,
  kLt, kLe, kGt, kGe, kEq, kNe, kIn,
  kAdd, kSub, kMul, kDiv, kMod,
};

const char* OpSpelling(Op op);

struct Expr;
using ExprPtr = std::unique_ptr<Expr>;

struct Expr {
  ExprKind kind = ExprKind::kLiteral;
  SourceRange range;

  // kLiteral
  LiteralKind literal = LiteralKind::kNull;
  bool bool_value = false;
  int64_t int_value = 0;
  uint64_t uint_value = 0;
  double double_value = 0;
  std::string string_value;  // decoded string or bytes

  // kIdent, kSelect, kCall
  std::string name;
  SourceRange name_range;
  bool leading_dot = false;
  bool has_target = false;  // kCall: receiver-style call target.name(...)

  Op op = Op::kNone;  // kUnary, kBinary

  // Operands: kSelect/kIndex/kUnary [operand(, index)]; kBinary [lhs, rhs];
  // kTernary [cond, then, else]; kCall [target?, args...]; kList items;
  // kMap [k0, v0, k1, v1, ...].
  std::vector<ExprPtr> args;
};

// `name: value` in payloads and record creation.
struct FieldInit {
  Ident name;
  ExprPtr value;
};

// ------------------------------------------------------------ types

struct TypeRef {
  enum class Kind { kNamed, kRef, kList, kMap };
  Kind kind = Kind::kNamed;
  QualifiedName name;          // kNamed, kRef
  std::vector<TypeRef> args;   // kList [elem], kMap [key, value]
  bool optional = false;       // T?
  SourceRange range;
};

// ------------------------------------------------------------ declarations

struct EnumDecl {
  Ident name;
  std::vector<Ident> values;
  SourceRange range;
};

struct FieldDecl {
  Ident name;
  TypeRef type;
  ExprPtr default_value;  // may be null
  SourceRange range;
};

// `role cab, change_manager;`
struct RoleDecl {
  std::vector<Ident> names;
  SourceRange range;
};

struct IndexDecl {
  std::vector<Ident> fields;  // fields of the record, or `state`
  SourceRange range;
};

struct RecordDecl {
  Ident name;
  std::vector<FieldDecl> fields;
  std::vector<IndexDecl> indexes;
  SourceRange range;
};

struct Param {
  Ident name;
  TypeRef type;
};

struct PolicyDecl {
  bool is_override = false;
  Ident name;
  std::vector<Param> params;
  TypeRef result;
  ExprPtr body;
  SourceRange range;
};

struct SettingDecl {
  bool is_override = false;
  Ident name;
  TypeRef type;
  ExprPtr value;
  SourceRange range;
};

struct TableCell {
  enum class Kind { kAny, kEqual, kCompare, kIn };
  Kind kind = Kind::kAny;
  Op op = Op::kEq;  // kCompare
  ExprPtr value;    // null for kAny
  SourceRange range;
};

struct TableRow {
  std::vector<TableCell> inputs;
  ExprPtr output;
  SourceRange range;
};

struct TableDecl {
  bool is_override = false;
  Ident name;
  std::vector<Param> params;
  TypeRef result;
  Ident hit;
  std::vector<Ident> columns;
  std::optional<Ident> output_name;
  SourceRange header_range;
  std::vector<TableRow> rows;
  SourceRange range;
};

struct ClockTime {
  int hour = 0;
  int minute = 0;
  SourceRange range;
};

struct CalendarHours {
  std::vector<std::pair<Ident, std::optional<Ident>>> days;  // mon..fri, sat
  std::vector<std::pair<ClockTime, ClockTime>> intervals;
  SourceRange range;
};

struct CalendarDate {
  std::string text;  // "2026-12-25", or "12-24" when recurring
  bool recurring = false;
  SourceRange range;
};

// A holiday whose date moves from year to year: `holiday easter + 1;` or
// `holiday last mon of may;`. The words are checked by the checker.
struct MovableHoliday {
  enum class Kind { kEaster, kWeekday };
  Kind kind = Kind::kEaster;
  Ident anchor;              // kEaster: the word written for `easter`
  int64_t offset = 0;        // kEaster: days after Easter Sunday (before if negative)
  bool offset_valid = true;  // false when the number does not fit
  SourceRange offset_range;
  Ident ordinal, weekday, of, month;  // kWeekday: `first mon of may`
  SourceRange range;
};

// `substitute next weekday;`: where holidays on a weekend move to.
struct SubstituteLine {
  Ident mode;  // next, nearest
  Ident unit;  // weekday
  SourceRange range;
};

struct CalendarDecl {
  bool is_override = false;
  Ident name;
  std::optional<std::string> timezone;
  SourceRange timezone_range;
  std::vector<CalendarHours> hours;
  bool always = false;
  SourceRange always_range;
  std::vector<CalendarDate> holidays;
  std::vector<MovableHoliday> movable_holidays;
  std::optional<SubstituteLine> substitute;
  std::vector<Ident> holiday_sets;  // `holidays NAME, ...;`
  std::vector<CalendarDate> working_days;
  SourceRange range;
};

// `holidays NAME { ... }`: holiday rules that calendars include by name.
struct HolidaySetDecl {
  Ident name;
  std::vector<CalendarDate> holidays;
  std::vector<MovableHoliday> movable_holidays;
  std::optional<SubstituteLine> substitute;
  SourceRange range;
};

// ------------------------------------------------------------ processes

struct Action {
  enum class Kind { kAssign, kEmit, kIf, kFor, kFire, kCreate };
  Kind kind = Kind::kAssign;
  Ident field;            // kAssign: the field; kFor: the loop variable; kCreate: the `let` name (may be empty)
  bool via_this = false;  // this.field = ...
  ExprPtr value;          // kAssign: the value; kIf: the condition; kFor: the list; kFire: the target record
  std::string message;    // kEmit
  SourceRange message_range;
  Ident event;                     // kFire
  QualifiedName record_type;       // kCreate
  std::vector<FieldInit> payload;  // kEmit: the payload; kFire: the arguments; kCreate: the fields
  std::vector<Action> body;        // kIf: then; kFor: each item
  std::vector<Action> else_body;   // kIf
  SourceRange range;
};

struct Transition {
  enum class Kind { kEvent, kTimer, kAutomatic };
  Kind kind = Kind::kEvent;
  Ident event;                 // kEvent
  std::vector<Param> params;   // kEvent
  ExprPtr guard;               // optional
  ExprPtr delay;               // kTimer: a duration after entering, or with `at`, an instant
  bool at_instant = false;     // kTimer: `at EXPR` rather than `after EXPR`
  std::optional<Ident> target; // none: internal transition (stays in the state)
  // kEvent: `requires a | b, c`: every group must be met, a group by any of its roles.
  std::vector<std::vector<Ident>> requires_roles;
  std::vector<Action> actions;
  SourceRange range;
};

// A state. States nest: ProcessDecl::states holds every state of the
// process in document order, a parent before its children, each child
// naming its parent by index.
struct StateDecl {
  Ident name;
  bool is_initial = false;
  bool is_final = false;
  bool is_parallel = false;   // `parallel state`: its children are regions, all active
  std::vector<Transition> transitions;
  int parent = -1;            // index in ProcessDecl::states; -1: top level
  std::vector<int> children;  // indices, in document order
  // `entry { }` and `exit { }`, at most one each.
  std::vector<Action> on_enter, on_exit;
  std::optional<SourceRange> enter_range, exit_range;
  SourceRange range;
};

struct SlaTrigger {
  enum class Kind { kCreate, kEnter, kLeave, kEvent, kWhileIn };
  Kind kind = Kind::kCreate;
  std::vector<Ident> names;  // states or events
  SourceRange range;
};

struct SlaCondition {
  enum class Kind { kStart, kStop, kPause, kResume, kReset };
  Kind kind = Kind::kStart;
  SlaTrigger trigger;
  SourceRange range;
};

struct SlaAction {
  enum class Kind { kEmit, kMove, kFire };
  Kind kind = Kind::kEmit;
  std::string message;             // kEmit
  std::vector<FieldInit> payload;  // kEmit
  Ident target;                    // kMove: state, kFire: event
  SourceRange range;
};

// A threshold in hundredths of a percent (8440 is 84.4%), as "84.4".
std::string PercentText(int hundredths);

struct SlaWarning {
  int percent = 0;  // hundredths of a percent: 8440 is 84.4%
  SourceRange percent_range;
  std::vector<SlaAction> actions;
  SourceRange range;
};

struct SlaDecl {
  Ident name;
  ExprPtr target;
  SourceRange target_range;
  std::optional<Ident> calendar;  // `calendar NAME;`: a name, which may name a calendar
  ExprPtr calendar_expr;          // `calendar EXPR;` (the name too): unless a calendar, chosen when the clock starts
  std::vector<SlaCondition> conditions;
  std::optional<Ident> retarget;
  std::vector<SlaWarning> warnings;
  std::vector<SlaAction> breach;
  SourceRange breach_range;
  SourceRange range;
};

struct ProcessDecl {
  Ident name;
  QualifiedName record;
  bool has_on_create = false;
  SourceRange on_create_range;
  std::vector<Action> on_create;
  std::vector<SlaDecl> slas;
  std::vector<StateDecl> states;  // every state, nested ones too (see StateDecl)
  SourceRange range;
};

// ------------------------------------------------------------ tests

struct NamedArg {
  Ident name;
  ExprPtr value;
};

struct TestStep {
  enum class Kind { kClock, kCreate, kFire, kAdvanceTo, kAdvanceBy, kExpect };
  Kind kind = Kind::kExpect;
  std::string text;            // kClock, kAdvanceTo: the timestamp text
  SourceRange text_range;
  Ident variable;              // kCreate: let name; kFire: record variable
  QualifiedName record_type;   // kCreate
  std::vector<FieldInit> fields;  // kCreate
  Ident event;                 // kFire
  std::vector<NamedArg> args;  // kFire
  ExprPtr actor;               // kCreate, kFire: by ...
  std::vector<Ident> roles;    // kCreate, kFire: with roles [...]
  bool expect_rejected = false;  // kCreate, kFire
  ExprPtr expr;                // kAdvanceBy, kExpect
  SourceRange range;
};

struct TestDecl {
  std::string name;
  SourceRange name_range;
  std::vector<TestStep> steps;
  SourceRange range;
};

// ------------------------------------------------------------ modules

struct Import {
  QualifiedName name;
  SourceRange range;
};

// One parsed file. A file without a `module` line gets its file stem as name.
struct Module {
  std::string name;
  bool has_module_decl = false;
  SourceRange name_range;
  uint32_t file = 0;
  std::vector<Import> imports;
  std::vector<EnumDecl> enums;
  std::vector<RecordDecl> records;
  std::vector<PolicyDecl> policies;
  std::vector<TableDecl> tables;
  std::vector<SettingDecl> settings;
  std::vector<CalendarDecl> calendars;
  std::vector<HolidaySetDecl> holiday_sets;
  std::vector<ProcessDecl> processes;
  std::vector<TestDecl> tests;
  std::vector<RoleDecl> roles;
};

}  // namespace smdl::ast
