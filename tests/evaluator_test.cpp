#include <catch2/catch.hpp>

#include <nlohmann/json.hpp>

#include "test_support.hpp"

using namespace vigil;
using test::value_of;

namespace {

// Three vendors and a service, for attribute and aggregate tests.
Portfolio sample() {
  test::TestPortfolio t;
  t.add("vendor", "V1", {{"name", Value::string("Acme")}, {"tier", Value::string("critical")},
                         {"spend", Value::number(100)}, {"tested", Value::date(test::date("2025-01-01"))},
                         {"active", Value::boolean(true)}});
  t.add("vendor", "V2", {{"name", Value::string("Beta")}, {"tier", Value::string("high")}, {"spend", Value::number(300)},
                         {"active", Value::boolean(false)}});
  t.add("vendor", "V3", {{"name", Value::string("Gamma")}, {"tier", Value::string("low")}});
  t.add("service", "S1", {{"criticality", Value::string("critical")}});
  return std::move(t.portfolio);
}

}  // namespace

// Columns keep attributes as 16-byte cells: every kind of attribute value
// comes back as it was set, a computed string is copied (the value that gave
// it may go), and no attribute holds a list.
TEST_CASE("attributes come back from their columns as they were set", "[evaluator]") {
  Portfolio p = sample();
  EntityIndex v1 = *p.find("V1"), v3 = *p.find("V3");
  {
    Value computed = Value::string(std::string("computed ") + "text");
    p.set_attribute(v3, "note", computed);
  }
  p.set_attribute(v3, "grace", Value::duration(Duration{2, 5}));
  CHECK(p.attribute(v1, "name").as_string() == "Acme");
  CHECK(p.attribute(v1, "spend").as_number() == 100);
  CHECK(p.attribute(v1, "tested").as_date() == test::date("2025-01-01"));
  CHECK(p.attribute(v1, "active").as_bool() == true);
  CHECK(p.attribute(*p.find("V2"), "active").as_bool() == false);
  CHECK(p.attribute(v3, "spend").is_missing());
  CHECK(p.attribute(v3, "note").as_string() == "computed text");
  CHECK(p.attribute(v3, "grace").as_duration() == Duration{2, 5});
  CHECK(p.attribute(v1, "note").is_missing());
  p.clear_attributes(v1);
  CHECK(p.attribute(v1, "name").is_missing());
  CHECK_THROWS_WITH(p.set_attribute(v1, "parts", Value::list(List{Value::number(1)})), "an attribute cannot hold a list");
  CHECK(p.kinds()[p.kind_of(v1)].column("parts") == -1);  // refused before it was declared
}

// An overlay's copy finds the loaded ids and strings in the portfolio it copies, not in copies of them.
TEST_CASE("an overlay copy finds the loaded ids, refuses them again and shares their strings", "[evaluator]") {
  Portfolio p = sample();
  Portfolio copy = p.overlay_copy();
  CHECK(copy.find("V2") == p.find("V2"));
  CHECK_THROWS_WITH(copy.add_entity("V2", copy.kind_of(*p.find("V2"))), "duplicate entity id 'V2'");
  EntityIndex added = copy.add_entity("V9", copy.kind_of(*p.find("V1")));
  CHECK(copy.find("V9") == added);
  CHECK_FALSE(p.find("V9"));
  CHECK(copy.intern("Acme").data() == p.attribute(*p.find("V1"), "name").as_string().data());
  CHECK(copy.intern("new text") == "new text");
  CHECK(copy.intern("new text").data() == copy.intern("new text").data());
}

TEST_CASE("arithmetic on numbers", "[evaluator]") {
  CHECK(value_of("1 + 2 * 3") == "7");
  CHECK(value_of("(1 + 2) * 3") == "9");
  CHECK(value_of("7 / 2") == "3.5");
  CHECK(value_of("7 % 3") == "1");
  CHECK(value_of("-(2 - 5)") == "3");
  CHECK(value_of("1 / 0") == "error: division by zero");
  CHECK(value_of("1 % 0") == "error: division by zero");
  CHECK(value_of("round(2.345, 2)") == "2.35");
  CHECK(value_of("round(2.5)") == "3");
  CHECK(value_of("round(1, 20)") == "error: round() takes 0 to 15 digits");
}

