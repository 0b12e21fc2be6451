#include "engine/output/graph_dot.hpp"

#include <set>

#include <fmt/format.h>

namespace vigil {
namespace {

std::string quoted(std::string_view text) {
  std::string out = "\"";
  for (char c : text) {
    if (c == '"' || c == '\\') out += '\\';
    if (c == '\n') out += "\\n";  // a line break inside a DOT label
    else out += c;
  }
  return out + "\"";
}

struct Style {
  const char* fill;
  const char* font;
};

Style severity_style(Severity severity) {
  switch (severity) {
    case Severity::critical: return {"#c1121f", "white"};
    case Severity::high: return {"#f77f00", "black"};
    case Severity::medium: return {"#fcbf49", "black"};
    case Severity::low: return {"#a8dadc", "black"};
    case Severity::info: return {"#e5e5e5", "black"};
  }
  return {"white", "black"};
}

const char* shape_of(const std::string& kind) {
  if (kind == "service") return "box";
  if (kind == "vendor") return "ellipse";
  return "diamond";
}

// The focus and what lies within `depth` edges of it, following edges forwards and backwards.
std::set<EntityIndex> neighbourhood(const Portfolio& portfolio, EntityIndex focus, int depth) {
  std::set<EntityIndex> included{focus};
  for (bool forwards : {true, false}) {
    std::set<EntityIndex> frontier{focus};
    for (int step = 0; step < depth && !frontier.empty(); ++step) {
      std::set<EntityIndex> next;
      for (const auto& edge : portfolio.edges()) {
        EntityIndex from = forwards ? edge.from : edge.to, to = forwards ? edge.to : edge.from;
        if (frontier.count(from) && included.insert(to).second) next.insert(to);
      }
      frontier = std::move(next);
    }
  }
  return included;
}

}  // namespace

void write_dot(std::ostream& out, const Portfolio& portfolio, const std::map<std::string, Severity>& highest_severity,
               const DotOptions& options) {
  std::set<EntityIndex> included;
  if (options.focus) included = neighbourhood(portfolio, *options.focus, options.depth);
  auto shown = [&](EntityIndex e) { return !options.focus || included.count(e) > 0; };

  out << "digraph vigil {\n  rankdir=LR;\n  node [fontname=\"Helvetica\", style=filled, fillcolor=white];\n"
         "  edge [fontname=\"Helvetica\", fontsize=9, color=\"#555555\"];\n";
  for (EntityIndex e : portfolio.entities_sorted_by_id()) {
    if (!shown(e)) continue;
    const std::string& id = portfolio.id(e);
    Value name = portfolio.attribute(e, "name");
    std::string label = name.is(ValueType::string) ? id + "\n" + std::string(name.as_string()) : id;
    std::string attributes = fmt::format("label={}, shape={}", quoted(label), shape_of(portfolio.kind_name(e)));
    auto severity = highest_severity.find(id);
    if (severity != highest_severity.end()) {
      Style style = severity_style(severity->second);
      attributes += fmt::format(", fillcolor=\"{}\", fontcolor=\"{}\", tooltip=\"highest finding: {}\"", style.fill,
                                style.font, severity_name(severity->second));
    }
    if (options.focus && e == *options.focus) attributes += ", penwidth=3";
    out << "  " << quoted(id) << " [" << attributes << "];\n";
  }
  for (const auto& edge : portfolio.edges()) {
    if (!shown(edge.from) || !shown(edge.to)) continue;
    out << "  " << quoted(portfolio.id(edge.from)) << " -> " << quoted(portfolio.id(edge.to))
        << " [label=" << quoted(portfolio.edge_kinds()[edge.kind]) << "];\n";
  }
  out << "}\n";
}

}  // namespace vigil
