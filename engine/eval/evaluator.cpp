// A tree-walking interpreter over the checked AST.
//
// Missing follows three-valued (Kleene) logic: `false and missing` is false,
// `true or missing` is true, any comparison or arithmetic with a missing
// operand is missing, and a missing `when` does not fire. A value of an
// unexpected type raises EvalFailure, which ends the evaluation of that rule
// for that entity only and becomes an EvaluationError.
#include "engine/eval/evaluator.hpp"

#include <algorithm>
#include <atomic>
#include <cmath>
#include <thread>
#include <unordered_map>

#include <boost/container/small_vector.hpp>

#include "dsl/functions.hpp"
#include "engine/eval/builtins.hpp"
#include "engine/eval/context.hpp"
#include "engine/eval/evidence.hpp"
#include "engine/eval/overlay_scope.hpp"
#include "engine/eval/quick_when.hpp"

namespace vigil {
namespace {

Value eval_node(const Expr& e, Context& c);


Value eval_member(const Expr& e, Context& c) {
  Value base = eval(*e.args[0], c);
  if (base.is_missing()) return base;
  if (base.is(ValueType::map)) return base.as_map().find(e.text);  // a record's field
  if (!base.is(ValueType::entity))
    fail(e, fmt::format("cannot read attribute '{}' of {}", e.text, describe_value(base, c.portfolio)));
  EntityIndex entity = base.as_entity();
  if (e.builtin == Expr::Builtin::id) return Value::string_view(c.portfolio.id(entity));
  if (e.builtin == Expr::Builtin::kind) return Value::string_view(c.portfolio.kind_name(entity));
  KindId kind = c.portfolio.kind_of(entity);
  auto& cached = c.column_cache[e.id];
  if (cached.first != kind || cached.second == kNoColumn)
    cached = {kind, c.portfolio.kinds()[kind].column(e.text)};
  Value value = c.portfolio.attribute(entity, cached.second);
  record_read(c, entity, e.text, value);
  return value;
}

// A missing condition gives missing; only the branch taken is evaluated.
Value eval_conditional(const Expr& e, Context& c) {
  auto condition = truth(*e.args[0], eval(*e.args[0], c), "'if'", c);
  if (!condition) return Value::missing();
  return eval(*e.args[*condition ? 1 : 2], c);
}

Value eval_map(const Expr& e, Context& c) {
  std::vector<std::pair<std::string, Value>> entries;
  for (std::size_t i = 0; i + 1 < e.args.size(); i += 2) entries.emplace_back(e.args[i]->text, eval(*e.args[i + 1], c));
  return make_map(std::move(entries));
}

// l[i]: 0-based, missing when negative, fractional or out of range; m[k]: missing when absent.
Value eval_index(const Expr& e, Context& c) {
  Value base = eval(*e.args[0], c);
  Value key = eval(*e.args[1], c);
  if (base.is_missing() || key.is_missing()) return Value::missing();
  if (base.is(ValueType::map)) return base.as_map().find(expect(*e.args[1], key, ValueType::string, c).as_string());
  if (!base.is(ValueType::list))
    fail(e, fmt::format("cannot index {}: only lists and maps can be indexed", describe_value(base, c.portfolio)));
  double position = expect(*e.args[1], key, ValueType::number, c).as_number();
  const auto& list = base.as_list();
  if (position < 0 || std::trunc(position) != position || position >= static_cast<double>(list.size()))
    return Value::missing();
  return list[static_cast<std::size_t>(position)];
}

Value eval_logic_operands(const Expr& e, Context& c) {
  const char* word = e.op == Op::and_ ? "'and'" : "'or'";
  bool deciding = e.op == Op::or_;  // the value that decides without the other side
  auto lhs = truth(*e.args[0], eval(*e.args[0], c), word, c);
  if (lhs == deciding) return Value::boolean(deciding);
  auto rhs = truth(*e.args[1], eval(*e.args[1], c), word, c);
  if (rhs == deciding) return Value::boolean(deciding);
  if (!lhs || !rhs) return Value::missing();
  return Value::boolean(!deciding);
}

Value eval_logic(const Expr& e, Context& c) {
  PathMark mark(c);
  Value result = eval_logic_operands(e, c);
  mark.keep_only_if(c, result);
  return result;
}

void require_same_type(const Expr& e, const Value& a, const Value& b, const Context& c) {
  if (a.type() != b.type())
    fail(e, fmt::format("cannot compare {} with {}", describe_value(a, c.portfolio), describe_value(b, c.portfolio)));
}

Value eval_comparison(const Expr& e, const Value& a, const Value& b, Context& c) {
  if (a.is_missing() || b.is_missing()) return Value::missing();
  require_same_type(e, a, b, c);
  if (e.op == Op::eq) return Value::boolean(same_value(a, b));
  if (e.op == Op::ne) return Value::boolean(!same_value(a, b));
  if (!orderable(a.type()))
    fail(e, fmt::format("'{}' cannot order {} values", op_text(e.op), type_name(a.type())));
  auto o = order_values(a, b);
  switch (e.op) {
    case Op::lt: return Value::boolean(o < 0);
    case Op::le: return Value::boolean(o <= 0);
    case Op::gt: return Value::boolean(o > 0);
    default: return Value::boolean(o >= 0);
  }
}

Value eval_membership(const Expr& e, const Value& item, const Value& list, Context& c) {
  if (item.is_missing() || list.is_missing()) return Value::missing();
  if (!list.is(ValueType::list))
    fail(e, fmt::format("'{}' needs a list on its right but got {}", op_text(e.op), describe_value(list, c.portfolio)));
  bool found = std::any_of(list.as_list().begin(), list.as_list().end(),
                           [&](const Value& candidate) { return same_value(item, candidate); });
  return Value::boolean(e.op == Op::in ? found : !found);
}

// Calendar arithmetic that leaves the representable range is an error for
// this entity, never a date that wrapped around.
Value in_range(const Expr& e, std::optional<Date> date) {
  if (!date) fail(e, "date out of range: dates run from 0000-01-01 to 9999-12-31");
  return Value::date(*date);
}
Value in_range(const Expr& e, std::optional<Duration> duration) {
  if (!duration) fail(e, "duration out of range: durations are whole days or months up to 10000 years");
  return Value::duration(*duration);
}

Value number_arithmetic(const Expr& e, double a, double b) {
  switch (e.op) {
    case Op::add: return Value::number(a + b);
    case Op::sub: return Value::number(a - b);
    case Op::mul: return Value::number(a * b);
    default:
      if (b == 0) fail(e, "division by zero");
      return Value::number(e.op == Op::div ? a / b : std::fmod(a, b));
  }
}

Value duration_arithmetic(const Expr& e, const Value& a, const Value& b) {
  if (a.is(ValueType::date)) return Value::duration(difference(a.as_date(), b.as_date()));  // date - date
  if (e.op == Op::mul) {
    Duration d = a.is(ValueType::duration) ? a.as_duration() : b.as_duration();
    double n = a.is(ValueType::number) ? a.as_number() : b.as_number();
    if (std::trunc(n) != n) fail(e, "a duration can only be multiplied by a whole number");
    return in_range(e, make_duration(d.months * n, d.days * n));
  }
  Duration rhs = e.op == Op::sub ? negate(b.as_duration()) : b.as_duration();
  return in_range(e, add(a.as_duration(), rhs));
}

// Which operand types an operator accepts, and what it gives, come from the
// table the checker uses (dsl/functions.cpp); only the arithmetic is here.
Value eval_arithmetic(const Expr& e, const Value& a, const Value& b, Context& c) {
  if (a.is_missing() || b.is_missing()) return Value::missing();
  auto result = arithmetic_result(e.op, a.type(), b.type());
  if (!result)
    fail(e, fmt::format("cannot apply '{}' to {} and {}", op_text(e.op), describe_value(a, c.portfolio),
                        describe_value(b, c.portfolio)));
  switch (*result) {
    case ValueType::number: return number_arithmetic(e, a.as_number(), b.as_number());
    case ValueType::string: return Value::string(std::string(a.as_string()) + std::string(b.as_string()));
    case ValueType::date: {  // date +/- duration, duration + date
      const Value& date = a.is(ValueType::date) ? a : b;
      Duration by = a.is(ValueType::date) ? b.as_duration() : a.as_duration();
      return in_range(e, add(date.as_date(), e.op == Op::sub ? negate(by) : by));
    }
    default: return duration_arithmetic(e, a, b);
  }
}

Value eval_binary(const Expr& e, Context& c) {
  switch (e.op) {
    case Op::and_:
    case Op::or_: return eval_logic(e, c);
    case Op::coalesce: {
      Value lhs = eval(*e.args[0], c);
      return lhs.is_missing() ? eval(*e.args[1], c) : lhs;
    }
    default: break;
  }
  Value a = eval(*e.args[0], c);
  Value b = eval(*e.args[1], c);
  if (is_comparison(e.op)) return eval_comparison(e, a, b, c);
  switch (e.op) {
    case Op::in:
    case Op::not_in: return eval_membership(e, a, b, c);
    default: return eval_arithmetic(e, a, b, c);
  }
}

Value eval_unary(const Expr& e, Context& c) {
  PathMark mark(c);
  Value v = eval(*e.args[0], c);
  if (e.op == Op::not_) {
    Value result = v.is_missing() ? v : Value::boolean(!*truth(e, v, "'not'", c));
    mark.keep_only_if(c, result);
    return result;
  }
  if (v.is_missing()) return v;
  if (v.is(ValueType::number)) return Value::number(-v.as_number());
  if (v.is(ValueType::duration)) return Value::duration(negate(v.as_duration()));
  fail(e, fmt::format("cannot negate {}", describe_value(v, c.portfolio)));
}

std::optional<Value> distinct_of_kept_list(const Expr& call, Context& c);
std::optional<Value> hhi_of_kept_list(const Expr& call, Context& c);

// Functions of a whole list that an overlay answers from a kept list
// without making the list again (100,000 spends or countries, for a vendor).
struct KeptListFunction {
  Function function;
  std::optional<Value> (*resume)(const Expr& call, Context& c);
};
constexpr KeptListFunction kKeptListFunctions[] = {
    {Function::distinct, distinct_of_kept_list},
    {Function::hhi, hhi_of_kept_list},
};

// Arguments on the stack: a rule such as SPOF-001 calls reaches() for every
// element of a supply chain, and allocating them was a tenth of its time.
Value eval_call(const Expr& e, Context& c) {
  if (c.overlay_delta)
    for (const auto& kept : kKeptListFunctions)
      if (e.function == static_cast<int>(kept.function))
        if (auto resumed = kept.resume(e, c)) return std::move(*resumed);
  boost::container::small_vector<Value, 4> args;
  for (const auto& arg : e.args) args.push_back(eval(*arg, c));
  return call_builtin(e, {args.data(), args.size()}, c);
}

// count / any / all / sum / min / max / list over a collection.
class AggregateState {
 public:
  AggregateState(const Expr& e, Context& c, AggregateTotals totals = {})
      : e_(e), c_(c), function_(static_cast<Function>(e.function)), t_(std::move(totals)) {}