TEST_CASE("strings", "[evaluator]") {
  CHECK(value_of("\"ab\" + \"cd\"") == "\"abcd\"");
  CHECK(value_of("lower(\"AbC\")") == "\"abc\"");
  CHECK(value_of("upper(\"AbC\")") == "\"ABC\"");
  CHECK(value_of("len(\"abc\")") == "3");
  CHECK(value_of("contains(\"banking\", \"bank\")") == "true");
  CHECK(value_of("contains(\"banking\", \"x\")") == "false");
  CHECK(value_of("starts_with(\"banking\", \"ban\")") == "true");
  CHECK(value_of("starts_with(\"banking\", \"king\")") == "false");
  CHECK(value_of("\"a\" < \"b\"") == "true");
  CHECK(value_of("\"a\\\"b\"") == "\"a\\\"b\"");
}

TEST_CASE("dates and durations", "[evaluator]") {
  CHECK(value_of("today") == "\"2026-06-30\"");
  CHECK(value_of("today - 365d") == "\"2025-06-30\"");
  CHECK(value_of("2026-01-31 + 1mo") == "\"2026-02-28\"");
  CHECK(value_of("2024-02-29 - 1y") == "\"2023-02-28\"");
  CHECK(value_of("1y + 2026-01-15") == "\"2027-01-15\"");
  CHECK(value_of("2026-03-01 - 2026-02-01") == "\"28d\"");
  CHECK(value_of("days(2026-03-01 - 2026-02-01)") == "28");
  CHECK(value_of("days(1y)") == "365");
  CHECK(value_of("today - 2026-01-01 > 180d") == "false");
  CHECK(value_of("today - 2025-01-01 > 1y") == "true");
  CHECK(value_of("30d + 2w") == "\"44d\"");
  CHECK(value_of("1y - 6mo") == "\"6mo\"");
  CHECK(value_of("2 * 30d") == "\"60d\"");
  CHECK(value_of("-30d") == "\"-30d\"");
  CHECK(value_of("6mo == 6mo") == "true");
  CHECK(value_of("2026-01-01 < 2026-01-02") == "true");
  CHECK(value_of("1.5 * 30d") == "error: a duration can only be multiplied by a whole number");
}

TEST_CASE("comparisons and membership", "[evaluator]") {
  CHECK(value_of("1 == 1") == "true");
  CHECK(value_of("1 != 1") == "false");
  CHECK(value_of("2 >= 2 and 2 <= 2 and 1 < 2 and 2 > 1") == "true");
  CHECK(value_of("\"high\" in [\"critical\", \"high\"]") == "true");
  CHECK(value_of("\"low\" in [\"critical\", \"high\"]") == "false");
  CHECK(value_of("\"low\" not in [\"critical\", \"high\"]") == "true");
  CHECK(value_of("3 in []") == "false");
  CHECK(value_of("[1, 2] == [1, 2]") == "true");
  CHECK(value_of("contains([1, 2], 2)") == "true");
  CHECK(value_of("len([1, 2, 3])") == "3");
  CHECK(value_of("tiers", Portfolio{}, "let tiers = [\"a\"]") == "[\"a\"]");
}

