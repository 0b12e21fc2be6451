#include <catch2/catch.hpp>

#include <thread>

#include <random>
#include <set>
#include <sstream>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "engine/facts/dependency_graph.hpp"
#include "test_support.hpp"

using namespace vigil;

namespace {

// A portfolio of `node` entities with the given edges "A>B" or "A>B:kind" (default kind "k").
Portfolio graph(const std::vector<std::string>& nodes, const std::vector<std::string>& edges) {
  Portfolio p;
  KindId kind = p.declare_kind("node");
  for (const auto& id : nodes) p.add_entity(id, kind);
  for (const auto& edge : edges) {
    auto arrow = edge.find('>');
    auto colon = edge.find(':');
    std::string to = edge.substr(arrow + 1, colon == std::string::npos ? std::string::npos : colon - arrow - 1);
    p.add_edge(*p.find(edge.substr(0, arrow)), *p.find(to), colon == std::string::npos ? "k" : edge.substr(colon + 1));
  }
  return p;
}

std::string ids(const Portfolio& p, const ListData& list) {
  std::string out;
  for (const Value& v : list) out += (out.empty() ? "" : ",") + p.id(v.as_entity());
  return out;
}

std::string ids(const Portfolio& p, const std::vector<EntityIndex>& chain) {
  std::string out;
  for (EntityIndex e : chain) out += (out.empty() ? "" : ",") + p.id(e);
  return out;
}

struct Fixture {
  Portfolio p;
  DependencyGraph g;
  explicit Fixture(Portfolio portfolio) : p(std::move(portfolio)), g(p) {}
  const GraphView& view(std::optional<std::string_view> kind = std::nullopt) const { return g.view(g.edge_kind(kind)); }
  EntityIndex at(const char* id) const { return *p.find(id); }
  std::string suppliers(const char* id, std::optional<std::string_view> kind = std::nullopt) const {
    return ids(p, *view(kind).suppliers(at(id)));
  }
  std::string dependents(const char* id) const { return ids(p, *view().dependents(at(id))); }
  std::string all_suppliers(const char* id, std::optional<std::string_view> kind = std::nullopt) const {
    return ids(p, *view(kind).suppliers_closure(at(id)));
  }
  std::string all_dependents(const char* id, std::optional<std::string_view> kind = std::nullopt) const {
    return ids(p, *view(kind).dependents_closure(at(id)));
  }
  bool reaches(const char* a, const char* b) const { return view().reaches(at(a), at(b)); }
  bool in_cycle(const char* id, std::optional<std::string_view> kind = std::nullopt) const {
    return view(kind).in_cycle(at(id));
  }
  std::string path(const char* a, const char* b) const { return ids(p, view().path(at(a), at(b))); }
};

}  // namespace

TEST_CASE("a chain", "[graph]") {
  Fixture f(graph({"A", "B", "C"}, {"A>B", "B>C"}));
  CHECK(f.suppliers("A") == "B");
  CHECK(f.suppliers("C") == "");
  CHECK(f.dependents("B") == "A");
  CHECK(f.all_suppliers("A") == "B,C");
  CHECK(f.all_dependents("C") == "A,B");
  CHECK(f.all_dependents("A") == "");
  CHECK(f.reaches("A", "C"));
  CHECK_FALSE(f.reaches("C", "A"));
  CHECK_FALSE(f.reaches("A", "A"));
  CHECK(f.path("A", "C") == "A,B,C");
  CHECK(f.path("C", "A") == "");
  CHECK_FALSE(f.in_cycle("B"));
}

TEST_CASE("a cycle with a tail: x is excluded from its own closure", "[graph]") {
  Fixture f(graph({"A", "B", "C", "D", "E"}, {"A>B", "B>C", "C>A", "D>A", "C>E"}));
  CHECK(f.all_suppliers("A") == "B,C,E");
  CHECK(f.all_suppliers("B") == "A,C,E");
  CHECK(f.all_suppliers("D") == "A,B,C,E");
  CHECK(f.all_dependents("A") == "B,C,D");
  CHECK(f.all_dependents("E") == "A,B,C,D");
  CHECK(f.in_cycle("A"));
  CHECK(f.in_cycle("C"));
  CHECK_FALSE(f.in_cycle("D"));
  CHECK_FALSE(f.in_cycle("E"));
  CHECK(f.reaches("A", "A"));
  CHECK(f.reaches("B", "A"));
  CHECK_FALSE(f.reaches("D", "D"));
  CHECK(f.path("A", "A") == "A,B,C,A");
  CHECK(f.path("D", "E") == "D,A,B,C,E");
  CHECK(f.view().component_count() == 3);
}

TEST_CASE("self-loops", "[graph]") {
  Fixture f(graph({"A", "B"}, {"A>A", "A>B"}));
  CHECK(f.in_cycle("A"));
  CHECK_FALSE(f.in_cycle("B"));
  CHECK(f.suppliers("A") == "A,B");
  CHECK(f.all_suppliers("A") == "B");
  CHECK(f.reaches("A", "A"));
  CHECK(f.path("A", "A") == "A,A");
}