  // Returns true when the result is decided and the loop can stop. `source`:
  // the entity the element came from, for a result kept for overlays (see
  // aggregate_memo.hpp), listed with what it added to a count, sum or list.
  bool add(const Value& element, std::optional<bool> predicate, std::optional<EntityIndex> source = std::nullopt) {
    switch (function_) {
      case Function::count:
        if (predicate.value_or(false)) {
          ++t_.count;
          if (source) t_.listed.push_back(*source);
        }
        return false;
      case Function::any:
      case Function::all: {
        bool deciding = function_ == Function::any;
        if (predicate == deciding) {
          t_.decided = true;
          return true;
        }
        if (!predicate) t_.saw_missing = true;
        return false;
      }
      default: break;
    }
    if (!predicate.value_or(false) || element.is_missing()) return false;
    if (function_ == Function::list) {
      t_.items.push_back(element);
      if (source) t_.listed.push_back(*source);
    } else if (function_ == Function::sum) {
      add_to_sum(element);
      if (source) t_.items.push_back(element), t_.listed.push_back(*source);
    } else {
      keep_extreme(element);
    }
    return false;
  }

  Value result() const {
    switch (function_) {
      case Function::count: return Value::number(static_cast<double>(t_.count));
      case Function::any: return t_.decided ? Value::boolean(true) : t_.saw_missing ? Value() : Value::boolean(false);
      case Function::all: return t_.decided ? Value::boolean(false) : t_.saw_missing ? Value() : Value::boolean(true);
      case Function::sum: return t_.sum.is_missing() ? Value::number(0) : t_.sum;
      case Function::list: return Value::list(t_.items);
      default: return t_.extreme;
    }
  }

  AggregateTotals& totals() { return t_; }

 private:
  void add_to_sum(const Value& v) {
    if (v.is(ValueType::number)) {
      double n = v.as_number();
      t_.exact = t_.exact && std::trunc(n) == n && std::abs(n) < kExactUpTo;
    }
    if (t_.sum.is_missing() && (v.is(ValueType::number) || v.is(ValueType::duration))) {
      t_.sum = v;
      return;
    }
    if (v.is(ValueType::number) && t_.sum.is(ValueType::number)) {
      t_.sum = Value::number(t_.sum.as_number() + v.as_number());
      t_.exact = t_.exact && std::abs(t_.sum.as_number()) < kExactUpTo;
    } else if (v.is(ValueType::duration) && t_.sum.is(ValueType::duration)) {
      t_.sum = in_range(e_, vigil::add(t_.sum.as_duration(), v.as_duration()));
    } else {
      fail(e_, fmt::format("sum() adds numbers or durations but got {}", describe_value(v, c_.portfolio)));
    }
  }

