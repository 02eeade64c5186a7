// smdl graph: draw a process as a state diagram.
#include <iostream>

#include "cli.h"
#include "sema/checker.h"
#include "sema/graph.h"

namespace smdl::cli {

const char* const kGraphHelp =
    "Usage: smdl graph FILE [--process NAME] [--format dot|mermaid]\n"
    "\n"
    "Prints a state diagram of a process declared in FILE: states, transitions\n"
    "labelled 'event [guard]', timers as 'after DURATION' (dashed in dot),\n"
    "automatic transitions as '[guard]', the initial state marked by an arrow\n"
    "from a start point and final states drawn as such.\n"
    "\n"
    "Options:\n"
    "  --process NAME      the process to draw (may be left out when FILE has one)\n"
    "  --format dot|mermaid  Graphviz dot (default) or a Mermaid stateDiagram-v2\n"
    "  --path DIR          also look for imported modules under DIR (repeatable)\n"
    "  -h, --help          show this help\n"
    "\n"
    "The file must check without errors. Render dot with e.g.\n"
    "  smdl graph incident.smdl | dot -Tsvg > incident.svg\n"
    "\n"
    "Exit status: 0 success, 1 errors in the input, 2 usage or I/O problems.\n";

int RunGraph(const std::vector<std::string>& argv) {
  std::string error;
  auto args = Args::Parse(argv, {"--process", "--format", "--path"}, {}, error);
  if (!args) return UsageError("graph", error);
  if (args->positional().size() != 1) return UsageError("graph", "give exactly one FILE");
  std::string format = args->Get("--format", "dot");
  if (format != "dot" && format != "mermaid") return UsageError("graph", "--format must be dot or mermaid");

  sema::CheckOptions options;
  options.search_path = args->GetAll("--path");
  auto program = sema::CheckPaths(args->positional(), options);
  if (!program.ok()) {
    std::cerr << "smdl graph: " << program.status().message() << "\n";
    return kUsageError;
  }
  const sema::Program& p = **program;
  if (p.diags.HasErrors()) {
    std::cerr << p.diags.RenderText(p.sources);
    return kInputError;
  }
  // Processes declared in the file itself (not in modules it imports).
  std::vector<const sema::ProcessInfo*> candidates;
  for (const auto& proc : p.processes)
    if (!proc->module->from_search_path && proc->module == p.modules.front().get()) candidates.push_back(proc.get());
  const sema::ProcessInfo* chosen = nullptr;
  std::string wanted = args->Get("--process");
  for (const auto* c : candidates)
    if (wanted.empty() ? candidates.size() == 1 : c->decl->name.text == wanted) chosen = c;
  if (chosen == nullptr) {
    std::string names;
    for (const auto* c : candidates) names += (names.empty() ? "" : ", ") + c->decl->name.text;
    if (candidates.empty()) std::cerr << "smdl graph: " << args->positional()[0] << " declares no process\n";
    else if (wanted.empty()) std::cerr << "smdl graph: choose a process with --process (" << names << ")\n";
    else std::cerr << "smdl graph: no process '" << wanted << "' in " << args->positional()[0] << " (it has " << names << ")\n";
    return kUsageError;
  }
  std::cout << sema::RenderGraph(p, *chosen, format == "dot" ? sema::GraphFormat::kDot : sema::GraphFormat::kMermaid);
  return kOk;
}

SMDL_COMMAND(kGraph, "graph", "draw a process as a Graphviz or Mermaid state diagram", kGraphHelp, RunGraph, 20);

}  // namespace smdl::cli