TEST_CASE("a diamond counts the shared supplier once; paths prefer ids in order", "[graph]") {
  Fixture f(graph({"A", "B", "C", "D"}, {"A>C", "A>B", "B>D", "C>D"}));
  CHECK(f.all_suppliers("A") == "B,C,D");
  CHECK(f.all_dependents("D") == "A,B,C");
  CHECK(f.path("A", "D") == "A,B,D");
  CHECK(f.suppliers("A") == "B,C");
}

TEST_CASE("disconnected parts and empty graphs", "[graph]") {
  Fixture f(graph({"A", "B", "X", "Y"}, {"A>B", "X>Y"}));
  CHECK(f.all_suppliers("A") == "B");
  CHECK_FALSE(f.reaches("A", "Y"));
  CHECK(f.path("A", "Y") == "");
  Fixture lonely(graph({"A", "B"}, {}));
  CHECK(lonely.all_suppliers("A") == "");
  CHECK(lonely.all_dependents("A") == "");
  CHECK_FALSE(lonely.in_cycle("A"));
  Portfolio nothing;
  DependencyGraph empty(nothing);
  CHECK(empty.view(DependencyGraph::kAllEdges).component_count() == 0);
}

TEST_CASE("edge-kind filters, parallel edges and unknown kinds", "[graph]") {
  Fixture f(graph({"A", "B", "C", "D"}, {"A>B:depends_on", "B>C:subcontracts", "A>D:depends_on", "A>D:subcontracts",
                                         "C>B:depends_on"}));
  CHECK(f.all_suppliers("A", "depends_on") == "B,D");
  CHECK(f.all_suppliers("A", "subcontracts") == "D");
  CHECK(f.all_suppliers("B", "subcontracts") == "C");
  CHECK(f.all_suppliers("A") == "B,C,D");
  CHECK(f.suppliers("A") == "B,D");  // two edges to D, one supplier
  CHECK(f.in_cycle("B"));
  CHECK_FALSE(f.in_cycle("B", "subcontracts"));
  CHECK_FALSE(f.in_cycle("B", "depends_on"));
  CHECK(f.all_suppliers("A", "no_such_kind") == "");
  CHECK(f.all_dependents("D", "subcontracts") == "A");
}

TEST_CASE("the condensation agrees with a plain BFS per entity on random graphs", "[graph]") {
  std::mt19937 random(20261124);
  for (int round = 0; round < 30; ++round) {
    int n = 1 + static_cast<int>(random() % 60);
    int m = static_cast<int>(random() % (3 * n));
    std::vector<std::string> nodes, edges;
    for (int i = 0; i < n; ++i) nodes.push_back(fmt::format("N{:02}", (i * 37) % 100));  // ids not in index order
    std::set<std::string> seen(nodes.begin(), nodes.end());
    nodes.assign(seen.begin(), seen.end());
    n = static_cast<int>(nodes.size());
    for (int i = 0; i < m; ++i)
      edges.push_back(nodes[random() % n] + ">" + nodes[random() % n] + (random() % 2 ? ":a" : ":b"));
    std::sort(edges.begin(), edges.end());
    edges.erase(std::unique(edges.begin(), edges.end()), edges.end());
    Fixture f(graph(nodes, edges));
    for (std::optional<std::string_view> kind : {std::optional<std::string_view>(), std::optional<std::string_view>("a")}) {
      // Reference: adjacency and BFS over the raw edges.
      std::vector<std::vector<int>> out(n);
      for (const auto& e : edges) {
        auto arrow = e.find('>'), colon = e.find(':');
        if (kind && e.substr(colon + 1) != *kind) continue;
        int a = static_cast<int>(*f.p.find(e.substr(0, arrow))), b = static_cast<int>(*f.p.find(e.substr(arrow + 1, colon - arrow - 1)));
        out[static_cast<std::size_t>(a)].push_back(b);
      }
      auto bfs = [&](int start) {  // distance to everything reachable by one or more edges
        std::vector<int> distance(static_cast<std::size_t>(n), -1);
        std::vector<int> queue;
        for (int v : out[static_cast<std::size_t>(start)])
          if (distance[static_cast<std::size_t>(v)] < 0) distance[static_cast<std::size_t>(v)] = 1, queue.push_back(v);
        for (std::size_t i = 0; i < queue.size(); ++i)
          for (int v : out[static_cast<std::size_t>(queue[i])])
            if (distance[static_cast<std::size_t>(v)] < 0)
              distance[static_cast<std::size_t>(v)] = distance[static_cast<std::size_t>(queue[i])] + 1, queue.push_back(v);
        return distance;
      };
      const GraphView& view = f.view(kind);
      std::vector<std::vector<int>> distances;
      for (int a = 0; a < n; ++a) distances.push_back(bfs(a));
      for (int a = 0; a < n; ++a) {
        std::set<std::string> expected_suppliers, expected_dependents, actual_suppliers, actual_dependents;
        for (int b = 0; b < n; ++b) {
          if (b != a && distances[static_cast<std::size_t>(a)][static_cast<std::size_t>(b)] > 0) expected_suppliers.insert(nodes[static_cast<std::size_t>(b)]);
          if (b != a && distances[static_cast<std::size_t>(b)][static_cast<std::size_t>(a)] > 0) expected_dependents.insert(nodes[static_cast<std::size_t>(b)]);
          bool reachable = distances[static_cast<std::size_t>(a)][static_cast<std::size_t>(b)] > 0;
          REQUIRE(view.reaches(static_cast<EntityIndex>(a), static_cast<EntityIndex>(b)) == reachable);
          auto chain = view.path(static_cast<EntityIndex>(a), static_cast<EntityIndex>(b));
          REQUIRE(chain.empty() == !reachable);
          if (reachable) {
            REQUIRE(static_cast<int>(chain.size()) - 1 == distances[static_cast<std::size_t>(a)][static_cast<std::size_t>(b)]);
            for (std::size_t i = 0; i + 1 < chain.size(); ++i) {
              const auto& next = out[chain[i]];
              REQUIRE(std::find(next.begin(), next.end(), static_cast<int>(chain[i + 1])) != next.end());
            }
          }
        }
        auto closure = view.suppliers_closure(static_cast<EntityIndex>(a));
        for (const Value& v : *closure) actual_suppliers.insert(f.p.id(v.as_entity()));
        auto dependents = view.dependents_closure(static_cast<EntityIndex>(a));  // keep the list alive while iterating
        for (const Value& v : *dependents) actual_dependents.insert(f.p.id(v.as_entity()));
        REQUIRE(actual_suppliers == expected_suppliers);
        REQUIRE(actual_dependents == expected_dependents);
        REQUIRE(closure->size() == expected_suppliers.size());  // no duplicates
        REQUIRE(view.in_cycle(static_cast<EntityIndex>(a)) == (distances[static_cast<std::size_t>(a)][static_cast<std::size_t>(a)] > 0));
      }
    }
  }
}

