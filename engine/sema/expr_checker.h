// The CEL type checker for one expression, in an environment that says which
// names are in scope: locals (parameters, macro variables, test handles), the
// fields of the record a process runs on, and module-level declarations.
// Every mistake is reported once; the type kError then silences follow-ups.
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "sema/program.h"

namespace smdl::sema {

struct ExprEnv {
  Program& program;
  const ModuleInfo& module;
  const RecordInfo* record = nullptr;  // in a process: fields, id, state and `this`
  bool has_now = false;                // `now` is available (processes, tests)
  bool in_test = false;                // `emitted(name)` is available
  std::vector<std::pair<std::string, Type>> locals;  // innermost last
  bool has_actor = false;              // `actor` is available (processes)
  bool reads_records = false;          // a `ref` can be read through (processes, tests)
  // Where mistakes go; null: the program's diagnostics. An expression
  // checked after the program (smdl list --where) keeps them apart.
  Diagnostics* diags = nullptr;
};

// The closest of `candidates` to `name` within a small edit distance, as
// " (did you mean 'x'?)", or "".
std::string DidYouMean(const std::string& name, const std::vector<std::string>& candidates);

class ExprChecker {
 public:
  explicit ExprChecker(ExprEnv& env) : env_(env) {}

  Type Check(const ast::Expr& e);
  // Checks `e` and reports E2002 unless its type is assignable to `want`.
  Type Expect(const ast::Expr& e, const Type& want, const std::string& what);

 private:
  Type CheckUncached(const ast::Expr& e);
  Type Literal(const ast::Expr& e);
  Type Ident(const ast::Expr& e);
  Type Select(const ast::Expr& e);
  Type Call(const ast::Expr& e);
  Type Within(const ast::Expr& e);
  bool UserFunction(const std::string& name) const;
  Type Macro(const ast::Expr& e);
  Type Records(const ast::Expr& e);
  // A macro over records(T): finds the index that serves it, or warns.
  void PlanQuery(const ast::Expr& macro);
  Type Index(const ast::Expr& e);
  Type List(const ast::Expr& e);
  Type Map(const ast::Expr& e);
  Type Unary(const ast::Expr& e);
  Type Binary(const ast::Expr& e);
  Type Ternary(const ast::Expr& e);
  Type FieldOf(const Type& t, const std::string& name, const ast::Expr& at);
  const Type* FindLocal(const std::string& name) const;
  std::string Suggest(const std::string& name) const;
  Diagnostics& diags() { return env_.diags ? *env_.diags : env_.program.diags; }

  ExprEnv& env_;
};

}  // namespace smdl::sema
