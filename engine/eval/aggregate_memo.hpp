// Aggregates over all the entities of a kind, kept from the evaluation of a
// loaded portfolio so that an overlay's evaluation adds only what its new
// entities bring. Internal to engine/eval.
//
// Why: an overlay adds a vendor or two to 100,000. A portfolio-wide figure
// such as `sum(v.annual_spend for v in entities("vendor") where v.status ==
// "active")` is then the loaded portfolio's sum plus the new vendors' share,
// when the aggregate's body reads nothing of an element but its own
// attributes (and values fixed outside the loop, which pick the kept result:
// `country` in CONC-003). Evaluating it again over every vendor was most of
// an overlay's time.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <shared_mutex>
#include <string>
#include <unordered_map>
#include <vector>

#include "dsl/rule_set.hpp"
#include "engine/facts/portfolio.hpp"

namespace vigil {

struct Context;
class LazyGraph;

// What an aggregate has added up so far (AggregateState's totals).
struct AggregateTotals {
  std::size_t count = 0;
  bool decided = false, saw_missing = false;
  Value sum, extreme;
  List items;                       // list(): the elements, in order
  // When kept: the entity each element came from (lists, and counts and sums over graph answers).
  std::vector<EntityIndex> listed;
  // sum(): every number added was a whole number and every partial sum stayed
  // below 2^53, so the total does not depend on the order of the additions.
  bool exact = true;
};

// An aggregate whose result can be kept: `F(... for x in entities("K") ...)`
// whose `where` and element read of x only its own attributes, and its graph
// answers (suppliers*(x), ..., and aggregates over those that read their
// elements' own attributes: CONC-002's critical services relying on each
// vendor). `inputs` are what they read from outside the loop (variables,
// their attributes, arithmetic on them): their values pick the kept result.
// An element whose graph answers the overlay changes is visited again.
struct KeptAggregate {
  std::string kind;
  std::vector<const Expr*> inputs;
  bool follows_suppliers = false, follows_dependents = false;
  bool per_element() const { return follows_suppliers || follows_dependents; }
};

class ColumnZones;

class AggregateMemo {
 public:
  explicit AggregateMemo(const RuleSet& rules);

  // The answers the loaded evaluation remembered for a `where` that reads
  // only its element (one byte per entity and aggregate, see
  // remembered_answers in evaluator.cpp), kept for overlays: CONC-001 asks
  // the same of tens of thousands of services for every vendor it visits
  // again. Not for a `where` that reads a file constant or looks entities up
  // (entities(), entity()): an overlay may change those.
  void keep_answers(const std::vector<std::vector<std::uint8_t>>& answers);
  std::vector<std::uint8_t> kept_answers(const Expr& aggregate) const;
  bool filter_may_change(const Expr& aggregate) const { return filter_may_change_[aggregate.id]; }

  const KeptAggregate* plan(const Expr& aggregate) const {
    const auto& found = plans_[aggregate.id];
    return found ? &*found : nullptr;
  }
  // The key of the aggregate's result in context `c` (the inputs' values);
  // nullopt when an input fails to evaluate or has a value that makes no key (a map).
  static std::optional<std::string> key(const KeptAggregate& plan, Context& c);

  // Each distinct element of a kept list (distinct() of it): its first
  // position in `items`, by join key; made on first use and kept. Null when
  // an element has no join key.
  struct FirstOccurrences {
    std::vector<std::size_t> positions;                    // increasing
    std::unordered_map<std::string, std::size_t> index_of;  // join key -> index into positions
  };
  std::shared_ptr<const FirstOccurrences> first_occurrences(const AggregateTotals& kept) const;

  // Thread-safe: the loaded portfolio's evaluations record, overlays read.
  void record(const Expr& aggregate, std::string key, AggregateTotals totals);
  std::shared_ptr<const AggregateTotals> find(const Expr& aggregate, const std::string& key) const;

 private:
  std::vector<std::optional<KeptAggregate>> plans_;  // per node id
  // Results kept per aggregate, at most kMaxKeptPerAggregate (an aggregate
  // keyed by its rule's subject would otherwise keep one per entity).
  static constexpr std::size_t kMaxKeptPerAggregate = 256;
  std::unordered_map<std::uint32_t, std::unordered_map<std::string, std::shared_ptr<const AggregateTotals>>> kept_;
  mutable std::unordered_map<const AggregateTotals*, std::shared_ptr<const FirstOccurrences>> first_occurrences_;
  std::vector<bool> filter_may_change_;                 // per node id
  std::vector<std::vector<std::uint8_t>> kept_answers_;  // per node id
  mutable std::shared_mutex mutex_;
};

// What an overlay changed, for the aggregates it resumes: the entities it
// added per kind (in id order), the kinds of the loaded entities it replaced
// (an aggregate over those is evaluated again in full, and so is one that
// follows edges when it replaced any), and the loaded entities whose graph
// answers it changes.
class OverlayDelta {
 public:
  OverlayDelta(const AggregateMemo& memo, const ColumnZones* zones, const Portfolio& overlaid, std::size_t base_entity_count,
               std::vector<EntityIndex> overlay_entities, std::size_t base_edge_count);

  const AggregateMemo& base() const { return *base_; }
  // The entities of the plan's kind to visit on top of the kept result, in
  // id order: the added ones, and (for a plan that follows edges) the loaded
  // ones whose graph answers the overlay can change; nullopt when the kept
  // result cannot be used.
  std::optional<std::vector<EntityIndex>> to_visit(const KeptAggregate& plan, const Portfolio& overlaid,
                                                   const LazyGraph& graph) const;
  // Whether the loaded evaluation's remembered `where` answers of this
  // aggregate hold on the overlay: it reads nothing the overlay may change,
  // and no entity was replaced.
  bool answers_hold(const Expr& aggregate) const { return !replaced_any_ && !base_->filter_may_change(aggregate); }
  std::size_t base_entity_count() const { return base_entity_count_; }
  // The loaded portfolio's zones, for rows `begin` to `end` of a kind's table
  // when the overlay has none of them (it adds rows after the loaded ones and
  // replaces some); null otherwise.
  const ColumnZones* zones_for(KindId kind, std::size_t begin, std::size_t end) const;

 private:
  const AggregateMemo* base_;
  const ColumnZones* zones_;
  std::vector<std::pair<KindId, std::size_t>> replaced_rows_;
  std::size_t base_entity_count_, base_edge_count_;
  std::vector<EntityIndex> overlay_entities_;
  std::map<KindId, std::vector<EntityIndex>> added_;
  std::vector<bool> replaced_kind_;  // per KindId
  bool replaced_any_ = false;
  mutable std::once_flag affected_once_;
  mutable std::vector<std::uint8_t> affected_;  // per entity: bit 1 by suppliers, bit 2 by dependents
  mutable std::vector<EntityIndex> affected_loaded_;
};

}  // namespace vigil
