// The intermediate representation the runtime executes: each process of a
// checked program compiled to a state machine whose guards, actions, delays
// and SLA targets are compiled expressions (vm::CompiledExpr), with states and
// fields addressed by index. An Image holds the machines of one definition
// version, the compiled policies and settings (vm::Image) and its calendars.
#pragma once

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "calendar/calendar.h"
#include "sema/program.h"
#include "smdl/status.h"
#include "vm/program.h"

namespace smdl::ir {

using ExprPtr = std::unique_ptr<vm::CompiledExpr>;

struct Emit {
  std::string message;
  std::vector<std::pair<std::string, ExprPtr>> payload;
};

// A named argument or field given in an action, with the type it must have.
struct Argument {
  std::string name;
  sema::Type type;
  ExprPtr value;
};

struct Action {
  enum class Kind { kAssign, kEmit, kIf, kFor, kFire, kCreate };
  Kind kind = Kind::kAssign;
  int field = -1;  // kAssign: index in the record's fields
  ExprPtr value;   // kAssign: the value; kIf: the condition; kFor: the list
  Emit emit;       // kEmit
  std::vector<Action> body;       // kIf: then; kFor: run once per item, the item as the last local
  std::vector<Action> else_body;  // kIf
  std::string variable;           // kFor; kCreate: the `let` name, empty if none (the new ref becomes the last local); kFire: the target's text
  std::string event;              // kFire (`value` is the target ref)
  std::string record_type;        // kCreate: qualified
  std::vector<Argument> arguments;  // kFire: parameters; kCreate: fields
};

struct Param {
  std::string name;
  sema::Type type;
};

struct Transition {
  // kDone: `on done` of a compound state, taken when a final child is entered.
  enum class Kind { kEvent, kTimer, kAutomatic, kDone };
  Kind kind = Kind::kEvent;
  std::string event;          // kEvent
  ExprPtr guard;              // may be null
  std::string guard_text;     // the guard's source, for rejections
  ExprPtr delay;              // kTimer: a duration, or with at_instant a timestamp
  bool at_instant = false;
  int target = -1;            // -1: internal (stays in the state)
  // kEvent: every group must be met by the actor, a group by any of its roles.
  std::vector<std::vector<std::string>> requires_roles;
  std::vector<Action> actions;
  std::string timer_name;     // kTimer: "after:STATE:N" (both kinds; N counts the state's timers)
  int source = -1;            // the state that declares it
};

// A state; states nest. A record is in one leaf (a state without
// children), or in one per region while a parallel state is active, and
// with them in each of their ancestors.
struct State {
  std::string name;
  bool is_initial = false;
  bool is_final = false;
  bool parallel = false;                // its children are regions, all active at once
  std::vector<Transition> transitions;  // in declaration order
  int parent = -1;                      // -1: top level
  std::vector<int> children;
  int initial_child = -1;               // compound: the child entered by default
  std::vector<Action> on_enter, on_exit;
  bool compound() const { return !children.empty(); }
};

struct SlaTrigger {
  enum class Kind { kCreate, kEnter, kLeave, kEvent, kWhileIn };
  Kind kind = Kind::kCreate;
  std::vector<std::string> names;  // states or events
};

struct SlaAction {
  enum class Kind { kEmit, kMove, kFire };
  Kind kind = Kind::kEmit;
  Emit emit;          // kEmit
  int target = -1;    // kMove
  std::string event;  // kFire
};

struct SlaWarning {
  int percent = 0;
  std::vector<SlaAction> actions;
};

struct Sla {
  enum class Retarget { kKeep, kRecompute, kRestart };
  std::string name;
  ExprPtr target;
  const calendar::Calendar* calendar = nullptr;  // null: all time counts
  std::string calendar_name;
  // `calendar EXPR;` chosen per record when the clock starts: the
  // expression gives a calendar's qualified name, `calendars` resolves it.
  ExprPtr calendar_expr;
  const std::map<std::string, const calendar::Calendar*>* calendars = nullptr;
  std::vector<SlaTrigger> start, stop, pause, resume, reset;
  Retarget retarget = Retarget::kRecompute;
  std::vector<SlaWarning> warnings;  // by increasing percent
  std::vector<SlaAction> breach;
};

class MachineBuilder;

class Machine {
 public:
  const sema::ProcessInfo& process() const { return *process_; }
  const sema::RecordInfo& record() const { return *record_; }
  const std::string& record_type() const { return record_->qualified; }
  const std::string& name() const { return process_->decl->name.text; }
  const std::vector<State>& states() const { return states_; }
  int initial() const { return initial_; }
  int StateIndex(const std::string& name) const;  // -1 if none
  // Whether `ancestor` is `state` or one of its ancestors (-1: the process,
  // ancestor of every state).
  bool Contains(int ancestor, int state) const;
  // A record in this leaf is closed: a top-level final state.
  bool Closed(int leaf) const { return leaf >= 0 && states_[leaf].is_final && states_[leaf].parent < 0; }
  // The leaves a record is in, in document order: `active` (the leaves of
  // its regions) when not empty, else its state. Unknown names are left out.
  std::vector<int> Configuration(const std::string& state, const std::vector<std::string>& active) const;
  // The record's `state` in this configuration: the innermost state around
  // the leaves still at work (not final), or around every leaf when all are
  // final; the leaf itself when there is one. A region that has finished
  // does not hold the state: two regions at work give their parallel state,
  // one gives its leaf.
  int StateOf(const std::vector<int>& leaves) const;
  // The names of every state a record with these leaves is in.
  std::vector<std::string> ActiveStates(const std::vector<int>& leaves) const;
  const std::vector<Action>& on_create() const { return on_create_; }
  // The compiled default of field `i` of the record, or null.
  const vm::CompiledExpr* default_value(size_t i) const { return i < defaults_.size() ? defaults_[i].get() : nullptr; }
  const std::vector<Sla>& slas() const { return slas_; }
  // The parameters of an event, or nullptr if the process has no such event.
  const std::vector<Param>* EventParams(const std::string& event) const;

