// Every kind of mistake a rule author makes gets `line:col: error: expected ... but found ...`.
#include <catch2/catch.hpp>

#include "test_support.hpp"

using vigil::test::compile_errors;
using vigil::test::first_error;

namespace {

// A rule with WHEN as its condition (line 4), to test expression mistakes.
std::string rule_when(const std::string& when) {
  return "rule A {\n  severity high\n  for vendor v\n  when " + when + "\n  message \"m\"\n}\n";
}

}  // namespace

TEST_CASE("the full diagnostic: file, line, column, source line and caret", "[syntax]") {
  CHECK(compile_errors(rule_when("v.tier = \"critical\"")) ==
        "test.vigil:4:15: error: expected '==' to compare values but found '='\n"
        "  when v.tier = \"critical\"\n"
        "              ^\n");
}

TEST_CASE("the caret lines up under tabs and multi-byte characters", "[syntax]") {
  CHECK(compile_errors("rule A {\n\tseverity high\n\tfor vendor v\n\twhen v.x == \"é\" +\n\tmessage \"m\"\n}\n") ==
        "test.vigil:5:2: error: expected an expression but found 'message'\n"
        "\tmessage \"m\"\n"
        "\t^\n");
  CHECK(compile_errors("# é\nrule A { severity urgent }\n") ==
        "test.vigil:2:19: error: expected a severity (info, low, medium, high, critical) but found 'urgent'\n"
        "rule A { severity urgent }\n"
        "                  ^\n");
}

TEST_CASE("missing braces", "[syntax]") {
  CHECK(first_error("rule A \n  severity high\n}\n") == "2:3: error: expected '{' but found 'severity'");
  CHECK(first_error("rule A {\n  severity high\n  for vendor v\n  when true\n  message \"m\"\n\nrule B {\n}\n") ==
        "7:1: error: expected a clause ('severity', 'tags', 'for', 'let', 'when', 'message') or '}' but found 'rule'");
  CHECK(first_error("rule A {\n  severity high\n  for vendor v\n  when true\n  message \"m\"\n") ==
        "6:1: error: expected a clause ('severity', 'tags', 'for', 'let', 'when', 'message') or '}' but found end of file");
}

TEST_CASE("unterminated strings", "[syntax]") {
  CHECK(first_error(rule_when("v.name == \"abc")) ==
        "4:18: error: unterminated string: a string must end with '\"' on the same line");
  CHECK(first_error("rule A \"title {\n}\n") ==
        "1:8: error: unterminated string: a string must end with '\"' on the same line");
  CHECK(first_error(rule_when("v.name == \"a\\qb\"")) ==
        "4:20: error: unknown escape in string: use \\\" \\\\ \\n or \\t");
}

TEST_CASE("bad dates, numbers and durations", "[syntax]") {
  CHECK(first_error(rule_when("v.d < 2026-13-01")) == "4:14: error: invalid date '2026-13-01': month 13 is not 01-12");
  CHECK(first_error(rule_when("v.d < 2026-02-30")) ==
        "4:14: error: invalid date '2026-02-30': day 30 does not exist in that month");
  CHECK(first_error(rule_when("v.d < 2026-1-31")) ==
        "4:14: error: '2026-1-31' is not a date of the form YYYY-MM-DD");
  CHECK(first_error(rule_when("v.d < today - 12m")) ==
        "4:22: error: invalid duration '12m': the units are d (days), w (weeks), mo (months) and y (years), as in 30d, 12w, 6mo, 1y");
  CHECK(first_error(rule_when("v.x > 1.5d")) == "4:14: error: invalid number '1.5d'");
  CHECK(first_error(rule_when("v.x > 12abc")) ==
        "4:14: error: invalid duration '12abc': the units are d (days), w (weeks), mo (months) and y (years), as in 30d, 12w, 6mo, 1y");
}

