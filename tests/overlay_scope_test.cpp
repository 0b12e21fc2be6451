// An overlay is evaluated only where it can change something
// (engine/eval/overlay_scope.hpp); these tests hold that shortcut to the
// answer a whole evaluation of the overlaid portfolio gives.
#include <catch2/catch.hpp>

#include "engine/eval/overlay_scope.hpp"
#include "engine/facts/import_error.hpp"
#include "engine/facts/portfolio_import.hpp"
#include "engine/facts/value_format.hpp"
#include "test_support.hpp"

namespace vigil {
namespace {

std::string describe(const RuleFootprint& f) {
  std::string kinds;
  for (const auto& kind : f.kinds) kinds += (kinds.empty() ? "" : ",") + kind;
  return fmt::format("kinds={} every={} suppliers={} dependents={}", kinds, f.every_kind, f.follows_suppliers,
                     f.follows_dependents);
}

std::string footprint(const std::string& constants, const std::string& condition) {
  RuleSet rules = test::compile(constants + "\nrule R {\n severity low\n for vendor v\n when " + condition +
                                "\n message \"m\"\n}\n");
  return describe(footprint_of(rules.files[0], rules.files[0].rules[0]));
}

TEST_CASE("a rule's footprint: the kinds it lists and the directions it follows, through constants") {
  const std::string none;
  CHECK(footprint(none, "v.tier == \"critical\"") == "kinds= every=false suppliers=false dependents=false");
  CHECK(footprint(none, "count(entities(\"incident\")) > 0") == "kinds=incident every=false suppliers=false dependents=false");
  CHECK(footprint("let total = sum(x.spend for x in entities(\"vendor\"))", "v.spend > total / 10") ==
        "kinds=vendor every=false suppliers=false dependents=false");
  CHECK(footprint(none, "present(entity(\"V1\"))") == "kinds= every=true suppliers=false dependents=false");
  CHECK(footprint(none, "count(entities(v.tier)) > 1") == "kinds= every=true suppliers=false dependents=false");
  CHECK(footprint(none, "count(suppliers*(v)) > 1") == "kinds= every=false suppliers=true dependents=false");
  CHECK(footprint(none, "len(links(v)) > 1 or reaches(v, v)") == "kinds= every=false suppliers=true dependents=false");
  CHECK(footprint(none, "count(dependents(v)) > 1 or len(links_in(v)) > 0") ==
        "kinds= every=false suppliers=false dependents=true");
  CHECK(footprint(none, "in_cycle(v)") == "kinds= every=false suppliers=true dependents=true");
  RuleSet only_cycles = test::compile("rule R {\n severity low\n for vendor v\n when in_cycle(v) or in_cycle(v, kind: \"k\")\n message \"m\"\n}\n");
  CHECK(footprint_of(only_cycles.files[0], only_cycles.files[0].rules[0]).only_in_cycle);
  RuleSet cycles_and_more = test::compile("rule R {\n severity low\n for vendor v\n when in_cycle(v) and count(suppliers(v)) > 0\n message \"m\"\n}\n");
  CHECK_FALSE(footprint_of(cycles_and_more.files[0], cycles_and_more.files[0].rules[0]).only_in_cycle);
  RuleSet both = test::compile("rule R {\n severity low\n for vendor v\n when count(x in suppliers*(v) where "
                               "count(dependents(x)) > 1) > 0 or in_cycle(v)\n message \"m\"\n}\n");
  CHECK(footprint_of(both.files[0], both.files[0].rules[0]).follows_both_ways);
  RuleSet cycle = test::compile("rule R {\n severity low\n for vendor v\n when in_cycle(v) and count(suppliers(v)) > 0\n"
                                " message \"m\"\n}\n");
  CHECK_FALSE(footprint_of(cycle.files[0], cycle.files[0].rules[0]).follows_both_ways);
}

// The overlay's changes as the engine answers them (scoped) and as a whole evaluation gives them.
struct Answers {
  std::vector<std::string> scoped, whole;
  std::size_t rules_evaluated;
};

std::vector<std::string> lines(const EvaluationResult& result) {
  std::vector<std::string> out;
  for (const auto& f : result.findings)
    out.push_back(f.rule + " " + f.entity.value_or("") + " " + f.message + " " + f.evidence_json);
  for (const auto& e : result.errors) out.push_back("error " + e.rule + " " + e.entity.value_or("") + " " + e.message);
  return out;
}

// The scoped answer reads the overlaid graph built on the loaded one, resumes
// the aggregates `loaded` kept, and decides before it gathers evidence; the
// whole one reads a graph built from scratch, with evidence all along.
// Findings are compared with their evidence.
Answers answers_on(const RuleSet& rules, const Portfolio& base, const Evaluator& loaded, const BaseKeys& before, Date today,
                   const std::string& overlay_json) {
  Overlay overlay = overlay_portfolio_json(base, "<overlay>", overlay_json);
  std::set<std::string> ids;
  for (EntityIndex e : overlay.entities) ids.insert(overlay.portfolio.id(e));
  Evaluator scoped(rules, overlay.portfolio, today, loaded, base.edges().size(), overlay.entities);
  auto scopes = overlay_scopes(rules, overlay.portfolio, overlay.entities, base.edges().size(), scoped.graph());
  add_waived_subjects(scopes, rules, overlay.portfolio, base.waivers.size());
  bool waivers_as_loaded = overlay.portfolio.waivers.size() == base.waivers.size();
  return {lines(overlay_answer(scoped, rules, scopes, before, ids, waivers_as_loaded, 0, [](std::vector<Finding>&) {})),
          lines(overlay_changes(before, Evaluator(rules, overlay.portfolio, today).evaluate_all(), ids)), scopes.size()};
}

// On the sample portfolio and the standard pack.
Answers answers(const std::string& overlay_json) {
  static const Portfolio base = read_portfolio_directory(test::source_dir() + "/samples/portfolio");
  static const RuleSet rules = load_rules({test::source_dir() + "/rules"});
  static const Date today = test::date("2026-11-01");
  static const Evaluator loaded(rules, base, today, Evaluator::Overlays::kept);
  static const BaseKeys before(loaded.evaluate_all());
  return answers_on(rules, base, loaded, before, today, overlay_json);
}

// Each overlay over `base`, on an evaluation that keeps its aggregates, answers
// as a whole evaluation does, and answers something.
void check_overlays_answer_as_whole(const RuleSet& rules, const Portfolio& base, Date today, const std::vector<std::string>& overlays) {
  Evaluator loaded(rules, base, today, Evaluator::Overlays::kept);
  BaseKeys before(loaded.evaluate_all());
  for (const auto& json : overlays) {
    INFO(json);
    Answers got = answers_on(rules, base, loaded, before, today, json);
    CHECK(got.scoped == got.whole);
    CHECK_FALSE(got.whole.empty());
  }
}

TEST_CASE("an overlay evaluated where it can change something answers as a whole evaluation does") {
  const char* overlays[] = {
      // A candidate vendor relied on by three services, subcontracting to two vendors.
      R"({"entities": [{"id": "VNEW", "kind": "vendor", "attributes": {"name": "Candidate", "tier": "critical",
          "status": "active", "country": "US", "annual_spend": 9000000, "category": "cloud"}}],
          "edges": [{"from": "S01", "to": "VNEW", "kind": "depends_on"}, {"from": "S02", "to": "VNEW", "kind": "depends_on"},
                    {"from": "S03", "to": "VNEW", "kind": "depends_on"},
                    {"from": "VNEW", "to": "V001", "kind": "subcontracts"}, {"from": "VNEW", "to": "V017", "kind": "subcontracts"}]})",
      // A loaded vendor replaced: offboarded, no due diligence.
      R"({"entities": [{"id": "V005", "kind": "vendor", "attributes": {"name": "Replaced", "status": "offboarded"}}]})",
      // Only an edge, closing a loop between two loaded vendors.
      R"({"entities": [], "edges": [{"from": "V001", "to": "V002", "kind": "subcontracts"},
                                    {"from": "V002", "to": "V001", "kind": "subcontracts"}]})",
      // A new critical service relying on loaded vendors.
      R"({"entities": [{"id": "SNEW", "kind": "service", "attributes": {"name": "New", "criticality": "critical"}}],
          "edges": [{"from": "SNEW", "to": "V005", "kind": "depends_on"}, {"from": "SNEW", "to": "V008", "kind": "depends_on"}]})",
      // A new open critical incident for a loaded vendor.
      R"({"entities": [{"id": "INC-9", "kind": "incident", "attributes": {"vendor": "V001", "severity": "critical",
          "status": "open"}}]})",
      // A category with a low appetite.
      R"({"entities": [{"id": "cloud", "kind": "category", "attributes": {"name": "Cloud", "max_hhi": 10}}]})",
  };
  for (const char* overlay : overlays) {
    INFO(overlay);
    Answers got = answers(overlay);
    CHECK(got.scoped == got.whole);
    CHECK_FALSE(got.whole.empty());
  }
}

