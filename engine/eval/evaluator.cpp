// A tree-walking interpreter over the checked AST.
//
// Missing follows three-valued (Kleene) logic: `false and missing` is false,
// `true or missing` is true, any comparison or arithmetic with a missing
// operand is missing, and a missing `when` does not fire. A value of an
// unexpected type raises EvalFailure, which ends the evaluation of that rule
// for that entity only and becomes an EvaluationError.
#include "engine/eval/evaluator.hpp"

#include <algorithm>
#include <cmath>
#include <atomic>
#include <mutex>
#include <thread>
#include <unordered_map>

#include "dsl/functions.hpp"
#include "dsl/unicode.hpp"
#include "engine/facts/dependency_graph.hpp"
#include "engine/facts/value_format.hpp"

namespace vigil {
namespace {

struct EvalFailure {
  const Expr* node;
  std::string message;
  std::string attribute;
};

struct FactRead {
  EntityIndex entity;
  const std::string* attribute;
  Value value;
};

// A chain of edges to show as evidence: from relies, directly or not, on to.
struct PathRequest {
  EntityIndex from;
  EntityIndex to;
  int edge_kind;
  bool operator==(const PathRequest&) const = default;
};

constexpr std::size_t kMaxEvidenceFacts = 50;
constexpr std::size_t kMaxEvidencePaths = 10;
constexpr int kNoColumn = -2;

// The dependency graph, built when a rule first calls a graph function.
class LazyGraph {
 public:
  explicit LazyGraph(const Portfolio& portfolio) : portfolio_(portfolio) {}
  const DependencyGraph& get() const {
    std::call_once(once_, [&] { graph_ = std::make_unique<DependencyGraph>(portfolio_); });
    return *graph_;
  }

 private:
  const Portfolio& portfolio_;
  mutable std::once_flag once_;
  mutable std::unique_ptr<DependencyGraph> graph_;
};

// Per-evaluation state; one per thread.
struct Context {
  const Portfolio& portfolio;
  const LazyGraph& graph;
  const std::vector<Value>* constants = nullptr;
  Date today;
  std::vector<Value> locals;
  // Rule `let`s are evaluated when first used (then kept): a `let` that the
  // `when` does not need for an entity costs nothing.
  const std::vector<const Expr*>* lazy_lets = nullptr;  // per local slot: the let's expression, or null
  std::vector<bool> evaluated;                          // per local slot
  std::vector<FactRead> reads;
  bool reads_truncated = false;
  std::vector<PathRequest> paths;
  std::size_t paths_left_out = 0;
  std::vector<std::pair<KindId, int>> column_cache;  // per node id: the last kind seen and its column
  // For `vigil explain`: every node's value, by node id (null in normal evaluation).
  std::vector<Evaluator::NodeValue>* recorded = nullptr;
  // Expressions being evaluated inside each other, through lets included: the
  // parser bounds each expression's depth, this bounds chains of lets.
  int depth = 0;
};

constexpr int kMaxEvaluationDepth = 2000;

// Paths requested while evaluating a condition that turns out not true did
// not make the rule fire: they are dropped again.
class PathMark {
 public:
  explicit PathMark(const Context& c) : size_(c.paths.size()), left_out_(c.paths_left_out) {}
  void keep_only_if(Context& c, const Value& condition) const {
    if (condition.is(ValueType::boolean) && condition.as_bool()) return;
    c.paths.resize(size_);
    c.paths_left_out = left_out_;
  }

