#include "engine/eval/aggregate_memo.hpp"

#include <algorithm>
#include <mutex>

#include "dsl/functions.hpp"
#include "engine/eval/context.hpp"
#include "engine/eval/overlay_scope.hpp"
#include "engine/eval/quick_when.hpp"

namespace vigil {

namespace {

// Calls whose answer an overlay can change for an element that it leaves as
// it is: the graph, and the functions that find other entities.
bool reads_beyond_element(Function f) {
  return function_info(f).graph || f == Function::entities || f == Function::entity;
}

bool is_literal(const Expr& e) {
  switch (e.kind) {
    case ExprKind::number:
    case ExprKind::string:
    case ExprKind::boolean:
    case ExprKind::date:
    case ExprKind::duration:
    case ExprKind::today: return true;
    default: return false;
  }
}

bool free_of_aggregates_and_lookups(const Expr& e) {
  if (e.kind == ExprKind::aggregate) return false;
  if (e.kind == ExprKind::call && (e.function < 0 || reads_beyond_element(static_cast<Function>(e.function)))) return false;
  bool free = true;
  for_each_child(e, [&](const Expr& child) { free = free && free_of_aggregates_and_lookups(child); });
  return free;
}

// Decides whether an aggregate's body reads of its element (`outer`) only its
// own attributes and its graph answers, and of the elements of aggregates
// over those only their own attributes; collects the parts that read no
// element as inputs.
class BodyWalk {
 public:
  BodyWalk(int outer, KeptAggregate& plan) : outer_(outer), elements_{outer}, plan_(plan) {}

  bool reads_only_own(const Expr& e) {
    if (!reads_element(e)) {
      if (!free_of_aggregates_and_lookups(e)) return false;
      if (!is_literal(e)) plan_.inputs.push_back(&e);
      return true;
    }
    switch (e.kind) {
      case ExprKind::variable: return true;  // an element itself
      // An attribute of an element, not of something reached from it (which the overlay may have replaced).
      case ExprKind::member: return e.args[0]->kind == ExprKind::variable;
      case ExprKind::call: return call_reads_only_own(e);
      case ExprKind::aggregate: {
        if (!reads_only_own(*e.collection)) return false;
        if (e.slot >= 0) elements_.push_back(e.slot);
        return (!e.filter || reads_only_own(*e.filter)) && (!e.element || reads_only_own(*e.element));
      }
      default: return children_read_only_own(e);
    }
  }

 private:
  bool reads_element(const Expr& e) const {
    if (e.kind == ExprKind::variable && e.binding == Binding::local &&
        std::find(elements_.begin(), elements_.end(), e.slot) != elements_.end())
      return true;
    bool found = false;
    for_each_child(e, [&](const Expr& child) { found = found || reads_element(child); });
    return found;
  }

  bool children_read_only_own(const Expr& e) {
    bool only = true;
    for_each_child(e, [&](const Expr& child) { only = only && reads_only_own(child); });
    return only;
  }

  // A graph function of the outer element (whose answers the overlay's graph
  // marks), or a function that reads nothing beyond its arguments.
  bool call_reads_only_own(const Expr& e) {
    if (e.function < 0) return false;
    auto function = static_cast<Function>(e.function);
    // The functions of one entity: the overlay's graph marks whose answers
    // change by direction (it puts x on a cycle only by changing what x
    // relies on and what relies on x). reaches() and path() ask about two.
    const GraphReach* graph = graph_reach(function);
    if (graph && function != Function::reaches && function != Function::path) {
      const Expr& subject = *e.args[0];
      if (subject.kind != ExprKind::variable || subject.binding != Binding::local || subject.slot != outer_) return false;
      plan_.follows_suppliers |= graph->suppliers;
      plan_.follows_dependents |= graph->dependents;
      for (std::size_t i = 1; i < e.args.size(); ++i)
        if (!reads_only_own(*e.args[i])) return false;
      return true;
    }
    return !reads_beyond_element(function) && children_read_only_own(e);
  }

