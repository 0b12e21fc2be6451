#include "engine/eval/overlay_scope.hpp"

#include <algorithm>
#include <unordered_set>

#include <fmt/format.h>

#include "dsl/functions.hpp"
#include "engine/eval/context.hpp"

namespace vigil {
namespace {

constexpr GraphReach kGraphReach[] = {
    {Function::suppliers, true, false},       {Function::suppliers_star, true, false},
    {Function::reaches, true, false},         {Function::path, true, false},
    {Function::links, true, false},           {Function::dependents, false, true},
    {Function::dependents_star, false, true}, {Function::links_in, false, true},
    {Function::in_cycle, true, true},
};

class FootprintWalk {
 public:
  explicit FootprintWalk(const RuleFile& file) : file_(file), constant_seen_(file.constants.size(), false) {}

  void visit(const Expr& e) {
    if (e.kind == ExprKind::variable && e.binding == Binding::constant) visit_constant(e.slot);
    if (e.kind == ExprKind::call && e.function >= 0) visit_call(e);
    for_each_child(e, [&](const Expr& child) { visit(child); });
  }

  RuleFootprint footprint;

 private:
  // A constant is part of the rule's footprint: `active_spend` sums every vendor.
  void visit_constant(int slot) {
    auto index = static_cast<std::size_t>(slot);
    if (slot < 0 || index >= constant_seen_.size() || constant_seen_[index]) return;
    constant_seen_[index] = true;
    visit(*file_.constants[index].value);
  }

  void visit_call(const Expr& e) {
    auto function = static_cast<Function>(e.function);
    if (function == Function::entity) footprint.every_kind = true;
    if (function == Function::entities) {
      const Expr* kind = e.args.empty() ? nullptr : e.args[0].get();
      if (kind && kind->kind == ExprKind::string)
        footprint.kinds.insert(kind->text);
      else
        footprint.every_kind = true;
    }
    if (const GraphReach* reach = graph_reach(function)) {
      footprint.follows_suppliers |= reach->suppliers;
      footprint.follows_dependents |= reach->dependents;
      // in_cycle reads both ways about one entity; other functions read one way from where they are asked.
      if (function != Function::in_cycle) one_way_suppliers_ |= reach->suppliers, one_way_dependents_ |= reach->dependents;
      footprint.follows_both_ways = one_way_suppliers_ && one_way_dependents_;
      footprint.only_in_cycle = !one_way_suppliers_ && !one_way_dependents_;
    }
  }