// Random candidates, replacements and edges over the sample portfolio and
// the standard pack: the scoped answer (kept aggregates, overlaid graph,
// evidence after deciding) is the whole evaluation's, findings with their evidence.
TEST_CASE("random overlays answer as whole evaluations of the overlaid portfolio do", "[overlay]") {
  std::mt19937 random(20261207);
  for (int round = 0; round < 100; ++round) {
    std::string overlay = test::random_overlay(random, round);
    INFO(overlay);
    Answers got = answers(overlay);
    CHECK(got.scoped == got.whole);
  }
}

TEST_CASE("an overlay leaves out the rules it cannot change") {
  // A vendor with no edges: the graph rules run for it alone, rules over incidents not at all beyond it.
  Answers got = answers(R"({"entities": [{"id": "VNEW", "kind": "vendor", "attributes": {"name": "N"}}]})");
  CHECK(got.scoped == got.whole);
  // Every per-vendor rule runs (for VNEW); the services' and categories' rules that list no vendors do not.
  CHECK(got.rules_evaluated < load_rules({test::source_dir() + "/rules"}).rule_count());
}

// in_cycle() changes only where an overlay edge closes a cycle: a rule that
// asks nothing else of the graph runs for the overlay's entities alone
// otherwise, and for every entity the edges reach when one does.
TEST_CASE("an overlay runs a rule that asks only in_cycle() again where an edge closes a cycle", "[overlay]") {
  test::TestPortfolio t;
  for (const char* id : {"A", "B", "C", "D"}) t.add("vendor", id);
  Portfolio& base = t.portfolio;
  base.add_edge(*base.find("A"), *base.find("B"), "k");
  base.add_edge(*base.find("B"), *base.find("C"), "k");
  RuleSet rules = test::compile("rule CYC {\n severity low\n for vendor v\n when in_cycle(v)\n message \"{v.id}\"\n}\n");
  Date today = test::date("2026-06-30");
  Evaluator loaded(rules, base, today, Evaluator::Overlays::kept);
  BaseKeys before(loaded.evaluate_all());
  auto scoped_subjects = [&](const std::string& json) {
    Overlay overlay = overlay_portfolio_json(base, "<overlay>", json);
    Evaluator scoped(rules, overlay.portfolio, today, loaded, base.edges().size(), overlay.entities);
    auto scopes = overlay_scopes(rules, overlay.portfolio, overlay.entities, base.edges().size(), scoped.graph());
    std::vector<std::string> ids;
    for (const auto& scope : scopes)
      for (EntityIndex e : scope.entities) ids.push_back(overlay.portfolio.id(e));
    std::set<std::string> overlay_ids;
    for (EntityIndex e : overlay.entities) overlay_ids.insert(overlay.portfolio.id(e));
    return std::make_pair(ids, lines(overlay_answer(scoped, rules, scopes, before, overlay_ids, true, 0, [](std::vector<Finding>&) {})));
  };
  auto [no_cycle, quiet] = scoped_subjects(R"({"entities": [{"id": "N", "kind": "vendor"}], "edges": [{"from": "N", "to": "A", "kind": "k"}, {"from": "C", "to": "D", "kind": "k"}]})");
  CHECK(no_cycle == std::vector<std::string>{"N"});
  CHECK(quiet.empty());
  auto [cycle, found] = scoped_subjects(R"({"entities": [], "edges": [{"from": "C", "to": "A", "kind": "k"}]})");
  CHECK(cycle == std::vector<std::string>{"A", "B", "C"});
  CHECK(found == std::vector<std::string>{R"(CYC A A {"paths":[["A","B","C","A"]]})", R"(CYC B B {"paths":[["B","C","A","B"]]})",
                                          R"(CYC C C {"paths":[["C","A","B","C"]]})"});
}