TEST_CASE("missing is a state of its own", "[evaluator]") {
  test::TestPortfolio t;  // one vendor whose spend, tested date and nickname are missing
  t.add("vendor", "V3", {{"name", Value::string("Gamma")}, {"spend", Value()}, {"tested", Value()}});
  auto value = [&](const std::string& expr) { return value_of(expr, t.portfolio, "", "vendor v"); };
  CHECK(value("v.spend") == "null");
  CHECK(value("missing(v.spend)") == "true");
  CHECK(value("present(v.spend)") == "false");
  CHECK(value("present(v.name)") == "true");
  CHECK(value("v.spend + 1") == "null");
  CHECK(value("v.spend > 1") == "null");
  CHECK(value("v.spend == 0") == "null");
  CHECK(value("v.spend != 0") == "null");
  CHECK(value("v.tested < today") == "null");
  CHECK(value("today - v.tested") == "null");
  CHECK(value("v.spend in [1]") == "null");
  CHECK(value("1 in [v.spend]") == "false");
  CHECK(value("not (v.spend > 1)") == "null");
  CHECK(value("-v.spend") == "null");
  CHECK(value("v.spend ?? 0") == "0");
  CHECK(value("v.name ?? \"none\"") == "\"Gamma\"");
  CHECK(value("lower(v.nickname)") == "null");
  CHECK(value("len(v.nickname)") == "null");
  CHECK(value("v.no_such_attribute") == "null");
  CHECK(value("v.id") == "\"V3\"");
  CHECK(value("v.kind") == "\"vendor\"");
}

TEST_CASE("and, or with missing follow three-valued logic", "[evaluator]") {
  test::TestPortfolio t;
  t.add("vendor", "V3");
  auto value = [&](const std::string& expr) { return value_of(expr, t.portfolio, "", "vendor v"); };
  std::string m = "(v.spend > 0)";
  CHECK(value("false and " + m) == "false");
  CHECK(value(m + " and false") == "false");
  CHECK(value("true and " + m) == "null");
  CHECK(value("true or " + m) == "true");
  CHECK(value(m + " or true") == "true");
  CHECK(value("false or " + m) == "null");
  CHECK(value(m + " and " + m) == "null");
  CHECK(value("true and true") == "true");
  CHECK(value("false or false") == "false");
  CHECK(value("false and 1 / 0 > 1") == "false");  // short-circuit
  CHECK(value("true or 1 / 0 > 1") == "true");
}

TEST_CASE("a missing `when` does not fire; a false one does not either", "[evaluator]") {
  Portfolio p = sample();
  auto result = test::evaluate(R"(
rule SPENDY {
  severity low
  for vendor v
  when v.spend > 150
  message "{v.name}"
}
rule NOSPEND {
  severity low
  for vendor v
  when not (v.spend > 0)
  message "{v.name}"
}
)", p);
  CHECK(test::fired(result) == std::vector<std::string>{"SPENDY:V2"});
  CHECK(result.errors.empty());
}

TEST_CASE("aggregates over entities", "[evaluator]") {
  Portfolio p = sample();
  CHECK(value_of("count(entities(\"vendor\"))", p) == "3");
  CHECK(value_of("count(entities(\"nothing\"))", p) == "0");
  CHECK(value_of("count(v in entities(\"vendor\") where v.spend > 50)", p) == "2");
  CHECK(value_of("sum(v.spend for v in entities(\"vendor\"))", p) == "400");
  CHECK(value_of("sum(v.spend for v in entities(\"vendor\") where v.active)", p) == "100");
  CHECK(value_of("sum(x for x in [])", p) == "0");
  CHECK(value_of("min(v.spend for v in entities(\"vendor\"))", p) == "100");
  CHECK(value_of("max(v.spend for v in entities(\"vendor\"))", p) == "300");
  CHECK(value_of("max(x for x in [])", p) == "null");
  CHECK(value_of("min(v.name for v in entities(\"vendor\"))", p) == "\"Acme\"");
  CHECK(value_of("list(v.id for v in entities(\"vendor\") where v.tier != \"low\")", p) == "[\"V1\",\"V2\"]");
  CHECK(value_of("list(v.spend for v in entities(\"vendor\"))", p) == "[100,300]");
  CHECK(value_of("list(entities(\"service\"))", p) == "[\"S1\"]");
  CHECK(value_of("any(v in entities(\"vendor\") where v.tier == \"high\")", p) == "true");
  CHECK(value_of("any(v in entities(\"vendor\") where v.tier == \"none\")", p) == "false");
  CHECK(value_of("all(v in entities(\"vendor\") where present(v.name))", p) == "true");
  CHECK(value_of("all(v in entities(\"vendor\") where v.spend > 50)", p) == "null");   // V3 unknown
  CHECK(value_of("all(v in entities(\"vendor\") where v.spend > 200)", p) == "false");
  CHECK(value_of("any(v in entities(\"vendor\") where v.spend > 500)", p) == "null");
  CHECK(value_of("any(x in [])", p) == "false");
  CHECK(value_of("all(x in [])", p) == "true");
  CHECK(value_of("any([false, true])", p) == "true");
  CHECK(value_of("sum(d for d in [1d, 2w])", p) == "\"15d\"");
  CHECK(value_of("sum(x for x in [1, \"a\"])", p) == "error: sum() adds numbers or durations but got a string \"a\"");
}

