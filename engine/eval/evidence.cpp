#include "engine/eval/evidence.hpp"

#include <algorithm>

#include <nlohmann/json.hpp>

namespace vigil {

void request_path(Context& c, PathRequest request) {
  if (!c.evidence) return;
  if (std::find(c.paths.begin(), c.paths.end(), request) != c.paths.end()) return;
  if (c.paths.size() < kMaxEvidencePaths) c.paths.push_back(request);
  else ++c.paths_left_out;
}

// An element of a graph result counted towards a finding: show how it is connected.
void request_path(Context& c, const GraphOrigin& origin, EntityIndex element) {
  if (origin.towards_suppliers) request_path(c, {origin.entity, element, origin.edge_kind});
  else request_path(c, {element, origin.entity, origin.edge_kind});
}

void record_read(Context& c, EntityIndex entity, const std::string& attribute, const Value& value) {
  if (!c.evidence) return;
  for (const auto& read : c.reads)
    if (read.entity == entity && *read.attribute == attribute) return;
  if (c.reads.size() >= kMaxEvidenceFacts) {
    c.reads_truncated = true;
    return;
  }
  c.reads.push_back({entity, &attribute, value});
}

std::string evidence_json(const Rule& rule, const Context& c) {
  nlohmann::ordered_json evidence = nlohmann::ordered_json::object();
  if (!c.reads.empty()) {
    auto reads = c.reads;
    std::stable_sort(reads.begin(), reads.end(), [&](const FactRead& a, const FactRead& b) {
      return std::tie(c.portfolio.id(a.entity), *a.attribute) < std::tie(c.portfolio.id(b.entity), *b.attribute);
    });
    auto& facts = evidence["facts"];
    for (const auto& read : reads)
      facts[c.portfolio.id(read.entity)][*read.attribute] = value_to_json(read.value, c.portfolio);
  }
  for (const auto& let : rule.lets)  // the lets that were needed to decide
    if (c.evaluated[static_cast<std::size_t>(let.slot)])
      evidence["values"][let.name] = value_to_json(c.locals[static_cast<std::size_t>(let.slot)], c.portfolio, 20);
  if (!c.paths.empty()) {
    auto& paths = evidence["paths"];
    paths = nlohmann::ordered_json::array();
    for (const auto& request : c.paths) {
      auto chain = nlohmann::ordered_json::array();
      for (EntityIndex step : c.graph.get().view(request.edge_kind).path(request.from, request.to))
        chain.push_back(c.portfolio.id(step));
      paths.push_back(std::move(chain));
    }
    if (c.paths_left_out > 0) evidence["more_paths"] = c.paths_left_out;
  }
  if (c.reads_truncated) evidence["truncated"] = true;
  return json_text(evidence);
}

}  // namespace vigil