  void keep_extreme(const Value& v) {
    if (!orderable(v.type()))
      fail(e_, fmt::format("{}() needs values with an order but got {}", e_.text, describe_value(v, c_.portfolio)));
    if (t_.extreme.is_missing()) {
      t_.extreme = v;
      return;
    }
    require_same_type(e_, v, t_.extreme, c_);
    auto o = order_values(v, t_.extreme);
    if (function_ == Function::min ? o < 0 : o > 0) t_.extreme = v;
  }

  static constexpr double kExactUpTo = 9007199254740992.0;  // 2^53
  const Expr& e_;
  Context& c_;
  Function function_;
  AggregateTotals t_;
};

// A `where` that reads only its element gives the same value for an entity
// every time: it is remembered per entity, and evaluated again only while
// the finding's evidence still records the facts read (the first 50), so
// that evidence is exactly what evaluating every element gives. R5 (count
// the critical services that rely on each vendor, transitively) visits the
// same services about a thousand times each. Not under `explain`, which
// counts every evaluation.
enum RememberedAnswer : std::uint8_t { kNotYet, kFalse, kTrue, kMissing };

std::vector<std::uint8_t>& remembered_answers(const Expr& e, Context& c) {
  auto& answers = c.element_filter_cache[e.id];
  if (answers.empty()) {
    if (c.overlay_delta && c.overlay_delta->answers_hold(e)) answers = c.overlay_delta->base().kept_answers(e);
    answers.resize(c.portfolio.entity_count(), kNotYet);
  }
  return answers;
}

std::uint8_t remembered(std::optional<bool> predicate) { return !predicate ? kMissing : *predicate ? kTrue : kFalse; }

std::optional<bool> filter_value(const Expr& e, const Value& item, Context& c) {
  bool cacheable = e.filter_reads_only_element && !c.recorded && item.is(ValueType::entity);
  std::uint8_t* slot = cacheable ? &remembered_answers(e, c)[item.as_entity()] : nullptr;
  if (slot && *slot != kNotYet && c.reads_truncated) return *slot == kMissing ? std::nullopt : std::optional<bool>(*slot == kTrue);
  std::optional<bool> predicate = truth(*e.filter, eval(*e.filter, c), "'where'", c);
  if (slot) *slot = remembered(predicate);
  return predicate;
}

// count(x in entities where P(x)) with P remembered per entity and no
// evidence to collect (no paths, no reads): the remembered answers are added
// up without making a value of each element. CONC-001 and CONC-002 count
// the critical services among a vendor's transitive dependents, tens of
// millions of elements at 100,000 vendors.
bool counts_remembered_answers(const Expr& e, const ListData& items, Context& c) {
  return static_cast<Function>(e.function) == Function::count && e.filter && e.filter_reads_only_element &&
         !c.recorded && !c.evidence && items.entities() && !e.join_key;
}

std::uint8_t remembered_answer(const Expr& e, EntityIndex entity, std::vector<std::uint8_t>& answers, Context& c) {
  std::uint8_t& answer = answers[entity];
  if (answer == kNotYet) {
    if (e.slot >= 0) c.locals[static_cast<std::size_t>(e.slot)] = Value::entity(entity);
    answer = remembered(truth(*e.filter, eval(*e.filter, c), "'where'", c));
  }
  return answer;
}

// Positions [first, last) of the list, counted one by one in order (so an
// evaluation error is the first element's).
std::size_t count_each(const Expr& e, const ListData& items, std::size_t first, std::size_t last, Context& c) {
  auto& answers = remembered_answers(e, c);
  std::size_t count = 0;
  items.for_each_entity(first, last, [&](EntityIndex entity) { count += remembered_answer(e, entity, answers, c) == kTrue; });
  return count;
}

// The closures along supply chains mostly share one big list (ListData):
// CONC-001 counts the critical services of 100,000 vendors' dependents, most
// of them the same shared list plus a few entities of their own. The shared
// part's count is kept per aggregate and range; the rest is counted each time.
constexpr std::size_t kSharedCountFrom = 256;

std::size_t count_shared(const Expr& e, const ListData::Entities& shared, std::size_t first, std::size_t last, Context& c) {
  auto key = std::make_tuple(e.id, static_cast<const void*>(shared.get()), first, last);
  if (auto found = c.shared_counts.find(key); found != c.shared_counts.end()) return found->second;
  auto& answers = remembered_answers(e, c);
  std::size_t count = 0;
  for (std::size_t i = first; i < last; ++i) count += remembered_answer(e, (*shared)[i], answers, c) == kTrue;
  c.counted_lists.push_back(shared);
  return c.shared_counts.emplace(key, count).first->second;
}

Value count_remembered(const Expr& e, const ListData& items, std::size_t first, std::size_t last, Context& c) {
  if (last - first < kSharedCountFrom) return Value::number(static_cast<double>(count_each(e, items, first, last, c)));
  // Positions in the shared and added entities merged, then in the shared ones alone.
  std::size_t skip = items.skipped(), merged_first = first, merged_last = last;
  if (skip != ListData::kSkipNone) merged_first += first >= skip, merged_last += last > skip;
  const AddedEntities* added = items.added();
  auto added_before = [&](std::size_t position) {
    return added ? static_cast<std::size_t>(std::lower_bound(added->at.begin(), added->at.end(), position) - added->at.begin()) : 0;
  };
  std::size_t added_first = added_before(merged_first), added_last = added_before(merged_last);
  std::size_t count;
  try {
    count = count_shared(e, items.shared_entities(), merged_first - added_first, merged_last - added_last, c);
  } catch (const EvalFailure&) {  // the error to give is the first element's in list order
    return Value::number(static_cast<double>(count_each(e, items, first, last, c)));
  }
  auto& answers = remembered_answers(e, c);
  for (std::size_t i = added_first; i < added_last; ++i)  // the shared ones passed: the first error is an added one's
    count += remembered_answer(e, added->entities[i], answers, c) == kTrue;
  if (skip != ListData::kSkipNone && skip >= merged_first && skip < merged_last)
    count -= remembered_answer(e, items.skipped_entity(), answers, c) == kTrue;
  return Value::number(static_cast<double>(count));
}

// Visits the elements of one aggregate: `where`, then the element (only for
// an element that passes), added to the state.
class AggregateLoop {
 public:
  AggregateLoop(const Expr& e, Context& c, const std::optional<GraphOrigin>& origin, AggregateTotals totals = {})
      : state(e, c, std::move(totals)), e_(e), c_(c), function_(static_cast<Function>(e.function)), origin_(origin) {
    bool quantifier = function_ == Function::any || function_ == Function::all;
    element_is_predicate_ = quantifier && !e.filter;
    needs_element_ = function_ != Function::count && !(quantifier && e.filter);
    // For errors about the elements: formatted once per aggregate, not per element.
    if (element_is_predicate_) what_ = fmt::format("{}()", e.text);
    deciding_ = c.recorded ? &(*c.recorded)[e.id].deciding : nullptr;
    if (deciding_) deciding_->clear();  // a nested aggregate shows its last evaluation, as other nodes do
  }