TEST_CASE("hhi: the Herfindahl-Hirschman index in points", "[evaluator]") {
  CHECK(value_of("hhi([100])") == "10000");
  CHECK(value_of("hhi([50, 50])") == "5000");
  CHECK(value_of("hhi([25, 25, 25, 25])") == "2500");
  CHECK(value_of("round(hhi([60, 30, 10]))") == "4600");
  CHECK(value_of("hhi([])") == "null");
  CHECK(value_of("hhi([0, 0])") == "null");
  CHECK(value_of("hhi([1, -1])") == "error: hhi() needs non-negative numbers but got a number -1");
}

TEST_CASE("runtime type errors name rule, entity and attribute, and the run goes on", "[evaluator]") {
  test::TestPortfolio t;
  t.add("vendor", "V1", {{"tested", Value::string("soon")}});
  t.add("vendor", "V2", {{"tested", Value::string("2020-01-01")}});
  auto result = test::evaluate(R"(
rule OLD {
  severity low
  for vendor v
  when v.tested < today
  message "{v.id}"
}
rule ALWAYS {
  severity low
  for vendor v
  when true
  message "{v.id}"
}
)", t.portfolio);
  CHECK(test::fired(result) == std::vector<std::string>{"ALWAYS:V1", "ALWAYS:V2"});
  REQUIRE(result.errors.size() == 2);
  CHECK(result.errors[0].rule == "OLD");
  CHECK(result.errors[0].entity == "V1");
  CHECK(result.errors[0].attribute == "tested");
  CHECK(result.errors[0].message == "cannot compare a string \"soon\" with a date 2026-06-30");
  CHECK(result.errors[0].location == "test.vigil:5:17");
}

TEST_CASE("messages interpolate values as people read them", "[evaluator]") {
  test::TestPortfolio t;
  t.add("vendor", "V1", {{"name", Value::string("Acme")}, {"spend", Value::number(1500000)},
                         {"ratio", Value::number(0.25)}, {"due", Value::date(test::date("2026-01-31"))}});
  auto result = test::evaluate(R"(
rule M {
  severity high
  for vendor v
  when true
  message "{v.name}: {v.spend} {v.ratio} {v.due} {30d} {v.missing_thing} {[1, 2]} {v} {true} {{x}}"
}
)", t.portfolio);
  REQUIRE(result.findings.size() == 1);
  CHECK(result.findings[0].message == "Acme: 1500000 0.25 2026-01-31 30d (missing) 1, 2 V1 true {x}");
}

TEST_CASE("findings carry evidence: the facts read and the let values", "[evaluator]") {
  test::TestPortfolio t;
  t.add("vendor", "V1", {{"tier", Value::string("critical")}, {"spend", Value::number(2.5)}});
  auto result = test::evaluate(R"(
rule E {
  severity high
  for vendor v
  let big = v.spend > 1
  when v.tier == "critical" and big and missing(v.irp)
  message "m"
}
)", t.portfolio);
  REQUIRE(result.findings.size() == 1);
  CHECK(result.findings[0].evidence_json ==
        R"({"facts":{"V1":{"irp":null,"spend":2.5,"tier":"critical"}},"values":{"big":true}})");
  CHECK(result.findings[0].kind == "vendor");
  CHECK(result.findings[0].severity == Severity::high);
}