// A closure that is mostly the closure further down the chain (here a cycle of
// twelve providers) shares that list and keeps only the entities it adds.
TEST_CASE("closures share the big closure further down and add their own entities", "[graph]") {
  Portfolio p;
  KindId service = p.declare_kind("service"), vendor = p.declare_kind("vendor");
  for (int i = 0; i < 12; ++i) p.add_entity(fmt::format("P{:02}", i), vendor);
  for (const char* id : {"P03a", "P07a"}) p.add_entity(id, vendor);  // ids between the cycle's
  for (const char* id : {"S0", "S1"}) p.add_entity(id, service);
  auto at = [&](const std::string& id) { return *p.find(id); };
  for (int i = 0; i < 12; ++i) p.add_edge(at(fmt::format("P{:02}", i)), at(fmt::format("P{:02}", (i + 1) % 12)), "k");
  for (auto [from, to] : {std::pair{"P07a", "P00"}, {"P03a", "P07a"}, {"S1", "P03a"}, {"S0", "S1"}}) p.add_edge(at(from), at(to), "k");
  DependencyGraph g(p);
  const GraphView& view = g.view(DependencyGraph::kAllEdges);
  auto cycle = view.suppliers_closure(at("P07a"));
  auto top = view.suppliers_closure(at("S0"));
  CHECK(ids(p, *cycle) == "P00,P01,P02,P03,P04,P05,P06,P07,P08,P09,P10,P11");
  CHECK(ids(p, *top) == "S1,P00,P01,P02,P03,P03a,P04,P05,P06,P07,P07a,P08,P09,P10,P11");
  CHECK(top->size() == 15);
  CHECK(top->entities() == cycle->entities());  // shared, not copied
  REQUIRE(top->added() != nullptr);
  CHECK(ids(p, top->added()->entities) == "S1,P03a,P07a");
  CHECK(top->kind_range(service) == std::pair<std::size_t, std::size_t>{0, 1});
  CHECK(top->kind_range(vendor) == std::pair<std::size_t, std::size_t>{1, 15});
  CHECK(p.id((*top)[10].as_entity()) == "P07a");
  CHECK(view.reaches(at("S0"), at("P07a")));
  CHECK(view.reaches(at("S0"), at("P11")));
  CHECK_FALSE(view.reaches(at("S1"), at("S0")));
  CHECK_FALSE(view.reaches(at("P07a"), at("P03a")));
  CHECK(test::value_of("count(x in suppliers*(s) where x.kind == \"vendor\")", p, "", "service s") == "14");
  CHECK(test::value_of("list(x.id for x in suppliers*(s) where x.kind == \"service\")", p, "", "service s") == R"(["S1"])");
}