  // Returns true when the result is decided and the loop can stop.
  bool visit(const Value& item, bool keep_source = false) {
    if (e_.slot >= 0) c_.locals[static_cast<std::size_t>(e_.slot)] = item;
    PathMark mark(c_);
    std::optional<bool> predicate = true;
    if (e_.filter) predicate = filter_value(e_, item, c_);
    Value element = needs_element_ && predicate.value_or(false) && e_.element ? eval(*e_.element, c_) : item;
    if (element_is_predicate_) predicate = truth(e_, element, what_.c_str(), c_);
    mark.keep_only_if(c_, Value::boolean(predicate.value_or(false)));
    if (origin_ && predicate.value_or(false)) request_path(c_, *origin_, item.as_entity());
    if (deciding_ && predicate == (function_ != Function::all)) deciding_->emplace_back(item, element);
    return state.add(element, predicate, keep_source ? std::optional(item.as_entity()) : std::nullopt);
  }

  Value result() {
    Value result = state.result();
    if (deciding_ && (function_ == Function::min || function_ == Function::max))  // only the extreme decided it
      std::erase_if(*deciding_, [&](const auto& d) {
        return d.second.is_missing() || !result.is(d.second.type()) || order_values(d.second, result) != 0;
      });
    return result;
  }

  AggregateState state;

