// Which rules, for which subjects, an overlay (entities and edges laid over a
// loaded portfolio for one evaluation) can change: what the engine evaluates
// again for it, instead of the whole portfolio.
#pragma once

#include <functional>
#include <set>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "dsl/functions.hpp"
#include "dsl/rule_set.hpp"
#include "engine/eval/evaluator.hpp"
#include "engine/facts/dependency_graph.hpp"

namespace vigil {

// Which way along the edges a graph function reads from the entity it is
// asked about (an edge from -> to: from relies on to); in_cycle reads both:
// a cycle runs both ways. Null for the other functions.
struct GraphReach {
  Function function;
  bool suppliers;
  bool dependents;
};
const GraphReach* graph_reach(Function function);

// What a rule reads beyond its own subject's attributes, through its lets,
// `when`, message, severity and the file constants it uses.
struct RuleFootprint {
  std::set<std::string> kinds;     // entities("K")
  bool every_kind = false;         // entities() of a computed kind, or entity(id)
  bool follows_suppliers = false;  // suppliers, suppliers*, reaches, path, links, in_cycle
  bool follows_dependents = false; // dependents, dependents*, links_in, in_cycle
  bool follows_both_ways = false;  // functions of both directions, in_cycle aside
  bool only_in_cycle = false;      // in_cycle is the only graph function
};
RuleFootprint footprint_of(const RuleFile& file, const Rule& rule);

// The entities whose graph answers an overlay can change, per direction of
// reading; each list holds the overlay's entities too.
struct Affected {
  std::vector<EntityIndex> by_suppliers;   // those relying on a changed entity or on a new edge's source
  std::vector<EntityIndex> by_dependents;  // those a changed entity or a new edge's target relies on
};
Affected affected_entities(const DependencyGraph& graph, const std::vector<EntityIndex>& overlay_entities,
                           std::size_t base_edge_count);

// The rule scopes to evaluate on `overlaid` (the base portfolio with the
// overlay laid over it): every subject of a rule that reads a kind the overlay
// touches (or reads lists of entities and follows edges the overlay may have
// changed, or follows edges both ways); otherwise the overlay's entities, and the entities whose graph
// answers it can change (those relying on an overlay entity or on the source
// of a new edge, for rules that follow suppliers; those relied on by an
// overlay entity or by the target of a new edge, for rules that follow
// dependents). Portfolio and `for each` rules run when they read a touched
// kind or follow edges. A rule left out gives what the base evaluation gave.
// `graph` is the overlaid portfolio's (Evaluator::graph()).
std::vector<Evaluator::RuleScope> overlay_scopes(const RuleSet& rules, const Portfolio& overlaid,
                                                 const std::vector<EntityIndex>& overlay_entities,
                                                 std::size_t base_edge_count, const LazyGraph& graph);

// The overlay's waivers (those of `overlaid` from `base_waiver_count` on)
// change the status of the findings they name: their rules run again for
// the entities they name (a portfolio or `for each` rule whole).
void add_waived_subjects(std::vector<Evaluator::RuleScope>& scopes, const RuleSet& rules, const Portfolio& overlaid,
                         std::size_t base_waiver_count);

// What each finding and error of the evaluation without the overlay says,
// made once for all the overlays laid over the same portfolio.
struct BaseKeys {
  explicit BaseKeys(const EvaluationResult& base);
  // Whether the evaluation had `f` as it is (severity, message and, when `with_status`, status).
  bool said(const Finding& f, bool with_status) const;
  struct Said {
    Severity severity;
    std::string message;
    FindingStatus status;
  };
  std::unordered_map<std::string, Said> findings;  // by rule and entity
  std::unordered_set<std::string> errors;
};

// What an overlay's evaluation answers: every finding and error of the
// overlay's entities (ids in `overlay_ids`), and those of others that `base`
// (the evaluation without the overlay) does not have as they are.
EvaluationResult overlay_changes(const BaseKeys& base, EvaluationResult overlaid, const std::set<std::string>& overlay_ids);

// The overlay's answer (overlay_changes) from `evaluator` (on the overlaid
// portfolio) over `scopes`, with evidence; `annotate` annotates findings as
// every output shows them. Evidence costs more than deciding (paths, facts,
// values as JSON), and most findings of the scopes are the base evaluation's
// again: this decides without evidence, keeps the changes, and evaluates
// only the rules and subjects of those again, with evidence.
// `waivers_as_loaded`: the overlay brings no waivers, so a loaded entity's
// finding has the status it had (and is compared before it is annotated).
// `threads`: for deciding (0: one per core).
EvaluationResult overlay_answer(Evaluator& evaluator, const RuleSet& rules, const std::vector<Evaluator::RuleScope>& scopes,
                                const BaseKeys& base, const std::set<std::string>& overlay_ids, bool waivers_as_loaded,
                                unsigned threads, const std::function<void(std::vector<Finding>&)>& annotate);

}  // namespace vigil