 private:
  friend class MachineBuilder;
  const sema::ProcessInfo* process_ = nullptr;
  const sema::RecordInfo* record_ = nullptr;
  std::vector<State> states_;
  int initial_ = -1;
  std::vector<Action> on_create_;
  std::vector<ExprPtr> defaults_;  // by field index
  std::vector<Sla> slas_;
  std::map<std::string, std::vector<Param>> events_;
  std::map<std::string, int> state_index_;
};

class Image {
 public:
  // Compiles every process of a checked program without errors. Compiling
  // finds one more kind of mistake than checking: a constant expression that
  // exceeds the evaluation budget (E2027, see vm/compiler.h). Given `diags`,
  // Build adds them to it and builds the image anyway, each such constant
  // evaluating to the budget error (smdl check reports them; a version
  // deployed before they were found still loads). Without, Build fails with
  // InvalidArgument, whose message renders them (a deploy is refused).
  static StatusOr<std::unique_ptr<Image>> Build(const sema::Program& program, Diagnostics* diags = nullptr);

  const vm::Image& vm() const { return *vm_; }
  // The machine of the process that runs on a record type, by qualified or
  // short name; nullptr if there is none.
  const Machine* MachineForType(const std::string& type) const;
  // Why MachineForType failed: the known record types.
  Status UnknownTypeError(const std::string& type) const;
  // The machine of `type`, or every machine when `type` is empty; an
  // unknown type is UnknownTypeError.
  StatusOr<std::vector<const Machine*>> MachinesFor(const std::string& type) const;
  const std::vector<std::unique_ptr<Machine>>& machines() const { return machines_; }
  // "name: module (overrides module)" for every override that won.
  std::vector<std::string> OverrideSummary() const;

 private:
  const sema::Program* program_ = nullptr;
  std::unique_ptr<vm::Image> vm_;
  std::vector<std::unique_ptr<Machine>> machines_;
  std::map<std::string, std::unique_ptr<calendar::Calendar>> calendars_;  // built, by declaration
  // Every calendar of the program by qualified name, the winning override's.
  std::map<std::string, const calendar::Calendar*> calendars_by_name_;
};

}  // namespace smdl::ir