 private:
  const Expr& e_;
  Context& c_;
  Function function_;
  const std::optional<GraphOrigin>& origin_;
  bool element_is_predicate_ = false, needs_element_ = true;
  std::string what_;
  std::vector<std::pair<Value, Value>>* deciding_ = nullptr;
};

// The aggregate's plan for keeping its result (aggregate_memo.hpp), when this
// evaluation records results for overlays or resumes them on one.
const KeptAggregate* kept_plan(const Expr& e, const Context& c) {
  if (c.recorded) return nullptr;
  if (c.memo_record) return c.memo_record->plan(e);
  if (c.overlay_delta) return c.overlay_delta->base().plan(e);
  return nullptr;
}

// Resuming skips the elements' facts: only once the evidence records no
// more of them (the first 50 are kept), so that it is what the whole loop gives.
bool reads_complete(const Context& c) { return !c.evidence || c.reads_truncated; }

// Where the loaded entities to visit again (`visit`, in id order) are among
// the kept result's listed entities, in increasing order; nullopt when the
// function cannot give back what they added (only count, sum and list can).
std::optional<std::vector<std::size_t>> kept_positions(const AggregateTotals& kept, Function function,
                                                       const std::vector<EntityIndex>& visit, std::size_t base_entity_count,
                                                       const Portfolio& portfolio) {
  std::vector<std::size_t> positions;
  if (std::none_of(visit.begin(), visit.end(), [&](EntityIndex e) { return e < base_entity_count; })) return positions;
  if (function != Function::count && function != Function::sum && function != Function::list) return std::nullopt;
  auto by_id = portfolio.by_id();
  for (EntityIndex entity : visit) {
    if (entity >= base_entity_count) continue;
    auto at = std::lower_bound(kept.listed.begin(), kept.listed.end(), entity, by_id);
    if (at != kept.listed.end() && *at == entity) positions.push_back(static_cast<std::size_t>(at - kept.listed.begin()));
  }
  return positions;
}

// The kept totals without what the elements at `dropped` gave, and without
// their lists (a list is merged at the end: merged_list).
std::optional<AggregateTotals> totals_without(const AggregateTotals& kept, Function function, const std::vector<std::size_t>& dropped) {
  AggregateTotals start;
  start.count = kept.count - (function == Function::count ? dropped.size() : 0);
  start.decided = kept.decided, start.saw_missing = kept.saw_missing, start.exact = kept.exact;
  start.sum = kept.sum, start.extreme = kept.extreme;
  if (function != Function::sum) return start;
  for (std::size_t i : dropped) {
    if (!kept.items[i].is(ValueType::number) || !start.sum.is(ValueType::number)) return std::nullopt;
    start.sum = Value::number(start.sum.as_number() - kept.items[i].as_number());
  }
  return start;
}

// f(element) for the kept list without the elements at `dropped`, with the
// ones the visits listed put where their entities' ids sort, as the loop over entities("K") visits them.
template <class F>
void for_each_merged(const AggregateTotals& kept, const std::vector<std::size_t>& dropped, const AggregateTotals& visited,
                     const Portfolio& portfolio, F&& f) {
  auto by_id = portfolio.by_id();
  std::size_t next_drop = 0, from = 0;
  auto kept_until = [&](std::size_t end) {
    for (; from < end; ++from) {
      if (next_drop < dropped.size() && dropped[next_drop] == from) ++next_drop;
      else f(kept.items[from]);
    }
  };
  for (std::size_t v = 0; v < visited.items.size(); ++v) {
    kept_until(static_cast<std::size_t>(std::lower_bound(kept.listed.begin(), kept.listed.end(), visited.listed[v], by_id) -
                                        kept.listed.begin()));
    f(visited.items[v]);
  }
  kept_until(kept.items.size());
}

List merged_list(const AggregateTotals& kept, const std::vector<std::size_t>& dropped, const AggregateTotals& visited,
                 const Portfolio& portfolio) {
  List merged;
  merged.reserve(kept.items.size() - dropped.size() + visited.items.size());
  for_each_merged(kept, dropped, visited, portfolio, [&](const Value& element) { merged.push_back(element); });
  return merged;
}

// The kept result of an aggregate and what the overlay's elements change in
// it: the positions of the loaded elements visited again (dropped from the
// kept result) and the totals without them, with what the visits added.
struct Resumption {
  std::shared_ptr<const AggregateTotals> kept;
  std::vector<std::size_t> dropped;
  AggregateTotals totals;
  Value result;  // as the whole loop gives it; for list(), see merged_list
};

// The aggregate on an overlay from the loaded portfolio's kept result: only
// the entities of the kind that the overlay adds, and the loaded ones whose
// graph answers it changes (for a body that reads them), are visited.
// Nullopt (the aggregate is evaluated in full) when there is no kept result,
// when the overlay replaces an entity it reads, when a visited element fails
// (the full loop finds which error comes first) or when a sum is no longer
// exact. Not while evidence records paths: the graph answers' paths would be left out.
std::optional<Resumption> resume(const Expr& e, const KeptAggregate& kept, const std::string& key, Context& c) {
  if (kept.per_element() && c.evidence) return std::nullopt;
  auto visit = c.overlay_delta->to_visit(kept, c.portfolio, c.graph);
  if (!visit) return std::nullopt;
  if (e.join_key) {  // only those the equality join would give can pass `where`
    std::string join = Portfolio::join_key(eval(*e.join_key, c));
    std::erase_if(*visit, [&](EntityIndex entity) {
      return join.empty() || Portfolio::join_key(c.portfolio.attribute(entity, e.join_attribute)) != join;
    });
  }
  Resumption resumed{c.overlay_delta->base().find(e, key), {}, {}, {}};
  if (!resumed.kept) return std::nullopt;
  auto function = static_cast<Function>(e.function);
  auto dropped = kept_positions(*resumed.kept, function, *visit, c.overlay_delta->base_entity_count(), c.portfolio);
  if (!dropped) return std::nullopt;
  auto start = totals_without(*resumed.kept, function, *dropped);
  if (!start) return std::nullopt;
  static const std::optional<GraphOrigin> kNoOrigin;
  AggregateLoop loop(e, c, kNoOrigin, std::move(*start));
  try {
    for (EntityIndex entity : *visit) loop.visit(Value::entity(entity), true);
  } catch (const EvalFailure&) {
    return std::nullopt;
  }
  if (!loop.state.totals().exact) return std::nullopt;
  if (function != Function::list) resumed.result = loop.result();
  resumed.dropped = std::move(*dropped);
  resumed.totals = std::move(loop.state.totals());
  return resumed;
}

// The aggregate's value from its resumption.
std::optional<Value> resume_kept(const Expr& e, const KeptAggregate& kept, const std::string& key, Context& c) {
  auto resumed = resume(e, kept, key, c);
  if (!resumed) return std::nullopt;
  if (static_cast<Function>(e.function) != Function::list) return std::move(resumed->result);
  return Value::list(merged_list(*resumed->kept, resumed->dropped, resumed->totals, c.portfolio));
}

// f(list(... for x in entities("K") ...)) on an overlay, for a function f
// of the whole list: the kept list resumed, not yet merged (merged_list).
std::optional<Resumption> resumed_list_argument(const Expr& call, Context& c) {
  if (call.args.size() != 1 || !reads_complete(c)) return std::nullopt;
  const Expr& e = *call.args[0];
  const KeptAggregate* plan = e.kind == ExprKind::aggregate && e.function == static_cast<int>(Function::list) ? kept_plan(e, c) : nullptr;
  std::optional<std::string> key = plan ? AggregateMemo::key(*plan, c) : std::nullopt;
  return key ? resume(e, *plan, *key, c) : std::nullopt;
}

// distinct() of a kept list, from the kept list's distinct elements
// (AggregateMemo::first_occurrences) and the overlay's elements put where
// merged_list puts them: CONC-003 lists the country of every vendor, and the
// distinct countries of 100,000 of them were most of an overlay's time.
// Nullopt (distinct() of the whole list) when the overlay drops a kept
// element or an element has no join key.
std::optional<Value> distinct_of_kept_list(const Expr& call, Context& c) {
  auto resumed = resumed_list_argument(call, c);
  if (!resumed || !resumed->dropped.empty()) return std::nullopt;
  auto firsts = c.overlay_delta->base().first_occurrences(*resumed->kept);
  if (!firsts) return std::nullopt;
  const AggregateTotals& kept = *resumed->kept;
  const AggregateTotals& added = resumed->totals;
  // Added element a goes before kept element before[a] (merged_list): kept
  // element p is then at p plus the added ones before it, added a at before[a] + a.
  std::vector<std::size_t> before;
  for (EntityIndex source : added.listed)
    before.push_back(static_cast<std::size_t>(std::lower_bound(kept.listed.begin(), kept.listed.end(), source, c.portfolio.by_id()) -
                                              kept.listed.begin()));
  std::vector<std::pair<std::size_t, Value>> first;  // merged position of each distinct element's first occurrence
  for (std::size_t p : firsts->positions)
    first.emplace_back(p + static_cast<std::size_t>(std::upper_bound(before.begin(), before.end(), p) - before.begin()), kept.items[p]);
  std::unordered_map<std::string, std::size_t> added_keys;
  for (std::size_t a = 0; a < added.items.size(); ++a) {
    std::string join = Portfolio::join_key(added.items[a]);
    if (join.empty()) return std::nullopt;
    auto found = firsts->index_of.find(join);
    if (found == firsts->index_of.end()) found = added_keys.try_emplace(join, first.size()).first;
    if (found->second == first.size()) first.emplace_back(before[a] + a, added.items[a]);
    else if (before[a] + a < first[found->second].first) first[found->second] = {before[a] + a, added.items[a]};
  }
  std::sort(first.begin(), first.end(), [](const auto& x, const auto& y) { return x.first < y.first; });
  List distinct;
  for (auto& [position, value] : first) distinct.push_back(std::move(value));
  return Value::list(std::move(distinct));
}

// hhi() of a kept list, over the kept and the overlay's elements in the
// order of the whole list (the shares are added in that order). Nullopt
// (hhi() of the whole list, which says what is wrong) for an element that is
// not a non-negative number.
std::optional<Value> hhi_of_kept_list(const Expr& call, Context& c) {
  auto resumed = resumed_list_argument(call, c);
  if (!resumed) return std::nullopt;
  bool all_sizes = true;
  auto sizes = [&](auto&& f) {
    for_each_merged(*resumed->kept, resumed->dropped, resumed->totals, c.portfolio, [&](const Value& v) {
      if (v.is(ValueType::number) && v.as_number() >= 0) f(v.as_number());
      else all_sizes = false;
    });
  };
  auto index = hhi_points(sizes);
  if (!all_sizes) return std::nullopt;
  return index ? Value::number(*index) : Value::missing();
}

Value eval_aggregate(const Expr& e, Context& c) {
  Value collection = eval(*e.collection, c);
  if (collection.is_missing()) return collection;
  if (!collection.is(ValueType::list))
    fail(e, fmt::format("{}() needs a list to go over but got {}", e.text, describe_value(collection, c.portfolio)));
  auto function = static_cast<Function>(e.function);
  if (function == Function::count && !e.filter) return Value::number(static_cast<double>(collection.as_list().size()));
  const KeptAggregate* kept = kept_plan(e, c);
  std::optional<std::string> key = kept ? AggregateMemo::key(*kept, c) : std::nullopt;
  bool resuming = key && c.overlay_delta;
  if (resuming && reads_complete(c)) {
    if (auto resumed = resume_kept(e, *kept, *key, c)) return *resumed;
    resuming = false;
  }
  const ListData& items = collection.as_list();
  std::size_t first = 0, last = items.size();
  if (!e.only_kind.empty()) {
    const KindTable* kind = c.portfolio.find_kind(e.only_kind);
    auto range = kind ? items.kind_range(static_cast<KindId>(kind - c.portfolio.kinds().data())) : std::nullopt;
    if (!kind) first = last;  // no entity has that kind: nothing passes `where`
    else if (range) std::tie(first, last) = *range;
  }
  if (counts_remembered_answers(e, items, c) && !(key && kept->per_element())) {
    Value counted = count_remembered(e, items, first, last, c);
    if (key && c.memo_record) {
      AggregateTotals totals;
      totals.count = static_cast<std::size_t>(counted.as_number());
      c.memo_record->record(e, std::move(*key), std::move(totals));
    }
    return counted;
  }
  // An equality join visits only the candidates the index gives (in id
  // order, as the scan would); `where` is still evaluated for each of them.
  std::shared_ptr<const std::vector<EntityIndex>> candidates;
  if (e.join_key) {
    candidates = c.portfolio.join_group(e.join_kind, e.join_attribute, eval(*e.join_key, c));
    first = 0, last = candidates->size();
  }
  AggregateLoop loop(e, c, items.origin());
  bool recording = key && c.memo_record;
  bool keep_sources = recording && (kept->per_element() || function == Function::list);
  for (std::size_t i = first; i < last; ++i) {
    if (loop.visit(candidates ? Value::entity((*candidates)[i]) : items[i], keep_sources)) break;
    // The first elements were visited for the facts they read as evidence; the rest of the result is kept.
    if (resuming && reads_complete(c)) {
      if (auto resumed = resume_kept(e, *kept, *key, c)) return *resumed;
      resuming = false;
    }
  }
  Value result = loop.result();
  if (recording && loop.state.totals().exact) c.memo_record->record(e, std::move(*key), std::move(loop.state.totals()));
  return result;
}

Value eval_interpolation(const Expr& e, Context& c) {
  std::string text;
  for (const auto& part : e.args)
    text += part->kind == ExprKind::string ? part->text : display_value(eval(*part, c), c.portfolio);
  return Value::string(std::move(text));
}

}  // namespace

Value eval(const Expr& e, Context& c) {
  if (++c.depth > kMaxEvaluationDepth)
    fail(e, fmt::format("evaluation nested too deeply (more than {} levels, through lets): simplify the rule",
                        kMaxEvaluationDepth));
  Value value = eval_node(e, c);
  --c.depth;
  // inf and NaN would make comparisons fire and print as "-nan" or null.
  if (value.is(ValueType::number) && !std::isfinite(value.as_number()))
    fail(e, "number out of range: the result is too large to represent");
  if (c.recorded) {
    auto& slot = (*c.recorded)[e.id];
    slot.node = &e;
    slot.value = value;
    ++slot.times;
  }
  return value;
}

namespace {

Value eval_node(const Expr& e, Context& c) {
  switch (e.kind) {
    case ExprKind::number: return Value::number(e.number_value);
    case ExprKind::string: return Value::string_view(e.text);
    case ExprKind::boolean: return Value::boolean(e.bool_value);
    case ExprKind::date: return Value::date(e.date_value);
    case ExprKind::duration: return Value::duration(e.duration_value);
    case ExprKind::today: return Value::date(c.today);
    case ExprKind::list: {
      List items;
      items.reserve(e.args.size());
      for (const auto& element : e.args) items.push_back(eval(*element, c));
      return Value::list(std::move(items));
    }
    case ExprKind::variable: {
      auto slot = static_cast<std::size_t>(e.slot);
      if (e.binding == Binding::constant) return (*c.constants)[slot];
      if (c.lazy_lets && !c.evaluated[slot] && (*c.lazy_lets)[slot]) {
        c.locals[slot] = eval(*(*c.lazy_lets)[slot], c);
        c.evaluated[slot] = true;
      }
      return c.locals[slot];
    }
    case ExprKind::member: return eval_member(e, c);
    case ExprKind::unary: return eval_unary(e, c);
    case ExprKind::binary: return eval_binary(e, c);
    case ExprKind::call: return eval_call(e, c);
    case ExprKind::aggregate: return eval_aggregate(e, c);
    case ExprKind::interpolation: return eval_interpolation(e, c);
    case ExprKind::conditional: return eval_conditional(e, c);
    case ExprKind::map: return eval_map(e, c);
    case ExprKind::index: return eval_index(e, c);
  }
  return Value::missing();
}

// Where an evaluation error is reported: an operator's own position, so that
// `a < b` points at `<`; otherwise the start of the expression.
std::string location_of(const RuleFile& file, const Expr& node) {
  bool has_operator = node.kind == ExprKind::binary || node.kind == ExprKind::unary;
  auto where = file.source->locate(has_operator ? node.op_offset : node.span.begin);
  return fmt::format("{}:{}:{}", file.source->path(), where.line, where.column);
}

}  // namespace

struct Evaluator::Impl {
  const RuleSet& rules;
  const Portfolio& portfolio;
  Date today;
  LazyGraph graph;
  bool evidence = true;
  std::vector<std::vector<Value>> constants;  // per file
  std::vector<EvaluationError> constant_errors;
  std::unique_ptr<AggregateMemo> kept;        // for Overlays::kept: what overlays resume
  std::unique_ptr<ColumnZones> zones;         // likewise: what overlays pass over
  std::optional<OverlayDelta> overlay_delta;  // for an overlay on an evaluator that keeps them

