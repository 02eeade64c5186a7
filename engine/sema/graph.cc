#include "sema/graph.h"

namespace smdl::sema {
namespace {

struct Edge {
  std::string from, to, label;
  bool timer = false;
};

std::vector<Edge> Edges(const Program& program, const ast::ProcessDecl& p) {
  std::vector<Edge> edges;
  for (const auto& s : p.states) {
    for (const auto& t : s.transitions) {
      Edge e;
      e.from = s.name.text;
      e.to = t.target ? t.target->text : s.name.text;
      switch (t.kind) {
        case ast::Transition::Kind::kEvent:
          e.label = t.event.text;
          if (t.guard) e.label += " [" + program.TextOf(t.guard->range) + "]";
          if (!t.target) e.label += " (internal)";
          break;
        case ast::Transition::Kind::kTimer:
          e.label = (t.at_instant ? "at " : "after ") + program.TextOf(t.delay->range);
          e.timer = true;
          break;
        case ast::Transition::Kind::kAutomatic:
          e.label = "[" + program.TextOf(t.guard->range) + "]";
          break;
      }
      edges.push_back(std::move(e));
    }
  }
  return edges;
}

std::string DotQuote(const std::string& s) {
  std::string out = "\"";
  for (char c : s) {
    if (c == '"' || c == '\\') out += '\\';
    if (c == '\n') { out += "\\n"; continue; }
    out += c;
  }
  return out + "\"";
}

std::string MermaidLabel(const std::string& s) {
  std::string out;
  for (char c : s) {
    if (c == '"') out += "#quot;";
    else if (c == ':') out += "#58;";
    else if (c == ';') out += "#59;";
    else if (c == '\n') out += ' ';
    else out += c;
  }
  return out;
}

// SLA clauses that move a record (`breach -> escalated`): where they lead and why.
std::vector<std::pair<std::string, std::string>> SlaMoves(const ast::ProcessDecl& p) {
  std::vector<std::pair<std::string, std::string>> moves;
  for (const auto& sla : p.slas) {
    for (const auto& a : sla.breach)
      if (a.kind == ast::SlaAction::Kind::kMove) moves.emplace_back(a.target.text, "sla " + sla.name.text + " breached");
    for (const auto& w : sla.warnings)
      for (const auto& a : w.actions)
        if (a.kind == ast::SlaAction::Kind::kMove)
          moves.emplace_back(a.target.text, "sla " + sla.name.text + " at " + ast::PercentText(w.percent) + "%");
  }
  return moves;
}

}  // namespace

std::string RenderGraph(const Program& program, const ProcessInfo& process, GraphFormat format) {
  const ast::ProcessDecl& p = *process.decl;
  std::vector<Edge> edges = Edges(program, p);
  std::string out;
  if (format == GraphFormat::kDot) {
    out += "digraph " + DotQuote(p.name.text) + " {\n";
    out += "  rankdir=LR;\n  node [shape=box, style=rounded, fontname=\"Helvetica\"];\n";
    out += "  edge [fontname=\"Helvetica\", fontsize=10];\n";
    out += "  \"__start\" [shape=point, width=0.15];\n";
    for (const auto& s : p.states) {
      out += "  " + DotQuote(s.name.text);
      if (s.is_final) out += " [shape=doublecircle, style=\"\"]";
      out += ";\n";
      if (s.is_initial) out += "  \"__start\" -> " + DotQuote(s.name.text) + ";\n";
    }
    for (const auto& e : edges) {
      out += "  " + DotQuote(e.from) + " -> " + DotQuote(e.to) + " [label=" + DotQuote(e.label);
      if (e.timer) out += ", style=dashed";
      out += "];\n";
    }
    int n = 0;
    for (const auto& [target, why] : SlaMoves(p)) {
      std::string node = "\"__sla" + std::to_string(n++) + "\"";
      out += "  " + node + " [shape=note, label=" + DotQuote(why) + "];\n";
      out += "  " + node + " -> " + DotQuote(target) + " [style=dashed];\n";
    }
    out += "}\n";
    return out;
  }
  out += "stateDiagram-v2\n";
  out += "  %% process " + p.name.text + " for " + p.record.ToString() + "\n";
  for (const auto& s : p.states)
    if (s.is_initial) out += "  [*] --> " + s.name.text + "\n";
  for (const auto& e : edges) out += "  " + e.from + " --> " + e.to + " : " + MermaidLabel(e.label) + "\n";
  for (const auto& s : p.states)
    if (s.is_final) out += "  " + s.name.text + " --> [*]\n";
  for (const auto& [target, why] : SlaMoves(p)) out += "  note left of " + target + " : entered when " + MermaidLabel(why) + "\n";
  return out;
}

}  // namespace smdl::sema
