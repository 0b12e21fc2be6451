#include <catch2/catch.hpp>

#include "test_support.hpp"

using vigil::test::first_error;

namespace {

std::string rule_when(const std::string& when, const std::string& lets = "") {
  return "rule A {\n  severity high\n  for vendor v\n" + lets + "  when " + when + "\n  message \"m\"\n}\n";
}

vigil::Schema vendor_schema() {
  vigil::Schema schema;
  schema.kinds["vendor"] = {{"irp_last_tested", vigil::ValueType::date}, {"tier", vigil::ValueType::string},
                            {"spend", vigil::ValueType::number}};
  schema.kinds["service"] = {{"criticality", vigil::ValueType::string}};
  return schema;
}

}  // namespace

TEST_CASE("unknown names, with suggestions", "[checker]") {
  CHECK(first_error(rule_when("w.tier == \"x\"")) == "4:8: error: unknown name 'w'");
  CHECK(first_error("let tiers = [1]\n" + rule_when("v.x in tier")) == "5:15: error: unknown name 'tier' (did you mean `tiers`?)");
  CHECK(first_error(rule_when("count > 1")) == "4:8: error: unknown name 'count' ('count' is a function: call it as count(...))");
  CHECK(first_error(rule_when("n > 1", "  let m = n\n")) == "4:11: error: unknown name 'n'");
}

TEST_CASE("names are scoped: lets in order, aggregate variables inside their aggregate", "[checker]") {
  CHECK(first_error(rule_when("b > 1", "  let a = 1\n  let b = a + 1\n")).empty());
  CHECK(first_error(rule_when("count(s in [1] where s > 0) + count(s in [2]) > 0")).empty());
  CHECK(first_error(rule_when("count(s in [1]) > 0 and s > 0")) == "4:32: error: unknown name 's'");
  CHECK(first_error(rule_when("true", "  let v = 1\n")) == "4:7: error: 'v' is already defined; choose another name");
  CHECK(first_error(rule_when("count(v in [1]) > 0")) == "4:14: error: 'v' is already defined; choose another name");
  CHECK(first_error("let a = 1\nlet a = 2\n") == "2:5: error: 'a' is already defined in this file");
}

TEST_CASE("constants are file-scoped and evaluated in order", "[checker]") {
  CHECK(first_error("let a = b\nlet b = 1\n") == "1:9: error: unknown name 'b'");
  CHECK(first_error("let a = 1\nlet b = a + 1\n").empty());
}

TEST_CASE("unknown functions and argument counts", "[checker]") {
  CHECK(first_error(rule_when("lowr(v.x) == \"a\"")) == "4:8: error: unknown function 'lowr' (did you mean `lower`?)");
  CHECK(first_error(rule_when("frobnicate(v.x)")) == "4:8: error: unknown function 'frobnicate'");
  CHECK(first_error(rule_when("missing(v.x, v.y)")) ==
        "4:8: error: missing() takes 1 argument but was given 2: missing(value)");
  CHECK(first_error(rule_when("contains(v.x)")) ==
        "4:8: error: contains() takes 2 arguments but was given 1: contains(string or list, value)");
  CHECK(first_error(rule_when("reaches(v)")) ==
        "4:8: error: reaches() takes 2 or 3 arguments but was given 1: reaches(entity, entity, \"edge kind\")");
  CHECK(first_error(rule_when("countt(x in [1]) > 0")) == "4:8: error: unknown function 'countt' (did you mean `count`?)");
}

TEST_CASE("duplicate rule ids across files", "[checker]") {
  using namespace vigil;
  std::string rule = "rule DUP {\n  severity low\n  for portfolio\n  when true\n  message \"m\"\n}\n";
  try {
    compile_rules({test::source(rule, "a.vigil"), test::source(rule, "b.vigil")});
    FAIL("expected an error");
  } catch (const RuleError& error) {
    CHECK(std::string(error.what()) ==
          "b.vigil:1:6: error: duplicate rule id 'DUP'\nrule DUP {\n     ^\n"
          "a.vigil:1:6: note: rule 'DUP' is first defined here\nrule DUP {\n     ^\n");
  }
}

