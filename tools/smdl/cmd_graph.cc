// smdl graph: draw a process as a state diagram.
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>

#include "cli.h"
#include "sema/checker.h"
#include "sema/graph.h"

namespace smdl::cli {

const char* const kGraphHelp =
    "Usage: smdl graph FILE [--process NAME] [--format dot|mermaid|svg]\n"
    "\n"
    "Prints a state diagram of a process declared in FILE: states, transitions\n"
    "labelled 'event [guard]', timers as 'after DURATION' (dashed in dot),\n"
    "automatic transitions as '[guard]', the initial state marked by an arrow\n"
    "from a start point and final states drawn as such.\n"
    "\n"
    "Options:\n"
    "  --process NAME      the process to draw (may be left out when FILE has one)\n"
    "  --format dot|mermaid|svg  Graphviz dot (default), a Mermaid\n"
    "                      stateDiagram-v2, or SVG drawn by Graphviz's dot (which\n"
    "                      must be installed: apt-get install graphviz)\n"
    "  --path DIR          also look for imported modules under DIR (repeatable)\n"
    "  -h, --help          show this help\n"
    "\n"
    "The file must check without errors. For example:\n"
    "  smdl graph incident.smdl --format svg > incident.svg\n"
    "\n"
    "Exit status: 0 success, 1 errors in the input, 2 usage or I/O problems.\n";

namespace {

// Graphviz's dot on $PATH, or empty.
std::string GraphvizDot() {
  const char* path = std::getenv("PATH");
  std::stringstream dirs(path ? path : "");
  std::string dir;
  while (std::getline(dirs, dir, ':')) {
    if (dir.empty()) continue;
    std::string candidate = dir + "/dot";
    if (access(candidate.c_str(), X_OK) == 0) return candidate;
  }
  return "";
}

// Draws `dot_source` as SVG on stdout through dot; its errors go to stderr.
int RenderSvg(const std::string& dot_source) {
  char name[] = "/tmp/smdl-graph-XXXXXX";
  int fd = mkstemp(name);
  if (fd < 0) {
    std::cerr << "smdl graph: cannot create a temporary file\n";
    return kUsageError;
  }
  close(fd);
  { std::ofstream(name) << dot_source; }
  std::string command = "'" + GraphvizDot() + "' -Tsvg '" + name + "'";
  FILE* pipe = popen(command.c_str(), "r");
  int status = -1;
  if (pipe) {
    char buffer[65536];
    size_t n;
    while ((n = fread(buffer, 1, sizeof buffer, pipe)) > 0) std::cout.write(buffer, static_cast<std::streamsize>(n));
    status = pclose(pipe);
  }
  std::filesystem::remove(name);
  if (status != 0) {
    std::cerr << "smdl graph: Graphviz's dot failed to draw the diagram\n";
    return kUsageError;
  }
  return kOk;
}

}  // namespace

int RunGraph(const std::vector<std::string>& argv) {
  std::string error;
  auto args = Args::Parse(argv, {"--process", "--format", "--path"}, {}, error);
  if (!args) return UsageError("graph", error);
  if (args->positional().size() != 1) return UsageError("graph", "give exactly one FILE");
  std::string format = args->Get("--format", "dot");
  if (format != "dot" && format != "mermaid" && format != "svg")
    return UsageError("graph", "--format must be dot, mermaid or svg");
  if (format == "svg" && GraphvizDot().empty()) {
    std::cerr << "smdl graph: --format svg draws through Graphviz, which is not installed "
                 "(apt-get install graphviz); --format dot prints the diagram's source\n";
    return kUsageError;
  }

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
  if (format != "svg") {
    std::cout << sema::RenderGraph(p, *chosen, format == "dot" ? sema::GraphFormat::kDot : sema::GraphFormat::kMermaid);
    return kOk;
  }
  return RenderSvg(sema::RenderGraph(p, *chosen, sema::GraphFormat::kDot));
}

SMDL_COMMAND(kGraph, "graph", "draw a process as a Graphviz or Mermaid state diagram", kGraphHelp, RunGraph, 20);

}  // namespace smdl::cli