// Without evidence, a count with a remembered `where` adds up the remembered
// answers over the list's entities directly: over shared closures with
// entities of their own, and over a cycle member's closure (which leaves the
// member out), it must count what listing the elements counts.
TEST_CASE("counting remembered answers over shared closures counts what listing them counts", "[graph]") {
  std::mt19937 random(20261207);
  test::TestPortfolio t;
  constexpr int kVendors = 400, kServices = 80;
  for (int i = 0; i < kVendors; ++i)
    t.add("vendor", fmt::format("V{:03}", i), {{"tier", Value::string(i % 3 == 0 ? "critical" : "low")}});
  for (int i = 0; i < kServices; ++i)
    t.add("service", fmt::format("S{:02}", i), {{"criticality", Value::string(i % 2 == 0 ? "critical" : "low")}});
  Portfolio& p = t.portfolio;
  auto vendor = [&](int i) { return *p.find(fmt::format("V{:03}", i)); };
  for (int i = 1; i < kVendors; ++i) p.add_edge(vendor(i), vendor(static_cast<int>(random() % i)), "subcontracts");
  for (int i = 0; i < 12; ++i) p.add_edge(vendor(i), vendor(i + 1), "subcontracts");  // a loop of V000-V012 and more
  for (int i = 0; i < kServices; ++i)
    for (int k = 0; k < 2; ++k) p.add_edge(*p.find(fmt::format("S{:02}", i)), vendor(static_cast<int>(random() % kVendors)), "depends_on");
  RuleSet rules = test::compile(R"(
rule R {
  severity high
  for vendor v
  let up = count(x in suppliers*(v) where x.tier == "critical")
  let down = count(s in dependents*(v) where s.kind == "service" and s.criticality == "critical")
  let up_listed = len(list(x for x in suppliers*(v) where x.tier == "critical"))
  let down_listed = len(list(s for s in dependents*(v) where s.kind == "service" and s.criticality == "critical"))
  when true
  message "{up} {down} {up_listed} {down_listed}"
}
)");
  Evaluator evaluator(rules, p, test::date("2026-06-30"));
  evaluator.set_evidence(false);
  auto result = evaluator.evaluate_all(2);
  REQUIRE(result.findings.size() == kVendors);
  std::size_t shared = 0;
  DependencyGraph graph(p);
  const GraphView& view = graph.view(DependencyGraph::kAllEdges);
  for (const auto& finding : result.findings) {
    INFO(*finding.entity << ": " << finding.message);
    std::istringstream numbers(finding.message);
    int up = 0, down = 0, up_listed = 0, down_listed = 0;
    numbers >> up >> down >> up_listed >> down_listed;
    CHECK(up == up_listed);
    CHECK(down == down_listed);
    shared += view.suppliers_closure(*p.find(*finding.entity))->added() != nullptr;
  }
  CHECK(shared > 100);  // most closures are shared ones with entities of their own
  CHECK(result.findings[0].message == evaluator.explain(rules.files[0].rules[0], vendor(0)).result.findings.at(0).message);
}

// Threads that ask for closures at once compute them side by side (a component
// claimed by one is awaited by the others): the same lists as one thread's.
TEST_CASE("closures asked for by several threads at once are the closures of one thread", "[graph]") {
  std::mt19937 random(20261207);
  Portfolio p;
  KindId vendor = p.declare_kind("vendor"), service = p.declare_kind("service");
  constexpr int kVendors = 3000, kServices = 600;
  for (int i = 0; i < kVendors; ++i) p.add_entity(fmt::format("V{:04}", i), vendor);
  for (int i = 0; i < kServices; ++i) p.add_entity(fmt::format("S{:03}", i), service);
  for (int i = 1; i < kVendors; ++i) p.add_edge(static_cast<EntityIndex>(i), static_cast<EntityIndex>(random() % i), "subcontracts");
  for (int i = 0; i < 40; ++i)  // loops: an old vendor relying on a newer one
    p.add_edge(static_cast<EntityIndex>(random() % 100), static_cast<EntityIndex>(100 + random() % (kVendors - 100)), "subcontracts");
  for (int i = 0; i < kServices; ++i)
    for (int k = 0; k < 3; ++k)
      p.add_edge(static_cast<EntityIndex>(kVendors + i), static_cast<EntityIndex>(random() % kVendors), "depends_on");
  auto n = static_cast<EntityIndex>(p.entity_count());
  auto closures_of = [&](const GraphView& view, EntityIndex e) {
    return ids(p, *view.suppliers_closure(e)) + "|" + ids(p, *view.dependents_closure(e));
  };
  DependencyGraph one(p);
  std::vector<std::string> expected;
  for (EntityIndex e = 0; e < n; ++e) expected.push_back(closures_of(one.view(DependencyGraph::kAllEdges), e));
  DependencyGraph shared(p);
  std::vector<std::vector<std::string>> seen(3, std::vector<std::string>(n));
  std::vector<std::thread> threads;
  for (unsigned t = 0; t < 3; ++t)
    threads.emplace_back([&, t] {  // each from another starting point, so that they meet
      for (EntityIndex k = 0; k < n; ++k) {
        EntityIndex e = (k + t * n / 3) % n;
        seen[t][e] = closures_of(shared.view(DependencyGraph::kAllEdges), e);
      }
    });
  for (auto& thread : threads) thread.join();
  for (unsigned t = 0; t < 3; ++t) CHECK(seen[t] == expected);
}

