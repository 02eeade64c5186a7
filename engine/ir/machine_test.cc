#include "ir/machine.h"

#include <catch2/catch.hpp>

#include "sema/checker.h"

using namespace smdl;

namespace {

// "[1, 2, ..., n]"
std::string ListLiteral(int n) {
  std::string out = "[";
  for (int i = 1; i <= n; ++i) out += (i > 1 ? ", " : "") + std::to_string(i);
  return out + "]";
}

std::unique_ptr<sema::Program> Check(const std::string& text) {
  sema::CheckOptions options;
  options.use_environment = false;
  auto program = sema::CheckSources({{"big.smdl", text}}, options);
  INFO(program->diags.RenderText(program->sources));
  REQUIRE(!program->diags.HasErrors());
  return program;
}

}  // namespace

TEST_CASE("building an image reports every constant over the evaluation budget", "[ir]") {
  std::string l = ListLiteral(50);
  // Cheap to fold (each level shares the one below), 6.5 million values once
  // stored or printed.
  std::string grid = l + ".map(a, " + l + ".map(b, " + l + ".map(c, " + l + ")))";
  auto program = Check(
      "module big;\n"
      "setting row: list<int> = " + ListLiteral(100) + ";\n"
      "setting square: list<list<int>> = row.map(a, row);\n"
      "setting cube: list<list<list<int>>> = row.map(a, square);\n"
      "policy cells(n: int) -> int = n + size(" + grid + ");\n"
      "record Ticket { title: string; grid: list<list<list<list<int>>>>?; }\n"
      "process Desk for Ticket {\n"
      "  initial state open {\n"
      "    on fill -> done { grid = " + grid + "; }\n"
      "  }\n"
      "  final state done;\n"
      "}\n");
  // Without a place to report them (deploy), the build fails and says why.
  auto refused = ir::Image::Build(*program);
  REQUIRE(!refused.ok());
  CHECK(refused.status().code() == StatusCode::kInvalidArgument);
  CHECK(refused.status().message().find("big.smdl:4:39: error: constant expression exceeds the evaluation budget") !=
        std::string::npos);

  // With one (check), all of them are reported, in source order: the setting
  // computed from others (1,010,100 values), the policy's constant part, the
  // action's value; the image still builds, the constants being the error.
  Diagnostics diags;
  auto image = ir::Image::Build(*program, &diags);
  REQUIRE(image.ok());
  REQUIRE(diags.all().size() == 3);
  CHECK(diags.all()[0].range.line == 4);
  CHECK(diags.all()[1].range.line == 5);
  CHECK(diags.all()[1].range.column == 40);
  CHECK(diags.all()[2].range.line == 9);
  for (const Diagnostic& d : diags.all()) CHECK(d.code == "E2027");
  const ir::Machine* desk = (*image)->MachineForType("Ticket");
  REQUIRE(desk != nullptr);
  const vm::CompiledExpr& grid_value = *desk->states()[0].transitions[0].actions[0].value;
  CHECK(grid_value.IsConstant());
  CHECK(grid_value.Evaluate(vm::Activation{}).is_error());
}

TEST_CASE("constants within the budget build", "[ir]") {
  std::string l = ListLiteral(50);
  auto program = Check(
      "module big;\n"
      "setting row: list<int> = " + ListLiteral(100) + ";\n"
      "setting square: list<list<int>> = row.map(a, row);\n"
      "record Ticket { title: string; grid: list<list<list<int>>>?; }\n"
      "process Desk for Ticket {\n"
      "  initial state open {\n"
      "    on fill -> done { grid = " + l + ".map(a, " + l + ".map(b, " + l + ")); }\n"
      "  }\n"
      "  final state done;\n"
      "}\n");
  Diagnostics diags;
  auto image = ir::Image::Build(*program, &diags);
  INFO(image.status().message());
  REQUIRE(image.ok());
  CHECK(diags.all().empty());
  const ir::Machine* desk = (*image)->MachineForType("Ticket");
  REQUIRE(desk != nullptr);
  CHECK(desk->states()[0].transitions[0].actions[0].value->IsConstant());
}

TEST_CASE("a guard's text, for rejections and graphs, keeps the parentheses at its ends", "[ir]") {
  auto program = Check(
      "module paren;\n"
      "record Ticket { a: bool = false; b: bool = false; c: bool = false; }\n"
      "process Desk for Ticket {\n"
      "  initial state open {\n"
      "    on close when a && (b || c) -> done;\n"
      "    on drop when (a || b) && c -> done;\n"
      "    on park when ((a)) -> done;\n"
      "  }\n"
      "  final state done;\n"
      "}\n");
  auto image = ir::Image::Build(*program);
  REQUIRE(image.ok());
  const ir::Machine* desk = (*image)->MachineForType("Ticket");
  REQUIRE(desk != nullptr);
  const auto& transitions = desk->states()[0].transitions;
  REQUIRE(transitions.size() == 3);
  CHECK(transitions[0].guard_text == "a && (b || c)");
  CHECK(transitions[1].guard_text == "(a || b) && c");
  CHECK(transitions[2].guard_text == "a");
}
