// The rule language, second edition (CONTRACT sections 5 and 10): if/then/else,
// maps and indexing, str/number/date/abs/distinct/sort/entity, severity
// expressions, kind:/depth: options, links()/links_in(), for each.
#include <catch2/catch.hpp>

#include <regex>

#include "test_support.hpp"

using namespace vigil;
using test::first_error;
using test::value_of;

namespace {

std::string rule_when(const std::string& when, const std::string& lets = "") {
  return "rule A {\n  severity high\n  for vendor v\n" + lets + "  when " + when + "\n  message \"m\"\n}\n";
}

// S1 -> V1 -> V2 -> V3 -> V4 (subcontracting chain with ranks), V1 -> V3 (ict), V2 -> V2 (self-loop).
Portfolio chain() {
  test::TestPortfolio t;
  t.add("service", "S1", {{"criticality", Value::string("critical")}});
  for (auto [id, country] : {std::pair{"V1", "DE"}, {"V2", "US"}, {"V3", "FR"}, {"V4", "CN"}})
    t.add("vendor", id, {{"country", Value::string(country)}, {"tier", Value::string(id[1] == '1' ? "critical" : "low")}});
  auto& p = t.portfolio;
  auto at = [&](const char* id) { return *p.find(id); };
  p.add_edge(at("S1"), at("V1"), "depends_on");
  p.add_edge(at("V1"), at("V2"), "subcontracts", R"({"rank":1})");
  p.add_edge(at("V2"), at("V3"), "subcontracts", R"({"rank":2})");
  p.add_edge(at("V3"), at("V4"), "subcontracts", R"({"rank":3,"since":"2024-01-01"})");
  p.add_edge(at("V1"), at("V3"), "ict");
  p.add_edge(at("V2"), at("V2"), "subcontracts");
  return std::move(t.portfolio);
}

}  // namespace

TEST_CASE("if/then/else: the branch taken, else-if chains, missing conditions", "[language2]") {
  CHECK(value_of("if 1 < 2 then \"yes\" else \"no\"") == "\"yes\"");
  CHECK(value_of("if 1 > 2 then \"yes\" else if 2 > 1 then \"second\" else \"no\"") == "\"second\"");
  CHECK(value_of("if missing_value then 1 else 2", {}, "let missing_value = [][0]") == "null");
  CHECK(value_of("if true then 1 else 1 / 0") == "1");  // only the branch taken is evaluated
  CHECK(value_of("(if false then 2 else 3) * 2") == "6");
  CHECK(first_error(rule_when("(if true then \"a\" else 1) == \"a\"")) ==
        "4:9: error: the branches of this 'if' give different types: a string after 'then', a number after 'else'");
  CHECK(first_error(rule_when("if 3 then true else false")) == "4:11: error: 'if' needs true/false values but was given a number");
  CHECK(first_error(rule_when("if true then true")) == "5:3: error: expected 'else' but found 'message'");
}

TEST_CASE("maps and indexing: missing when absent or out of range", "[language2]") {
  CHECK(value_of("{\"critical\": 1.5, \"high\": 1.2}[\"high\"]") == "1.2");
  CHECK(value_of("{\"critical\": 1.5}[\"low\"]") == "null");
  CHECK(value_of("{\"b\": 1, \"a\": 2}") == R"({"a":2,"b":1})");
  CHECK(value_of("[10, 20, 30][0]") == "10");
  CHECK(value_of("[10, 20, 30][2]") == "30");
  CHECK(value_of("[10, 20, 30][3]") == "null");
  CHECK(value_of("[10, 20, 30][-1]") == "null");
  CHECK(value_of("[10, 20, 30][1.5]") == "null");
  CHECK(value_of("w[\"critical\"] * 2", {}, "let w = {\"critical\": 3}") == "6");
  CHECK(first_error(rule_when("3[0] == 1")) ==
        "4:9: error: cannot index a number: only lists (by position) and maps (by key) can be indexed");
  CHECK(first_error(rule_when("[1][\"a\"] == 1")) == "4:12: error: a list is indexed by a number but this is a string");
  CHECK(first_error(rule_when("{\"a\": 1}[0] == 1")) == "4:17: error: a map is indexed by a string but this is a number");
  CHECK(first_error(rule_when("{\"a\": 1, \"a\": 2} == {}")) == "4:17: error: key \"a\" appears twice in this map");
}