TEST_CASE("unknown severities", "[syntax]") {
  CHECK(first_error("rule A {\n  severity urgent\n}\n") ==
        "2:12: error: expected a severity (info, low, medium, high, critical) but found 'urgent'");
  CHECK(first_error("rule A {\n  severity hihg\n}\n") ==
        "2:12: error: expected a severity (info, low, medium, high, critical) but found 'hihg' (did you mean `high`?)");
  CHECK(first_error("rule A {\n  severity\n}\n") ==
        "3:1: error: expected a severity (info, low, medium, high, critical) or an expression giving one but found '}'");
}

TEST_CASE("= where == is meant", "[syntax]") {
  CHECK(first_error(rule_when("v.tier = \"critical\"")) == "4:15: error: expected '==' to compare values but found '='");
  CHECK(first_error(rule_when("v.a == 1 and v.b = 2")) == "4:25: error: expected '==' to compare values but found '='");
}

TEST_CASE("misspelled keywords", "[syntax]") {
  CHECK(first_error("rule A {\n  severty high\n}\n") ==
        "2:3: error: expected a clause ('severity', 'tags', 'for', 'let', 'when', 'message') or '}' but found 'severty' "
        "(did you mean `severity`?)");
  CHECK(first_error("rule A {\n  severity high\n  for vendor v\n  wen true\n}\n") ==
        "4:3: error: expected a clause ('severity', 'tags', 'for', 'let', 'when', 'message') or '}' but found 'wen' "
        "(did you mean `when`?)");
  CHECK(first_error("rul A {\n}\n") == "1:1: error: expected 'rule', 'let' or end of file but found 'rul' (did you mean `rule`?)");
  CHECK(first_error("lett x = 1\n") == "1:1: error: expected 'rule', 'let' or end of file but found 'lett' (did you mean `let`?)");
}

TEST_CASE("malformed expressions", "[syntax]") {
  CHECK(first_error(rule_when("v.x >")) == "5:3: error: expected an expression but found 'message'");
  CHECK(first_error(rule_when("(v.x > 1")) == "5:3: error: expected ')' but found 'message'");
  CHECK(first_error(rule_when("v.x in [1, 2")) == "5:3: error: expected ']' but found 'message'");
  // An attribute may be called `message`, so `v.` at the end of a line reads the next clause's keyword.
  CHECK(first_error(rule_when("v.")) ==
        "5:11: error: expected a clause ('severity', 'tags', 'for', 'let', 'when', 'message') or '}' but found '\"m\"'");
  CHECK(first_error(rule_when("v. > 1")) == "4:11: error: expected an attribute name but found '>'");
  CHECK(first_error(rule_when("1 < 2 < 3")) == "4:14: error: comparisons cannot be chained: combine them with 'and'");
  CHECK(first_error(rule_when("lower(v.x")) == "5:3: error: expected ')' but found 'message'");
  CHECK(first_error(rule_when("v.x == 1 v.y")) ==
        "4:17: error: expected a clause ('severity', 'tags', 'for', 'let', 'when', 'message') or '}' but found 'v'");
  CHECK(first_error(rule_when("!v.x")) == "4:8: error: expected an expression but found '!'");
  // After a call's comma: an argument or an option, named as such (not as a parser's C++ type).
  CHECK(first_error(rule_when("any(l in links(v, ) where l.rank > 2)")) ==
        "4:26: error: expected an expression but found ')'");
  CHECK(first_error(rule_when("suppliers*(v, depth:)")) == "4:28: error: expected an expression but found ')'");
}

TEST_CASE("aggregate forms are checked", "[syntax]") {
  CHECK(first_error(rule_when("count(x in C where)")) == "4:26: error: expected an expression but found ')'");
  CHECK(first_error(rule_when("count(C where x)")) ==
        "4:16: error: 'where' needs a variable to bind: write count(x in C where P)");
  CHECK(first_error(rule_when("lower(x for x in C)")) ==
        "4:16: error: 'for' and 'where' can only be used in aggregates (count, any, all, sum, min, max, list), not in lower()");
  CHECK(first_error(rule_when("sum(v.x for in C)")) == "4:20: error: expected a name but found 'in'");
  CHECK(first_error(rule_when("count(a, b)")) ==
        "4:8: error: count() takes one argument: count(x in C where P), count(E for x in C where P) or count(C)");
}