TEST_CASE("evidence is bounded for rules that read many entities", "[evaluator]") {
  test::TestPortfolio t;
  for (int i = 0; i < 120; ++i) t.add("vendor", fmt::format("V{:03}", i), {{"spend", Value::number(i)}});
  auto result = test::evaluate(R"(
rule P {
  severity info
  for portfolio
  let total = sum(v.spend for v in entities("vendor"))
  when total > 0
  message "{total}"
}
)", t.portfolio);
  REQUIRE(result.findings.size() == 1);
  auto evidence = nlohmann::json::parse(result.findings[0].evidence_json);
  CHECK(evidence["facts"].size() == 50);
  CHECK(evidence["truncated"] == true);
  CHECK(evidence["values"]["total"] == 7140);
  CHECK(result.findings[0].entity == std::nullopt);
  CHECK(result.findings[0].kind == "portfolio");
}

TEST_CASE("file constants are evaluated once and shared by the file's rules", "[evaluator]") {
  Portfolio p = sample();
  auto result = test::evaluate(R"(
let total = sum(v.spend for v in entities("vendor"))
let big = ["critical"]
rule SHARE {
  severity medium
  for vendor v
  let share = 100 * v.spend / total
  when share > 50 or v.tier in big
  message "{v.name} {share}"
}
)", p);
  CHECK(test::fired(result) == std::vector<std::string>{"SHARE:V1", "SHARE:V2"});
  CHECK(result.findings[0].message == "Acme 25");
  CHECK(result.findings[1].message == "Beta 75");
}

TEST_CASE("findings are sorted by rule id, then entity id", "[evaluator]") {
  test::TestPortfolio t;
  for (auto id : {"V10", "V2", "V1"}) t.add("vendor", id);
  auto result = test::evaluate(R"(
rule B { severity low for vendor v when true message "b" }
rule A { severity low for vendor v when true message "a" }
)", t.portfolio);
  CHECK(test::fired(result) == std::vector<std::string>{"A:V1", "A:V10", "A:V2", "B:V1", "B:V10", "B:V2"});
}

TEST_CASE("one entity on demand evaluates only the rules of its kind", "[evaluator]") {
  Portfolio p = sample();
  RuleSet rules = test::compile(R"(
rule VEND { severity low for vendor v when v.tier == "critical" message "v" }
rule SERV { severity low for service s when true message "s" }
rule PORT { severity low for portfolio when true message "p" }
)");
  Evaluator evaluator(rules, p, test::date("2026-06-30"));
  CHECK(test::fired(evaluator.evaluate_entity(*p.find("V1"))) == std::vector<std::string>{"VEND:V1"});
  CHECK(test::fired(evaluator.evaluate_entity(*p.find("V2"))).empty());
  CHECK(test::fired(evaluator.evaluate_entity(*p.find("S1"))) == std::vector<std::string>{"SERV:S1"});
}

TEST_CASE("lets are evaluated when first needed, each once, in any order", "[evaluator]") {
  test::TestPortfolio t;
  t.add("vendor", "V1", {{"tier", Value::string("low")}, {"spend", Value::number(0)}});
  t.add("vendor", "V2", {{"tier", Value::string("critical")}, {"spend", Value::number(10)}});
  // `ratio` divides by zero for V1, but V1 never needs it: no error.
  // `later` is used before `sizes`, and both hold aggregates with variables.
  auto result = test::evaluate(R"(
rule LAZY {
  severity low
  for vendor v
  let ratio = 100 / v.spend
  let sizes = list(x * 2 for x in [1, 2, 3] where x > 1)
  let later = count(y in sizes where y > 4) + len(sizes)
  when v.tier == "critical" and later == 3 and ratio == 10
  message "{later} {sizes}"
}
)", t.portfolio);
  CHECK(result.errors.empty());
  REQUIRE(test::fired(result) == std::vector<std::string>{"LAZY:V2"});
  CHECK(result.findings[0].message == "3 4, 6");
  CHECK(result.findings[0].evidence_json ==
        R"({"facts":{"V2":{"spend":10,"tier":"critical"}},"values":{"ratio":10,"sizes":[4,6],"later":3}})");
}
