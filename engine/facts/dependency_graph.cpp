#include "engine/facts/dependency_graph.hpp"

#include <algorithm>
#include <atomic>
#include <exception>
#include <limits>
#include <map>
#include <mutex>
#include <numeric>
#include <thread>
#include <unordered_map>

#include <boost/container/small_vector.hpp>
#include <boost/graph/compressed_sparse_row_graph.hpp>
#include <boost/graph/strong_components.hpp>
#include <boost/property_map/property_map.hpp>
#include <boost/range/iterator_range.hpp>

namespace vigil {
namespace {

using Csr = boost::compressed_sparse_row_graph<boost::bidirectionalS, boost::no_property, boost::no_property,
                                               boost::no_property, std::uint32_t, std::uint32_t>;
using Component = std::uint32_t;

// Adjacency of the condensation in compressed form: targets of c are
// targets[offsets[c] .. offsets[c + 1]).
struct Adjacency {
  std::vector<std::uint32_t> offsets;
  std::vector<Component> targets;

  // Bucketed by source (a counting sort: linear, where sorting all arcs was most of a graph's
  // build), then each node's few targets sorted and deduplicated in place.
  static Adjacency build(std::size_t nodes, const std::vector<std::pair<Component, Component>>& arcs) {
    Adjacency adjacency = bucketed(nodes, arcs, [](Component to) { return to; });
    adjacency.deduplicate();
    return adjacency;
  }

  // Targets grouped by source, in the order `order_key(target)` gives within each source.
  template <class OrderKey>
  static Adjacency bucketed(std::size_t nodes, const std::vector<std::pair<std::uint32_t, std::uint32_t>>& arcs, OrderKey order_key) {
    Adjacency adjacency;
    adjacency.offsets.assign(nodes + 1, 0);
    for (auto [from, to] : arcs) ++adjacency.offsets[from + 1];
    std::partial_sum(adjacency.offsets.begin(), adjacency.offsets.end(), adjacency.offsets.begin());
    adjacency.targets.resize(arcs.size());
    std::vector<std::uint32_t> next(adjacency.offsets.begin(), adjacency.offsets.end() - 1);
    for (auto [from, to] : arcs) adjacency.targets[next[from]++] = to;
    for (std::size_t c = 0; c < nodes; ++c)
      std::sort(adjacency.targets.begin() + adjacency.offsets[c], adjacency.targets.begin() + adjacency.offsets[c + 1],
                [&](std::uint32_t a, std::uint32_t b) { return order_key(a) < order_key(b); });
    return adjacency;
  }

  // Removes repeated targets of a node (sorted, so they are adjacent), compacting the arrays.
  void deduplicate() {
    std::uint32_t kept = 0;
    for (std::size_t c = 0; c + 1 < offsets.size(); ++c) {
      std::uint32_t begin = offsets[c], end = offsets[c + 1];
      offsets[c] = kept;
      for (std::uint32_t i = begin; i < end; ++i)
        if (i == begin || targets[i] != targets[i - 1]) targets[kept++] = targets[i];
    }
    offsets.back() = kept;
    targets.resize(kept);
  }

  std::pair<const Component*, const Component*> of(Component c) const {
    return {targets.data() + offsets[c], targets.data() + offsets[c + 1]};
  }
};

// A set of entities built by marking ranks in a bitmap; read out in rank (id) order.
class RankSet {
 public:
  explicit RankSet(std::size_t size) : bits_((size + 63) / 64, 0) {}
  void add(std::uint32_t rank) {
    std::uint64_t& word = bits_[rank / 64];
    std::uint64_t bit = std::uint64_t{1} << (rank % 64);
    if (!(word & bit)) {
      word |= bit;
      marked_.push_back(rank);
    }
  }
  bool has(std::uint32_t rank) const { return (bits_[rank / 64] >> (rank % 64)) & 1; }
  // The ranks in increasing order; clears the set for the next use.
  std::vector<std::uint32_t> take_sorted() {
    std::vector<std::uint32_t> out;
    out.reserve(marked_.size());
    if (marked_.size() * 16 > bits_.size()) {  // dense: a scan of the bitmap beats sorting
      for (std::size_t w = 0; w < bits_.size(); ++w)
        for (std::uint64_t word = bits_[w]; word; word &= word - 1)
          out.push_back(static_cast<std::uint32_t>(w * 64 + static_cast<std::size_t>(__builtin_ctzll(word))));
    } else {
      out = marked_;
      std::sort(out.begin(), out.end());
    }
    clear();
    return out;
  }
  void clear() {
    for (auto rank : marked_) bits_[rank / 64] = 0;
    marked_.clear();
  }

