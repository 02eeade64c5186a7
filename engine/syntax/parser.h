// The SMDL parser: text in, AST and diagnostics out. Never throws, never
// crashes, never recurses without bound, whatever the input.
//
// Limits keep hostile input cheap: files over `max_file_bytes` are refused,
// bracket and conditional nesting deeper than `max_nesting` is reported before
// parsing, expression trees deeper than `max_expr_depth` are cut, and error
// recovery stops after `max_errors` syntax errors.
#pragma once

#include <memory>
#include <string_view>

#include "smdl/diagnostics.h"
#include "syntax/ast.h"

namespace smdl {

struct ParseLimits {
  size_t max_file_bytes = 16u << 20;
  size_t max_nesting = 200;
  size_t max_expr_depth = 400;
  size_t max_errors = 25;
};

// Parses one file already registered in a SourceManager as `file`. Always
// returns a module (possibly partial); errors go to `diags`.
std::unique_ptr<ast::Module> ParseModule(uint32_t file, std::string_view text,
                                         Diagnostics& diags, const ParseLimits& limits = {});

// Parses a single CEL expression (for `smdl eval` and tests).
ast::ExprPtr ParseExpression(uint32_t file, std::string_view text, Diagnostics& diags,
                             const ParseLimits& limits = {});

}  // namespace smdl