  Impl(const RuleSet& r, const Portfolio& p, Date d, const LazyGraph* base_graph, std::size_t base_edge_count)
      : rules(r), portfolio(p), today(d), graph(p, base_graph, base_edge_count) {}

  Context make_context() const {
    Context c{.portfolio = portfolio, .graph = graph, .today = today};
    c.evidence = evidence;
    c.memo_record = kept.get();
    c.overlay_delta = overlay_delta ? &*overlay_delta : nullptr;
    c.column_cache.assign(rules.node_count, {0, kNoColumn});
    c.element_filter_cache.resize(rules.node_count);
    return c;
  }

  void evaluate_constants() {
    Context c = make_context();
    c.evidence = false;  // nobody sees the facts a constant read
    for (const auto& file : rules.files) {
      auto& values = constants.emplace_back();
      c.constants = &values;
      c.locals.assign(static_cast<std::size_t>(file.constant_slot_count), Value());
      for (const auto& constant : file.constants) {
        try {
          c.depth = 0;
          values.push_back(eval(*constant.value, c));
        } catch (const EvalFailure& failure) {
          constant_errors.push_back({"(let " + constant.name + ")", std::nullopt, failure.attribute, failure.message,
                                     location_of(file, *failure.node)});
          values.emplace_back();
        }
      }
    }
  }

  // What evaluating a rule for a subject needs beyond the rule: found once per subject.
  struct RuleTables {
    std::vector<const Expr*> lazy_lets;  // per local slot: the let's expression, or null
    std::optional<QuickWhen> quick;      // its `when` decided without the interpreter, where it can be
  };
  std::unordered_map<const Rule*, RuleTables> rule_tables;  // filled once, read concurrently

  void index_lets() {
    for (const auto& file : rules.files)
      for (const auto& rule : file.rules) {
        auto& tables = rule_tables[&rule];  // a node of its own: `quick` keeps the address of `lazy_lets`
        tables.lazy_lets.assign(static_cast<std::size_t>(rule.slot_count), nullptr);
        for (const auto& let : rule.lets) tables.lazy_lets[static_cast<std::size_t>(let.slot)] = let.value.get();
        tables.quick = QuickWhen::of(rule, tables.lazy_lets, portfolio);
      }
  }

  const RuleTables& tables_of(const Rule& rule) const { return rule_tables.at(&rule); }

  const std::vector<Value>& constants_of(const Rule& rule) const {
    for (std::size_t f = 0; f < rules.files.size(); ++f)
      for (const auto& candidate : rules.files[f].rules)
        if (&candidate == &rule) return constants[f];
    throw std::logic_error("rule not in rule set");
  }