namespace {

Portfolio supply_chain() {
  test::TestPortfolio t;
  for (auto [id, criticality] : {std::pair{"S1", "critical"}, {"S2", "critical"}, {"S3", "critical"}, {"S4", "low"}})
    t.add("service", id, {{"criticality", Value::string(criticality)}});
  for (auto id : {"V1", "V2", "V3", "P1"}) t.add("vendor", id, {{"name", Value::string(std::string("Vendor ") + id)}});
  auto& p = t.portfolio;
  auto at = [&](const char* id) { return *p.find(id); };
  p.add_edge(at("S1"), at("V1"), "depends_on");
  p.add_edge(at("S2"), at("V2"), "depends_on");
  p.add_edge(at("S3"), at("P1"), "depends_on");
  p.add_edge(at("S4"), at("V3"), "depends_on");
  p.add_edge(at("V1"), at("P1"), "subcontracts");
  p.add_edge(at("V2"), at("P1"), "subcontracts");
  p.add_edge(at("V3"), at("P1"), "subcontracts");
  p.add_edge(at("V2"), at("V3"), "subcontracts");
  p.add_edge(at("V3"), at("V2"), "subcontracts");
  return std::move(t.portfolio);
}

}  // namespace

TEST_CASE("graph functions in rules, with the chains that made them true as evidence", "[graph]") {
  Portfolio p = supply_chain();
  auto result = test::evaluate(R"(
rule CONC {
  severity high
  for vendor v
  let n = count(s in dependents*(v) where s.kind == "service" and s.criticality == "critical")
  when n >= 3
  message "{n} critical services rely on {v.name}"
}
rule CYCLE {
  severity low
  for vendor v
  when in_cycle(v, "subcontracts")
  message "{v.id} is in a cycle"
}
)", p);
  REQUIRE(test::fired(result) == std::vector<std::string>{"CONC:P1", "CYCLE:V2", "CYCLE:V3"});
  auto evidence = nlohmann::json::parse(result.findings[0].evidence_json);
  CHECK(evidence["paths"].dump() == R"([["S1","V1","P1"],["S2","V2","P1"],["S3","P1"]])");
  CHECK(evidence["values"]["n"] == 3);
  CHECK(nlohmann::json::parse(result.findings[1].evidence_json)["paths"].dump() == R"([["V2","V3","V2"]])");
}

TEST_CASE("graph functions as values", "[graph]") {
  Portfolio p = supply_chain();
  auto value = [&](const std::string& expr) {
    return test::value_of(expr, p, "", "vendor v");  // the first vendor by id: P1
  };
  CHECK(value("list(suppliers*(v))") == "[]");
  CHECK(value("list(dependents(v))") == R"(["S3","V1","V2","V3"])");
  CHECK(value("list(dependents(v, \"subcontracts\"))") == R"(["V1","V2","V3"])");
  CHECK(value("list(dependents*(v))") == R"(["S1","S2","S3","S4","V1","V2","V3"])");
  CHECK(value("count(dependents*(v, \"depends_on\"))") == "1");
  CHECK(value("count(s in dependents*(v) where s.kind == \"service\")") == "4");
  CHECK(value("any(x in dependents*(v) where reaches(x, v))") == "true");
  CHECK(value("list(x.id for x in entities(\"service\") where reaches(x, v, \"depends_on\"))") == R"(["S3"])");
  CHECK(value("count(x in entities(\"vendor\") where in_cycle(x))") == "2");
  CHECK(value("in_cycle(v)") == "false");
  CHECK(value("list(suppliers(v.missing_link))") == "null");
}

TEST_CASE("graph function arguments are checked", "[graph]") {
  auto when = [](const std::string& condition) {
    return test::first_error("rule G {\n  severity low\n  for vendor v\n  when " + condition + "\n  message \"m\"\n}\n");
  };
  CHECK(when("count(suppliers(v, 3)) > 0") == "4:27: error: argument 2 of suppliers() must be a string but is a number");
  CHECK(when("reaches(v.id, v)") == "4:16: error: argument 1 of reaches() must be an entity but is a string");
  CHECK(when("in_cycle()") == "4:8: error: in_cycle() takes 1 or 2 arguments but was given 0: in_cycle(entity, \"edge kind\")");
  CHECK(when("count(suppliers*(v, \"a\", \"b\")) > 0") ==
        "4:14: error: suppliers*() takes 1 or 2 arguments but was given 3: suppliers*(entity, \"edge kind\")");
  CHECK(when("len(path(v, v)) > 1").empty());
}

TEST_CASE("path() gives the ids from the first entity to the second", "[graph]") {
  Portfolio p = supply_chain();
  auto value = [&](const std::string& expr) { return test::value_of(expr, p, "", "vendor v"); };  // v is P1
  CHECK(value("list(path(x, v) for x in dependents(v, \"subcontracts\"))") ==
        R"([["V1","P1"],["V2","P1"],["V3","P1"]])");
  CHECK(value("list(path(x, v) for x in entities(\"service\") where x.criticality == \"low\")") ==
        R"([["S4","V3","P1"]])");
  CHECK(value("path(v, v)") == "[]");
  CHECK(value("list(path(x, x, \"subcontracts\") for x in entities(\"vendor\") where in_cycle(x))") ==
        R"([["V2","V3","V2"],["V3","V2","V3"]])");
}