// A rule that reads one way from entities it reached the other way: a new
// edge A -> B gives B a dependent, which changes the answer of V (relying on
// B), though V neither relies on A nor is relied on by B. It runs for every subject.
TEST_CASE("an overlay runs a rule that follows edges both ways for every subject", "[overlay]") {
  test::TestPortfolio t;
  for (const char* id : {"A", "B", "V"}) t.add("vendor", id);
  Portfolio& base = t.portfolio;
  base.add_edge(*base.find("V"), *base.find("B"), "k");
  RuleSet rules = test::compile(R"(
rule SHARED {
  severity low
  for vendor v
  when count(x in suppliers*(v) where count(dependents(x)) > 1) > 0
  message "{v.id} relies on a shared supplier"
}
)");
  Date today = test::date("2026-06-30");
  Evaluator loaded(rules, base, today);
  BaseKeys before(loaded.evaluate_all());
  Overlay overlay = overlay_portfolio_json(base, "<overlay>", R"({"entities": [], "edges": [{"from": "A", "to": "B", "kind": "k"}]})");
  Evaluator scoped(rules, overlay.portfolio, today, loaded, base.edges().size(), overlay.entities);
  auto scopes = overlay_scopes(rules, overlay.portfolio, overlay.entities, base.edges().size(), scoped.graph());
  auto answer = overlay_answer(scoped, rules, scopes, before, {}, true, 0, [](std::vector<Finding>&) {});
  CHECK(lines(answer) == std::vector<std::string>{R"(SHARED A A relies on a shared supplier {"paths":[["A","B"]]})",
                                                  R"(SHARED V V relies on a shared supplier {"paths":[["V","B"]]})"});
}

