// The bytecode interpreter: the reference semantics of SMDL expressions.
//
// Design: a stack machine over 16-byte Values with computed-goto dispatch
// generated from the opcode list (opcodes.h). Frames (locals, then the
// operand stack) are carved from a per-thread arena allocated once, so an
// evaluation that builds no strings, lists or maps allocates nothing.
// Policies and tables are called as chunks of the Image, with a call depth
// limit; the Budget bounds the work of every evaluation.
//
// Usage, for a guard compiled in a process scope with one event parameter:
//
//   vm::Scope scope{&module, &record, {{"reason", sema::Type::String()}}, /*has_now=*/true};
//   auto expr = image->Compile(*guard, scope);          // once
//   vm::Value locals[] = {vm::Value::String("dup")};
//   vm::Activation act;
//   act.locals = locals;
//   act.fields = field_values;                          // RecordInfo::fields order
//   act.id = &id; act.state = &state; act.now = now;
//   vm::Budget budget;
//   vm::Value v = (*expr)->Evaluate(act, budget);       // bool, or an error value
#pragma once

#include <memory>
#include <span>

#include "vm/program.h"

namespace smdl::vm {

// Runs `chunk` (an expression of `image`) with `activation`: its locals fill
// the chunk's parameter slots. `image` may be null for chunks that call no
// policy and read no setting.
Value Interpret(const Image* image, const Chunk& chunk, const Activation& activation, Budget& budget);

// Calls function `index` of `image` with `args`.
Value InterpretCall(const Image& image, size_t index, std::span<const Value> args, Budget& budget);

// The interpreter as the Executable of a compiled expression.
std::unique_ptr<Executable> MakeInterpreted(const Image* image, const Chunk& chunk);

}  // namespace smdl::vm