 private:
  std::vector<std::uint64_t> bits_;
  std::vector<std::uint32_t> marked_;
};

// A RankSet per thread and use, reused across queries (take_sorted leaves it
// empty): a bitmap of every entity, zeroed for each query, cost more than
// an overlay's whole closure of a vendor.
enum ScratchUse { kClosureScratch, kOverlayScratch };
template <ScratchUse>
RankSet& scratch_rank_set(std::size_t size) {
  thread_local std::unique_ptr<RankSet> scratch;
  thread_local std::size_t scratch_size = 0;
  if (!scratch || scratch_size < size) {
    scratch = std::make_unique<RankSet>(size);
    scratch_size = size;
  }
  return *scratch;
}

// A shortest chain from -> ... -> to (for from == to, a shortest cycle), or
// empty: breadth-first, each entity's suppliers in the order `for_each_next(u,
// visit)` gives them (visit returns true to stop). Evidence asks for thousands
// of short paths in a big graph: the parent table is kept per thread and only
// the entries a search touched are reset, so a search costs what it explores.
template <class ForEachNext>
std::vector<EntityIndex> shortest_chain(EntityIndex from, EntityIndex to, std::size_t entities, ForEachNext for_each_next) {
  constexpr EntityIndex kUnseen = std::numeric_limits<EntityIndex>::max();
  thread_local std::vector<EntityIndex> parent;
  thread_local std::vector<EntityIndex> queue;
  if (parent.size() < entities) parent.resize(entities, kUnseen);
  queue.clear();
  queue.push_back(from);
  bool found = false;
  for (std::size_t head = 0; head < queue.size() && !found; ++head) {
    EntityIndex u = queue[head];
    for_each_next(u, [&](EntityIndex v) {
      if (parent[v] != kUnseen || (v == from && from != to)) return false;
      parent[v] = u;
      queue.push_back(v);
      return found = v == to;
    });
  }
  std::vector<EntityIndex> chain;
  if (found) {
    chain.push_back(to);
    for (EntityIndex at = parent[to]; at != from; at = parent[at]) chain.push_back(at);
    chain.push_back(from);
    std::reverse(chain.begin(), chain.end());
  }
  for (EntityIndex touched : queue) parent[touched] = kUnseen;
  return chain;
}

}  // namespace

RankOrder::RankOrder(const Portfolio& portfolio, std::vector<EntityIndex> ordered)
    : rank(ordered.size()), by_rank(std::move(ordered)) {
  for (std::uint32_t r = 0; r < by_rank.size(); ++r) {
    rank[by_rank[r]] = r;
    if (r == 0 || portfolio.kind_of(by_rank[r]) != portfolio.kind_of(by_rank[r - 1]))
      kind_first_rank.emplace_back(portfolio.kind_of(by_rank[r]), r);
  }
}

// Made for every overlay: the loaded ranks are copied, and only those after
// the first new entity are moved (a loop over 110,000 entities' kinds was
// most of an overlay's graph).
RankOrder::RankOrder(const Portfolio& overlaid, const RankOrder& loaded, std::vector<EntityIndex> added) {
  auto before = [&](EntityIndex a, EntityIndex b) {
    return std::forward_as_tuple(overlaid.kind_name(a), overlaid.id(a)) <
           std::forward_as_tuple(overlaid.kind_name(b), overlaid.id(b));
  };
  std::sort(added.begin(), added.end(), before);
  by_rank.reserve(loaded.by_rank.size() + added.size());
  auto next = loaded.by_rank.begin();
  std::size_t first_moved = loaded.by_rank.size();
  for (EntityIndex e : added) {
    auto place = std::lower_bound(next, loaded.by_rank.end(), e, before);
    by_rank.insert(by_rank.end(), next, place);
    first_moved = std::min(first_moved, by_rank.size());
    by_rank.push_back(e);
    next = place;
  }
  by_rank.insert(by_rank.end(), next, loaded.by_rank.end());
  rank = loaded.rank;
  rank.resize(by_rank.size());
  for (std::size_t r = first_moved; r < by_rank.size(); ++r) rank[by_rank[r]] = static_cast<std::uint32_t>(r);
  // Each kind's first rank: its loaded first entity's, or a new entity's before it.
  std::map<KindId, std::uint32_t> first;
  for (auto [kind, r] : loaded.kind_first_rank) first[kind] = rank[loaded.by_rank[r]];
  for (EntityIndex e : added) {
    auto [at, fresh] = first.try_emplace(overlaid.kind_of(e), rank[e]);
    if (!fresh) at->second = std::min(at->second, rank[e]);
  }
  for (auto [kind, r] : first) kind_first_rank.emplace_back(kind, r);
  std::sort(kind_first_rank.begin(), kind_first_rank.end(), [](const auto& a, const auto& b) { return a.second < b.second; });
}

std::vector<EntityIndex> RankOrder::entities_of(const std::vector<std::uint32_t>& ranks) const {
  std::vector<EntityIndex> entities(ranks.size());
  for (std::size_t i = 0; i < ranks.size(); ++i) entities[i] = by_rank[ranks[i]];
  return entities;
}

std::size_t RankOrder::rank_position(const std::vector<EntityIndex>& entities, std::uint32_t wanted) const {
  auto at = std::lower_bound(entities.begin(), entities.end(), wanted,
                             [&](EntityIndex e, std::uint32_t r) { return rank[e] < r; });
  return static_cast<std::size_t>(at - entities.begin());
}

bool RankOrder::holds(const std::vector<EntityIndex>& entities, EntityIndex e) const {
  std::size_t at = rank_position(entities, rank[e]);
  return at < entities.size() && entities[at] == e;
}

// Ranks order entities by kind first, so each kind is one run of the list:
// its bounds are where the kind's first rank would go.
ListData::KindRuns RankOrder::kind_runs(const std::vector<EntityIndex>& entities, const AddedEntities* added) const {
  auto runs = std::make_shared<std::vector<KindRun>>();
  auto position = [&](std::uint32_t r) {
    return rank_position(entities, r) + (added ? rank_position(added->entities, r) : 0);
  };
  for (std::size_t k = 0; k < kind_first_rank.size(); ++k) {
    auto [kind, first] = kind_first_rank[k];
    std::size_t begin = position(first);
    std::size_t end = k + 1 < kind_first_rank.size() ? position(kind_first_rank[k + 1].second)
                                                    : entities.size() + (added ? added->entities.size() : 0);
    if (begin < end) runs->push_back({kind, begin, end});
  }
  return runs;
}

std::shared_ptr<const ListData> RankOrder::make_list(const std::vector<std::uint32_t>& ranks,
                                                     std::optional<GraphOrigin> origin) const {
  auto entities = std::make_shared<const std::vector<EntityIndex>>(entities_of(ranks));
  auto runs = kind_runs(*entities);
  return std::make_shared<const ListData>(std::move(entities), origin, ListData::kSkipNone, std::move(runs));
}

struct GraphView::Impl {
  const Portfolio& portfolio;
  const RankOrder& order;
  const std::vector<std::uint32_t>& rank = order.rank;
  const std::vector<EntityIndex>& by_rank = order.by_rank;
  int edge_kind;
  Csr graph;
  std::vector<bool> self_loop;
  std::vector<Component> component;              // entity -> component
  std::vector<std::vector<EntityIndex>> members;  // component -> entities, in id order
  Adjacency successors, predecessors;            // the condensation DAG

