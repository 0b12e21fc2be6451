#include "engine/eval/builtins.hpp"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdlib>
#include <tuple>
#include <unordered_map>
#include <unordered_set>

#include <boost/container/small_vector.hpp>
#include <nlohmann/json.hpp>

#include "dsl/unicode.hpp"
#include "engine/eval/evidence.hpp"

namespace vigil {
namespace {

using Args = std::span<const Value>;
using Builtin = Value (*)(const Expr& e, const Args& args, Context& c);

Value missing_of(const Expr&, const Args& args, Context&) { return Value::boolean(args[0].is_missing()); }
Value present_of(const Expr&, const Args& args, Context&) { return Value::boolean(!args[0].is_missing()); }

Value len(const Expr& e, const Args& args, Context& c) {
  if (args[0].is(ValueType::list)) return Value::number(static_cast<double>(args[0].as_list().size()));
  return Value::number(static_cast<double>(count_code_points(expect(e, args[0], ValueType::string, c).as_string())));
}

Value lower(const Expr& e, const Args& args, Context& c) {
  return Value::string(to_lower(expect(e, args[0], ValueType::string, c).as_string()));
}

Value upper(const Expr& e, const Args& args, Context& c) {
  return Value::string(to_upper(expect(e, args[0], ValueType::string, c).as_string()));
}

Value contains(const Expr& e, const Args& args, Context& c) {
  if (args[0].is(ValueType::list))
    return Value::boolean(std::any_of(args[0].as_list().begin(), args[0].as_list().end(),
                                      [&](const Value& v) { return same_value(v, args[1]); }));
  return Value::boolean(expect(e, args[0], ValueType::string, c).as_string().find(
                            expect(e, args[1], ValueType::string, c).as_string()) != std::string_view::npos);
}

Value starts_with(const Expr& e, const Args& args, Context& c) {
  return Value::boolean(expect(e, args[0], ValueType::string, c).as_string().starts_with(
      expect(e, args[1], ValueType::string, c).as_string()));
}

Value days(const Expr& e, const Args& args, Context& c) {
  return Value::number(std::round(expect(e, args[0], ValueType::duration, c).as_duration().approximate_days()));
}

Value round(const Expr& e, const Args& args, Context& c) {
  double digits = args.size() > 1 ? expect(e, args[1], ValueType::number, c).as_number() : 0;
  if (digits < 0 || digits > 15 || std::trunc(digits) != digits) fail(e, "round() takes 0 to 15 digits");
  return Value::number(round_to_digits(expect(e, args[0], ValueType::number, c).as_number(), digits));
}

// The Herfindahl-Hirschman index in points (0..10000); missing sizes are left out.
Value hhi(const Expr& e, const Args& args, Context& c) {
  if (args[0].is_missing()) return args[0];
  std::vector<double> values;
  for (const auto& item : expect(e, args[0], ValueType::list, c).as_list()) {
    if (item.is_missing()) continue;
    if (!item.is(ValueType::number) || item.as_number() < 0)
      fail(e, fmt::format("hhi() needs non-negative numbers but got {}", describe_value(item, c.portfolio)));
    values.push_back(item.as_number());
  }
  auto index = hhi_points([&](auto&& f) {
    for (double v : values) f(v);
  });
  return index ? Value::number(*index) : Value::missing();
}

Value entities(const Expr& e, const Args& args, Context& c) {
  return Value::list(c.portfolio.entities_of_kind(expect(e, args[0], ValueType::string, c).as_string()));
}

// ---- conversions and lists ----

// As messages show values: numbers without needless decimals, dates ISO,
// entities by id (CONTRACT section 10).
Value str(const Expr&, const Args& args, Context& c) { return Value::string(display_value(args[0], c.portfolio)); }

// Decimal and exponent forms, surrounding spaces trimmed; anything else is missing.
Value number(const Expr&, const Args& args, Context&) {
  if (args[0].is(ValueType::number)) return args[0];
  std::string text(args[0].as_string());
  auto begin = text.find_first_not_of(" \t\r\n");
  if (begin == std::string::npos) return Value::missing();
  text = text.substr(begin, text.find_last_not_of(" \t\r\n") - begin + 1);
  char* end = nullptr;
  double parsed = std::strtod(text.c_str(), &end);
  bool plain = std::all_of(text.begin(), text.end(), [](char ch) {
    return std::isdigit(static_cast<unsigned char>(ch)) || ch == '.' || ch == '-' || ch == '+' || ch == 'e' || ch == 'E';
  });  // strtod also reads "inf", "nan" and hexadecimal, which are not numbers here
  if (!plain || end != text.c_str() + text.size() || !std::isfinite(parsed)) return Value::missing();
  return Value::number(parsed);
}

Value date(const Expr&, const Args& args, Context&) {
  if (args[0].is(ValueType::date)) return args[0];
  auto parsed = parse_iso_date(args[0].as_string());
  return parsed ? Value::date(*parsed) : Value::missing();
}

Value abs(const Expr& e, const Args& args, Context& c) {
  if (args[0].is(ValueType::duration)) {
    Duration d = args[0].as_duration();
    return compare(d, Duration{}) < 0 ? Value::duration(Duration{-d.months, -d.days}) : args[0];
  }
  return Value::number(std::fabs(expect(e, args[0], ValueType::number, c).as_number()));
}

// The first occurrence of each value, in order.
Value distinct(const Expr& e, const Args& args, Context& c) {
  return Value::list(distinct_values(expect(e, args[0], ValueType::list, c).as_list()));
}

// Ascending; missing elements go last; values of different types cannot be sorted.
Value sort(const Expr& e, const Args& args, Context& c) {
  const auto& list = expect(e, args[0], ValueType::list, c).as_list();
  List items(list.begin(), list.end());
  const Value* first = nullptr;
  for (const auto& item : items) {
    if (item.is_missing()) continue;
    if (!first) first = &item;
    if (order_values(item, *first) == std::partial_ordering::unordered)
      fail(e, fmt::format("sort() needs values of one type with an order, but the list holds {} and {}",
                          describe_value(*first, c.portfolio), describe_value(item, c.portfolio)));
  }
  std::stable_sort(items.begin(), items.end(), [](const Value& a, const Value& b) {
    if (a.is_missing() || b.is_missing()) return !a.is_missing() && b.is_missing();
    return order_values(a, b) < 0;
  });
  return Value::list(std::move(items));
}

Value entity(const Expr&, const Args& args, Context& c) {
  auto found = c.portfolio.find(args[0].as_string());
  return found ? Value::entity(*found) : Value::missing();
}

// ---- edges as records: links(x), links_in(x) ----

// An edge attribute as stored (JSON, typed at import) as a value.
Value json_to_value(const nlohmann::json& json) {
  if (json.is_number()) return Value::number(json.get<double>());
  if (json.is_boolean()) return Value::boolean(json.get<bool>());
  if (json.is_string()) return Value::string(json.get<std::string>());
  if (json.is_null()) return Value::missing();
  return Value::string(json.dump());
}

Value edge_record(const Edge& edge, Context& c) {
  std::vector<std::pair<std::string, Value>> fields;
  if (std::string_view json = c.portfolio.edge_attributes(edge); !json.empty()) {
    auto attributes = nlohmann::json::parse(json, nullptr, false);
    if (attributes.is_object())
      for (const auto& [name, value] : attributes.items()) fields.emplace_back(name, json_to_value(value));
  }
  // The edge's own fields come last: make_map keeps the later of two equal keys.
  fields.emplace_back("from", Value::string_view(c.portfolio.id(edge.from)));
  fields.emplace_back("to", Value::string_view(c.portfolio.id(edge.to)));
  fields.emplace_back("kind", Value::string_view(c.portfolio.edge_kinds()[edge.kind]));
  return make_map(std::move(fields));
}

// One record per edge (parallel edges and self-loops included), ordered by the
// other end's kind, then its id, then the edge kind, then input order.
template <bool kOutgoing>
Value links(const Expr& e, const Args& args, Context& c) {
  EntityIndex x = expect(e, args[0], ValueType::entity, c).as_entity();
  auto index = c.portfolio.edge_index();
  std::vector<std::uint32_t> edges = kOutgoing ? index->outgoing[x] : index->incoming[x];
  const auto& all = c.portfolio.edges();
  auto key = [&](std::uint32_t i) {
    EntityIndex other = kOutgoing ? all[i].to : all[i].from;
    return std::make_tuple(std::cref(c.portfolio.kind_name(other)), std::cref(c.portfolio.id(other)),
                           std::cref(c.portfolio.edge_kinds()[all[i].kind]));
  };
  std::stable_sort(edges.begin(), edges.end(), [&](std::uint32_t a, std::uint32_t b) { return key(a) < key(b); });
  List records;
  for (std::uint32_t i : edges) records.push_back(edge_record(all[i], c));
  return Value::list(std::move(records));
}

// ---- graph functions: the edge kind (the optional last positional argument,
// or `kind:`), and how far to follow (`depth:`) ----

struct GraphQuery {
  // Edge kinds to follow (DependencyGraph::kAllEdges: every edge); inline, as rules ask per element.
  boost::container::small_vector<int, 2> kinds;
  std::optional<std::size_t> depth;  // most edges followed; none: no limit
  // One kind (or all) and no limit: the shared, precomputed views answer it.
  bool precomputed() const { return kinds.size() == 1 && !depth; }
};

const Value* option_value(const Expr& e, const Args& args, std::string_view name) {
  for (std::size_t i = 0; i < e.option_names.size(); ++i)
    if (e.option_names[i] == name) return &args[e.positional_count() + i];
  return nullptr;
}

GraphQuery graph_query(const Expr& e, const Args& args, std::size_t kind_index, Context& c) {
  GraphQuery query;
  const DependencyGraph& graph = c.graph.get();
  const Value* kind = kind_index < e.positional_count() ? &args[kind_index] : option_value(e, args, "kind");
  if (!kind) {
    query.kinds = {DependencyGraph::kAllEdges};
  } else if (kind->is(ValueType::list)) {
    for (const auto& item : kind->as_list())
      query.kinds.push_back(graph.edge_kind(expect(e, item, ValueType::string, c).as_string()));
  } else {
    query.kinds = {graph.edge_kind(expect(e, *kind, ValueType::string, c).as_string())};
  }
  if (const Value* depth = option_value(e, args, "depth")) {
    double n = expect(e, *depth, ValueType::number, c).as_number();
    if (n < 1 || std::trunc(n) != n) fail(e, fmt::format("depth: must be a whole number of edges, 1 or more, not {}", format_number(n)));
    query.depth = static_cast<std::size_t>(std::min(n, 1e9));
  }
  return query;
}

// Breadth first from `start` along the query's edges, one way: every entity
// reached (start itself only through a cycle) with the entity it was reached from.
struct Walk {
  std::vector<EntityIndex> reached;  // in the order found
  std::unordered_map<EntityIndex, EntityIndex> parent;
  bool found = false;  // `target` was reached
};

Walk walk(const GraphQuery& query, EntityIndex start, bool towards_suppliers, std::optional<EntityIndex> target, Context& c) {
  const DependencyGraph& graph = c.graph.get();
  Walk w;
  std::vector<EntityIndex> frontier{start};
  for (std::size_t level = 1; !frontier.empty() && (!query.depth || level <= *query.depth); ++level) {
    std::vector<EntityIndex> next;
    for (EntityIndex from : frontier)
      for (int kind : query.kinds) {
        if (kind == DependencyGraph::kNoSuchKind) continue;
        const GraphView& view = graph.view(kind);
        auto neighbours = towards_suppliers ? view.suppliers(from) : view.dependents(from);
        for (const Value& v : *neighbours) {
          EntityIndex to = v.as_entity();
          if (!w.parent.emplace(to, from).second) continue;
          if (to != start) w.reached.push_back(to), next.push_back(to);
          if (target && to == *target) {
            w.found = true;
            return w;
          }
        }
      }
    frontier = std::move(next);
  }
  return w;
}

// Entities in (kind, id) order, as every graph result.
Value entity_list(std::vector<EntityIndex> entities, Context& c) {
  const auto& rank = c.graph.get().rank();
  std::sort(entities.begin(), entities.end(), [&](EntityIndex a, EntityIndex b) { return rank[a] < rank[b]; });
  return Value::list(std::make_shared<const ListData>(std::move(entities)));
}

template <GraphView::ListPtr (GraphView::*Precomputed)(EntityIndex) const, bool kTowardsSuppliers>
Value neighbours(const Expr& e, const Args& args, Context& c) {
  GraphQuery query = graph_query(e, args, 1, c);
  EntityIndex x = expect(e, args[0], ValueType::entity, c).as_entity();
  if (query.precomputed()) return Value::list((c.graph.get().view(query.kinds[0]).*Precomputed)(x));
  // suppliers(x, kind: [...]) is one level deep; suppliers*(x, ...) as deep as asked.
  bool direct = Precomputed == &GraphView::suppliers || Precomputed == &GraphView::dependents;
  if (direct) query.depth = 1;
  return entity_list(walk(query, x, kTowardsSuppliers, std::nullopt, c).reached, c);
}

Value reaches(const Expr& e, const Args& args, Context& c) {
  GraphQuery query = graph_query(e, args, 2, c);
  EntityIndex x = expect(e, args[0], ValueType::entity, c).as_entity();
  EntityIndex y = expect(e, args[1], ValueType::entity, c).as_entity();
  if (!query.precomputed()) return Value::boolean(walk(query, x, true, y, c).found);
  int kind = query.kinds[0];
  bool connected = c.graph.get().view(kind).reaches(x, y);
  if (connected) request_path(c, {x, y, kind});
  return Value::boolean(connected);
}

Value path(const Expr& e, const Args& args, Context& c) {
  GraphQuery query = graph_query(e, args, 2, c);
  EntityIndex x = expect(e, args[0], ValueType::entity, c).as_entity();
  EntityIndex y = expect(e, args[1], ValueType::entity, c).as_entity();
  std::vector<EntityIndex> steps;
  if (query.precomputed()) {
    steps = c.graph.get().view(query.kinds[0]).path(x, y);
  } else if (Walk w = walk(query, x, true, y, c); w.found) {
    for (EntityIndex at = y;; at = w.parent.at(at)) {  // back from y to x
      steps.push_back(at);
      if (w.parent.at(at) == x) break;
    }
    steps.push_back(x);
    std::reverse(steps.begin(), steps.end());
  }
  List ids;
  for (EntityIndex step : steps) ids.push_back(Value::string_view(c.portfolio.id(step)));
  return Value::list(std::move(ids));
}

Value in_cycle(const Expr& e, const Args& args, Context& c) {
  GraphQuery query = graph_query(e, args, 1, c);
  EntityIndex x = expect(e, args[0], ValueType::entity, c).as_entity();
  if (!query.precomputed()) return Value::boolean(walk(query, x, true, x, c).found);
  int kind = query.kinds[0];
  bool cycle = c.graph.get().view(kind).in_cycle(x);
  if (cycle) request_path(c, {x, x, kind});  // the cycle from x back to x
  return Value::boolean(cycle);
}

// In the order of enum Function (the rows of dsl/functions.cpp).
constexpr std::array<Builtin, kCallCount> kBuiltins{
    missing_of, present_of, len, lower, upper, contains, starts_with, days, round, hhi, entities,
    str, number, date, abs, distinct, sort, entity, links<true>, links<false>,
    neighbours<&GraphView::suppliers, true>, neighbours<&GraphView::suppliers_closure, true>,
    neighbours<&GraphView::dependents, false>, neighbours<&GraphView::dependents_closure, false>,
    reaches, path, in_cycle,
};
static_assert(kBuiltins.size() == kCallCount, "one builtin function per call row of dsl/functions.cpp");

}  // namespace

double round_to_digits(double value, double digits) {
  // Powers of ten are exact in a double: a table, not pow() (SPEND-001 rounds once per vendor).
  static constexpr double kScales[] = {1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15};
  double scale = kScales[static_cast<std::size_t>(digits)];
  return std::round(value * scale) / scale;
}

// Values with a join key (strings, numbers, dates, bools, entities) are
// found in a hash set: a list of 100,000 country codes takes one pass, not
// one pass per distinct value. The others (missing, lists, maps, durations)
// are compared one by one, as same_value() says.
List distinct_values(const ListData& items) {
  List kept, keyless;
  std::unordered_set<std::string> keys;
  std::unordered_set<std::string_view> texts;  // strings, the common case, without making a key of each
  for (const auto& item : items) {
    if (item.is(ValueType::string)) {
      if (texts.insert(item.as_string()).second) kept.push_back(item);
      continue;
    }
    std::string key = Portfolio::join_key(item);
    if (!key.empty()) {
      if (keys.insert(std::move(key)).second) kept.push_back(item);
    } else if (std::none_of(keyless.begin(), keyless.end(), [&](const Value& seen) { return same_value(seen, item); })) {
      keyless.push_back(item);
      kept.push_back(item);
    }
  }
  return kept;
}

Value call_builtin(const Expr& call, std::span<const Value> args, Context& c) {
  auto function = static_cast<std::size_t>(call.function);
  if (!function_info(static_cast<Function>(function)).takes_missing &&
      std::any_of(args.begin(), args.end(), [](const Value& v) { return v.is_missing(); }))
    return Value::missing();
  return kBuiltins[function](call, args, c);
}

}  // namespace vigil