TEST_CASE("rule structure", "[syntax]") {
  CHECK(first_error("rule A {\n  severity low\n  for vendor v\n  message \"m\"\n}\n") == "5:1: error: rule A has no 'when' clause");
  CHECK(first_error("rule A {\n  for vendor v\n  when true\n  message \"m\"\n}\n") ==
        "5:1: error: rule A has no 'severity' clause");
  CHECK(first_error("rule A {\n  severity low\n  when true\n  message \"m\"\n}\n") == "5:1: error: rule A has no 'for' clause");
  CHECK(first_error("rule A {\n  severity low\n  for vendor v\n  when true\n}\n") == "5:1: error: rule A has no 'message' clause");
  CHECK(first_error("rule A {\n  severity low\n  severity high\n}\n") ==
        "3:3: error: duplicate 'severity' clause: a rule has at most one");
  CHECK(first_error("rule 1A {\n}\n") ==
        "1:6: error: expected a rule id (a letter, then letters, digits, '_', '.' or '-') but found '1A'");
  CHECK(first_error("rule A {\n  severity low\n  for Vendor v\n}\n") ==
        "3:7: error: expected an entity kind (a lower-case word such as vendor) or 'portfolio' but found 'Vendor'");
  CHECK(first_error("rule A {\n  severity low\n  for vendor\n}\n") == "4:1: error: expected a name but found '}'");
  CHECK(first_error("rule A {\n  severity low\n  tags \"x\"\n}\n") == "3:8: error: expected a list of strings but found '\"x\"'");
  CHECK(first_error("rule A {\n  severity low\n  tags [1]\n}\n") == "3:9: error: expected ']' but found '1'");
  CHECK(first_error("rule A {\n  severity low\n  for vendor v\n  message 42\n}\n") ==
        "4:11: error: expected a string but found '42'");
  CHECK(first_error("let 1x = 2\n") == "1:5: error: expected a name but found '1x'");
  CHECK(first_error("let and = 2\n") == "1:5: error: expected a name but found 'and'");
  CHECK(first_error("let x 2\n") == "1:7: error: expected '=' but found '2'");
}

TEST_CASE("message interpolation mistakes", "[syntax]") {
  auto message = [](const std::string& text) {
    return "rule A {\n  severity low\n  for vendor v\n  when true\n  message \"" + text + "\"\n}\n";
  };
  CHECK(first_error(message("x {v.name")) == "5:14: error: unclosed '{' in message: write '{{' for a literal brace");
  CHECK(first_error(message("x } y")) == "5:14: error: unmatched '}' in message: write '}}' for a literal brace");
  CHECK(first_error(message("x {}")) ==
        "5:14: error: empty '{}' in message: put an expression inside, or write '{{' for a brace");
  CHECK(first_error(message("x {v.name +}")) == "5:23: error: expected an expression but found '}'");
  CHECK(first_error(message("x {v.name v}")) == "5:22: error: expected '}' to close the interpolation but found 'v'");
  CHECK(compile_errors(message("ok {{ {v.name} }}")).empty());
}

TEST_CASE("errors are reported for every file, not only the first", "[syntax]") {
  using namespace vigil;
  try {
    compile_rules({test::source("rule A {", "a.vigil"), test::source("rule B {", "b.vigil")});
    FAIL("expected errors");
  } catch (const RuleError& error) {
    REQUIRE(error.diagnostics().size() == 2);
    CHECK(error.diagnostics()[0].location() == "a.vigil:1:9");
    CHECK(error.diagnostics()[1].location() == "b.vigil:1:9");
  }
}
