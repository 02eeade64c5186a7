#include "sema/graph.h"

#include <algorithm>
#include <functional>
#include <set>

namespace smdl::sema {
namespace {

struct Edge {
  int from = -1, to = -1;  // state indices
  std::string label;
  bool timer = false;
};

// The messages actions emit, in order, nested ones too.
void Emits(const std::vector<ast::Action>& actions, std::vector<std::string>& out) {
  for (const auto& a : actions) {
    if (a.kind == ast::Action::Kind::kEmit && std::find(out.begin(), out.end(), a.message) == out.end())
      out.push_back(a.message);
    Emits(a.body, out);
    Emits(a.else_body, out);
  }
}

std::string EmitSuffix(const std::vector<ast::Action>& actions) {
  std::vector<std::string> messages;
  Emits(actions, messages);
  if (messages.empty()) return "";
  std::string out = " / emit ";
  for (size_t i = 0; i < messages.size(); ++i) out += (i ? ", " : "") + messages[i];
  return out;
}

std::vector<Edge> Edges(const Program& program, const ProcessInfo& process) {
  const ast::ProcessDecl& p = *process.decl;
  std::vector<Edge> edges;
  for (size_t i = 0; i < p.states.size(); ++i) {
    const ast::StateDecl& s = p.states[i];
    for (const auto& t : s.transitions) {
      Edge e;
      e.from = static_cast<int>(i);
      e.to = t.target ? process.StateIndex(t.target->text) : e.from;
      if (e.to < 0) continue;
      switch (t.kind) {
        case ast::Transition::Kind::kEvent:
          e.label = t.event.text;
          if (t.guard) e.label += " [" + program.TextOf(t.guard->range) + "]";
          if (!t.target) e.label += " (internal)";
          break;
        case ast::Transition::Kind::kTimer:
          e.label = (t.at_instant ? "at " : "after ") + program.TextOf(t.delay->range);
          if (!t.target) e.label += " (internal)";
          e.timer = true;
          break;
        case ast::Transition::Kind::kAutomatic:
          e.label = "[" + program.TextOf(t.guard->range) + "]";
          break;
      }
      e.label += EmitSuffix(t.actions);
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

// Each SLA clock in one line: when it starts and stops, what it emits.
std::vector<std::string> SlaNotes(const ast::ProcessDecl& p) {
  static const char* kKinds[] = {"start", "stop", "pause", "resume", "reset"};
  static const char* kTriggers[] = {"on create", "on enter", "on leave", "on event", "in"};
  std::vector<std::string> notes;
  for (const auto& sla : p.slas) {
    std::string note = "sla " + sla.name.text + ":";
    for (const auto& c : sla.conditions) {
      note += std::string(" ") + kKinds[static_cast<int>(c.kind)] + " " + kTriggers[static_cast<int>(c.trigger.kind)];
      for (size_t i = 0; i < c.trigger.names.size(); ++i) note += (i ? ", " : " ") + c.trigger.names[i].text;
      note += ";";
    }
    std::vector<std::string> messages;
    for (const auto& w : sla.warnings)
      for (const auto& a : w.actions)
        if (a.kind == ast::SlaAction::Kind::kEmit) messages.push_back(a.message);
    for (const auto& a : sla.breach)
      if (a.kind == ast::SlaAction::Kind::kEmit) messages.push_back(a.message);
    if (!messages.empty()) {
      note += " emits";
      for (size_t i = 0; i < messages.size(); ++i) note += (i ? ", " : " ") + messages[i];
    }
    notes.push_back(note);
  }
  return notes;
}

std::string Dot(const Program& program, const ProcessInfo& process) {
  const ast::ProcessDecl& p = *process.decl;
  const auto& states = p.states;
  std::vector<Edge> edges = Edges(program, process);
  std::string out = "digraph " + DotQuote(p.name.text) + " {\n";
  out += "  rankdir=LR;\n  compound=true;\n  node [shape=box, style=rounded, fontname=\"Helvetica\"];\n";
  out += "  edge [fontname=\"Helvetica\", fontsize=10];\n";
  out += "  \"__start\" [shape=point, width=0.15];\n";
  // Compound states are clusters; an edge to or from one is drawn to its
  // initial leaf (or from its first) and clipped at the cluster's border.
  // The regions of a parallel state are dashed partitions of its cluster.
  std::function<void(int, const std::string&)> node = [&](int i, const std::string& indent) {
    const ast::StateDecl& s = states[static_cast<size_t>(i)];
    if (s.children.empty()) {
      out += indent + DotQuote(s.name.text);
      if (s.is_final) out += " [shape=doublecircle, style=\"\"]";
      out += ";\n";
      return;
    }
    out += indent + "subgraph " + DotQuote("cluster_" + s.name.text) + " {\n";
    bool region = s.parent >= 0 && states[static_cast<size_t>(s.parent)].is_parallel;
    out += indent + "  label=" + DotQuote(s.is_parallel ? s.name.text + " (parallel)" : s.name.text) + "; style=" +
           (region ? "dashed" : "rounded") + ";\n";
    // Internal transitions of a compound state loop on a point of its own
    // inside its cluster (Graphviz cannot loop an edge on a cluster).
    if (std::any_of(edges.begin(), edges.end(), [&](const Edge& e) { return e.from == i && e.to == i; }))
      out += indent + "  " + DotQuote("__self_" + s.name.text) + " [shape=point, width=0.08];\n";
    for (int c : s.children) node(c, indent + "  ");
    out += indent + "}\n";
  };
  for (size_t i = 0; i < states.size(); ++i)
    if (states[i].parent < 0) node(static_cast<int>(i), "  ");
  for (size_t i = 0; i < states.size(); ++i)
    if (states[i].is_initial && states[i].parent < 0) {
      int leaf = process.LeafOf(static_cast<int>(i));
      out += "  \"__start\" -> " + DotQuote(states[static_cast<size_t>(leaf)].name.text);
      if (leaf != static_cast<int>(i)) out += " [lhead=" + DotQuote("cluster_" + states[i].name.text) + "]";
      out += ";\n";
    }
  for (const auto& e : edges) {
    int from = e.from, to = e.to;
    std::string attrs = "label=" + DotQuote(e.label);
    if (from == to && !states[static_cast<size_t>(from)].children.empty()) {
      std::string self = DotQuote("__self_" + states[static_cast<size_t>(from)].name.text);
      out += "  " + self + " -> " + self + " [" + attrs + (e.timer ? ", style=dashed" : "") + "];\n";
      continue;
    }
    // Clipped at a cluster's border unless the other end is inside it.
    auto inside = [&](int outer, int s) {
      for (; s >= 0; s = states[static_cast<size_t>(s)].parent)
        if (s == outer) return true;
      return false;
    };
    if (!states[static_cast<size_t>(from)].children.empty()) {
      if (!inside(from, to)) attrs += ", ltail=" + DotQuote("cluster_" + states[static_cast<size_t>(from)].name.text);
      from = process.LeafOf(from);
    }
    if (!states[static_cast<size_t>(to)].children.empty()) {
      if (!inside(to, e.from)) attrs += ", lhead=" + DotQuote("cluster_" + states[static_cast<size_t>(to)].name.text);
      to = process.LeafOf(to);
    }
    if (e.timer) attrs += ", style=dashed";
    out += "  " + DotQuote(states[static_cast<size_t>(from)].name.text) + " -> " +
           DotQuote(states[static_cast<size_t>(to)].name.text) + " [" + attrs + "];\n";
  }
  int n = 0;
  for (const auto& [target, why] : SlaMoves(p)) {
    std::string note = "\"__sla" + std::to_string(n++) + "\"";
    int index = process.StateIndex(target);
    out += "  " + note + " [shape=note, label=" + DotQuote(why) + "];\n";
    out += "  " + note + " -> " + DotQuote(index >= 0 ? states[static_cast<size_t>(process.LeafOf(index))].name.text : target) +
           " [style=dashed];\n";
  }
  for (const auto& note : SlaNotes(p))
    out += "  \"__note" + std::to_string(n++) + "\" [shape=note, label=" + DotQuote(note) + "];\n";
  out += "}\n";
  return out;
}

std::string Mermaid(const Program& program, const ProcessInfo& process) {
  const ast::ProcessDecl& p = *process.decl;
  const auto& states = p.states;
  std::vector<Edge> edges = Edges(program, process);
  std::string out = "stateDiagram-v2\n";
  out += "  %% process " + p.name.text + " for " + p.record.ToString() + "\n";
  // Compound states as composite states, their initial and final children inside.
  std::function<void(int, const std::string&)> block = [&](int i, const std::string& indent) {
    const ast::StateDecl& s = states[static_cast<size_t>(i)];
    out += indent + "state " + s.name.text + " {\n";
    // A parallel state's regions are all entered, separated by `--`.
    if (!s.is_parallel) out += indent + "  [*] --> " + states[static_cast<size_t>(process.InitialChild(i))].name.text + "\n";
    for (int c : s.children) {
      if (s.is_parallel && c != s.children.front()) out += indent + "  --\n";
      const ast::StateDecl& child = states[static_cast<size_t>(c)];
      if (!child.children.empty()) block(c, indent + "  ");
      else out += indent + "  " + child.name.text + "\n";
      if (child.is_final) out += indent + "  " + child.name.text + " --> [*]\n";
    }
    out += indent + "}\n";
  };
  for (size_t i = 0; i < states.size(); ++i)
    if (states[i].parent < 0 && !states[i].children.empty()) block(static_cast<int>(i), "  ");
  for (const auto& s : states)
    if (s.is_initial && s.parent < 0) out += "  [*] --> " + s.name.text + "\n";
  for (const auto& e : edges)
    out += "  " + states[static_cast<size_t>(e.from)].name.text + " --> " + states[static_cast<size_t>(e.to)].name.text +
           " : " + MermaidLabel(e.label) + "\n";
  for (const auto& s : states)
    if (s.is_final && s.parent < 0) out += "  " + s.name.text + " --> [*]\n";
  for (const auto& [target, why] : SlaMoves(p)) out += "  note left of " + target + " : entered when " + MermaidLabel(why) + "\n";
  for (size_t i = 0; i < states.size(); ++i)
    if (states[i].is_initial && states[i].parent < 0)
      for (const auto& note : SlaNotes(p)) out += "  note right of " + states[i].name.text + " : " + MermaidLabel(note) + "\n";
  return out;
}

}  // namespace

std::string RenderGraph(const Program& program, const ProcessInfo& process, GraphFormat format) {
  return format == GraphFormat::kDot ? Dot(program, process) : Mermaid(program, process);
}

}  // namespace smdl::sema
