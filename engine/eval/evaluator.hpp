// Evaluates a checked rule set over a portfolio as of a date.
#pragma once

#include <functional>
#include <memory>

#include "dsl/rule_set.hpp"
#include "engine/eval/finding.hpp"
#include "engine/facts/portfolio.hpp"

namespace vigil {

class LazyGraph;

class Evaluator {
 public:
  // Overlays::kept: the evaluator keeps the results of aggregates over
  // whole kinds for the overlays laid over its portfolio (aggregate_memo.hpp).
  enum class Overlays { none, kept };
  // The rule set and portfolio must outlive the evaluator. File constants
  // are evaluated here, once.
  Evaluator(const RuleSet& rules, const Portfolio& portfolio, Date today, Overlays overlays = Overlays::none);
  // For an overlay: `overlaid` is `base`'s portfolio with entities and edges
  // added at the end (from `base_edge_count` on), and `overlay_entities` (the
  // added ones and the loaded ones it replaces). Its graph is built on
  // base's, which keeps what base computed, and so are the aggregates base
  // kept (base must outlive this one).
  Evaluator(const RuleSet& rules, const Portfolio& overlaid, Date today, const Evaluator& base, std::size_t base_edge_count,
            const std::vector<EntityIndex>& overlay_entities);
  ~Evaluator();
  Evaluator(const Evaluator&) = delete;
  Evaluator& operator=(const Evaluator&) = delete;

  // Findings without evidence (and the facts read and paths not recorded),
  // for a caller that shows and stores none: the findings are the same.
  void set_evidence(bool on);

  // Called now and then during evaluate_all with the work done and the work in all.
  using Progress = std::function<void(std::size_t done, std::size_t total)>;

  // Applied by each thread to the findings it made, before they are merged:
  // annotation (titles, owners, waivers) then runs on every thread.
  using Finish = std::function<void(std::vector<Finding>&)>;

  // Every rule over every entity of its kind (and each portfolio rule once),
  // on `threads` threads (0: one per core). The result does not depend on it.
  EvaluationResult evaluate_all(unsigned threads = 0, const Progress& progress = {}, const Finish& finish = {}) const;
  // One rule over every subject (`all`) or over the given entities only.
  struct RuleScope {
    const Rule* rule;
    bool all = true;
    std::vector<EntityIndex> entities{};
  };
  // The given rules only, each over its scope (an overlay's evaluation); as evaluate_all otherwise.
  EvaluationResult evaluate_scoped(const std::vector<RuleScope>& scopes, unsigned threads = 0) const;
  // The rules whose kind is the entity's kind, for that entity only.
  EvaluationResult evaluate_entity(EntityIndex entity) const;
  // One rule, for one entity (none for portfolio rules).
  EvaluationResult evaluate_rule(const Rule& rule, std::optional<EntityIndex> entity) const;

  // The value of every sub-expression evaluated while deciding one rule for one entity.
  struct NodeValue {
    const Expr* node;
    Value value;            // the last value (nodes inside aggregates run once per element)
    std::size_t times = 0;  // how often the node was evaluated
    // For aggregates: the elements that decided the last result (the ones
    // counted, summed or listed; the one that made any() true or all()
    // false; the extreme of min() and max()), each with its element value.
    std::vector<std::pair<Value, Value>> deciding{};
  };
  struct Explanation {
    EvaluationResult result;        // the finding or the evaluation error, if any
    std::vector<NodeValue> values;  // in source order
  };
  // One rule for one entity (none for portfolio rules), or for one element
  // of a `for each` rule, named as its findings name it (see each_subjects).
  Explanation explain(const Rule& rule, std::optional<EntityIndex> entity,
                      std::optional<std::string_view> each_subject = std::nullopt) const;
  // The elements a `for each` rule goes over, as its findings name them.
  std::vector<std::string> each_subjects(const Rule& rule) const;

  // The dependency graph the rules read, built on first use.
  const LazyGraph& graph() const;
  const Portfolio& portfolio() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace vigil