  // Closures are computed on demand, for the part of the condensation that a
  // query reaches, and kept: later queries reuse them. Threads compute them
  // side by side: a thread claims a component whose children are known,
  // computes it and publishes it; a thread that needs a component another one
  // has claimed waits for it (children never wait on parents: no deadlock).
  // There is no lock, so a run's threads are not serialised on the closures.
  enum : std::uint8_t { kUnknown, kComputing, kKnown };
  struct Closure {
    std::once_flag allocated;
    std::unique_ptr<std::atomic<std::uint8_t>[]> state;  // per component
    std::vector<ListPtr> of_component;  // everything reachable from (or reaching) the component, itself excluded
    // For components with several members (cycles): the closure plus the
    // members, in id order; a member's closure is this list without itself.
    std::vector<std::shared_ptr<const std::vector<EntityIndex>>> with_members;
    std::vector<ListData::KindRuns> member_runs;
  };
  mutable Closure supplier_closure, dependent_closure;
  // Lists per entity, built on first use and kept: each entity's direct
  // suppliers and dependents (rules ask for suppliers(s) once per element of
  // a bigger list), and the closures of cycle members.
  struct PerEntity {
    std::once_flag allocated;
    std::unique_ptr<std::atomic<std::uint8_t>[]> state;  // per entity: kUnknown, kComputing, kKnown
    std::vector<ListPtr> of_entity;
  };
  mutable PerEntity supplier_lists, dependent_lists, supplier_member_closures, dependent_member_closures;

  Impl(const Portfolio& p, const RankOrder& o, int kind) : portfolio(p), order(o), edge_kind(kind) {
    std::size_t n = p.entity_count();
    build_graph(n);
    build_condensation(n);
  }

  void build_graph(std::size_t n) {
    std::vector<std::pair<std::uint32_t, std::uint32_t>> edges;
    self_loop.assign(n, false);
    for (const auto& edge : portfolio.edges()) {
      if (edge_kind == DependencyGraph::kNoSuchKind) break;
      if (edge_kind != DependencyGraph::kAllEdges && static_cast<int>(edge.kind) != edge_kind) continue;
      edges.emplace_back(edge.from, edge.to);
      if (edge.from == edge.to) self_loop[edge.from] = true;
    }
    // Ordered by target id within each source: adjacency, and so BFS paths, are deterministic.
    // One edge per pair, whatever the kinds.
    Adjacency adjacency = Adjacency::bucketed(n, edges, [&](std::uint32_t to) { return rank[to]; });
    adjacency.deduplicate();
    edges.clear();
    for (std::uint32_t from = 0; from < n; ++from) {
      auto [begin, end] = adjacency.of(from);
      for (auto it = begin; it != end; ++it) edges.emplace_back(from, *it);
    }
    graph = Csr(boost::edges_are_unsorted_multi_pass, edges.begin(), edges.end(), n);  // keeps each source's order
  }

  void build_condensation(std::size_t n) {
    component.assign(n, 0);
    std::size_t count =
        n == 0 ? 0
               : boost::strong_components(
                     graph, boost::make_iterator_property_map(component.begin(), boost::get(boost::vertex_index, graph)));
    members.assign(count, {});
    for (std::uint32_t r = 0; r < n; ++r) members[component[by_rank[r]]].push_back(by_rank[r]);
    std::vector<std::pair<Component, Component>> forward, backward;
    for (auto e : boost::make_iterator_range(boost::edges(graph))) {
      Component a = component[boost::source(e, graph)], b = component[boost::target(e, graph)];
      if (a == b) continue;
      forward.emplace_back(a, b);
      backward.emplace_back(b, a);
    }
    successors = Adjacency::build(count, forward);
    predecessors = Adjacency::build(count, backward);
  }