TEST_CASE("aggregates restricted to one kind give the same results as a full scan", "[graph]") {
  Portfolio p = supply_chain();
  auto value = [&](const std::string& expr) { return test::value_of(expr, p, "", "vendor v"); };  // v is P1
  // The restricted form (kind test first) against the same test written so that it cannot be restricted.
  for (std::string aggregate : {"count", "any", "all", "list"}) {
    std::string restricted = aggregate + "(s in dependents*(v) where s.kind == \"service\" and s.criticality == \"critical\")";
    std::string full = aggregate + "(s in dependents*(v) where s.criticality == \"critical\" and s.kind == \"service\")";
    CHECK(value(restricted) == value(full));
  }
  CHECK(value("count(s in dependents*(v) where \"service\" == s.kind)") == "4");
  CHECK(value("count(s in dependents*(v) where s.kind == \"vendor\")") == "3");
  CHECK(value("count(s in dependents*(v) where s.kind == \"nothing\")") == "0");
  CHECK(value("all(s in dependents*(v) where s.kind == \"service\")") == "false");
  CHECK(value("list(s.id for s in dependents*(v) where s.kind == \"vendor\" and s.id != \"V2\")") == R"(["V1","V3"])");
  // In a cycle the entity itself is skipped inside its kind's run.
  CHECK(test::value_of("list(x for x in suppliers*(v, \"subcontracts\") where x.kind == \"vendor\")", p, "", "vendor v") ==
        "[]");
  auto cyclic = test::evaluate(R"(
rule C {
  severity info
  for vendor v
  when v.id == "V2"
  message "{list(x for x in suppliers*(v) where x.kind == \"vendor\")} {count(x in suppliers*(v) where x.kind == \"vendor\")}"
}
)", p);
  REQUIRE(cyclic.findings.size() == 1);
  CHECK(cyclic.findings[0].message == "P1, V3 2");
}

TEST_CASE("graph results are ordered by kind, then id", "[graph]") {
  Portfolio p = supply_chain();
  CHECK(test::value_of("list(dependents*(v))", p, "", "vendor v") == R"(["S1","S2","S3","S4","V1","V2","V3"])");
}

TEST_CASE("a `where` remembered per element gives the findings and evidence of evaluating it every time", "[graph]") {
  // 80 services rely on two of three vendors each, and all on their shared
  // provider P: every count visits more than 50 services, past the facts
  // evidence keeps, so most conditions come from the per-element memory.
  test::TestPortfolio t;
  t.add("vendor", "P");
  for (auto id : {"V1", "V2", "V3"}) t.add("vendor", id);
  for (int s = 0; s < 80; ++s)
    t.add("service", fmt::format("S{:02}", s), {{"criticality", Value::string(s % 2 == 0 ? "critical" : "low")}});
  Portfolio& p = t.portfolio;
  for (auto id : {"V1", "V2", "V3"}) p.add_edge(*p.find(id), *p.find("P"), "subcontracts");
  for (int s = 0; s < 80; ++s)
    for (int k = 0; k < 2; ++k)
      p.add_edge(*p.find(fmt::format("S{:02}", s)), *p.find(fmt::format("V{}", 1 + (s + k) % 3)), "depends_on");
  RuleSet rules = test::compile(R"(
rule R {
  severity high
  for vendor v
  let n = count(s in dependents*(v) where s.kind == "service" and s.criticality == "critical")
  when n >= 3
  message "{n}"
}
)");
  REQUIRE(rules.files[0].rules[0].lets[0].value->filter_reads_only_element);
  Evaluator evaluator(rules, p, test::date("2026-06-30"));
  auto all = evaluator.evaluate_all(1);  // one context for every vendor: the memory is used
  std::vector<std::string> expected{"P", "V1", "V2", "V3"};
  REQUIRE(all.findings.size() == expected.size());
  for (std::size_t i = 0; i < expected.size(); ++i) {
    INFO(expected[i]);
    CHECK(*all.findings[i].entity == expected[i]);
    // explain evaluates every condition: the reference.
    auto reference = evaluator.explain(rules.files[0].rules[0], *p.find(expected[i])).result.findings.at(0);
    CHECK(all.findings[i].message == reference.message);
    CHECK(all.findings[i].evidence_json == reference.evidence_json);
  }
  CHECK(all.findings[0].message == "40");
  CHECK(all.findings[1].message == "27");  // V1: services 0-1, 2-3, 5-6, ...: 27 of its 54 even
  CHECK(all.findings[0].evidence_json.find("\"truncated\":true") != std::string::npos);
  // Without evidence (a run nobody reads it from): the same findings, and nothing recorded.
  Evaluator bare(rules, p, test::date("2026-06-30"));
  bare.set_evidence(false);
  auto without = bare.evaluate_all(1);
  REQUIRE(without.findings.size() == all.findings.size());
  for (std::size_t i = 0; i < all.findings.size(); ++i) {
    CHECK(without.findings[i].entity == all.findings[i].entity);
    CHECK(without.findings[i].message == all.findings[i].message);
    CHECK(without.findings[i].evidence_json.empty());
  }
  // A condition that reads the rule's entity, a let or a graph function is evaluated every time.
  for (auto [where, remembered] : std::vector<std::pair<std::string, bool>>{
           {"s.criticality == \"critical\"", true}, {"s.criticality == lower(\"CRITICAL\") and today > 2020-01-01", true},
           {"s.criticality == v.tier", false}, {"reaches(s, v)", false}, {"count(x in [1] where x > 0) > 0", false}}) {
    RuleSet set = test::compile("rule R {\n  severity low\n  for vendor v\n  let n = count(s in dependents*(v) where " + where +
                                ")\n  when n > 0\n  message \"m\"\n}\n");
    INFO(where);
    CHECK(set.files[0].rules[0].lets[0].value->filter_reads_only_element == remembered);
  }
}

