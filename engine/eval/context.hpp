// The interpreter's shared state, for the evaluator core (evaluator.cpp),
// the builtins (builtins.cpp) and the evidence (evidence.cpp). Internal to
// engine/eval.
#pragma once

#include <atomic>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <tuple>
#include <vector>

#include "engine/eval/aggregate_memo.hpp"
#include "engine/eval/evaluator.hpp"
#include "engine/facts/dependency_graph.hpp"
#include "engine/facts/value_format.hpp"

namespace vigil {

// Ends the evaluation of one rule for one entity; becomes an EvaluationError.
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

constexpr int kNoColumn = -2;
// Expressions evaluated inside each other, through lets included (the parser
// bounds each expression's own depth at 256).
constexpr int kMaxEvaluationDepth = 2000;

// The dependency graph, built when a rule first calls a graph function.
class LazyGraph {
 public:
  // With `base`: `portfolio` is base's overlaid, and its graph is built on base's (see DependencyGraph).
  explicit LazyGraph(const Portfolio& portfolio, const LazyGraph* base = nullptr, std::size_t base_edge_count = 0)
      : portfolio_(portfolio), base_(base), base_edge_count_(base_edge_count) {}
  // Asked for at every graph function call: once built, one atomic load
  // (call_once costs a call into the thread library each time).
  const DependencyGraph& get() const {
    if (const DependencyGraph* built = built_.load(std::memory_order_acquire)) return *built;
    std::call_once(once_, [&] {
      graph_ = base_ ? std::make_unique<DependencyGraph>(portfolio_, base_->get(), base_edge_count_)
                     : std::make_unique<DependencyGraph>(portfolio_);
      built_.store(graph_.get(), std::memory_order_release);
    });
    return *graph_;
  }

 private:
  const Portfolio& portfolio_;
  const LazyGraph* base_ = nullptr;
  std::size_t base_edge_count_ = 0;
  mutable std::once_flag once_;
  mutable std::unique_ptr<DependencyGraph> graph_;
  mutable std::atomic<const DependencyGraph*> built_{nullptr};
};

// Per-evaluation state; one per thread.
struct Context {
  const Portfolio& portfolio;
  const LazyGraph& graph;
  const std::vector<Value>* constants = nullptr;
  Date today{};
  std::vector<Value> locals{};
  // Rule `let`s are evaluated when first used (then kept): a `let` that the
  // `when` does not need for an entity costs nothing.
  const std::vector<const Expr*>* lazy_lets = nullptr;  // per local slot: the let's expression, or null
  std::vector<std::uint8_t> evaluated{};  // per local slot (bytes: cleared for every subject)
  // Off when nobody will see the evidence (a run that is neither stored nor
  // printed as JSON): facts read and paths are then not recorded.
  bool evidence = true;
  std::vector<FactRead> reads{};
  bool reads_truncated = false;
  std::vector<PathRequest> paths{};
  std::size_t paths_left_out = 0;
  std::vector<std::pair<KindId, int>> column_cache{};  // per node id: the last kind seen and its column
  // Per aggregate node whose `where` reads only its element: that condition's
  // value per entity, once known (kNotYet, false, true, missing).
  std::vector<std::vector<std::uint8_t>> element_filter_cache{};
  // Counts of those answers over a range of a big shared list (node id, list,
  // first, last), with the lists kept alive so that no other list takes their address.
  std::map<std::tuple<int, const void*, std::size_t, std::size_t>, std::size_t> shared_counts{};
  std::vector<std::shared_ptr<const std::vector<EntityIndex>>> counted_lists{};
  // Aggregates kept for overlays (aggregate_memo.hpp): the loaded portfolio's
  // evaluation records them; an overlay's resumes them.
  AggregateMemo* memo_record = nullptr;
  const OverlayDelta* overlay_delta = nullptr;
  // For `vigil explain`: every node's value, by node id (null in normal evaluation).
  std::vector<Evaluator::NodeValue>* recorded = nullptr;
  // Expressions being evaluated inside each other (see kMaxEvaluationDepth).
  int depth = 0;
};

// The attribute behind an operand, to name it in error messages.
inline std::string attribute_behind(const Expr& node) {
  if (node.kind == ExprKind::member) return node.text;
  for (const auto& child : node.args)
    if (child && child->kind == ExprKind::member) return child->text;
  return {};
}

[[noreturn]] inline void fail(const Expr& node, std::string message) {
  throw EvalFailure{&node, std::move(message), attribute_behind(node)};
}

Value eval(const Expr& e, Context& c);

// A condition's value: true, false, or missing (as nullopt).
inline std::optional<bool> truth(const Expr& node, const Value& v, const char* what, const Context& c) {
  if (v.is_missing()) return std::nullopt;
  if (!v.is(ValueType::boolean))
    fail(node, fmt::format("{} needs true or false but got {}", what, describe_value(v, c.portfolio)));
  return v.as_bool();
}

// `v` when it has the type a function needs; an evaluation error naming the function otherwise.
inline const Value& expect(const Expr& e, const Value& v, ValueType type, Context& c) {
  if (!v.is(type))
    fail(e, fmt::format("{}() needs {} but got {}", e.text, type_with_article(type), describe_value(v, c.portfolio)));
  return v;
}

}  // namespace vigil