  // What a parent of `child` reaches through it: its members and its closure,
  // as the list it shares (a cycle's members with their closure, or the shared
  // part of a closure) and the entities outside that list.
  struct Reached {
    const ListData::Entities& shared;
    const std::vector<EntityIndex>* others;  // may be null
  };
  Reached reached_through(const Closure& closure, Component child) const {
    if (members[child].size() > 1) return {closure.with_members[child], nullptr};
    const ListData& list = *closure.of_component[child];
    return {list.shared_entities(), list.added() ? &list.added()->entities : nullptr};
  }

  // closure(c) = union over next(c) of members(next) and closure(next). The
  // biggest list a child shares is shared again, and only what the others add
  // is gathered: the closures along a supply chain mostly end in the same big
  // one (the large providers, often one cycle), which is kept once. A
  // provider's dependents are many, and mostly share the same few lists: each
  // list is gathered once (no reference counted per child either).
  static constexpr std::size_t kGatheredOnceFrom = 64;
  void compute_one(Closure& closure, Component c, bool towards_suppliers, RankSet& set) const {
    const Adjacency& next = towards_suppliers ? successors : predecessors;
    auto [begin, end] = next.of(c);
    const ListData::Entities* base = nullptr;
    for (auto it = begin; it != end; ++it) {
      const auto& shared = reached_through(closure, *it).shared;
      if (!base || shared->size() > (*base)->size()) base = &shared;
    }
    boost::container::small_vector<const std::vector<EntityIndex>*, 8> gathered{base ? base->get() : nullptr};
    for (auto it = begin; it != end; ++it) {
      for (EntityIndex e : members[*it]) set.add(rank[e]);
      Reached reached = reached_through(closure, *it);
      const auto* list = reached.shared.get();
      bool small = list->size() < kGatheredOnceFrom;  // cheaper to add again than to look up
      if (small || std::find(gathered.begin(), gathered.end(), list) == gathered.end()) {
        if (!small) gathered.push_back(list);
        for (EntityIndex e : *list) set.add(rank[e]);
      }
      if (reached.others)
        for (EntityIndex e : *reached.others) set.add(rank[e]);
    }
    std::vector<std::uint32_t> ranks = set.take_sorted();  // may repeat some of base
    if (members[c].size() > 1) {
      std::vector<std::uint32_t> outside = base ? union_with(**base, ranks) : std::move(ranks);
      for (std::uint32_t r : outside) set.add(r);
      for (EntityIndex e : members[c]) set.add(rank[e]);
      closure.with_members[c] = std::make_shared<const std::vector<EntityIndex>>(order.entities_of(set.take_sorted()));
      closure.member_runs[c] = order.kind_runs(*closure.with_members[c]);
      closure.of_component[c] = order.make_list(outside, std::nullopt);
      return;
    }
    GraphOrigin origin{members[c][0], towards_suppliers, edge_kind};
    auto added = std::make_shared<AddedEntities>();
    if (base) {  // a merge of the two sorted lists
      const auto& shared = **base;
      std::size_t at = 0;
      for (std::uint32_t r : ranks) {
        while (at < shared.size() && rank[shared[at]] < r) ++at;
        if (at < shared.size() && rank[shared[at]] == r) continue;
        added->at.push_back(at + added->entities.size());
        added->entities.push_back(by_rank[r]);
      }
    }
    // Sharing pays while the added entities are few; otherwise the closure is
    // a list of its own, which its parents may share in turn.
    if (!base || added->entities.size() * 4 > (*base)->size()) {
      closure.of_component[c] = order.make_list(base ? union_with(**base, ranks) : ranks, origin);
      return;
    }
    auto runs = order.kind_runs(**base, added.get());
    closure.of_component[c] = std::make_shared<const ListData>(*base, std::move(added), origin, std::move(runs));
  }

  // The ranks of `entities` (sorted by rank) and `ranks` (sorted), without repeats.
  std::vector<std::uint32_t> union_with(const std::vector<EntityIndex>& entities, const std::vector<std::uint32_t>& ranks) const {
    std::vector<std::uint32_t> out;
    out.reserve(entities.size() + ranks.size());
    std::size_t i = 0, j = 0;
    while (i < entities.size() || j < ranks.size()) {
      std::uint32_t a = i < entities.size() ? rank[entities[i]] : std::numeric_limits<std::uint32_t>::max();
      std::uint32_t b = j < ranks.size() ? ranks[j] : std::numeric_limits<std::uint32_t>::max();
      out.push_back(std::min(a, b));
      i += a <= b;
      j += b <= a;
    }
    return out;
  }

  static bool known(const Closure& closure, Component c) {
    return closure.state[c].load(std::memory_order_acquire) == kKnown;
  }