// An overlay's graph is built on the loaded graph (DependencyGraph's overlay
// constructor): every answer, in its order, with its kinds' runs and its
// shortest paths, must be what a graph built from scratch of the overlaid
// portfolio answers. Overlays add entities of loaded and new kinds, edges of
// loaded and new kinds, cycles and self-loops.
TEST_CASE("an overlaid graph answers as a graph built from scratch of the overlaid portfolio", "[graph]") {
  std::mt19937 random(20261207);
  const char* kinds[] = {"service", "vendor"};
  const char* edge_kinds[] = {"a", "b"};
  for (int round = 0; round < 60; ++round) {
    Portfolio base;
    int n = 1 + static_cast<int>(random() % 40);
    for (int i = 0; i < n; ++i) base.add_entity(fmt::format("N{:02}", (i * 37) % 100), base.declare_kind(kinds[random() % 2]));
    int m = static_cast<int>(random() % (2 * n));
    for (int i = 0; i < m; ++i)
      base.add_edge(static_cast<EntityIndex>(random() % n), static_cast<EntityIndex>(random() % n), edge_kinds[random() % 2]);
    DependencyGraph loaded(base);
    // Some of the loaded graph's closures are known before the overlay, as after a base evaluation.
    for (int i = 0; i < n; i += 3) loaded.view(DependencyGraph::kAllEdges).dependents_closure(static_cast<EntityIndex>(i));

    Portfolio overlaid = base.overlay_copy();
    int added = static_cast<int>(random() % 4);
    for (int i = 0; i < added; ++i) {
      const char* kind = random() % 5 == 0 ? "zone" : kinds[random() % 2];
      overlaid.add_entity(fmt::format("N{:02}{}", random() % 100, i), overlaid.declare_kind(kind));
    }
    int total = static_cast<int>(overlaid.entity_count());
    int new_edges = static_cast<int>(random() % 6);
    for (int i = 0; i < new_edges; ++i)
      overlaid.add_edge(static_cast<EntityIndex>(random() % total), static_cast<EntityIndex>(random() % total),
                        random() % 6 == 0 ? "c" : edge_kinds[random() % 2]);
    DependencyGraph layered(overlaid, loaded, base.edges().size());
    DependencyGraph scratch(overlaid);
    INFO("round " << round);
    for (std::optional<std::string_view> kind : {std::optional<std::string_view>(), std::optional<std::string_view>("a"),
                                                 std::optional<std::string_view>("c"), std::optional<std::string_view>("z")}) {
      INFO("edge kind " << kind.value_or("(all)"));  // c: only overlays have it; z: nothing has it
      REQUIRE(layered.edge_kind(kind) == scratch.edge_kind(kind));
      const GraphView& got = layered.view(layered.edge_kind(kind));
      const GraphView& want = scratch.view(scratch.edge_kind(kind));
      auto same_list = [&](const ListData& a, const ListData& b) {
        REQUIRE(ids(overlaid, a) == ids(overlaid, b));
        for (KindId k = 0; k < overlaid.kinds().size(); ++k) {
          auto text = [](const ListData& list, KindId entity_kind) {  // where an empty run is does not matter
            auto range = list.kind_range(entity_kind);
            return !range ? "none" : range->first == range->second ? "empty" : fmt::format("{}-{}", range->first, range->second);
          };
          INFO("kind " << overlaid.kinds()[k].name << " of " << ids(overlaid, a));
          REQUIRE(text(a, k) == text(b, k));
        }
      };
      for (EntityIndex x = 0; x < static_cast<EntityIndex>(total); ++x) {
        INFO("entity " << overlaid.id(x));
        same_list(*got.suppliers(x), *want.suppliers(x));
        same_list(*got.dependents(x), *want.dependents(x));
        same_list(*got.suppliers_closure(x), *want.suppliers_closure(x));
        same_list(*got.dependents_closure(x), *want.dependents_closure(x));
        REQUIRE(got.in_cycle(x) == want.in_cycle(x));
        for (EntityIndex y = 0; y < static_cast<EntityIndex>(total); ++y) {
          REQUIRE(got.reaches(x, y) == want.reaches(x, y));
          REQUIRE(ids(overlaid, got.path(x, y)) == ids(overlaid, want.path(x, y)));
        }
      }
    }
    REQUIRE(layered.rank() == scratch.rank());
  }
}