// Aggregates over whole kinds resume from the loaded evaluation's result
// (engine/eval/aggregate_memo.hpp): each function, a list the new vendor
// lands in the middle of, a sum that is no longer exact, an element that
// fails, a replaced vendor, and evidence (60 vendors read more facts than
// the 50 the evidence keeps) all answer as the whole evaluation does.
TEST_CASE("an overlay resumes aggregates over whole kinds as a whole evaluation answers them", "[overlay]") {
  test::TestPortfolio t;
  for (int i = 10; i < 70; ++i)
    t.add("vendor", fmt::format("V{}", i),
          {{"spend", Value::number(i * 10)}, {"units", Value::number(1)}, {"status", Value::string(i % 3 == 0 ? "exited" : "active")}});
  Portfolio& base = t.portfolio;
  RuleSet rules = test::compile(R"(
let total = sum(v.spend / v.units for v in entities("vendor") where v.status == "active")
rule AGG {
  severity low
  for portfolio
  let active = count(v in entities("vendor") where v.status == "active")
  let big = list(v.id for v in entities("vendor") where v.spend > 600)
  let any_huge = any(v in entities("vendor") where v.spend > 1000)
  let all_active = all(v in entities("vendor") where v.status == "active")
  let top = max(v.spend for v in entities("vendor"))
  let low = min(v.spend for v in entities("vendor"))
  when active > 0
  message "{active} {total} {big} {any_huge} {all_active} {top} {low}"
}
rule SHARE {
  severity low
  for vendor v
  when v.status == "active" and v.spend / total > 0.025
  message "{v.id}: {round(100 * v.spend / total, 2)}%"
}
)");
  Date today = test::date("2026-06-30");
  check_overlays_answer_as_whole(rules, base, today, {
      R"({"entities": [{"id": "V355", "kind": "vendor", "attributes": {"spend": 2000, "status": "active"}}]})",
      R"({"entities": [{"id": "V355", "kind": "vendor", "attributes": {"spend": 0.5, "status": "active"}}]})",
      R"({"entities": [{"id": "V355", "kind": "vendor", "attributes": {"spend": 7, "units": 0, "status": "active"}}]})",
      R"({"entities": [{"id": "V69", "kind": "vendor", "attributes": {"spend": 5, "status": "exited"}}]})",
      R"({"entities": [{"id": "A1", "kind": "vendor", "attributes": {"spend": 1, "status": "active"}},
                       {"id": "Z9", "kind": "vendor", "attributes": {"spend": 650, "status": "active"}}]})",
  });
}