  // Computes the closure of `root` and of everything it needs first, by an
  // iterative depth-first walk (supply chains can be deeper than the stack).
  void ensure_closure(Closure& closure, Component root, bool towards_suppliers) const {
    if (known(closure, root)) return;
    RankSet& scratch = scratch_rank_set<kClosureScratch>(by_rank.size());
    const Adjacency& next = towards_suppliers ? successors : predecessors;
    std::vector<std::pair<Component, std::uint32_t>> stack{{root, next.offsets[root]}};  // component, next arc
    while (!stack.empty()) {
      Component c = stack.back().first;
      std::uint32_t& arc = stack.back().second;
      // Children that are known, or that another thread is computing, are passed over: this
      // thread goes on with the rest, and waits for those only when it has nothing else to do.
      while (arc < next.offsets[c + 1] && closure.state[next.targets[arc]].load(std::memory_order_acquire) != kUnknown) ++arc;
      if (arc < next.offsets[c + 1]) {
        Component child = next.targets[arc++];
        stack.emplace_back(child, next.offsets[child]);
        continue;
      }
      for (std::uint32_t a = next.offsets[c]; a < next.offsets[c + 1]; ++a)
        while (!known(closure, next.targets[a])) std::this_thread::yield();
      // When another thread has claimed c meanwhile, this one goes on with
      // c's siblings instead of waiting: the parent waits for c only once it
      // has nothing else to do (both threads mostly walk the same upstream).
      std::uint8_t unknown = kUnknown;
      if (closure.state[c].compare_exchange_strong(unknown, kComputing, std::memory_order_acq_rel)) {
        compute_one(closure, c, towards_suppliers, scratch);
        closure.state[c].store(kKnown, std::memory_order_release);
      }
      stack.pop_back();
    }
    while (!known(closure, root)) std::this_thread::yield();  // another thread is computing it
  }

  Closure& allocated_closure(bool towards_suppliers) const {
    Closure& closure = towards_suppliers ? supplier_closure : dependent_closure;
    std::call_once(closure.allocated, [&] {
      closure.state = std::make_unique<std::atomic<std::uint8_t>[]>(members.size());  // all kUnknown
      closure.of_component.assign(members.size(), nullptr);
      closure.with_members.assign(members.size(), nullptr);
      closure.member_runs.assign(members.size(), nullptr);
    });
    return closure;
  }

  // What x's component reaches outside itself (kept for as long as the view).
  const ListData* component_closure(EntityIndex x, bool towards_suppliers) const {
    Closure& closure = allocated_closure(towards_suppliers);
    ensure_closure(closure, component[x], towards_suppliers);
    return closure.of_component[component[x]].get();
  }

  ListPtr closure_of(EntityIndex x, bool towards_suppliers) const {
    Closure& closure = allocated_closure(towards_suppliers);
    Component c = component[x];
    ensure_closure(closure, c, towards_suppliers);
    if (members[c].size() == 1) return closure.of_component[c];
    // x's own component (a cycle) is reachable too, except x itself: the
    // shared list, skipping x (found by its id rank). Kept per member: CONC-002
    // asks each vendor's dependents, and the big providers are often one cycle.
    return cached(towards_suppliers ? supplier_member_closures : dependent_member_closures, x, [&] {
      const auto& shared = closure.with_members[c];
      auto position = std::lower_bound(shared->begin(), shared->end(), x,
                                       [&](EntityIndex a, EntityIndex b) { return rank[a] < rank[b]; });
      return std::make_shared<const ListData>(shared, GraphOrigin{x, towards_suppliers, edge_kind},
                                              static_cast<std::size_t>(position - shared->begin()), closure.member_runs[c]);
    });
  }

  ListPtr neighbours(EntityIndex x, bool towards_suppliers) const {
    return cached(towards_suppliers ? supplier_lists : dependent_lists, x, [&] { return neighbours_of(x, towards_suppliers); });
  }

  template <class Make>
  ListPtr cached(PerEntity& cache, EntityIndex x, Make make) const {
    std::call_once(cache.allocated, [&] {
      cache.state = std::make_unique<std::atomic<std::uint8_t>[]>(by_rank.size());
      cache.of_entity.assign(by_rank.size(), nullptr);
    });
    if (cache.state[x].load(std::memory_order_acquire) == kKnown) return cache.of_entity[x];
    ListPtr list = make();
    // The first thread to finish publishes; another one, computing the same list meanwhile, returns its own.
    std::uint8_t unknown = kUnknown;
    if (cache.state[x].compare_exchange_strong(unknown, kComputing, std::memory_order_acq_rel)) {
      cache.of_entity[x] = list;
      cache.state[x].store(kKnown, std::memory_order_release);
    }
    return list;
  }

  ListPtr neighbours_of(EntityIndex x, bool towards_suppliers) const {
    std::vector<std::uint32_t> ranks;
    if (towards_suppliers) {
      for (auto v : boost::make_iterator_range(boost::adjacent_vertices(x, graph))) ranks.push_back(rank[v]);
    } else {
      for (auto e : boost::make_iterator_range(boost::in_edges(x, graph))) ranks.push_back(rank[boost::source(e, graph)]);
    }
    std::sort(ranks.begin(), ranks.end());
    return order.make_list(ranks, GraphOrigin{x, towards_suppliers, edge_kind});
  }
};

// A view of an overlaid graph: the loaded graph's view of the same edges,
// and the overlay's few edges. An entity's answers can change only if it
// reaches the start of an overlay edge (following the query's direction); the
// others are the loaded view's. An entity that does reach one gets the loaded
// answer extended by what the overlay's edges lead to: their ends, those
// ends' loaded closures, and so on while that reaches further overlay edges.
// Its first loaded edge on any new path starts at an overlay edge's start,
// so the entities whose answers change are those starts and what reaches
// them in the loaded graph.
struct GraphView::Overlay {
  const RankOrder& order;
  const GraphView& base;
  std::size_t base_entities;
  std::vector<std::pair<EntityIndex, EntityIndex>> edges;  // (from, to)
  int edge_kind;
  std::vector<std::uint8_t> changes[2];  // per entity, [towards_suppliers]: its answers can change