TEST_CASE("str, number, date, abs, distinct, sort, entity", "[language2]") {
  Portfolio p = chain();
  CHECK(value_of("str(1.50)") == "\"1.5\"");
  CHECK(value_of("str(1234567.125)") == "\"1234567.125\"");
  // Whole numbers: their digits below 10^15, then as %.15g gives them.
  CHECK(value_of("str(42)") == "\"42\"");
  CHECK(value_of("str(-7)") == "\"-7\"");
  CHECK(value_of("str(0 - 0)") == "\"0\"");
  CHECK(value_of("str(999999999999999)") == "\"999999999999999\"");
  CHECK(value_of("str(1000000000000000)") == "\"1e+15\"");
  CHECK(value_of("str(123456789012345678)") == "\"1.23456789012346e+17\"");
  CHECK(value_of("str(2.0)") == "\"2\"");
  CHECK(value_of("str(2026-01-31)") == "\"2026-01-31\"");
  CHECK(value_of("str(true)") == "\"true\"");
  CHECK(value_of("str([1][5])") == "null");
  CHECK(value_of("str(v)", p, "", "vendor v") == "\"V1\"");
  CHECK(value_of("number(\" 1e3 \")") == "1000");
  CHECK(value_of("number(\"-2.5\")") == "-2.5");
  CHECK(value_of("number(\"12abc\")") == "null");
  CHECK(value_of("number(\"inf\")") == "null");
  CHECK(value_of("number(\"\")") == "null");
  CHECK(value_of("date(\"2026-02-28\")") == "\"2026-02-28\"");
  CHECK(value_of("date(\"2026-02-30\")") == "null");
  CHECK(value_of("abs(-3)") == "3");
  CHECK(value_of("abs(-30d)") == "\"30d\"");
  CHECK(value_of("distinct([3, 1, 3, 2, 1])") == "[3,1,2]");
  // Hashed and compared values alike: 1 == 1.0, "1" is no number, lists and durations by value.
  CHECK(value_of("distinct([1, 1.0, \"1\", [1], [1], 2d, 2d, true, true, 2026-01-01, 2026-01-01])") ==
        R"([1,"1",[1],"2d",true,"2026-01-01"])");
  CHECK(value_of("sort([3, 1, 2])") == "[1,2,3]");
  CHECK(value_of("sort([\"b\", \"a\"])") == R"(["a","b"])");
  CHECK(value_of("sort([2026-02-01, 2026-01-01])") == R"(["2026-01-01","2026-02-01"])");
  CHECK(value_of("sort([1, \"a\"])") ==
        "error: sort() needs values of one type with an order, but the list holds a number 1 and a string \"a\"");
  CHECK(value_of("entity(\"V3\").country", p) == "\"FR\"");
  CHECK(value_of("entity(\"nobody\")", p) == "null");
  CHECK(first_error(rule_when("abs(\"x\") == 1")) == "4:12: error: argument 1 of abs() must be a number or a duration but is a string");
}

TEST_CASE("severity EXPR: computed when the rule fires; a bad name is an evaluation error", "[language2]") {
  Portfolio p = chain();
  auto result = test::evaluate(R"(
let weight = {"critical": 3, "low": 1}
rule SCORE {
  severity if score >= 3 then "critical" else "medium"
  for vendor v
  let score = weight[v.tier] ?? 0
  when true
  message "{v.id} {score}"
}
rule BAD {
  severity v.tier + "!"
  for vendor v
  when v.id == "V2"
  message "x"
})", p);
  REQUIRE(result.findings.size() == 4);
  CHECK(result.findings[0].severity == Severity::critical);  // V1: critical tier
  CHECK(result.findings[1].severity == Severity::medium);
  REQUIRE(result.errors.size() == 1);
  CHECK(result.errors[0].rule == "BAD");
  CHECK(*result.errors[0].entity == "V2");
  CHECK(result.errors[0].message == "the severity must be one of info, low, medium, high, critical but is a string \"low!\"");
  CHECK(first_error("rule A {\n  severity hihg\n  for vendor v\n  when true\n  message \"m\"\n}\n") ==
        "2:12: error: expected a severity (info, low, medium, high, critical) but found 'hihg' (did you mean `high`?)");
  CHECK(first_error("rule A {\n  severity \"urgent\"\n  for vendor v\n  when true\n  message \"m\"\n}\n") ==
        "2:12: error: \"urgent\" is not a severity (info, low, medium, high, critical)");
  CHECK(first_error("rule A {\n  severity 3\n  for vendor v\n  when true\n  message \"m\"\n}\n") ==
        "2:12: error: a computed severity must be a string naming one (\"high\"), not a number");
}