  // `severity EXPR`, evaluated only once the rule fires: a missing or unknown
  // name is an evaluation error for this entity, never a dropped finding.
  Severity computed_severity(const Rule& rule, Context& c) const {
    Value value = eval(*rule.severity_expr, c);
    std::optional<Severity> severity;
    if (value.is(ValueType::string)) severity = parse_severity(value.as_string());
    if (!severity)
      fail(*rule.severity_expr, fmt::format("the severity must be one of info, low, medium, high, critical but is {}",
                                            describe_value(value, portfolio)));
    return *severity;
  }

  void reset_context(const Rule& rule, const RuleTables& tables, Context& c) const {
    c.locals.assign(static_cast<std::size_t>(rule.slot_count), Value());
    c.evaluated.assign(static_cast<std::size_t>(rule.slot_count), 0);
    c.lazy_lets = &tables.lazy_lets;
    c.reads.clear();
    c.reads_truncated = !c.evidence;  // without evidence, remembered `where`s serve from the first element
    c.paths.clear();
    c.paths_left_out = 0;
    c.depth = 0;  // a failure leaves it wherever the evaluation stopped
  }

  // `for each NAME in EXPR`: the list once, then the rule once per distinct
  // element, whose text (as str() gives it) is the finding's entity.
  void evaluate_each(const Rule& rule, const RuleFile& file, Context& c, EvaluationResult& out) const {
    for (const auto& element : each_elements(rule, file, c, out)) evaluate(rule, file, std::nullopt, c, out, &element);
  }

  // The distinct, present elements of a `for each` rule's list, in list order.
  List each_elements(const Rule& rule, const RuleFile& file, Context& c, EvaluationResult& out) const {
    reset_context(rule, tables_of(rule), c);
    List elements;
    try {
      Value list = eval(*rule.each_collection, c);
      if (list.is_missing()) return {};
      if (!list.is(ValueType::list))
        fail(*rule.each_collection, fmt::format("'for each' needs a list but got {}", describe_value(list, portfolio)));
      for (auto& item : distinct_values(list.as_list()))
        if (!item.is_missing()) elements.push_back(std::move(item));
    } catch (const EvalFailure& failure) {
      out.errors.push_back({rule.id, std::nullopt, failure.attribute, failure.message, location_of(file, *failure.node)});
      return {};
    }
    return elements;
  }

  void evaluate(const Rule& rule, const RuleFile& file, std::optional<EntityIndex> entity, Context& c,
                EvaluationResult& out, const Value* element = nullptr) const {
    const RuleTables& tables = tables_of(rule);
    // Most subjects do not fire: said without the interpreter where it can be.
    if (entity && !c.recorded && tables.quick && tables.quick->surely_quiet(*entity, c)) return;
    reset_context(rule, tables, c);
    if (entity) c.locals[0] = Value::entity(*entity);
    if (element) c.locals[0] = *element;
    // Named only for a finding or an error: most subjects give neither.
    auto subject = [&]() -> std::optional<std::string> {
      if (entity) return portfolio.id(*entity);
      if (element) return display_value(*element, portfolio);
      return std::nullopt;
    };
    try {
      auto fires = truth(*rule.when, eval(*rule.when, c), "'when'", c);
      if (!fires.value_or(false)) return;
      Finding finding;
      finding.rule = rule.id;
      finding.entity = subject();
      finding.kind = entity ? portfolio.kind_name(*entity) : element ? "value" : "portfolio";
      finding.severity = rule.severity ? *rule.severity : computed_severity(rule, c);
      finding.message = std::string(eval(*rule.message, c).as_string());
      if (c.evidence) finding.evidence_json = evidence_json(rule, c);
      out.findings.push_back(std::move(finding));
    } catch (const EvalFailure& failure) {
      out.errors.push_back({rule.id, subject(), failure.attribute, failure.message, location_of(file, *failure.node)});
    }
  }

  // A slice of work: one rule over a range of its kind's entities (or once, for portfolio rules).
  struct Task {
    const Rule* rule;
    const RuleFile* file;
    const std::vector<EntityIndex>* entities;  // null for portfolio rules
    std::size_t begin, end;
  };

  std::vector<Task> tasks() const {
    std::vector<Task> out;
    for (const auto& file : rules.files)
      for (const auto& rule : file.rules) add_tasks(rule, file, nullptr, out);
    return out;
  }

  std::vector<Task> tasks(const std::vector<RuleScope>& scopes) const {
    std::vector<Task> out;
    for (const auto& scope : scopes) add_tasks(*scope.rule, rules.file_of(*scope.rule), scope.all ? nullptr : &scope.entities, out);
    return out;
  }

  // The rule over `subjects`, or over every entity of its kind when null.
  void add_tasks(const Rule& rule, const RuleFile& file, const std::vector<EntityIndex>* subjects,
                 std::vector<Task>& out) const {
    constexpr std::size_t kChunk = 512;  // small enough to balance expensive entities across threads
    if (rule.for_portfolio || rule.each_collection) {
      out.push_back({&rule, &file, nullptr, 0, 1});
      return;
    }
    if (!subjects) {
      const KindTable* table = portfolio.find_kind(rule.for_kind);
      if (!table) return;
      subjects = &table->members;
    }
    for (std::size_t begin = 0; begin < subjects->size(); begin += kChunk)
      out.push_back({&rule, &file, subjects, begin, std::min(begin + kChunk, subjects->size())});
  }

  // The dependency graph is built once, by the first thread that needs it, and
  // a thread that needs it meanwhile waits. With several threads, the tasks of
  // rules that follow no edges go first and one thread builds the graph before
  // it takes any, so that the others have work while it does.
  static bool graph_first(std::vector<Task>& tasks) {
    std::unordered_map<const Rule*, bool> follows_edges;
    for (const auto& task : tasks)
      if (!follows_edges.count(task.rule)) {
        RuleFootprint reads = footprint_of(*task.file, *task.rule);
        follows_edges[task.rule] = reads.follows_suppliers || reads.follows_dependents;
      }
    auto graph_tasks = std::stable_partition(tasks.begin(), tasks.end(), [&](const auto& task) { return !follows_edges[task.rule]; });
    return graph_tasks != tasks.end();
  }

  EvaluationResult run_tasks(std::vector<Task> tasks, unsigned threads, const Progress& progress, const Finish& finish) const;

  void run(const Task& task, Context& c, EvaluationResult& out) const {
    c.constants = &constants_of(*task.rule);
    if (task.rule->each_collection) {
      evaluate_each(*task.rule, *task.file, c, out);
      return;
    }
    if (!task.entities) {
      evaluate(*task.rule, *task.file, std::nullopt, c, out);
      return;
    }
    for (std::size_t i = task.begin; i < task.end;) {
      std::size_t quiet_end = quiet_block_end(task, i, c);
      if (quiet_end > i) {
        i = quiet_end;
        continue;
      }
      evaluate(*task.rule, *task.file, (*task.entities)[i], c, out);
      ++i;
    }
  }

