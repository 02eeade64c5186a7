// What the expression compiler produces and the interpreter runs.
//
// A Chunk is the bytecode of one expression, policy or table: instructions,
// constants, precompiled patterns and the size of its frame. An Image is the
// compiled form of a whole checked sema::Program: every policy and decision
// table (the winning override of each) as a chunk, and every setting already
// evaluated. A CompiledExpr is one expression (a guard, a target, a test
// expectation) compiled against an Image in a Scope.
//
// The seam for other back ends: a CompiledExpr evaluates through an
// Executable. The interpreter (interpreter.h) is the reference Executable and
// the default; a JIT would build another Executable from the same Chunk and
// must give the same results.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "sema/program.h"
#include "smdl/diagnostics.h"
#include "smdl/status.h"
#include "vm/opcodes.h"
#include "vm/value.h"

namespace smdl::vm {

class Regex;  // a compiled RE2 pattern (builtins.cc)

struct Chunk {
  std::string name;                // "policy iso20000.core.response_target", "expression"
  std::vector<Instr> code;
  std::vector<Value> constants;
  std::vector<std::shared_ptr<const Regex>> patterns;
  uint32_t num_params = 0;         // the first slots, filled by the caller
  uint32_t num_locals = 0;         // all slots (params, macro variables, accumulators)
  uint32_t max_stack = 0;
  // Settings and image functions this chunk reads (to order settings).
  std::vector<uint32_t> settings_used;
  std::vector<uint32_t> functions_called;
};

// Renders a chunk one instruction a line: "  3  Const  a=1  ; 5".
std::string Disassemble(const Chunk& chunk);

// Where an expression is evaluated: which names it can see.
struct Scope {
  // Module-level names (policies, tables, settings, enums) visible to the
  // expression; nullptr for a bare CEL expression (smdl eval).
  const sema::ModuleInfo* module = nullptr;
  // The record a process runs on: its fields, `id`, `state` and `this`.
  const sema::RecordInfo* record = nullptr;
  // Locals (event parameters, test handles, eval variables), outermost
  // first; an Activation gives their values in this order.
  std::vector<std::pair<std::string, sema::Type>> locals;
  bool has_now = false;   // `now` is available
  bool in_test = false;   // `emitted(name)` is available
  bool has_actor = false; // `actor` is available (processes)
};

// The limits of one evaluation. Steps roughly count instructions executed
// (every loop iteration and every call is counted). Size counts what the
// evaluation builds as it expands when stored or printed: a list or map
// literal, a macro's result, `this` and a list concatenation count their
// elements or entries plus the DeepSize (value.h) of every element, key and
// value put in them, i.e. the characters of strings and bytes and the
// elements and entries of nested lists and maps, a shared sub-value counting
// each time it appears; a string or bytes concatenation and string() count
// the characters of the result. So nothing an evaluation builds expands
// beyond max_size, and counting costs no more than the budget allows.
// Values read rather than built (fields, parameters, constants) count only
// when put into something built. When either limit runs out, the
// evaluation's result is an error value ("evaluation budget exceeded ...").
// Constant folding runs within the same default limits (compiler.h). Reuse a
// Budget across evaluations only after Reset().
struct Budget {
  uint64_t max_steps = 1'000'000;
  uint64_t max_size = 1'000'000;
  uint64_t steps = 0;
  uint64_t size = 0;
  bool exhausted = false;
  void Reset() { steps = 0; size = 0; exhausted = false; }
};

// Other records, read through `ref` values. Read returns the record a ref
// names as a map of its fields, id, state, created_by and sla (the shape of
// a test handle), or an error value that names `what` (the ref's source
// text) when there is no such record.
class RecordReader {
 public:
  virtual ~RecordReader() = default;
  virtual Value Read(const Value& ref, std::string_view what) const = 0;
  // records(T): refs to the records of `type`; with `index` (its fields),
  // only those whose first values.size() fields equal `values`. A list
  // value, or an error value.
  virtual Value Query(const std::string& type, std::span<const std::string> index,
                      std::span<const Value> values) const = 0;
};

// Values of record fields for an Activation that does not hold them in a
// vector: Field(i) is the value of RecordInfo::fields[i].
class FieldSource {
 public:
  virtual ~FieldSource() = default;
  virtual Value Field(size_t index) const = 0;
};

// The values an expression runs with. Nothing is copied: every pointer and
// span must stay valid for the evaluation.
//
// Record fields: `fields[i]` (or `field_source->Field(i)`) is the value of
// RecordInfo::fields[i]. A field of optional type (T?) holds its value when
// set and null when unset (Value::OptionalOf(v) and Value::OptionalNone()
// are accepted too); `has(this.f)` is false exactly when it is unset.
//
// SMDL's optional types (T?) are represented without a wrapper: a value of
// type T? is null or a value of type T, so `f == null`, `f.hasValue()`,
// `f.orValue(x)` and `f.value()` all work on it. Value::OptionalOf and
// Value::OptionalNone exist for CEL's optional values and compare equal to
// the value they hold and to null respectively.
struct Activation {
  std::span<const Value> locals;               // in Scope::locals order
  std::span<const Value> fields;
  const FieldSource* field_source = nullptr;   // used when `fields` is empty
  const Value* id = nullptr;                   // a string value
  const Value* state = nullptr;                // a string value
  // While regions of a parallel state run: the leaf of each (a list of
  // strings); null otherwise.
  const Value* active = nullptr;
  // `this.sla`: a map from clock name to a map with due, elapsed, remaining,
  // target, started_at, breached, breached_at, paused, running, stopped, warned.
  const Value* sla = nullptr;
  std::optional<smdl::Timestamp> now;
  // Tests: how many messages named `name` were emitted so far.
  const std::function<int64_t(std::string_view name)>* emitted = nullptr;
  // Tests: the last message named `name` (message, payload, record, type,
  // time), or an error value when there is none.
  const std::function<Value(std::string_view name)>* last_emitted = nullptr;
  // `this.created_by`: who created the record (a string value).
  const Value* created_by = nullptr;
  // `this.created_at`: when it was created (a timestamp value).
  const Value* created_at = nullptr;
  // `actor`: a map with name (string) and roles (list of strings).
  const Value* actor = nullptr;
  // Records read through refs; null: reading one is an error value.
  const RecordReader* records = nullptr;
};

class Image;

// How a compiled expression runs: the interpreter, or later a JIT.
class Executable {
 public:
  virtual ~Executable() = default;
  virtual Value Run(const Activation& activation, Budget& budget) const = 0;
};

class CompiledExpr {
 public:
  CompiledExpr(const Image& image, Chunk chunk, sema::Type type);
  CompiledExpr(const CompiledExpr&) = delete;
  CompiledExpr& operator=(const CompiledExpr&) = delete;