TEST_CASE("kind: and depth: on graph functions", "[language2]") {
  Portfolio p = chain();
  auto value = [&](const std::string& expr) { return value_of(expr, p, "", "service s"); };
  CHECK(value("list(x.id for x in suppliers*(s, depth: 1))") == R"(["V1"])");
  CHECK(value("list(x.id for x in suppliers*(s, depth: 2))") == R"(["V1","V2","V3"])");
  CHECK(value("list(x.id for x in suppliers*(s))") == R"(["V1","V2","V3","V4"])");
  CHECK(value("list(x.id for x in suppliers*(entity(\"V1\"), kind: \"subcontracts\", depth: 2))") == R"(["V2","V3"])");
  CHECK(value("list(x.id for x in suppliers*(entity(\"V1\"), kind: [\"ict\", \"subcontracts\"], depth: 1))") ==
        R"(["V2","V3"])");
  CHECK(value("list(x.id for x in suppliers*(entity(\"V2\"), depth: 1))") == R"(["V3"])");  // the self-loop: not itself
  CHECK(value("list(x.id for x in suppliers(entity(\"V1\"), kind: \"ict\"))") == R"(["V3"])");
  CHECK(value("reaches(s, entity(\"V4\"), depth: 2)") == "false");  // S1 -> V1 -> V3 (ict) -> V4 is three edges
  CHECK(value("reaches(s, entity(\"V4\"), depth: 3)") == "true");
  CHECK(value("path(s, entity(\"V4\"), kind: [\"depends_on\", \"subcontracts\"], depth: 9)") == R"(["S1","V1","V2","V3","V4"])");
  CHECK(value("suppliers*(s, depth: 0)") == "error: depth: must be a whole number of edges, 1 or more, not 0");
  CHECK(first_error(rule_when("count(suppliers*(v, dept: 2)) > 0")) ==
        "4:28: error: unknown option 'dept:' for suppliers*() (did you mean `depth`?)");
  CHECK(first_error(rule_when("count(suppliers(v, depth: 2)) > 0")) ==
        "4:27: error: suppliers() takes kind: but not depth: (it follows one edge; suppliers*() follows more)");
  CHECK(first_error(rule_when("count(suppliers(v, \"ict\", kind: \"x\")) > 0")) ==
        "4:34: error: the edge kind is given twice to suppliers(): as an argument and as kind:");
  CHECK(first_error(rule_when("count(suppliers*(v, depth: \"two\")) > 0")) ==
        "4:28: error: option 'depth:' of suppliers*() takes a number of edges but is given a string");
  CHECK(first_error(rule_when("len(v.tier, kind: \"x\") > 0")) == "4:20: error: len() takes no named options");
}

TEST_CASE("links and links_in: one record per edge, in the contract's order", "[language2]") {
  Portfolio p = chain();
  auto value = [&](const std::string& expr) { return value_of(expr, p, "", "vendor v"); };  // V1
  CHECK(value("list(l.to for l in links(v))") == R"(["V2","V3"])");
  CHECK(value("links(v)[0]") == R"({"from":"V1","kind":"subcontracts","rank":1,"to":"V2"})");
  CHECK(value("list(l.from for l in links_in(v))") == R"(["S1"])");
  CHECK(value("list(l.to for l in links(entity(\"V2\")))") == R"(["V2","V3"])");  // the self-loop included
  CHECK(value("list(l.to for l in links(entity(\"V3\")) where l.rank > 2 and entity(l.to).country not in [\"DE\", \"FR\"])") ==
        R"(["V4"])");
  CHECK(value("links(entity(\"V3\"))[0].since") == "\"2024-01-01\"");
  CHECK(value("links(entity(\"V1\"))[1].rank") == "null");
}

TEST_CASE("for each: one evaluation per distinct element, findings of kind value", "[language2]") {
  Portfolio p = chain();
  auto result = test::evaluate(R"(
rule COUNTRY {
  severity medium
  for each c in ["FR", "DE", "CN", "DE", "US", "JP"]
  let n = count(v in entities("vendor") where v.country == c)
  when n >= 1 and c != "US"
  message "{c}: {n}"
})", p);
  REQUIRE(result.findings.size() == 3);
  CHECK(*result.findings[0].entity == "CN");
  CHECK(result.findings[0].kind == "value");
  CHECK(result.findings[0].message == "CN: 1");
  CHECK(*result.findings[1].entity == "DE");  // once, though listed twice
  CHECK(*result.findings[2].entity == "FR");
  CHECK(first_error("rule A {\n  severity low\n  for each c in 3\n  when true\n  message \"m\"\n}\n") ==
        "3:17: error: 'for each' needs a list but this is a number");
  CHECK(first_error("rule A {\n  severity low\n  for each c in [c]\n  when true\n  message \"m\"\n}\n") ==
        "3:18: error: unknown name 'c'");
}

