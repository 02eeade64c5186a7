// The expression compiler: checked ASTs to bytecode Chunks.
//
// Entry points are Image::Build (a whole program: policies, tables,
// settings) and Image::Compile (one expression in a Scope), declared in
// program.h; this header adds helpers that build the usual scopes.
//
// Names resolve as the checker resolves them (expr_checker.cc): locals
// (innermost first), then the fields of the scope's record with `id`,
// `state` and `this`, then `now`, then module-level declarations (settings,
// enum values, policies and tables, always the winning override), then the
// names of built-in types. Static types from Program::expr_info pick fast
// instructions (int arithmetic, scalar equality); dyn and error types get the
// generic ones. Every subexpression whose operands are constant is folded
// by running it through the interpreter at compile time, within the default
// Budget of one evaluation. A constant subexpression that exceeds it would
// fail whenever evaluated: it compiles to the budget error and is reported as
// E2027 (constant expression exceeds the evaluation budget), even where a
// branch not taken at run time, such as `false && e`, would skip it.
//
// Decision tables compile to one test per cell and row: `unique`, `first`
// and `any` return the output of the first matching row (the checker has
// proved that the others agree or cannot match), `collect` returns the list of
// all matching outputs; no matching row is an error value.
#pragma once

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "vm/program.h"

namespace smdl::vm {

// The scope of guards, actions and SLA targets of a process: its module, its
// record, `now`, and `locals` (event parameters).
Scope ProcessScope(const sema::ProcessInfo& process, std::vector<std::pair<std::string, sema::Type>> locals = {});

// Shorthand for Image::Build and Image::Compile.
inline StatusOr<std::unique_ptr<Image>> BuildImage(const sema::Program& program) { return Image::Build(program); }
inline StatusOr<std::unique_ptr<CompiledExpr>> CompileExpr(const Image& image, const ast::Expr& expr,
                                                           const Scope& scope) {
  return image.Compile(expr, scope);
}

}  // namespace smdl::vm
