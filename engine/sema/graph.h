// Diagrams of a process: Graphviz dot or Mermaid state diagrams, with
// transitions labelled `event [guard]`, timers as `after ...`, automatic
// transitions as `[guard]`, the initial state marked by an arrow from a start
// point and final states drawn as such.
#pragma once

#include <string>

#include "sema/program.h"

namespace smdl::sema {

enum class GraphFormat { kDot, kMermaid };

std::string RenderGraph(const Program& program, const ProcessInfo& process, GraphFormat format);

}  // namespace smdl::sema