// Blocks of vendors passed over from the loaded columns' ranges (ColumnZones)
// when the overlay changes the total: those it makes fire, those it makes
// quiet, and the blocks it replaces a vendor in, as a whole evaluation.
TEST_CASE("an overlay that changes a constant passes over only the blocks of subjects that cannot fire", "[overlay]") {
  test::TestPortfolio t;
  for (int i = 0; i < 300; ++i)
    t.add("vendor", fmt::format("V{:03}", i), {{"spend", Value::number(i * 10)}, {"status", Value::string(i % 3 == 0 ? "exited" : "active")}});
  RuleSet rules = test::compile(R"(
let total = sum(v.spend for v in entities("vendor") where v.status == "active")
rule SHARE {
  severity low
  for vendor v
  let share = round(100 * v.spend / total, 2)
  when v.status == "active" and share > 0.9
  message "{v.id}: {share}%"
}
)");
  check_overlays_answer_as_whole(rules, t.portfolio, test::date("2026-06-30"), {
      R"({"entities": [{"id": "VNEW", "kind": "vendor", "attributes": {"spend": 100000, "status": "active"}}]})",
      R"({"entities": [{"id": "VNEW", "kind": "vendor", "attributes": {"spend": -200000, "status": "active"}}]})",
      R"({"entities": [{"id": "V150", "kind": "vendor", "attributes": {"spend": 90000, "status": "active"}}]})",
      R"({"entities": [{"id": "V299", "kind": "vendor", "attributes": {"spend": 1, "status": "active"}}]})",
      R"({"entities": [{"id": "V100", "kind": "vendor", "attributes": {"status": "active"}}]})",
  });
}

// distinct() and hhi() of a kept list on an overlay: the kept distinct
// elements with the overlay's, in the order of their first occurrence in the
// whole list; the shares added in the whole list's order.
TEST_CASE("an overlay resumes distinct() and hhi() of a kept list as a whole evaluation answers them", "[overlay]") {
  test::TestPortfolio t;
  const char* countries[] = {"DE", "FR", "GB", "US", "FR", "IE"};
  for (int i = 0; i < 120; ++i)
    t.add("vendor", fmt::format("V{:03}", i), {{"country", Value::string(countries[i % 6])}, {"spend", Value::number(i)},
                                               {"status", Value::string(i % 5 == 0 ? "exited" : "active")}});
  RuleSet rules = test::compile(R"(
rule ORDER {
  severity low
  for portfolio
  let countries = distinct(list(v.country for v in entities("vendor") where v.status == "active"))
  when len(countries) > 0
  message "{countries}"
}
rule HHI {
  severity low
  for portfolio
  let index = hhi(list(v.spend for v in entities("vendor") where v.status == "active"))
  when index > 0
  message "{index}"
}
rule EACH {
  severity low
  for each country in distinct(list(v.country for v in entities("vendor") where v.status == "active"))
  let spend = sum(v.spend for v in entities("vendor") where v.country == country)
  when spend > 1500
  message "{country}: {spend}"
}
)");
  check_overlays_answer_as_whole(rules, t.portfolio, test::date("2026-06-30"), {
      R"({"entities": [{"id": "A1", "kind": "vendor", "attributes": {"country": "NL", "spend": 5000, "status": "active"}}]})",
      R"({"entities": [{"id": "A1", "kind": "vendor", "attributes": {"country": "US", "spend": 5000, "status": "active"}}]})",
      R"({"entities": [{"id": "V0505", "kind": "vendor", "attributes": {"country": "NL", "spend": 5000, "status": "active"}},
                       {"id": "V0006", "kind": "vendor", "attributes": {"country": "NL", "spend": 1, "status": "active"}},
                       {"id": "V0001", "kind": "vendor", "attributes": {"country": "IE", "spend": 1, "status": "active"}}]})",
      R"({"entities": [{"id": "V001", "kind": "vendor", "attributes": {"country": "NL", "spend": 5000, "status": "active"}}]})",
      R"({"entities": [{"id": "A2", "kind": "vendor", "attributes": {"spend": 5000, "status": "active"}},
                       {"id": "A3", "kind": "vendor", "attributes": {"country": "PL", "spend": 5000, "status": "exited"}},
                       {"id": "Z9", "kind": "vendor", "attributes": {"country": "PT", "spend": 5000, "status": "active"}}]})",
      R"({"entities": [{"id": "A4", "kind": "vendor", "attributes": {"country": "DE", "spend": -5, "status": "active"}}]})",
      R"({"entities": [{"id": "A5", "kind": "vendor", "attributes": {"country": "DE", "spend": 0.1, "status": "active"}}]})",
  });
}