  struct Reach {
    ListPtr closure;
    bool cycle;  // the entity reaches itself
  };
  mutable std::mutex mutex;
  mutable std::unordered_map<std::uint64_t, Reach> reached;  // key: entity << 1 | towards_suppliers

  Overlay(const RankOrder& o, const GraphView& b, std::size_t loaded, std::vector<std::pair<EntityIndex, EntityIndex>> e,
          int kind)
      : order(o), base(b), base_entities(loaded), edges(std::move(e)), edge_kind(kind) {
    for (bool towards_suppliers : {false, true}) {
      auto& marks = changes[towards_suppliers];
      marks.assign(order.by_rank.size(), 0);
      for (auto [from, to] : edges) {
        EntityIndex start = towards_suppliers ? from : to;
        marks[start] = 1;
        if (start < base_entities)
          for_each(*loaded_closure(start, !towards_suppliers), [&](EntityIndex reaching) { marks[reaching] = 1; });
      }
    }
  }

  template <class F>
  static void for_each(const ListData& list, F&& f) {
    list.for_each_entity(0, list.size(), f);
  }
  bool loaded(EntityIndex x) const { return x < base_entities; }
  ListPtr loaded_closure(EntityIndex x, bool towards_suppliers) const {
    return towards_suppliers ? base.suppliers_closure(x) : base.dependents_closure(x);
  }
  bool in_list(const ListData& list, EntityIndex e) const {
    if (list.skipped() != ListData::kSkipNone && list.skipped_entity() == e) return false;
    return order.holds(*list.entities(), e) || (list.added() && order.holds(list.added()->entities, e));
  }
  ListPtr none(EntityIndex x, bool towards_suppliers) const {
    return order.make_list({}, GraphOrigin{x, towards_suppliers, edge_kind});
  }

  ListPtr neighbours(EntityIndex x, bool towards_suppliers) const {
    ListPtr loaded_list = loaded(x) ? (towards_suppliers ? base.suppliers(x) : base.dependents(x)) : nullptr;
    std::vector<std::uint32_t> ranks;
    for (auto [from, to] : edges)
      if ((towards_suppliers ? from : to) == x) {
        EntityIndex next = towards_suppliers ? to : from;
        if (!loaded_list || !in_list(*loaded_list, next)) ranks.push_back(order.rank[next]);
      }
    if (ranks.empty()) return loaded_list ? loaded_list : none(x, towards_suppliers);
    return merged_with(loaded_list.get(), std::move(ranks), GraphOrigin{x, towards_suppliers, edge_kind});
  }

  // A list of its own: the entities of `loaded_list` (may be null) and those of `ranks`.
  ListPtr merged_with(const ListData* loaded_list, std::vector<std::uint32_t> ranks, GraphOrigin origin) const {
    if (loaded_list) for_each(*loaded_list, [&](EntityIndex e) { ranks.push_back(order.rank[e]); });
    std::sort(ranks.begin(), ranks.end());
    ranks.erase(std::unique(ranks.begin(), ranks.end()), ranks.end());
    return order.make_list(ranks, origin);
  }

  ListPtr closure(EntityIndex x, bool towards_suppliers) const {
    if (changes[towards_suppliers][x]) return reach(x, towards_suppliers).closure;
    return loaded(x) ? loaded_closure(x, towards_suppliers) : none(x, towards_suppliers);
  }
  bool in_cycle(EntityIndex x) const {
    if (changes[true][x] && closes_a_cycle()) return reach(x, true).cycle;
    return loaded(x) && base.in_cycle(x);
  }
  // Whether an overlay edge (from, to) lies on a cycle: `to` reaches `from`
  // (a self-loop does). Otherwise every cycle is a loaded one: CYC-001 asks
  // in_cycle() of each vendor the overlay's edges reach, a closure each.
  bool closes_a_cycle() const {
    std::call_once(cycles_checked, [&] {
      for (auto [from, to] : edges)
        if (from == to || in_list(*closure(to, true), from)) closes_cycle = true;
    });
    return closes_cycle;
  }
  mutable std::once_flag cycles_checked;
  mutable bool closes_cycle = false;
  bool reaches(EntityIndex from, EntityIndex to) const {
    if (!changes[true][from]) return loaded(from) && loaded(to) && base.reaches(from, to);
    return from == to ? in_cycle(from) : in_list(*closure(from, true), to);
  }

  std::vector<EntityIndex> path(EntityIndex from, EntityIndex to) const {
    if (!changes[true][from]) return loaded(from) && loaded(to) ? base.path(from, to) : std::vector<EntityIndex>{};
    // Over the same ordered neighbours as a graph built from scratch: the same chains.
    return shortest_chain(from, to, order.by_rank.size(), [&](EntityIndex u, auto visit) {
      ListPtr next = neighbours(u, true);
      for (std::size_t i = 0; i < next->size(); ++i)
        if (visit((*next)[i].as_entity())) return;
    });
  }

