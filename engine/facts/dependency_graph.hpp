// The dependency graph (an edge from -> to means "from relies on to") and the
// graph functions of the rule language, on Boost.Graph.
//
// Transitive queries are answered from the condensation: strongly connected
// components (Tarjan, boost::strong_components) collapsed into a DAG, whose
// closures are computed once per direction, bottom-up, each component reusing
// the closures of the components it points to. Results are shared lists of
// entities sorted by kind, then id, so a call costs a pointer copy.
#pragma once

#include <memory>
#include <mutex>
#include <optional>
#include <string_view>
#include <vector>

#include "engine/facts/portfolio.hpp"

namespace vigil {

class GraphView;

class DependencyGraph {
 public:
  explicit DependencyGraph(const Portfolio& portfolio);
  ~DependencyGraph();

  static constexpr int kAllEdges = -1;
  static constexpr int kNoSuchKind = -2;
  // The index of an edge kind, kAllEdges for none, kNoSuchKind when no edge has that kind.
  int edge_kind(std::optional<std::string_view> name) const;
  // The graph of one edge kind (or of all edges); built on first use, thread-safe.
  const GraphView& view(int edge_kind) const;
  const Portfolio& portfolio() const { return portfolio_; }
  const std::vector<std::uint32_t>& rank() const { return rank_; }  // position of each entity in (kind, id) order

 private:
  struct Slot;
  const Portfolio& portfolio_;
  std::vector<std::uint32_t> rank_;
  std::unique_ptr<Slot[]> slots_;  // one per edge kind, then "all", then "none"
};

class GraphView {
 public:
  GraphView(const Portfolio& portfolio, const std::vector<std::uint32_t>& rank, int edge_kind);
  ~GraphView();

  using ListPtr = std::shared_ptr<const ListData>;
  ListPtr suppliers(EntityIndex x) const;            // what x relies on directly
  ListPtr dependents(EntityIndex x) const;           // what relies on x directly
  ListPtr suppliers_closure(EntityIndex x) const;    // transitively, x excluded
  ListPtr dependents_closure(EntityIndex x) const;   // transitively, x excluded
  bool reaches(EntityIndex from, EntityIndex to) const;  // a chain of one or more edges
  bool in_cycle(EntityIndex x) const;                // on a cycle (a self-loop counts)
  // A shortest chain from -> ... -> to (ids in order; for from == to, a shortest cycle), or empty.
  std::vector<EntityIndex> path(EntityIndex from, EntityIndex to) const;

  std::size_t component_count() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace vigil
