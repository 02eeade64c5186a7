#include "syntax/ast.h"

namespace smdl::ast {

std::string QualifiedName::ToString() const {
  std::string out;
  for (const auto& p : parts) {
    if (!out.empty()) out += '.';
    out += p.text;
  }
  return out;
}

const char* OpSpelling(Op op) {
  switch (op) {
    case Op::kNone: return "";
    case Op::kNot: return "!";
    case Op::kNeg: return "-";
    case Op::kOr: return "||";
    case Op::kAnd: return "&&";
    case Op::kLt: return "<";
    case Op::kLe: return "<=";
    case Op::kGt: return ">";
    case Op::kGe: return ">=";
    case Op::kEq: return "==";
    case Op::kNe: return "!=";
    case Op::kIn: return "in";
    case Op::kAdd: return "+";
    case Op::kSub: return "-";
    case Op::kMul: return "*";
    case Op::kDiv: return "/";
    case Op::kMod: return "%";
  }
  return "";
}

std::string PercentText(int hundredths) {
  std::string text = std::to_string(hundredths / 100);
  int fraction = hundredths % 100;
  if (fraction != 0) text += fraction % 10 == 0 ? "." + std::to_string(fraction / 10) : (fraction < 10 ? ".0" : ".") + std::to_string(fraction);
  return text;
}

}  // namespace smdl::ast