  // Evaluates the expression. Never throws; failures are error values.
  // Thread-safe: one CompiledExpr may be evaluated by several threads at
  // once, each with its own Activation and Budget.
  Value Evaluate(const Activation& activation, Budget& budget) const { return exec_->Run(activation, budget); }
  // With a fresh default budget.
  Value Evaluate(const Activation& activation) const;

  const Chunk& chunk() const { return chunk_; }
  const sema::Type& type() const { return type_; }  // the static type
  const Image& image() const { return image_; }
  // Whether the expression folded to a constant at compile time.
  bool IsConstant() const;
  // Replaces the executable (a JIT back end); the interpreter is the default.
  void SetExecutable(std::unique_ptr<Executable> exec) { exec_ = std::move(exec); }

 private:
  const Image& image_;
  Chunk chunk_;
  sema::Type type_;
  std::unique_ptr<Executable> exec_;
};

// A compiled sema::Program. The Program must outlive the Image, and the
// Image every CompiledExpr compiled from it. Immutable after Build, so
// thread-safe.
class Image {
 public:
  // Compiles every policy and decision table and evaluates every setting
  // (in dependency order; a setting whose evaluation fails holds the error
  // value). Fails with FailedPrecondition if the program has errors.
  // A constant expression, or a setting, whose evaluation exceeds the
  // evaluation budget compiles to the budget error and is reported to
  // `diags` when given (E2027): only compiling finds these mistakes.
  static StatusOr<std::unique_ptr<Image>> Build(const sema::Program& program, Diagnostics* diags = nullptr);

  // Compiles an expression that the checker has checked in `scope` (so that
  // Program::expr_info knows its types). Expressions with check errors still
  // compile: the parts in error evaluate to error values. Constant parts
  // that exceed the evaluation budget are reported to `diags` as in Build.
  StatusOr<std::unique_ptr<CompiledExpr>> Compile(const ast::Expr& expr, const Scope& scope,
                                                  Diagnostics* diags = nullptr) const;

  // The value of a setting as `module` sees it (the winning override).
  StatusOr<Value> Setting(const sema::ModuleInfo& module, std::string_view name) const;
  // Calls a policy or decision table visible in `module` (the winning
  // override). Arguments must have the declared types.
  StatusOr<Value> Call(const sema::ModuleInfo& module, std::string_view name, std::span<const Value> args,
                       Budget& budget) const;

  // The interned EnumType of an enum declared in the program, or nullptr.
  const EnumType* EnumFor(std::string_view qualified) const;
  const sema::Program& program() const { return program_; }

  // For the interpreter and the disassembler.
  size_t FunctionCount() const { return functions_.size(); }
  const Chunk& Function(size_t i) const { return *functions_[i].chunk; }
  const std::string& FunctionName(size_t i) const { return functions_[i].chunk->name; }
  const Value& SettingValue(size_t i) const { return settings_[i].value; }

  explicit Image(const sema::Program& program) : program_(program) {}

 private:
  friend class Compiler;
  struct FunctionSlot {
    const sema::FunctionInfo* info = nullptr;  // the winning declaration
    std::unique_ptr<Chunk> chunk;
  };
  struct SettingSlot {
    const sema::SettingInfo* info = nullptr;   // the winning declaration
    Value value;
    bool done = false;
  };
  // Index of the function / setting a declaration node resolves to (after
  // overrides), or -1.
  int FunctionIndex(const sema::FunctionInfo& declared) const;
  int SettingIndex(const sema::SettingInfo& declared) const;
  Status EvaluateSettings(Diagnostics* diags);

  const sema::Program& program_;
  std::vector<FunctionSlot> functions_;
  std::vector<SettingSlot> settings_;
  std::map<const void*, int> function_by_node_;  // any declaration node -> index
  std::map<const void*, int> setting_by_node_;
  bool settings_ready_ = false;
};

}  // namespace smdl::vm
