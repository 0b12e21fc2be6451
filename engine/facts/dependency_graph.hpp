// The dependency graph (an edge from -> to means "from relies on to") and the
// graph functions of the rule language, on Boost.Graph.
//
// Transitive queries are answered from the condensation: strongly connected
// components (Tarjan, boost::strong_components) collapsed into a DAG, whose
// closures are computed once per direction, bottom-up, each component reusing
// the closures of the components it points to. Results are shared lists of
// entities sorted by kind, then id, so a call costs a pointer copy.
//
// An overlaid graph (a loaded portfolio with a few entities and edges laid
// over it for one evaluation) is built on the loaded graph instead of from
// scratch: it answers from the loaded graph's views wherever the overlay's
// edges cannot change the answer, and adds what they reach elsewhere.
#pragma once

#include <memory>
#include <mutex>
#include <optional>
#include <string_view>
#include <vector>

#include "engine/facts/portfolio.hpp"

namespace vigil {

class GraphView;

// Entities in (kind, id) order, the order of every graph result.
struct RankOrder {
  std::vector<std::uint32_t> rank;                                // entity -> position
  std::vector<EntityIndex> by_rank;                               // position -> entity
  std::vector<std::pair<KindId, std::uint32_t>> kind_first_rank;  // each kind present, with its first rank

  RankOrder() = default;
  RankOrder(const Portfolio& portfolio, std::vector<EntityIndex> ordered);
  // `loaded`'s order with `added` (the entities of `overlaid` from loaded's count on) each put in its place.
  RankOrder(const Portfolio& overlaid, const RankOrder& loaded, std::vector<EntityIndex> added);
  std::vector<EntityIndex> entities_of(const std::vector<std::uint32_t>& ranks) const;
  // Where an entity of rank `wanted` is, or would be, in `entities` (sorted by rank).
  std::size_t rank_position(const std::vector<EntityIndex>& entities, std::uint32_t wanted) const;
  bool holds(const std::vector<EntityIndex>& entities, EntityIndex e) const;
  // Where each kind's run begins and ends in `entities` merged with `added`.
  ListData::KindRuns kind_runs(const std::vector<EntityIndex>& entities, const AddedEntities* added = nullptr) const;
  std::shared_ptr<const ListData> make_list(const std::vector<std::uint32_t>& ranks, std::optional<GraphOrigin> origin) const;
};

class DependencyGraph {
 public:
  explicit DependencyGraph(const Portfolio& portfolio);
  // `overlaid` is `base`'s portfolio with entities and edges added at the end
  // (from `base_edge_count` on): an overlay's graph, built on `base`, which
  // must outlive it.
  DependencyGraph(const Portfolio& overlaid, const DependencyGraph& base, std::size_t base_edge_count);
  ~DependencyGraph();

  static constexpr int kAllEdges = -1;
  static constexpr int kNoSuchKind = -2;
  // The index of an edge kind, kAllEdges for none, kNoSuchKind when no edge has that kind.
  int edge_kind(std::optional<std::string_view> name) const;
  // The graph of one edge kind (or of all edges); built on first use, thread-safe.
  const GraphView& view(int edge_kind) const;
  const Portfolio& portfolio() const { return portfolio_; }
  const std::vector<std::uint32_t>& rank() const { return order_.rank; }  // position of each entity in (kind, id) order

 private:
  struct Slot;
  std::size_t slot_of(int edge_kind) const;
  const Portfolio& portfolio_;
  RankOrder order_;
  std::unique_ptr<Slot[]> slots_;  // one per edge kind, then "all", then "none"
  const DependencyGraph* base_ = nullptr;  // an overlay's loaded graph
  std::size_t base_edge_count_ = 0;
};

class GraphView {
 public:
  GraphView(const Portfolio& portfolio, const RankOrder& order, int edge_kind);
  // The loaded graph's view `base` of the same edges, with the overlay's edges
  // of that kind (from, to) added; entities from `base_entities` on are the overlay's new ones.
  GraphView(const RankOrder& order, const GraphView& base, std::size_t base_entities,
            std::vector<std::pair<EntityIndex, EntityIndex>> overlay_edges, int edge_kind);
  ~GraphView();

  using ListPtr = std::shared_ptr<const ListData>;
  ListPtr suppliers(EntityIndex x) const;            // what x relies on directly
  ListPtr dependents(EntityIndex x) const;           // what relies on x directly
  ListPtr suppliers_closure(EntityIndex x) const;    // transitively, x excluded
  ListPtr dependents_closure(EntityIndex x) const;   // transitively, x excluded
  bool reaches(EntityIndex from, EntityIndex to) const;  // a chain of one or more edges
  bool in_cycle(EntityIndex x) const;                // on a cycle (a self-loop counts)
  // For an overlaid graph: whether one of the overlay's edges is on a cycle
  // (otherwise in_cycle() answers as the loaded graph does). False for a loaded graph.
  bool overlay_closes_a_cycle() const;
  // A shortest chain from -> ... -> to (ids in order; for from == to, a shortest cycle), or empty.
  std::vector<EntityIndex> path(EntityIndex from, EntityIndex to) const;

  std::size_t component_count() const;

 private:
  struct Impl;
  struct Overlay;
  std::unique_ptr<Impl> impl_;
  std::unique_ptr<Overlay> overlay_;  // instead of impl_, for an overlaid graph
};

}  // namespace vigil
