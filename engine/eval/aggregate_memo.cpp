#include "engine/eval/aggregate_memo.hpp"

#include <algorithm>
#include <cstring>
#include <mutex>

#include "dsl/functions.hpp"
#include "engine/eval/context.hpp"

namespace vigil {

namespace {

bool reads_slot(const Expr& e, int slot) {
  if (e.kind == ExprKind::variable && e.binding == Binding::local && e.slot == slot) return true;
  bool found = false;
  for_each_child(e, [&](const Expr& child) { found = found || reads_slot(child, slot); });
  return found;
}

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

// Whether `e` (inside the loop over `slot`) reads of the element only its own
// attributes; collects the parts that do not read the element as inputs.
bool reads_only_own_attributes(const Expr& e, int slot, std::vector<const Expr*>& inputs) {
  if (!reads_slot(e, slot)) {
    if (!free_of_aggregates_and_lookups(e)) return false;
    if (!is_literal(e)) inputs.push_back(&e);
    return true;
  }
  if (e.kind == ExprKind::variable) return true;  // the element itself
  if (e.kind == ExprKind::aggregate) return false;
  if (e.kind == ExprKind::call && (e.function < 0 || reads_beyond_element(static_cast<Function>(e.function)))) return false;
  // An attribute of the element, not of something reached from it (which the overlay may have replaced).
  if (e.kind == ExprKind::member) return e.args[0]->kind == ExprKind::variable;
  bool only = true;
  for_each_child(e, [&](const Expr& child) { only = only && reads_only_own_attributes(child, slot, inputs); });
  return only;
}

std::optional<KeptAggregate> plan_of(const Expr& e) {
  const Expr& source = *e.collection;
  if (e.slot < 0 || source.kind != ExprKind::call || source.function != static_cast<int>(Function::entities) ||
      source.args.size() != 1 || source.args[0]->kind != ExprKind::string)
    return std::nullopt;
  KeptAggregate plan{source.args[0]->text, {}};
  for (const Expr* part : {e.filter.get(), e.element.get()})
    if (part && !reads_only_own_attributes(*part, e.slot, plan.inputs)) return std::nullopt;
  return plan;
}

void plan_all(const Expr& e, std::vector<std::optional<KeptAggregate>>& plans) {
  if (e.kind == ExprKind::aggregate) plans[e.id] = plan_of(e);
  for_each_child(e, [&](const Expr& child) { plan_all(child, plans); });
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

AggregateMemo::AggregateMemo(const RuleSet& rules) : plans_(rules.node_count) {
  for (const auto& file : rules.files)
    for_each_expression_root(file, [&](const ExprPtr& root) { plan_all(*root, plans_); });
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
  if (kept.size() < kMaxKeptPerAggregate) kept.try_emplace(std::move(key), std::move(totals));
}

std::optional<AggregateTotals> AggregateMemo::find(const Expr& aggregate, const std::string& key) const {
  std::shared_lock lock(mutex_);
  auto kept = kept_.find(aggregate.id);
  if (kept == kept_.end()) return std::nullopt;
  auto found = kept->second.find(key);
  if (found == kept->second.end()) return std::nullopt;
  return found->second;
}

OverlayDelta::OverlayDelta(const AggregateMemo& memo, const Portfolio& overlaid, std::size_t base_entity_count,
                           const std::vector<EntityIndex>& overlay_entities)
    : base(&memo), replaced_kind(overlaid.kinds().size(), false) {
  for (EntityIndex e : overlay_entities) {
    if (e < base_entity_count) replaced_kind[overlaid.kind_of(e)] = true;
    else added[overlaid.kind_of(e)].push_back(e);
  }
  for (auto& [kind, entities] : added)
    std::sort(entities.begin(), entities.end(), [&](EntityIndex a, EntityIndex b) { return overlaid.id(a) < overlaid.id(b); });
}

const std::vector<EntityIndex>* OverlayDelta::added_of(const Portfolio& overlaid, const std::string& kind, bool& replaced) const {
  static const std::vector<EntityIndex> kNone;
  const KindTable* table = overlaid.find_kind(kind);
  if (!table) return &kNone;
  auto id = static_cast<KindId>(table - overlaid.kinds().data());
  replaced = replaced_kind[id];
  auto found = added.find(id);
  return found == added.end() ? &kNone : &found->second;
}

}  // namespace vigil