  int outer_;
  std::vector<int> elements_;  // the outer element and the elements of aggregates inside
  KeptAggregate& plan_;
};

std::optional<KeptAggregate> plan_of(const Expr& e) {
  const Expr& source = *e.collection;
  if (e.slot < 0 || source.kind != ExprKind::call || source.function != static_cast<int>(Function::entities) ||
      source.args.size() != 1 || source.args[0]->kind != ExprKind::string)
    return std::nullopt;
  KeptAggregate plan{source.args[0]->text, {}};
  BodyWalk walk(e.slot, plan);
  for (const Expr* part : {e.filter.get(), e.element.get()})
    if (part && !walk.reads_only_own(*part)) return std::nullopt;
  return plan;
}

// What an overlay can change beyond the entity asked about: a file constant
// (`active_spend`), or the entities of a kind or of an id.
bool reads_what_overlays_change(const Expr& e) {
  if (e.kind == ExprKind::variable && e.binding == Binding::constant) return true;
  if (e.kind == ExprKind::call && (e.function == static_cast<int>(Function::entities) || e.function == static_cast<int>(Function::entity)))
    return true;
  bool found = false;
  for_each_child(e, [&](const Expr& child) { found = found || reads_what_overlays_change(child); });
  return found;
}

void plan_all(const Expr& e, std::vector<std::optional<KeptAggregate>>& plans, std::vector<bool>& filter_may_change) {
  if (e.kind == ExprKind::aggregate) {
    plans[e.id] = plan_of(e);
    filter_may_change[e.id] = e.filter && reads_what_overlays_change(*e.filter);
  }
  for_each_child(e, [&](const Expr& child) { plan_all(child, plans, filter_may_change); });
}

template <class T>
void append_bytes(std::string& key, const T& value) {
  key.append(reinterpret_cast<const char*>(&value), sizeof value);
}

bool append_key(std::string& key, const Value& v) {
  key.push_back(static_cast<char>(v.type()));
  switch (v.type()) {
    case ValueType::missing: return true;
    case ValueType::boolean: key.push_back(v.as_bool() ? '1' : '0'); return true;
    case ValueType::number: append_bytes(key, v.as_number()); return true;
    case ValueType::date: append_bytes(key, v.as_date()); return true;
    case ValueType::duration: append_bytes(key, v.as_duration()); return true;
    case ValueType::entity: append_bytes(key, v.as_entity()); return true;
    case ValueType::string:
      append_bytes(key, v.as_string().size());
      key.append(v.as_string());
      return true;
    case ValueType::list: {
      const ListData& items = v.as_list();
      append_bytes(key, items.size());
      for (std::size_t i = 0; i < items.size(); ++i)
        if (!append_key(key, items[i])) return false;
      return true;
    }
    default: return false;
  }
}

}  // namespace

AggregateMemo::AggregateMemo(const RuleSet& rules)
    : plans_(rules.node_count), filter_may_change_(rules.node_count, false), kept_answers_(rules.node_count) {
  for (const auto& file : rules.files)
    for_each_expression_root(file, [&](const ExprPtr& root) { plan_all(*root, plans_, filter_may_change_); });
}

void AggregateMemo::keep_answers(const std::vector<std::vector<std::uint8_t>>& answers) {
  std::unique_lock lock(mutex_);
  for (std::size_t node = 0; node < answers.size() && node < kept_answers_.size(); ++node) {
    if (answers[node].empty() || filter_may_change_[node]) continue;
    auto& kept = kept_answers_[node];
    if (kept.empty()) {
      kept = answers[node];
      continue;
    }
    for (std::size_t e = 0; e < kept.size() && e < answers[node].size(); ++e)
      if (kept[e] == 0) kept[e] = answers[node][e];  // 0: not known yet
  }
}

std::vector<std::uint8_t> AggregateMemo::kept_answers(const Expr& aggregate) const {
  std::shared_lock lock(mutex_);
  return kept_answers_[aggregate.id];
}

std::optional<std::string> AggregateMemo::key(const KeptAggregate& plan, Context& c) {
  std::string key;
  try {
    for (const Expr* input : plan.inputs)
      if (!append_key(key, eval(*input, c))) return std::nullopt;
  } catch (const EvalFailure&) {  // the aggregate's own evaluation gives the error, if it comes to it
    return std::nullopt;
  }
  return key;
}

void AggregateMemo::record(const Expr& aggregate, std::string key, AggregateTotals totals) {
  {
    std::shared_lock reading(mutex_);  // mostly kept already: every subject of a rule evaluates its aggregates
    auto kept = kept_.find(aggregate.id);
    if (kept != kept_.end() && (kept->second.size() >= kMaxKeptPerAggregate || kept->second.count(key))) return;
  }
  std::unique_lock lock(mutex_);
  auto& kept = kept_[aggregate.id];
  if (kept.size() < kMaxKeptPerAggregate && !kept.count(key))
    kept.emplace(std::move(key), std::make_shared<const AggregateTotals>(std::move(totals)));
}

std::shared_ptr<const AggregateTotals> AggregateMemo::find(const Expr& aggregate, const std::string& key) const {
  std::shared_lock lock(mutex_);
  auto kept = kept_.find(aggregate.id);
  if (kept == kept_.end()) return nullptr;
  auto found = kept->second.find(key);
  return found == kept->second.end() ? nullptr : found->second;
}

std::shared_ptr<const AggregateMemo::FirstOccurrences> AggregateMemo::first_occurrences(const AggregateTotals& kept) const {
  {
    std::shared_lock lock(mutex_);
    if (auto found = first_occurrences_.find(&kept); found != first_occurrences_.end()) return found->second;
  }
  auto firsts = std::make_shared<FirstOccurrences>();
  for (std::size_t p = 0; p < kept.items.size(); ++p) {
    std::string key = Portfolio::join_key(kept.items[p]);
    if (key.empty()) {
      firsts = nullptr;
      break;
    }
    if (firsts->index_of.try_emplace(std::move(key), firsts->positions.size()).second) firsts->positions.push_back(p);
  }
  std::unique_lock lock(mutex_);
  return first_occurrences_.try_emplace(&kept, std::move(firsts)).first->second;
}

OverlayDelta::OverlayDelta(const AggregateMemo& memo, const ColumnZones* zones, const Portfolio& overlaid,
                           std::size_t base_entity_count, std::vector<EntityIndex> overlay_entities, std::size_t base_edge_count)
    : base_(&memo), zones_(zones), base_entity_count_(base_entity_count), base_edge_count_(base_edge_count),
      overlay_entities_(std::move(overlay_entities)), replaced_kind_(overlaid.kinds().size(), false) {
  for (EntityIndex e : overlay_entities_) {
    if (e < base_entity_count) {
      replaced_kind_[overlaid.kind_of(e)] = true, replaced_any_ = true;
      replaced_rows_.emplace_back(overlaid.kind_of(e), overlaid.row(e));
    } else added_[overlaid.kind_of(e)].push_back(e);
  }
  for (auto& [kind, entities] : added_)
    std::sort(entities.begin(), entities.end(), overlaid.by_id());
}

const ColumnZones* OverlayDelta::zones_for(KindId kind, std::size_t begin, std::size_t end) const {
  if (!zones_ || end > zones_->rows(kind)) return nullptr;
  for (const auto& [replaced_kind, row] : replaced_rows_)
    if (replaced_kind == kind && row >= begin && row < end) return nullptr;
  return zones_;
}

std::optional<std::vector<EntityIndex>> OverlayDelta::to_visit(const KeptAggregate& plan, const Portfolio& overlaid,
                                                               const LazyGraph& graph) const {
  const KindTable* table = overlaid.find_kind(plan.kind);
  if (!table) return std::vector<EntityIndex>{};
  auto kind = static_cast<KindId>(table - overlaid.kinds().data());
  // A replaced entity changes what the elements' graph answers list, not only itself.
  if (replaced_kind_[kind] || (plan.per_element() && replaced_any_)) return std::nullopt;
  auto added = added_.find(kind);
  std::vector<EntityIndex> visit = added == added_.end() ? std::vector<EntityIndex>{} : added->second;
  if (!plan.per_element()) return visit;
  auto by_id = overlaid.by_id();
  std::call_once(affected_once_, [&] {
    Affected affected = affected_entities(graph.get(), overlay_entities_, base_edge_count_);
    affected_.assign(overlaid.entity_count(), 0);
    for (EntityIndex e : affected.by_suppliers) affected_[e] |= 1;
    for (EntityIndex e : affected.by_dependents) affected_[e] |= 2;
    for (EntityIndex e = 0; e < base_entity_count_; ++e)
      if (affected_[e]) affected_loaded_.push_back(e);
    std::sort(affected_loaded_.begin(), affected_loaded_.end(), by_id);
  });
  std::uint8_t wanted = (plan.follows_suppliers ? 1 : 0) | (plan.follows_dependents ? 2 : 0);
  std::size_t added_count = visit.size();
  for (EntityIndex e : affected_loaded_)
    if ((affected_[e] & wanted) && overlaid.kind_of(e) == kind) visit.push_back(e);
  std::inplace_merge(visit.begin(), visit.begin() + static_cast<std::ptrdiff_t>(added_count), visit.end(), by_id);
  return visit;
}

}  // namespace vigil