// A `where` that looks entities up is answered again on an overlay, not
// taken from the loaded evaluation: a new vendor changes len(entities("vendor")).
TEST_CASE("an overlay answers again a where that looks entities up", "[overlay]") {
  test::TestPortfolio t;
  for (const char* id : {"V1", "V2"}) t.add("vendor", id);
  for (const char* id : {"S1", "S2", "S3"}) t.add("service", id);
  Portfolio& base = t.portfolio;
  base.add_edge(*base.find("S1"), *base.find("V1"), "k");
  RuleSet rules = test::compile(R"(
rule LOOKUP {
  severity low
  for vendor v
  when count(s in dependents*(v) where len(entities("vendor")) > 2 or present(entity("V3"))) > 0
  message "{v.id}"
}
)");
  Date today = test::date("2026-06-30");
  check_overlays_answer_as_whole(rules, base, today, {
      R"({"entities": [{"id": "V3", "kind": "vendor"}], "edges": [{"from": "S2", "to": "V3", "kind": "k"}]})",
      R"({"entities": [{"id": "V9", "kind": "vendor"}], "edges": [{"from": "V9", "to": "V1", "kind": "k"}]})",
  });
}

// An aggregate whose elements' graph answers the overlay changes resumes
// too: the loaded elements it changes are taken out and visited again.
TEST_CASE("an overlay resumes aggregates over graph answers, visiting again the elements it changes", "[overlay]") {
  test::TestPortfolio t;
  for (const char* id : {"P1", "P2", "P3", "V1", "V2", "V3"}) t.add("vendor", id, {{"status", Value::string("active")}});
  for (const char* id : {"S1", "S2", "S3"}) t.add("service", id, {{"critical", Value::boolean(true)}});
  Portfolio& base = t.portfolio;
  auto edge = [&](const char* from, const char* to) { base.add_edge(*base.find(from), *base.find(to), "k"); };
  edge("S1", "V1"), edge("S2", "V2"), edge("S3", "V3"), edge("V1", "P1"), edge("V2", "P1"), edge("V3", "P2");
  RuleSet rules = test::compile(R"(
rule GRAPH {
  severity low
  for portfolio
  let shares = list(count(s in dependents*(p) where s.kind == "service" and s.critical) for p in entities("vendor")
                    where p.status == "active")
  let relied = count(p in entities("vendor") where count(dependents(p)) > 1)
  let supplied = sum(count(suppliers*(p)) for p in entities("vendor"))
  let looped = any(in_cycle(p) for p in entities("vendor"))
  when len(shares) > 0
  message "{shares} {relied} {supplied} {looped}"
}
)");
  Date today = test::date("2026-06-30");
  check_overlays_answer_as_whole(rules, base, today, {
      // A new vendor between a service and P2: P2 gains dependents, the new one has its own.
      R"({"entities": [{"id": "V25", "kind": "vendor", "attributes": {"status": "active"}}],
          "edges": [{"from": "S1", "to": "V25", "kind": "k"}, {"from": "V25", "to": "P2", "kind": "k"}]})",
      // Only edges: V3 relies on P1 too, and a loop between P1 and P3.
      R"({"entities": [], "edges": [{"from": "V3", "to": "P1", "kind": "k"}, {"from": "P1", "to": "P3", "kind": "k"},
                                    {"from": "P3", "to": "P1", "kind": "k"}]})",
      // A replaced service: no longer critical (every graph aggregate is evaluated in full).
      R"({"entities": [{"id": "S2", "kind": "service", "attributes": {"critical": false}}]})",
  });
}