TEST_CASE("check with facts warns on an edge kind that no edge has", "[language2]") {
  Schema schema;
  schema.kinds["vendor"];
  schema.edge_kinds = std::set<std::string>{"subcontracts", "depends_on"};
  auto rules = compile_rules({test::source(rule_when("count(suppliers(v, kind: \"subcontract\")) + count(suppliers(v, \"ict\")) > 0"))},
                             &schema);
  REQUIRE(rules.warnings.size() == 2);
  CHECK(rules.warnings[0].location() == "test.vigil:4:33");
  CHECK(rules.warnings[0].message == "no edge of the portfolio has the kind 'subcontract' (did you mean `subcontracts`?)");
  CHECK(rules.warnings[1].message == "no edge of the portfolio has the kind 'ict'");
}

TEST_CASE("equality joins use an index and give exactly what the scan gives", "[language2]") {
  test::TestPortfolio t;
  for (auto id : {"V1", "V2", "V3"}) t.add("vendor", id, {{"code", Value::number(id[1] - '0')}});
  t.add("incident", "I1", {{"vendor", Value::string("V2")}, {"sev", Value::string("critical")}, {"code", Value::number(2)}});
  t.add("incident", "I2", {{"vendor", Value::string("V1")}, {"sev", Value::string("low")}, {"code", Value::number(1.0)}});
  t.add("incident", "I3", {{"vendor", Value::string("V2")}, {"sev", Value::string("critical")}});
  t.add("incident", "I4", {{"sev", Value::string("critical")}});  // no vendor: missing never joins
  Portfolio p = std::move(t.portfolio);
  auto both = [&](const std::string& aggregate, const std::string& condition) {
    // `(...) or false` is no conjunction of equalities: no join, a scan.
    std::string joined = value_of(aggregate + "(" + condition + ")", p, "", "vendor v");
    std::string scanned =
        value_of(aggregate + "(" + std::regex_replace(condition, std::regex(" where (.*)$"), " where ($1) or false") + ")", p,
                 "", "vendor v");
    CHECK(joined == scanned);
    return joined;
  };
  CHECK(both("count", "i in entities(\"incident\") where i.vendor == v.id") == "1");  // V1
  CHECK(both("list", "i.id for i in entities(\"incident\") where v.id == i.vendor") == R"(["I2"])");
  CHECK(both("count", "i in entities(\"incident\") where i.code == v.code") == "1");  // 1 == 1.0
  CHECK(both("count", "i in entities(\"incident\") where i.sev == \"critical\" and i.vendor == v.id") == "0");
  CHECK(both("list", "i.id for i in entities(\"incident\") where true and i.sev == \"critical\"") == R"(["I1","I3","I4"])");
  CHECK(value_of("list(i.id for i in entities(\"incident\") where i.vendor == \"V2\" and i.sev == \"critical\")", p) ==
        R"(["I1","I3"])");
  CHECK(value_of("count(i in entities(\"incident\") where i.code == 2)", p) == "1");
  CHECK(value_of("count(i in entities(\"incident\") where i.vendor == [][0])", p) == "0");
  CHECK(value_of("any(i in entities(\"incident\") where i.vendor == \"V9\")", p) == "null");  // any() scans: I4 is missing
}

TEST_CASE("an equality join prefers a computed key to a literal one, in any conjunct", "[language2]") {
  auto join_of = [](const std::string& where) {
    RuleSet rules = test::compile("let n = count(i in entities(\"incident\") where " + where + ")\n");
    const Expr& aggregate = *rules.files[0].constants[0].value;
    return aggregate.join_key ? aggregate.join_attribute : std::string("scan");
  };
  CHECK(join_of("i.sev == \"critical\" and i.vendor == \"V\" + \"1\"") == "vendor");
  CHECK(join_of("i.sev == \"critical\" and i.vendor == \"V1\"") == "sev");
  CHECK(join_of("i.open and (i.sev == \"high\" and i.vendor == str(1))") == "vendor");
  CHECK(join_of("i.sev == \"critical\" or i.vendor == str(1)") == "scan");
  CHECK(join_of("i.sev == i.vendor") == "scan");
}