  // x's loaded closure, extended through the overlay's edges; computed once per entity and direction.
  Reach reach(EntityIndex x, bool towards_suppliers) const {
    std::uint64_t key = std::uint64_t{x} << 1 | towards_suppliers;
    {
      std::lock_guard lock(mutex);
      if (auto found = reached.find(key); found != reached.end()) return found->second;
    }
    ListPtr loaded_list = loaded(x) ? loaded_closure(x, towards_suppliers) : nullptr;
    bool cycle = loaded(x) && base.in_cycle(x);
    // Not the loaded graph's scratch: loaded_closure() below may compute a closure meanwhile.
    RankSet& added = scratch_rank_set<kOverlayScratch>(order.by_rank.size());
    struct ClearOnFailure {  // the next query on this thread starts from an empty set
      RankSet& set;
      ~ClearOnFailure() {
        if (std::uncaught_exceptions() > 0) set.clear();
      }
    } clear_on_failure{added};
    auto in_loaded = [&](EntityIndex e) { return loaded_list && in_list(*loaded_list, e); };
    auto is_reached = [&](EntityIndex e) { return e == x ? cycle : in_loaded(e) || added.has(order.rank[e]); };
    auto mark = [&](EntityIndex e) {
      if (e == x) cycle = true;
      else if (!is_reached(e)) added.add(order.rank[e]);
    };
    // Whether each edge's ends are in x's loaded closure, found once: the
    // loop below asks on every pass, and each is a binary search of a big
    // closure (CONC-001 asks it for a thousand vendors an overlay reaches).
    struct Ends {
      EntityIndex start, end;
      bool start_loaded, end_loaded;
    };
    std::vector<Ends> ends;
    for (auto [from, to] : edges) {
      EntityIndex start = towards_suppliers ? from : to, end = towards_suppliers ? to : from;
      ends.push_back({start, end, in_loaded(start), in_loaded(end)});
    }
    auto reached_end = [&](EntityIndex e, bool loaded_end) { return e == x ? cycle : loaded_end || added.has(order.rank[e]); };
    for (bool grew = true; grew;) {
      grew = false;
      for (const auto& [start, end, start_loaded, end_loaded] : ends) {
        if ((start != x && !reached_end(start, start_loaded)) || reached_end(end, end_loaded)) continue;
        grew = true;
        mark(end);
        if (loaded(end)) for_each(*loaded_closure(end, towards_suppliers), mark);
      }
    }
    Reach result{extended(x, towards_suppliers, loaded_list, added.take_sorted()), cycle};
    std::lock_guard lock(mutex);
    return reached.emplace(key, result).first->second;
  }