TEST_CASE("type errors that are certain", "[checker]") {
  CHECK(first_error(rule_when("2026-01-01 == \"x\"")) == "4:19: error: cannot compare a date with a string");
  CHECK(first_error(rule_when("today < 3")) == "4:14: error: cannot compare a date with a number");
  CHECK(first_error(rule_when("[1] < [2]")) ==
        "4:12: error: '<' cannot order a list: only numbers, strings, dates and durations have an order");
  CHECK(first_error(rule_when("\"a\" + 1 == \"a1\"")) == "4:12: error: cannot apply '+' to a string and a number");
  CHECK(first_error(rule_when("today + today > today")) == "4:14: error: cannot apply '+' to a date and a date");
  CHECK(first_error(rule_when("30d * 1.5d > 1d")) == "4:14: error: invalid number '1.5d'");
  CHECK(first_error(rule_when("1 and true")) == "4:8: error: 'and' needs true/false values but was given a number");
  CHECK(first_error(rule_when("not 3")) == "4:8: error: 'not' needs true/false values but was given a number");
  CHECK(first_error(rule_when("-\"a\" == \"b\"")) == "4:8: error: cannot negate a string");
  CHECK(first_error(rule_when("1 in \"abc\"")) == "4:10: error: 'in' needs a list on its right but was given a string");
  CHECK(first_error(rule_when("1 in [\"a\", \"b\"]")) == "4:10: error: 'in' looks for a number in a list of string values");
  CHECK(first_error(rule_when("v.name")) .empty());
  CHECK(first_error(rule_when("3")) == "4:8: error: 'when' needs a true/false condition but this is a number");
  CHECK(first_error(rule_when("lower(3) == \"a\"")) == "4:14: error: argument 1 of lower() must be a string but is a number");
  CHECK(first_error(rule_when("days(3) > 1")) == "4:13: error: argument 1 of days() must be a duration but is a number");
  CHECK(first_error(rule_when("count(x in 3) > 0")) == "4:19: error: count() needs a list to go over but was given a number");
  CHECK(first_error(rule_when("sum(x in [\"a\"]) > 0")) == "4:8: error: sum() adds numbers or durations, not string values");
  CHECK(first_error(rule_when("any(x in [1])")) == "4:8: error: any() needs true/false values but was given a number");
  CHECK(first_error(rule_when("count(x in [1] where x) > 0")) ==
        "4:29: error: 'where' needs true/false values but was given a number");
  CHECK(first_error(rule_when("(3).name == 1")) ==
        "4:11: error: cannot read attribute 'name' of a number: only entities have attributes");
}

TEST_CASE("types flow through lets, constants and aggregates", "[checker]") {
  CHECK(first_error("let d = 2026-01-01\n" + rule_when("d == \"x\"")) == "5:10: error: cannot compare a date with a string");
  CHECK(first_error(rule_when("n == \"x\"", "  let n = count(x in [1])\n")) == "5:10: error: cannot compare a number with a string");
  CHECK(first_error(rule_when("max(x for x in [today]) == 1")) == "4:32: error: cannot compare a date with a number");
  CHECK(first_error(rule_when("today - 2026-01-01 > 30d")).empty());
  CHECK(first_error(rule_when("today - 30d > 2026-01-01")).empty());
  CHECK(first_error(rule_when("(v.x ?? \"none\") == \"none\"")).empty());
}

TEST_CASE("unknown attributes and values are never errors without a database", "[checker]") {
  CHECK(first_error(rule_when("v.anything == 3 and v.other < today and v.more in [1]")).empty());
}

TEST_CASE("with a database schema: warnings for unknown attributes and kinds", "[checker]") {
  auto schema = vendor_schema();
  CHECK(first_error(rule_when("v.irp_last_test < today"), &schema) ==
        "4:10: warning: no entity of kind 'vendor' has an attribute 'irp_last_test' (did you mean `irp_last_tested`?)");
  CHECK(first_error(rule_when("v.id == \"x\" and v.kind == \"vendor\""), &schema).empty());
  CHECK(first_error("rule A {\n  severity low\n  for vendr v\n  when true\n  message \"m\"\n}\n", &schema) ==
        "3:7: warning: the portfolio has no entity of kind 'vendr' (did you mean `vendor`?)");
  CHECK(first_error(rule_when("count(s in entities(\"servce\")) > 0"), &schema) ==
        "4:28: warning: the portfolio has no entity of kind 'servce' (did you mean `service`?)");
  CHECK(first_error(rule_when("count(s in entities(\"service\") where s.criticallity == \"x\") > 0"), &schema) ==
        "4:47: warning: no entity of kind 'service' has an attribute 'criticallity' (did you mean `criticality`?)");
  CHECK(first_error(rule_when("v.irp_last_tested == \"soon\""), &schema) == "4:26: error: cannot compare a date with a string");
}

TEST_CASE("warnings: unused lets, constant comparisons, rules that can never fire", "[checker]") {
  CHECK(first_error(rule_when("true", "  let spare = v.x\n")) ==
        "4:7: warning: 'spare' is never used: remove it, or use it in 'when' or 'message'");
  CHECK(first_error(rule_when("v.x > 1", "  let used = v.y\n")) ==
        "4:7: warning: 'used' is never used: remove it, or use it in 'when' or 'message'");
  CHECK(first_error("rule A {\n  severity high\n  for vendor v\n  let n = v.x\n  when true\n  message \"{n}\"\n}\n").empty());
  CHECK(first_error(rule_when("false")) == "4:8: warning: rule A can never fire: its condition is always false");
  CHECK(first_error(rule_when("v.x > 1 and not true")) == "4:8: warning: rule A can never fire: its condition is always false");
  CHECK(first_error(rule_when("v.x > 1 and 2 < 1")) == "4:22: warning: this compares two constants: it is always false");
  CHECK(first_error(rule_when("\"a\" == \"a\" or v.x")) == "4:12: warning: this compares two constants: it is always true");
  CHECK(first_error(rule_when("2026-01-01 < 2025-01-01")) == "4:19: warning: this compares two constants: it is always false");
  CHECK(first_error(rule_when("v.x > 1 or false")).empty());  // can still fire
  CHECK(first_error(rule_when("missing(v.x)")).empty());
}