// Everything an overlay can change in a portfolio, as text.
std::string dump(const Portfolio& p) {
  std::string out;
  for (EntityIndex e = 0; e < p.entity_count(); ++e) {
    out += p.id(e) + ":" + p.kind_name(e);
    const KindTable& table = p.kinds()[p.kind_of(e)];
    for (std::size_t c = 0; c < table.attribute_names.size(); ++c)
      if (Value v = p.attribute(e, static_cast<int>(c)); !v.is_missing()) out += " " + table.attribute_names[c] + "=" + display_value(v, p);
    out += "\n";
  }
  for (const Edge& edge : p.edges())
    out += p.id(edge.from) + "->" + p.id(edge.to) + " " + p.edge_kinds()[edge.kind] + std::string(p.edge_attributes(edge)) + "\n";
  for (const auto& table : p.kinds())
    out += fmt::format("{}: {} ({} members, {} in the list)\n", table.name, fmt::join(table.attribute_names, ","), table.members.size(),
                       p.entities_of_kind(table.name)->size());
  return out + fmt::format("{} waivers\n", p.waivers.size());
}

TEST_CASE("an overlay copy rolled back is the copy it was, whatever the overlay changed or failed to", "[overlay]") {
  Portfolio base = read_portfolio_directory(test::source_dir() + "/samples/portfolio");
  Portfolio copy = base.overlay_copy();
  const std::string as_made = dump(copy);
  Portfolio::Mark mark = copy.mark();
  const char* overlays[] = {
      // A new vendor with an attribute no vendor had, a new kind, a replaced vendor, edges of a new kind with attributes, a waiver.
      R"({"entities": [{"id": "VNEW", "kind": "vendor", "attributes": {"name": "N", "rating": 4, "annual_spend": 5}},
                       {"id": "R1", "kind": "regulator", "attributes": {"name": "EBA"}},
                       {"id": "V005", "kind": "vendor", "attributes": {"name": "Replaced", "status": "offboarded"}}],
          "edges": [{"from": "VNEW", "to": "V001", "kind": "hosts", "attributes": {"since": 2020}},
                    {"from": "S01", "to": "VNEW", "kind": "depends_on"}],
          "waivers": [{"rule": "IRP-001", "entity": "VNEW", "reason": "r", "approved_by": "a", "expires": "2027-01-01"}]})",
      // Fails after adding and replacing entities: an edge to an unknown id.
      R"({"entities": [{"id": "VBAD", "kind": "vendor", "attributes": {"name": "B"}},
                       {"id": "V001", "kind": "vendor", "attributes": {"name": "Gone"}}],
          "edges": [{"from": "VBAD", "to": "NOPE", "kind": "depends_on"}]})",
  };
  for (const char* json : overlays) {
    INFO(json);
    try {
      lay_overlay_json(copy, base, "<overlay>", json);
      copy.join_group("vendor", "status", Value::string("active"));  // caches built on the overlay
    } catch (const ImportError&) {
    }
    CHECK(dump(copy) != as_made);
    copy.roll_back(mark);
    CHECK(dump(copy) == as_made);
    CHECK_FALSE(copy.find("VNEW"));
    CHECK(*copy.join_group("vendor", "status", Value::string("active")) == *base.join_group("vendor", "status", Value::string("active")));
  }
}

}  // namespace
}  // namespace vigil