  const RuleFile& file_;
  std::vector<bool> constant_seen_;
  bool one_way_suppliers_ = false, one_way_dependents_ = false;
};

// `seeds` and every entity one of them reaches by `closure` (transitively).
std::vector<EntityIndex> closure_of(const GraphView& graph, const std::vector<EntityIndex>& seeds, std::size_t entities,
                                    GraphView::ListPtr (GraphView::*closure)(EntityIndex) const) {
  std::vector<bool> seen(entities, false);
  std::vector<EntityIndex> found;
  auto reach = [&](EntityIndex x) {
    if (!seen[x]) seen[x] = true, found.push_back(x);
  };
  for (EntityIndex seed : seeds) {
    reach(seed);
    auto reached = (graph.*closure)(seed);
    reached->for_each_entity(0, reached->size(), reach);
  }
  return found;
}

}  // namespace

const GraphReach* graph_reach(Function function) {
  for (const auto& reach : kGraphReach)
    if (reach.function == function) return &reach;
  return nullptr;
}

// The overlaid graph answers from the loaded one where the overlay changes
// nothing, so this costs what the overlay reaches.
Affected affected_entities(const DependencyGraph& graph, const std::vector<EntityIndex>& overlay_entities,
                           std::size_t base_edge_count) {
  const Portfolio& overlaid = graph.portfolio();
  std::vector<EntityIndex> sources = overlay_entities, targets = overlay_entities;
  for (std::size_t i = base_edge_count; i < overlaid.edges().size(); ++i) {
    sources.push_back(overlaid.edges()[i].from);
    targets.push_back(overlaid.edges()[i].to);
  }
  const GraphView& all = graph.view(DependencyGraph::kAllEdges);
  return {closure_of(all, sources, overlaid.entity_count(), &GraphView::dependents_closure),
          closure_of(all, targets, overlaid.entity_count(), &GraphView::suppliers_closure)};
}

namespace {

// The overlay's entities and, by the directions the rule reads, the affected ones, of the rule's kind.
std::vector<EntityIndex> subjects_to_evaluate(const Rule& rule, const RuleFootprint& reads, const Portfolio& overlaid,
                                              const std::vector<EntityIndex>& overlay_entities,
                                              const Affected* affected) {
  std::vector<EntityIndex> subjects;
  auto take = [&](const std::vector<EntityIndex>& entities) {
    for (EntityIndex e : entities)
      if (overlaid.kind_name(e) == rule.for_kind) subjects.push_back(e);
  };
  take(overlay_entities);
  if (reads.follows_suppliers) take(affected->by_suppliers);
  if (reads.follows_dependents) take(affected->by_dependents);
  std::sort(subjects.begin(), subjects.end());
  subjects.erase(std::unique(subjects.begin(), subjects.end()), subjects.end());
  return subjects;
}

// Which rule and entity a finding is of, to find the ones an overlay added or changed.
std::string finding_key(const Finding& f) {
  std::string key;
  key.reserve(f.rule.size() + 1 + (f.entity ? f.entity->size() : 0));
  key.append(f.rule).push_back('\x1f');
  if (f.entity) key.append(*f.entity);
  return key;
}
std::string error_key(const EvaluationError& e) {
  return fmt::format("{}\x1f{}\x1f{}", e.rule, e.entity.value_or(""), e.message);
}

// The scope of `rule` among `scopes`, added when it has none: whole for a
// portfolio or `for each` rule (a single subject), no entity yet otherwise.
Evaluator::RuleScope& scope_of(std::vector<Evaluator::RuleScope>& scopes, const Rule& rule) {
  auto scope = std::find_if(scopes.begin(), scopes.end(), [&](const Evaluator::RuleScope& s) { return s.rule == &rule; });
  if (scope != scopes.end()) return *scope;
  return scopes.emplace_back(Evaluator::RuleScope{&rule, rule.for_portfolio || rule.each_collection, {}});
}

// Whether a finding or an error is of one of the overlay's entities (always answered).
bool of_overlay(const std::optional<std::string>& entity, const std::set<std::string>& overlay_ids) {
  return entity && overlay_ids.count(*entity);
}

// The scopes that give `findings` again (a portfolio or `for each` rule whole).
std::vector<Evaluator::RuleScope> scopes_of_findings(const RuleSet& rules, const Portfolio& overlaid,
                                                     const std::vector<Finding>& findings) {
  std::vector<Evaluator::RuleScope> scopes;
  for (const auto& f : findings) {
    const Rule* rule = rules.find_rule(f.rule);
    if (!rule) continue;
    auto& scope = scope_of(scopes, *rule);
    if (!scope.all && f.entity)
      if (auto entity = overlaid.find(*f.entity)) scope.entities.push_back(*entity);
  }
  return scopes;
}

// The findings of `detailed` (evaluated with evidence) that `answer` has, with answer's errors.
EvaluationResult answered_findings(EvaluationResult detailed, const EvaluationResult& answer) {
  BaseKeys wanted(answer);
  EvaluationResult kept;
  for (auto& f : detailed.findings)
    if (wanted.said(f, true)) kept.findings.push_back(std::move(f));
  kept.errors = answer.errors;
  return kept;
}

}  // namespace

BaseKeys::BaseKeys(const EvaluationResult& base) {
  findings.reserve(base.findings.size());
  for (const auto& f : base.findings) findings.emplace(finding_key(f), Said{f.severity, f.message, f.status});
  for (const auto& e : base.errors) errors.insert(error_key(e));
}

bool BaseKeys::said(const Finding& f, bool with_status) const {
  auto found = findings.find(finding_key(f));
  return found != findings.end() && found->second.severity == f.severity && found->second.message == f.message &&
         (!with_status || found->second.status == f.status);
}

EvaluationResult overlay_changes(const BaseKeys& base, EvaluationResult overlaid, const std::set<std::string>& overlay_ids) {
  EvaluationResult changes;
  for (auto& f : overlaid.findings)
    if (of_overlay(f.entity, overlay_ids) || !base.said(f, true)) changes.findings.push_back(std::move(f));
  for (auto& e : overlaid.errors)
    if (of_overlay(e.entity, overlay_ids) || !base.errors.count(error_key(e))) changes.errors.push_back(std::move(e));
  return changes;
}

RuleFootprint footprint_of(const RuleFile& file, const Rule& rule) {
  FootprintWalk walk(file);
  for_each_expression_root(rule, [&](const ExprPtr& root) { walk.visit(*root); });
  return walk.footprint;
}

std::vector<Evaluator::RuleScope> overlay_scopes(const RuleSet& rules, const Portfolio& overlaid,
                                                 const std::vector<EntityIndex>& overlay_entities,
                                                 std::size_t base_edge_count, const LazyGraph& graph) {
  std::set<std::string> touched_kinds;
  for (EntityIndex e : overlay_entities) touched_kinds.insert(overlaid.kind_name(e));
  bool graph_changed = !overlay_entities.empty() || overlaid.edges().size() > base_edge_count;
  std::optional<Affected> affected;  // computed when a rule needs it

  std::vector<Evaluator::RuleScope> scopes;
  for (const auto& file : rules.files)
    for (const auto& rule : file.rules) {
      RuleFootprint reads = footprint_of(file, rule);
      // in_cycle() answers as the loaded graph does for every loaded entity
      // unless an overlay edge is on a cycle: CYC-001 need not run again for
      // each vendor the overlay's edges reach.
      if (reads.only_in_cycle && graph_changed && !graph.get().view(DependencyGraph::kAllEdges).overlay_closes_a_cycle())
        reads.follows_suppliers = reads.follows_dependents = false;
      bool follows_edges = reads.follows_suppliers || reads.follows_dependents;
      bool reads_touched_kind =
          reads.every_kind || std::any_of(reads.kinds.begin(), reads.kinds.end(),
                                          [&](const std::string& kind) { return touched_kinds.count(kind) > 0; });
      // Entities taken from a list rather than reached from the subject may
      // be anywhere in the graph: following edges from them is not local.
      bool lists_and_follows = (!reads.kinds.empty() || reads.every_kind) && follows_edges && graph_changed;
      // Reading one way from entities reached the other way (the dependents
      // of a subject's suppliers) reaches beyond both directions' entities.
      bool follows_both_ways = reads.follows_both_ways && graph_changed;
      bool single_subject = rule.for_portfolio || rule.each_collection;
      if (reads_touched_kind || lists_and_follows || follows_both_ways || (single_subject && follows_edges && graph_changed)) {
        scopes.push_back({&rule, true, {}});
        continue;
      }
      if (single_subject) continue;
      if (follows_edges && !affected) affected = affected_entities(graph.get(), overlay_entities, base_edge_count);
      Evaluator::RuleScope scope{&rule, false,
                                 subjects_to_evaluate(rule, reads, overlaid, overlay_entities, affected ? &*affected : nullptr)};
      if (!scope.entities.empty()) scopes.push_back(std::move(scope));
    }
  return scopes;
}

void add_waived_subjects(std::vector<Evaluator::RuleScope>& scopes, const RuleSet& rules, const Portfolio& overlaid,
                         std::size_t base_waiver_count) {
  for (std::size_t w = base_waiver_count; w < overlaid.waivers.size(); ++w) {
    const Waiver& waiver = overlaid.waivers[w];
    const Rule* rule = rules.find_rule(waiver.rule);
    auto entity = overlaid.find(waiver.entity);
    bool single_subject = rule && (rule->for_portfolio || rule->each_collection);
    if (!rule || (!single_subject && (!entity || overlaid.kind_name(*entity) != rule->for_kind))) continue;
    auto& scope = scope_of(scopes, *rule);
    if (scope.all) continue;
    scope.entities.push_back(*entity);  // once, however many waivers name it
    std::sort(scope.entities.begin(), scope.entities.end());
    scope.entities.erase(std::unique(scope.entities.begin(), scope.entities.end()), scope.entities.end());
  }
}

EvaluationResult overlay_answer(Evaluator& evaluator, const RuleSet& rules, const std::vector<Evaluator::RuleScope>& scopes,
                                const BaseKeys& base, const std::set<std::string>& overlay_ids, bool waivers_as_loaded,
                                unsigned threads, const std::function<void(std::vector<Finding>&)>& annotate) {
  evaluator.set_evidence(false);
  EvaluationResult decided = evaluator.evaluate_scoped(scopes, threads);
  // Most findings decided again are the loaded evaluation's word for word
  // (CONC-001 for the thousand vendors a new subcontracting edge reaches):
  // left out before they are annotated.
  if (waivers_as_loaded)
    std::erase_if(decided.findings, [&](const Finding& f) { return !of_overlay(f.entity, overlay_ids) && base.said(f, false); });
  annotate(decided.findings);
  EvaluationResult answer = overlay_changes(base, std::move(decided), overlay_ids);
  evaluator.set_evidence(true);
  if (answer.findings.empty()) return answer;
  // The findings it answers, a few subjects: one thread (starting another costs more than they do).
  EvaluationResult detailed = evaluator.evaluate_scoped(scopes_of_findings(rules, evaluator.portfolio(), answer.findings), 1);
  annotate(detailed.findings);
  return answered_findings(std::move(detailed), answer);
}

}  // namespace vigil