// A cycle member's closure is its cycle's list without itself; laid over, an
// edge out of the cycle adds one entity: the list still shares the cycle's.
TEST_CASE("an overlay adding to a cycle member's closure shares the cycle's list", "[graph]") {
  std::vector<std::string> nodes, edges;
  for (int i = 0; i < 8; ++i) {
    nodes.push_back(fmt::format("P{}", i));
    edges.push_back(fmt::format("P{}>P{}", i, (i + 1) % 8));
  }
  Portfolio base = graph(nodes, edges);
  DependencyGraph loaded(base);
  Portfolio overlaid = base.overlay_copy();
  EntityIndex added = overlaid.add_entity("P3x", overlaid.declare_kind("node"));
  overlaid.add_edge(*overlaid.find("P5"), added, "k");
  DependencyGraph layered(overlaid, loaded, base.edges().size());
  const GraphView& view = layered.view(DependencyGraph::kAllEdges);
  auto closure = view.suppliers_closure(*overlaid.find("P2"));
  CHECK(ids(overlaid, *closure) == "P0,P1,P3,P3x,P4,P5,P6,P7");
  CHECK(closure->entities() == loaded.view(DependencyGraph::kAllEdges).suppliers_closure(*base.find("P2"))->entities());
  REQUIRE(closure->added() != nullptr);
  CHECK(ids(overlaid, closure->added()->entities) == "P3x");
  CHECK(closure->size() == 8);
  CHECK(overlaid.id((*closure)[3].as_entity()) == "P3x");
  std::string each;
  closure->for_each_entity(2, 6, [&](EntityIndex e) { each += overlaid.id(e) + " "; });
  CHECK(each == "P3 P3x P4 P5 ");
  CHECK(view.reaches(*overlaid.find("P2"), added));
  CHECK_FALSE(view.reaches(added, *overlaid.find("P2")));
  CHECK(ids(overlaid, view.path(*overlaid.find("P2"), added)) == "P2,P3,P4,P5,P3x");
}

// Counting a big shared list again takes the count kept for it (see
// count_shared): the counts, and the evaluation errors (the first element's
// in list order), must be those of listing the elements one by one.
TEST_CASE("counts kept for big shared lists count and fail as listing the elements does", "[graph]") {
  test::TestPortfolio t;
  constexpr int kVendors = 300;  // one cycle: each member's closure is the cycle's list without itself
  for (int i = 0; i < kVendors; ++i) {
    bool odd_one = i == 40 || i == 150;  // a text where a number is expected: an evaluation error
    t.add("vendor", fmt::format("V{:03}", i),
          {{odd_one ? "label" : "weight", odd_one ? Value::string(fmt::format("text of {}", i)) : Value::number(i)}});
  }
  for (int i = 0; i < 4; ++i) t.add("service", fmt::format("S{}", i), {{"weight", Value::number(7)}});
  Portfolio& p = t.portfolio;
  auto vendor = [&](int i) { return *p.find(fmt::format("V{:03}", i)); };
  for (int i = 0; i < kVendors; ++i) p.add_edge(vendor(i), vendor((i + 1) % kVendors), "k");
  for (int i = 0; i < 4; ++i) p.add_edge(*p.find(fmt::format("S{}", i)), vendor(i * 70), "k");
  RuleSet rules = test::compile(R"(
rule COUNTED {
  severity high
  for vendor v
  when count(x in dependents*(v) where (x.weight ?? x.label) * 1 < 100) > 0
  message "{count(x in dependents*(v) where (x.weight ?? x.label) * 1 < 100)}"
}
rule LISTED {
  severity high
  for vendor v
  when len(list(x for x in dependents*(v) where (x.weight ?? x.label) * 1 < 100)) > 0
  message "{len(list(x for x in dependents*(v) where (x.weight ?? x.label) * 1 < 100))}"
}
)");
  Evaluator evaluator(rules, p, test::date("2026-06-30"));
  evaluator.set_evidence(false);
  auto result = evaluator.evaluate_all(1);
  std::map<std::string, std::string> counted, listed;
  for (const auto& f : result.findings) (f.rule == "COUNTED" ? counted : listed)[*f.entity] = f.message;
  for (const auto& e : result.errors) (e.rule == "COUNTED" ? counted : listed)[*e.entity] = "error: " + e.message;
  CHECK(counted == listed);
  CHECK(counted.size() == kVendors);
  CHECK(counted.at("V040").find("text of 150") != std::string::npos);  // its own closure leaves it out
  CHECK(counted.at("V000").find("text of 40") != std::string::npos);   // the first in id order
}