  // `loaded_list` (may be null) with the entities of `ranks` (sorted, none of them in it) added.
  ListPtr extended(EntityIndex x, bool towards_suppliers, const ListPtr& loaded_list, std::vector<std::uint32_t> ranks) const {
    GraphOrigin origin{x, towards_suppliers, edge_kind};
    if (ranks.empty()) return loaded_list ? loaded_list : none(x, towards_suppliers);
    if (!loaded_list) return order.make_list(ranks, origin);
    const auto& shared = loaded_list->shared_entities();
    // As the loaded closures do: share the list while the additions are few, otherwise a list of its own.
    if (ranks.size() * 4 > shared->size()) return merged_with(loaded_list.get(), std::move(ranks), origin);
    auto by_rank = [&](EntityIndex a, EntityIndex b) { return order.rank[a] < order.rank[b]; };
    std::vector<EntityIndex> entities = order.entities_of(ranks);
    if (const AddedEntities* before = loaded_list->added()) {
      std::vector<EntityIndex> merged;
      std::merge(before->entities.begin(), before->entities.end(), entities.begin(), entities.end(), std::back_inserter(merged), by_rank);
      entities = std::move(merged);
    }
    auto added = std::make_shared<AddedEntities>();
    for (std::size_t i = 0; i < entities.size(); ++i)
      added->at.push_back(order.rank_position(*shared, order.rank[entities[i]]) + i);
    added->entities = std::move(entities);
    auto runs = order.kind_runs(*shared, added.get());
    // A cycle member's loaded closure is its cycle's list without itself: so is the extended one.
    std::size_t skip = ListData::kSkipNone;
    if (loaded_list->skipped() != ListData::kSkipNone) {
      std::uint32_t own = order.rank[loaded_list->skipped_entity()];
      skip = order.rank_position(*shared, own) + order.rank_position(added->entities, own);
    }
    return std::make_shared<const ListData>(shared, std::move(added), origin, std::move(runs), skip);
  }
};

GraphView::GraphView(const Portfolio& portfolio, const RankOrder& order, int edge_kind)
    : impl_(std::make_unique<Impl>(portfolio, order, edge_kind)) {}
GraphView::GraphView(const RankOrder& order, const GraphView& base, std::size_t base_entities,
                     std::vector<std::pair<EntityIndex, EntityIndex>> overlay_edges, int edge_kind)
    : overlay_(std::make_unique<Overlay>(order, base, base_entities, std::move(overlay_edges), edge_kind)) {}
GraphView::~GraphView() = default;

GraphView::ListPtr GraphView::suppliers(EntityIndex x) const {
  return overlay_ ? overlay_->neighbours(x, true) : impl_->neighbours(x, true);
}
GraphView::ListPtr GraphView::dependents(EntityIndex x) const {
  return overlay_ ? overlay_->neighbours(x, false) : impl_->neighbours(x, false);
}
GraphView::ListPtr GraphView::suppliers_closure(EntityIndex x) const {
  return overlay_ ? overlay_->closure(x, true) : impl_->closure_of(x, true);
}
GraphView::ListPtr GraphView::dependents_closure(EntityIndex x) const {
  return overlay_ ? overlay_->closure(x, false) : impl_->closure_of(x, false);
}
std::size_t GraphView::component_count() const {
  return overlay_ ? overlay_->base.component_count() : impl_->members.size();
}

bool GraphView::in_cycle(EntityIndex x) const {
  if (overlay_) return overlay_->in_cycle(x);
  return impl_->self_loop[x] || impl_->members[impl_->component[x]].size() > 1;
}

bool GraphView::overlay_closes_a_cycle() const { return overlay_ && overlay_->closes_a_cycle(); }

bool GraphView::reaches(EntityIndex from, EntityIndex to) const {
  if (overlay_) return overlay_->reaches(from, to);
  if (impl_->component[from] == impl_->component[to]) return from == to ? in_cycle(from) : true;
  // The component's list, not a copy of the pointer: rules ask this once per
  // element of a supply chain, from several threads, and counting references
  // to the same lists made the threads wait on each other's caches.
  const ListData* closure = impl_->component_closure(from, true);
  // The closure is sorted by rank: a binary search of its entities, shared and
  // added (with `from` itself, when it is on a cycle: `to` is in another
  // component, so that changes nothing).
  const RankOrder& order = impl_->order;
  return order.holds(*closure->entities(), to) || (closure->added() && order.holds(closure->added()->entities, to));
}

std::vector<EntityIndex> GraphView::path(EntityIndex from, EntityIndex to) const {
  if (overlay_) return overlay_->path(from, to);
  const Csr& graph = impl_->graph;
  return shortest_chain(from, to, impl_->by_rank.size(), [&](EntityIndex u, auto visit) {
    for (auto v : boost::make_iterator_range(boost::adjacent_vertices(u, graph)))
      if (visit(v)) return;
  });
}

struct DependencyGraph::Slot {
  std::once_flag once;
  std::unique_ptr<GraphView> view;
};

DependencyGraph::DependencyGraph(const Portfolio& portfolio)
    : portfolio_(portfolio), slots_(std::make_unique<Slot[]>(portfolio.edge_kinds().size() + 2)) {
  // Graph results are ordered by kind, then id (see ListData::kind_range).
  auto ordered = portfolio.entities_sorted_by_id();
  std::stable_sort(ordered.begin(), ordered.end(),
                   [&](EntityIndex a, EntityIndex b) { return portfolio.kind_name(a) < portfolio.kind_name(b); });
  order_ = RankOrder(portfolio, std::move(ordered));
}

DependencyGraph::DependencyGraph(const Portfolio& overlaid, const DependencyGraph& base, std::size_t base_edge_count)
    : portfolio_(overlaid), slots_(std::make_unique<Slot[]>(overlaid.edge_kinds().size() + 2)), base_(&base),
      base_edge_count_(base_edge_count) {
  // The loaded order with the overlay's new entities each put in its place.
  std::vector<EntityIndex> added(overlaid.entity_count() - base.order_.by_rank.size());
  std::iota(added.begin(), added.end(), static_cast<EntityIndex>(base.order_.by_rank.size()));
  order_ = RankOrder(overlaid, base.order_, std::move(added));
}

DependencyGraph::~DependencyGraph() = default;

int DependencyGraph::edge_kind(std::optional<std::string_view> name) const {
  if (!name) return kAllEdges;
  const auto& kinds = portfolio_.edge_kinds();
  auto it = std::find(kinds.begin(), kinds.end(), *name);
  return it == kinds.end() ? kNoSuchKind : static_cast<int>(it - kinds.begin());
}

std::size_t DependencyGraph::slot_of(int edge_kind) const {
  std::size_t kinds = portfolio_.edge_kinds().size();
  return edge_kind >= 0 ? static_cast<std::size_t>(edge_kind) : edge_kind == kAllEdges ? kinds : kinds + 1;
}

const GraphView& DependencyGraph::view(int edge_kind) const {
  Slot& slot = slots_[slot_of(edge_kind)];
  std::call_once(slot.once, [&] {
    if (!base_) {
      slot.view = std::make_unique<GraphView>(portfolio_, order_, edge_kind);
      return;
    }
    // An edge kind only the overlay has is, in the loaded graph, a kind no edge has.
    bool loaded_kind = edge_kind < static_cast<int>(base_->portfolio_.edge_kinds().size());
    const GraphView& loaded = base_->view(loaded_kind ? edge_kind : kNoSuchKind);
    std::vector<std::pair<EntityIndex, EntityIndex>> added;
    const auto& edges = portfolio_.edges();
    for (std::size_t i = base_edge_count_; i < edges.size() && edge_kind != kNoSuchKind; ++i)
      if (edge_kind == kAllEdges || static_cast<int>(edges[i].kind) == edge_kind) added.emplace_back(edges[i].from, edges[i].to);
    slot.view = std::make_unique<GraphView>(order_, loaded, base_->order_.by_rank.size(), std::move(added), edge_kind);
  });
  return *slot.view;
}

}  // namespace vigil