 private:
  std::size_t size_;
  std::size_t left_out_;
};

void request_path(Context& c, PathRequest request) {
  if (std::find(c.paths.begin(), c.paths.end(), request) != c.paths.end()) return;
  if (c.paths.size() < kMaxEvidencePaths) c.paths.push_back(request);
  else ++c.paths_left_out;
}

// An element of a graph result counted towards a finding: show how it is connected.
void request_path(Context& c, const GraphOrigin& origin, EntityIndex element) {
  if (origin.towards_suppliers) request_path(c, {origin.entity, element, origin.edge_kind});
  else request_path(c, {element, origin.entity, origin.edge_kind});
}

// The attribute behind an operand, to name it in error messages.
std::string attribute_behind(const Expr& node) {
  if (node.kind == ExprKind::member) return node.text;
  for (const auto& child : node.args)
    if (child && child->kind == ExprKind::member) return child->text;
  return {};
}

[[noreturn]] void fail(const Expr& node, std::string message) {
  throw EvalFailure{&node, std::move(message), attribute_behind(node)};
}

void record_read(Context& c, EntityIndex entity, const std::string& attribute, const Value& value) {
  for (const auto& read : c.reads)
    if (read.entity == entity && *read.attribute == attribute) return;
  if (c.reads.size() >= kMaxEvidenceFacts) {
    c.reads_truncated = true;
    return;
  }
  c.reads.push_back({entity, &attribute, value});
}

Value eval(const Expr& e, Context& c);


// A condition's value: true, false, or missing (as nullopt).
std::optional<bool> truth(const Expr& node, const Value& v, const char* what, const Context& c) {
  if (v.is_missing()) return std::nullopt;
  if (!v.is(ValueType::boolean))
    fail(node, fmt::format("{} needs true or false but got {}", what, describe_value(v, c.portfolio)));
  return v.as_bool();
}

Value eval_member(const Expr& e, Context& c) {
  Value base = eval(*e.args[0], c);
  if (base.is_missing()) return base;
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

bool orderable(ValueType t) {
  return t == ValueType::number || t == ValueType::string || t == ValueType::date || t == ValueType::duration;
}

std::partial_ordering order(const Value& a, const Value& b) {
  switch (a.type()) {
    case ValueType::number: return a.as_number() <=> b.as_number();
    case ValueType::string: return a.as_string().compare(b.as_string()) <=> 0;
    case ValueType::date: return a.as_date() <=> b.as_date();
    case ValueType::duration: return compare(a.as_duration(), b.as_duration());
    default: return std::partial_ordering::unordered;
  }
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
  auto o = order(a, b);
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

Value eval_arithmetic(const Expr& e, const Value& a, const Value& b, Context& c) {
  if (a.is_missing() || b.is_missing()) return Value::missing();
  using T = ValueType;
  auto both = [&](T x, T y) { return a.is(x) && b.is(y); };
  switch (e.op) {
    case Op::add:
      if (both(T::number, T::number)) return Value::number(a.as_number() + b.as_number());
      if (both(T::string, T::string)) return Value::string(std::string(a.as_string()) + std::string(b.as_string()));
      if (both(T::date, T::duration)) return in_range(e, add(a.as_date(), b.as_duration()));
      if (both(T::duration, T::date)) return in_range(e, add(b.as_date(), a.as_duration()));
      if (both(T::duration, T::duration)) return in_range(e, add(a.as_duration(), b.as_duration()));
      break;
    case Op::sub:
      if (both(T::number, T::number)) return Value::number(a.as_number() - b.as_number());
      if (both(T::date, T::duration)) return in_range(e, add(a.as_date(), negate(b.as_duration())));
      if (both(T::date, T::date)) return Value::duration(difference(a.as_date(), b.as_date()));
      if (both(T::duration, T::duration)) return in_range(e, add(a.as_duration(), negate(b.as_duration())));
      break;
    case Op::mul:
      if (both(T::number, T::number)) return Value::number(a.as_number() * b.as_number());
      if (both(T::duration, T::number) || both(T::number, T::duration)) {
        Duration d = a.is(T::duration) ? a.as_duration() : b.as_duration();
        double n = a.is(T::number) ? a.as_number() : b.as_number();
        if (std::trunc(n) != n) fail(e, "a duration can only be multiplied by a whole number");
        return in_range(e, make_duration(d.months * n, d.days * n));
      }
      break;
    case Op::div:
    case Op::mod:
      if (both(T::number, T::number)) {
        if (b.as_number() == 0) fail(e, "division by zero");
        return Value::number(e.op == Op::div ? a.as_number() / b.as_number() : std::fmod(a.as_number(), b.as_number()));
      }
      break;
    default: break;
  }
  fail(e, fmt::format("cannot apply '{}' to {} and {}", op_text(e.op), describe_value(a, c.portfolio),
                      describe_value(b, c.portfolio)));
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
  switch (e.op) {
    case Op::eq:
    case Op::ne:
    case Op::lt:
    case Op::le:
    case Op::gt:
    case Op::ge: return eval_comparison(e, a, b, c);
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

const Value& expect(const Expr& e, const Value& v, ValueType type, Context& c) {
  if (!v.is(type))
    fail(e, fmt::format("{}() needs {} but got {}", e.text, type_with_article(type), describe_value(v, c.portfolio)));
  return v;
}

Value hhi(const Expr& e, const Value& sizes, Context& c) {
  double total = 0;
  std::vector<double> values;
  for (const auto& item : expect(e, sizes, ValueType::list, c).as_list()) {
    if (item.is_missing()) continue;
    if (!item.is(ValueType::number) || item.as_number() < 0)
      fail(e, fmt::format("hhi() needs non-negative numbers but got {}", describe_value(item, c.portfolio)));
    values.push_back(item.as_number());
    total += item.as_number();
  }
  if (total == 0) return Value::missing();
  double index = 0;
  for (double v : values) index += (100 * v / total) * (100 * v / total);
  return Value::number(index);
}

// The edge kind named by the optional last argument of a graph function.
int edge_kind_argument(const Expr& e, const std::vector<Value>& args, std::size_t index, Context& c) {
  std::optional<std::string_view> kind;
  if (args.size() > index) kind = expect(e, args[index], ValueType::string, c).as_string();
  return c.graph.get().edge_kind(kind);
}

Value eval_graph_call(const Expr& e, Function function, const std::vector<Value>& args, Context& c) {
  bool binary = function == Function::reaches || function == Function::path;
  int kind = edge_kind_argument(e, args, binary ? 2 : 1, c);
  const GraphView& view = c.graph.get().view(kind);
  EntityIndex x = expect(e, args[0], ValueType::entity, c).as_entity();
  EntityIndex y = binary ? expect(e, args[1], ValueType::entity, c).as_entity() : x;
  switch (function) {
    case Function::suppliers: return Value::list(view.suppliers(x));
    case Function::dependents: return Value::list(view.dependents(x));
    case Function::suppliers_star: return Value::list(view.suppliers_closure(x));
    case Function::dependents_star: return Value::list(view.dependents_closure(x));
    case Function::in_cycle:
    case Function::reaches: {
      bool connected = function == Function::in_cycle ? view.in_cycle(x) : view.reaches(x, y);
      if (connected) request_path(c, {x, y, kind});  // for in_cycle, the cycle from x back to x
      return Value::boolean(connected);
    }
    case Function::path: {
      List ids;
      for (EntityIndex step : view.path(x, y)) ids.push_back(Value::string_view(c.portfolio.id(step)));
      return Value::list(std::move(ids));
    }
    default: fail(e, fmt::format("{}() cannot be called here", e.text));
  }
}

Value eval_call(const Expr& e, Context& c) {
  auto function = static_cast<Function>(e.function);
  std::vector<Value> args;
  args.reserve(e.args.size());
  for (const auto& arg : e.args) args.push_back(eval(*arg, c));
  switch (function) {
    case Function::missing: return Value::boolean(args[0].is_missing());
    case Function::present: return Value::boolean(!args[0].is_missing());
    default: break;
  }
  if (function != Function::hhi && std::any_of(args.begin(), args.end(), [](const Value& v) { return v.is_missing(); }))
    return Value::missing();
  switch (function) {
    case Function::len:
      if (args[0].is(ValueType::list)) return Value::number(static_cast<double>(args[0].as_list().size()));
      return Value::number(static_cast<double>(count_code_points(expect(e, args[0], ValueType::string, c).as_string())));
    case Function::lower: return Value::string(to_lower(expect(e, args[0], ValueType::string, c).as_string()));
    case Function::upper: return Value::string(to_upper(expect(e, args[0], ValueType::string, c).as_string()));
    case Function::contains:
      if (args[0].is(ValueType::list))
        return Value::boolean(std::any_of(args[0].as_list().begin(), args[0].as_list().end(),
                                          [&](const Value& v) { return same_value(v, args[1]); }));
      return Value::boolean(expect(e, args[0], ValueType::string, c).as_string().find(
                                expect(e, args[1], ValueType::string, c).as_string()) != std::string_view::npos);
    case Function::starts_with:
      return Value::boolean(expect(e, args[0], ValueType::string, c).as_string().starts_with(
          expect(e, args[1], ValueType::string, c).as_string()));
    case Function::days:
      return Value::number(std::round(expect(e, args[0], ValueType::duration, c).as_duration().approximate_days()));
    case Function::round: {
      double digits = args.size() > 1 ? expect(e, args[1], ValueType::number, c).as_number() : 0;
      if (digits < 0 || digits > 15 || std::trunc(digits) != digits) fail(e, "round() takes 0 to 15 digits");
      double scale = std::pow(10.0, digits);
      return Value::number(std::round(expect(e, args[0], ValueType::number, c).as_number() * scale) / scale);
    }
    case Function::hhi: return args[0].is_missing() ? args[0] : hhi(e, args[0], c);
    case Function::entities:
      return Value::list(c.portfolio.entities_of_kind(expect(e, args[0], ValueType::string, c).as_string()));
    default: return eval_graph_call(e, function, args, c);
  }
}

// count / any / all / sum / min / max / list over a collection.
class AggregateState {
 public:
  AggregateState(const Expr& e, Context& c) : e_(e), c_(c), function_(static_cast<Function>(e.function)) {}

  // Returns true when the result is decided and the loop can stop.
  bool add(const Value& element, std::optional<bool> predicate) {
    switch (function_) {
      case Function::count:
        if (predicate.value_or(false)) ++count_;
        return false;
      case Function::any:
      case Function::all: {
        bool deciding = function_ == Function::any;
        if (predicate == deciding) {
          decided_ = true;
          return true;
        }
        if (!predicate) saw_missing_ = true;
        return false;
      }
      default: break;
    }
    if (!predicate.value_or(false) || element.is_missing()) return false;
    if (function_ == Function::list) items_.push_back(element);
    else if (function_ == Function::sum) add_to_sum(element);
    else keep_extreme(element);
    return false;
  }

  Value result() const {
    switch (function_) {
      case Function::count: return Value::number(static_cast<double>(count_));
      case Function::any: return decided_ ? Value::boolean(true) : saw_missing_ ? Value() : Value::boolean(false);
      case Function::all: return decided_ ? Value::boolean(false) : saw_missing_ ? Value() : Value::boolean(true);
      case Function::sum: return sum_.is_missing() ? Value::number(0) : sum_;
      case Function::list: return Value::list(items_);
      default: return extreme_;
    }
  }

 private:
  void add_to_sum(const Value& v) {
    if (sum_.is_missing() && (v.is(ValueType::number) || v.is(ValueType::duration))) {
      sum_ = v;
      return;
    }
    if (v.is(ValueType::number) && sum_.is(ValueType::number)) {
      sum_ = Value::number(sum_.as_number() + v.as_number());
    } else if (v.is(ValueType::duration) && sum_.is(ValueType::duration)) {
      sum_ = in_range(e_, vigil::add(sum_.as_duration(), v.as_duration()));
    } else {
      fail(e_, fmt::format("sum() adds numbers or durations but got {}", describe_value(v, c_.portfolio)));
    }
  }

  void keep_extreme(const Value& v) {
    if (!orderable(v.type()))
      fail(e_, fmt::format("{}() needs values with an order but got {}", e_.text, describe_value(v, c_.portfolio)));
    if (extreme_.is_missing()) {
      extreme_ = v;
      return;
    }
    require_same_type(e_, v, extreme_, c_);
    auto o = order(v, extreme_);
    if (function_ == Function::min ? o < 0 : o > 0) extreme_ = v;
  }

  const Expr& e_;
  Context& c_;
  Function function_;
  std::size_t count_ = 0;
  bool decided_ = false, saw_missing_ = false;
  Value sum_, extreme_;
  List items_;
};

Value eval_aggregate(const Expr& e, Context& c) {
  Value collection = eval(*e.collection, c);
  if (collection.is_missing()) return collection;
  if (!collection.is(ValueType::list))
    fail(e, fmt::format("{}() needs a list to go over but got {}", e.text, describe_value(collection, c.portfolio)));
  auto function = static_cast<Function>(e.function);
  if (function == Function::count && !e.filter) return Value::number(static_cast<double>(collection.as_list().size()));
  bool quantifier = function == Function::any || function == Function::all;
  bool element_is_predicate = quantifier && !e.filter;
  // For errors about the elements: formatted once per aggregate, not per element.
  std::string what = element_is_predicate ? fmt::format("{}()", e.text) : std::string();
  AggregateState state(e, c);
  const ListData& items = collection.as_list();
  const auto& origin = items.origin();
  std::size_t first = 0, last = items.size();
  if (!e.only_kind.empty()) {
    const KindTable* kind = c.portfolio.find_kind(e.only_kind);
    auto range = kind ? items.kind_range(static_cast<KindId>(kind - c.portfolio.kinds().data())) : std::nullopt;
    if (!kind) first = last;  // no entity has that kind: nothing passes `where`
    else if (range) std::tie(first, last) = *range;
  }
  bool needs_element = function != Function::count && !(quantifier && e.filter);
  for (std::size_t i = first; i < last; ++i) {
    const Value item = items[i];
    if (e.slot >= 0) c.locals[static_cast<std::size_t>(e.slot)] = item;
    PathMark mark(c);
    std::optional<bool> predicate = true;
    if (e.filter) predicate = truth(*e.filter, eval(*e.filter, c), "'where'", c);
    // The element is only evaluated for elements that pass `where`.
    Value element = needs_element && predicate.value_or(false) && e.element ? eval(*e.element, c) : item;
    if (element_is_predicate) predicate = truth(e, element, what.c_str(), c);
    mark.keep_only_if(c, Value::boolean(predicate.value_or(false)));
    if (origin && predicate.value_or(false)) request_path(c, *origin, item.as_entity());
    if (state.add(element, predicate)) break;
  }
  return state.result();
}

Value eval_interpolation(const Expr& e, Context& c) {
  std::string text;
  for (const auto& part : e.args)
    text += part->kind == ExprKind::string ? part->text : display_value(eval(*part, c), c.portfolio);
  return Value::string(std::move(text));
}

Value eval_node(const Expr& e, Context& c);

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

std::string evidence_json(const Rule& rule, const Context& c) {
  nlohmann::ordered_json evidence = nlohmann::ordered_json::object();
  if (!c.reads.empty()) {
    auto reads = c.reads;
    std::stable_sort(reads.begin(), reads.end(), [&](const FactRead& a, const FactRead& b) {
      return std::tie(c.portfolio.id(a.entity), *a.attribute) < std::tie(c.portfolio.id(b.entity), *b.attribute);
    });
    auto& facts = evidence["facts"];
    for (const auto& read : reads)
      facts[c.portfolio.id(read.entity)][*read.attribute] = value_to_json(read.value, c.portfolio);
  }
  for (const auto& let : rule.lets)  // the lets that were needed to decide
    if (c.evaluated[static_cast<std::size_t>(let.slot)])
      evidence["values"][let.name] = value_to_json(c.locals[static_cast<std::size_t>(let.slot)], c.portfolio, 20);
  if (!c.paths.empty()) {
    auto& paths = evidence["paths"];
    paths = nlohmann::ordered_json::array();
    for (const auto& request : c.paths) {
      auto chain = nlohmann::ordered_json::array();
      for (EntityIndex step : c.graph.get().view(request.edge_kind).path(request.from, request.to))
        chain.push_back(c.portfolio.id(step));
      paths.push_back(std::move(chain));
    }
    if (c.paths_left_out > 0) evidence["more_paths"] = c.paths_left_out;
  }
  if (c.reads_truncated) evidence["truncated"] = true;
  return evidence.dump(-1, ' ', false, nlohmann::ordered_json::error_handler_t::replace);
}

}  // namespace

struct Evaluator::Impl {
  const RuleSet& rules;
  const Portfolio& portfolio;
  Date today;
  LazyGraph graph{portfolio};
  std::vector<std::vector<Value>> constants;  // per file
  std::vector<EvaluationError> constant_errors;

  Impl(const RuleSet& r, const Portfolio& p, Date d) : rules(r), portfolio(p), today(d) {}

  Context make_context() const {
    Context c{portfolio, graph, nullptr, today, {}, nullptr, {}, {}, false, {}, 0, {}, nullptr};
    c.column_cache.assign(rules.node_count, {0, kNoColumn});
    return c;
  }

  void evaluate_constants() {
    Context c = make_context();
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

  std::unordered_map<const Rule*, std::vector<const Expr*>> lazy_lets;  // filled once, read concurrently

  void index_lets() {
    for (const auto& file : rules.files)
      for (const auto& rule : file.rules) {
        auto& table = lazy_lets[&rule];
        table.assign(static_cast<std::size_t>(rule.slot_count), nullptr);
        for (const auto& let : rule.lets) table[static_cast<std::size_t>(let.slot)] = let.value.get();
      }
  }

  const std::vector<const Expr*>& lazy_lets_of(const Rule& rule) const { return lazy_lets.at(&rule); }

  const std::vector<Value>& constants_of(const Rule& rule) const {
    for (std::size_t f = 0; f < rules.files.size(); ++f)
      for (const auto& candidate : rules.files[f].rules)
        if (&candidate == &rule) return constants[f];
    throw std::logic_error("rule not in rule set");
  }

  void evaluate(const Rule& rule, const RuleFile& file, std::optional<EntityIndex> entity, Context& c,
                EvaluationResult& out) const {
    c.locals.assign(static_cast<std::size_t>(rule.slot_count), Value());
    c.evaluated.assign(static_cast<std::size_t>(rule.slot_count), false);
    c.lazy_lets = &lazy_lets_of(rule);
    c.reads.clear();
    c.reads_truncated = false;
    c.paths.clear();
    c.paths_left_out = 0;
    c.depth = 0;  // a failure leaves it wherever the evaluation stopped
    if (entity) c.locals[0] = Value::entity(*entity);
    try {
      auto fires = truth(*rule.when, eval(*rule.when, c), "'when'", c);
      if (!fires.value_or(false)) return;
      Finding finding;
      finding.rule = rule.id;
      if (entity) finding.entity = portfolio.id(*entity);
      finding.kind = entity ? portfolio.kind_name(*entity) : "portfolio";
      finding.severity = *rule.severity;
      finding.message = std::string(eval(*rule.message, c).as_string());
      finding.evidence_json = evidence_json(rule, c);
      out.findings.push_back(std::move(finding));
    } catch (const EvalFailure& failure) {
      out.errors.push_back({rule.id, entity ? std::optional(portfolio.id(*entity)) : std::nullopt, failure.attribute,
                            failure.message, location_of(file, *failure.node)});
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
    constexpr std::size_t kChunk = 512;  // small enough to balance expensive entities across threads
    std::vector<Task> out;
    for (const auto& file : rules.files)
      for (const auto& rule : file.rules) {
        if (rule.for_portfolio) {
          out.push_back({&rule, &file, nullptr, 0, 1});
          continue;
        }
        const KindTable* table = portfolio.find_kind(rule.for_kind);
        if (!table) continue;
        for (std::size_t begin = 0; begin < table->members.size(); begin += kChunk)
          out.push_back({&rule, &file, &table->members, begin, std::min(begin + kChunk, table->members.size())});
      }
    return out;
  }

  void run(const Task& task, Context& c, EvaluationResult& out) const {
    c.constants = &constants_of(*task.rule);
    if (!task.entities) {
      evaluate(*task.rule, *task.file, std::nullopt, c, out);
      return;
    }
    for (std::size_t i = task.begin; i < task.end; ++i) evaluate(*task.rule, *task.file, (*task.entities)[i], c, out);
  }
};

Evaluator::Evaluator(const RuleSet& rules, const Portfolio& portfolio, Date today)
    : impl_(std::make_unique<Impl>(rules, portfolio, today)) {
  impl_->index_lets();
  impl_->evaluate_constants();
}

Evaluator::~Evaluator() = default;

EvaluationResult Evaluator::evaluate_all(unsigned threads, const Progress& progress) const {
  if (threads == 0) threads = std::max(1u, std::thread::hardware_concurrency());
  auto tasks = impl_->tasks();
  threads = static_cast<unsigned>(std::min<std::size_t>(threads, std::max<std::size_t>(1, tasks.size())));
  // Each thread takes the next task and keeps its own context and results;
  // sorting the merged results makes the output independent of scheduling.
  std::atomic<std::size_t> next{0}, done{0};
  std::vector<EvaluationResult> partial(threads);
  std::vector<std::exception_ptr> failures(threads);
  auto work = [&](unsigned t) {
    try {
      Context c = impl_->make_context();
      for (std::size_t i = next++; i < tasks.size(); i = next++) {
        impl_->run(tasks[i], c, partial[t]);
        ++done;
        if (t == 0 && progress) progress(done, tasks.size());  // one thread reports, so the callback need not lock
      }
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
  result.errors = impl_->constant_errors;
  for (auto& part : partial) {
    std::move(part.findings.begin(), part.findings.end(), std::back_inserter(result.findings));
    std::move(part.errors.begin(), part.errors.end(), std::back_inserter(result.errors));
  }
  sort_result(result);
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

Evaluator::Explanation Evaluator::explain(const Rule& rule, std::optional<EntityIndex> entity) const {
  Explanation explanation;
  std::vector<NodeValue> recorded(impl_->rules.node_count, NodeValue{nullptr, Value(), 0});
  Context c = impl_->make_context();
  c.constants = &impl_->constants_of(rule);
  c.recorded = &recorded;
  impl_->evaluate(rule, impl_->rules.file_of(rule), entity, c, explanation.result);
  for (auto& node : recorded)
    if (node.times > 0) explanation.values.push_back(std::move(node));
  std::stable_sort(explanation.values.begin(), explanation.values.end(), [](const NodeValue& a, const NodeValue& b) {
    return std::make_pair(a.node->span.begin, b.node->span.end) < std::make_pair(b.node->span.begin, a.node->span.end);
  });
  return explanation;
}

}  // namespace vigil