  // Where the block of subjects from `i` on ends when none of them can fire
  // (QuickWhen::block_quiet on the loaded portfolio's zones), else `i`: an
  // overlay that changes a file constant runs a rule for every subject again.
  std::size_t quiet_block_end(const Task& task, std::size_t i, const Context& c) const {
    if (!c.overlay_delta || c.recorded || i % ColumnZones::kBlock != 0) return i;
    const auto& quick = tables_of(*task.rule).quick;
    if (!quick || task.entities != &portfolio.kinds()[quick->kind()].members) return i;
    std::size_t end = std::min(i + ColumnZones::kBlock, task.end);
    const ColumnZones* as_loaded = c.overlay_delta->zones_for(quick->kind(), i, end);
    return as_loaded && quick->block_quiet(i / ColumnZones::kBlock, *as_loaded, c) ? end : i;
  }
};

Evaluator::Evaluator(const RuleSet& rules, const Portfolio& portfolio, Date today, Overlays overlays)
    : impl_(std::make_unique<Impl>(rules, portfolio, today, nullptr, 0)) {
  if (overlays == Overlays::kept) {
    impl_->kept = std::make_unique<AggregateMemo>(rules);
    impl_->zones = std::make_unique<ColumnZones>(portfolio);
  }
  impl_->index_lets();
  impl_->evaluate_constants();
}

Evaluator::Evaluator(const RuleSet& rules, const Portfolio& overlaid, Date today, const Evaluator& base,
                     std::size_t base_edge_count, const std::vector<EntityIndex>& overlay_entities)
    : impl_(std::make_unique<Impl>(rules, overlaid, today, &base.impl_->graph, base_edge_count)) {
  if (base.impl_->kept)
    impl_->overlay_delta.emplace(*base.impl_->kept, base.impl_->zones.get(), overlaid, base.impl_->portfolio.entity_count(), overlay_entities,
                                 base_edge_count);
  impl_->index_lets();
  impl_->evaluate_constants();
}

const LazyGraph& Evaluator::graph() const { return impl_->graph; }
const Portfolio& Evaluator::portfolio() const { return impl_->portfolio; }

Evaluator::~Evaluator() = default;

void Evaluator::set_evidence(bool on) { impl_->evidence = on; }

EvaluationResult Evaluator::evaluate_all(unsigned threads, const Progress& progress, const Finish& finish) const {
  return impl_->run_tasks(impl_->tasks(), threads, progress, finish);
}

EvaluationResult Evaluator::evaluate_scoped(const std::vector<RuleScope>& scopes, unsigned threads) const {
  return impl_->run_tasks(impl_->tasks(scopes), threads, {}, {});
}

EvaluationResult Evaluator::Impl::run_tasks(std::vector<Task> tasks, unsigned threads, const Progress& progress,
                                            const Finish& finish) const {
  if (threads == 0) threads = std::max(1u, std::thread::hardware_concurrency());
  threads = static_cast<unsigned>(std::min<std::size_t>(threads, std::max<std::size_t>(1, tasks.size())));
  bool build_graph_first = threads > 1 && graph_first(tasks);
  // Each thread takes the next task and keeps its own context and results,
  // which it sorts; merging the sorted results makes the output independent
  // of scheduling.
  std::atomic<std::size_t> next{0}, done{0};
  std::vector<EvaluationResult> partial(threads);
  std::vector<std::exception_ptr> failures(threads);
  auto work = [&](unsigned t) {
    try {
      Context c = make_context();
      if (t == 0 && build_graph_first) graph.get().view(DependencyGraph::kAllEdges);
      for (std::size_t i = next++; i < tasks.size(); i = next++) {
        run(tasks[i], c, partial[t]);
        ++done;
        if (t == 0 && progress) progress(done, tasks.size());  // one thread reports, so the callback need not lock
      }
      if (kept) kept->keep_answers(c.element_filter_cache);
      if (finish) finish(partial[t].findings);
      sort_result(partial[t]);
    } catch (...) {
      failures[t] = std::current_exception();
    }
  };
  std::vector<std::thread> pool;
  for (unsigned t = 1; t < threads; ++t) pool.emplace_back(work, t);
  work(0);
  for (auto& thread : pool) thread.join();
  for (auto& failure : failures)
    if (failure) std::rethrow_exception(failure);
  EvaluationResult result;
  result.errors = constant_errors;
  merge_sorted_results(partial, result);
  return result;
}

EvaluationResult Evaluator::evaluate_entity(EntityIndex entity) const {
  EvaluationResult result;
  Context c = impl_->make_context();
  const std::string& kind = impl_->portfolio.kind_name(entity);
  for (const auto& file : impl_->rules.files)
    for (const auto& rule : file.rules)
      if (!rule.for_portfolio && rule.for_kind == kind) {
        c.constants = &impl_->constants_of(rule);
        impl_->evaluate(rule, file, entity, c, result);
      }
  sort_result(result);
  return result;
}

EvaluationResult Evaluator::evaluate_rule(const Rule& rule, std::optional<EntityIndex> entity) const {
  EvaluationResult result;
  Context c = impl_->make_context();
  c.constants = &impl_->constants_of(rule);
  impl_->evaluate(rule, impl_->rules.file_of(rule), entity, c, result);
  return result;
}

std::vector<std::string> Evaluator::each_subjects(const Rule& rule) const {
  EvaluationResult ignored;  // the run reports an error in the list; here there is simply no element
  Context c = impl_->make_context();
  c.constants = &impl_->constants_of(rule);
  std::vector<std::string> subjects;
  for (const auto& element : impl_->each_elements(rule, impl_->rules.file_of(rule), c, ignored))
    subjects.push_back(display_value(element, impl_->portfolio));
  return subjects;
}

Evaluator::Explanation Evaluator::explain(const Rule& rule, std::optional<EntityIndex> entity,
                                          std::optional<std::string_view> each_subject) const {
  Explanation explanation;
  const RuleFile& file = impl_->rules.file_of(rule);
  std::vector<NodeValue> recorded(impl_->rules.node_count, NodeValue{nullptr, Value(), 0});
  Context c = impl_->make_context();
  c.constants = &impl_->constants_of(rule);
  std::optional<Value> element;
  if (each_subject) {
    for (const auto& candidate : impl_->each_elements(rule, file, c, explanation.result))
      if (display_value(candidate, impl_->portfolio) == *each_subject) element = candidate;
    if (!element) return explanation;  // not one of the rule's elements: the caller checks each_subjects first
  }
  c.recorded = &recorded;
  impl_->evaluate(rule, file, entity, c, explanation.result, element ? &*element : nullptr);
  for (auto& node : recorded)
    if (node.times > 0) explanation.values.push_back(std::move(node));
  std::stable_sort(explanation.values.begin(), explanation.values.end(), [](const NodeValue& a, const NodeValue& b) {
    return std::make_pair(a.node->span.begin, b.node->span.end) < std::make_pair(b.node->span.begin, a.node->span.end);
  });
  return explanation;
}

}  // namespace vigil
