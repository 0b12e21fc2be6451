#include <catch2/catch.hpp>

#include "dsl/parser.hpp"
#include "test_support.hpp"

using namespace vigil;

namespace {

ExprPtr expr(const std::string& text) { return parse_expression(test::source(text)); }

// A compact rendering of the tree, to check structure and precedence.
std::string shape(const Expr& e) {
  auto child = [](const ExprPtr& c) { return c ? shape(*c) : std::string("-"); };
  switch (e.kind) {
    case ExprKind::number: return fmt::format("{}", e.number_value);
    case ExprKind::string: return "\"" + e.text + "\"";
    case ExprKind::boolean: return e.bool_value ? "true" : "false";
    case ExprKind::date: return format_date(e.date_value);
    case ExprKind::duration: return format_duration(e.duration_value);
    case ExprKind::today: return "today";
    case ExprKind::variable: return e.text;
    case ExprKind::member: return shape(*e.args[0]) + "." + e.text;
    case ExprKind::unary: return fmt::format("({} {})", op_text(e.op), shape(*e.args[0]));
    case ExprKind::binary: return fmt::format("({} {} {})", shape(*e.args[0]), op_text(e.op), shape(*e.args[1]));
    case ExprKind::list:
    case ExprKind::call:
    case ExprKind::interpolation: {
      std::string out = e.kind == ExprKind::list ? "[" : e.text + "(";
      for (std::size_t i = 0; i < e.args.size(); ++i) out += (i ? ", " : "") + shape(*e.args[i]);
      return out + (e.kind == ExprKind::list ? "]" : ")");
    }
    case ExprKind::aggregate:
      return fmt::format("{}{{{} for {} in {} where {}}}", e.text, child(e.element), e.binder.empty() ? "-" : e.binder,
                         child(e.collection), child(e.filter));
    case ExprKind::conditional:
      return fmt::format("(if {} then {} else {})", shape(*e.args[0]), shape(*e.args[1]), shape(*e.args[2]));
    case ExprKind::map: {
      std::string out = "{";
      for (std::size_t i = 0; i + 1 < e.args.size(); i += 2) out += (i ? ", " : "") + shape(*e.args[i]) + ": " + shape(*e.args[i + 1]);
      return out + "}";
    }
    case ExprKind::index: return shape(*e.args[0]) + "[" + shape(*e.args[1]) + "]";
  }
  return "?";
}

std::string parsed(const std::string& text) { return shape(*expr(text)); }

}  // namespace

TEST_CASE("literals", "[parser]") {
  CHECK(parsed("42") == "42");
  CHECK(parsed("3.25") == "3.25");
  CHECK(parsed("1e3") == "1000");
  CHECK(parsed("\"a \\\"quoted\\\" \\\\ word\\n\"") == "\"a \"quoted\" \\ word\n\"");
  CHECK(parsed("true") == "true");
  CHECK(parsed("false") == "false");
  CHECK(parsed("2026-01-31") == "2026-01-31");
  CHECK(parsed("30d") == "30d");
  CHECK(parsed("12w") == "84d");
  CHECK(parsed("6mo") == "6mo");
  CHECK(parsed("1y") == "1y");
  CHECK(parsed("today") == "today");
  CHECK(parsed("[1, \"a\", [2]]") == "[1, \"a\", [2]]");
  CHECK(parsed("[]") == "[]");
  CHECK(parsed("[1, 2,]") == "[1, 2]");
}

TEST_CASE("operator precedence, loosest to tightest", "[parser]") {
  CHECK(parsed("a or b and c") == "(a or (b and c))");
  CHECK(parsed("not a and b") == "((not a) and b)");
  CHECK(parsed("not a == b") == "(not (a == b))");
  CHECK(parsed("a == b ?? c") == "(a == (b ?? c))");
  CHECK(parsed("a ?? b + c") == "(a ?? (b + c))");
  CHECK(parsed("a + b * c") == "(a + (b * c))");
  CHECK(parsed("a - b - c") == "((a - b) - c)");
  CHECK(parsed("a / b % c") == "((a / b) % c)");
  CHECK(parsed("-a * b") == "((- a) * b)");
  CHECK(parsed("-v.x") == "(- v.x)");
  CHECK(parsed("(a or b) and c") == "((a or b) and c)");
  CHECK(parsed("today - 365d") == "(today - 365d)");
  CHECK(parsed("a ?? b ?? c") == "((a ?? b) ?? c)");
}

TEST_CASE("comparisons", "[parser]") {
  for (std::string op : {"==", "!=", "<", "<=", ">", ">=", "in", "not in"})
    CHECK(parsed("a " + op + " b") == "(a " + op + " b)");
  CHECK(parsed("v.tier not in [\"low\"]") == "(v.tier not in [\"low\"])");
}

TEST_CASE("member access and calls", "[parser]") {
  CHECK(parsed("v.name") == "v.name");
  CHECK(parsed("v.owner.name") == "v.owner.name");
  CHECK(parsed("missing(v.x)") == "missing(v.x)");
  CHECK(parsed("contains(lower(v.name), \"bank\")") == "contains(lower(v.name), \"bank\")");
  CHECK(parsed("suppliers*(v, \"subcontracts\")") == "suppliers*(v, \"subcontracts\")");
  CHECK(parsed("dependents*(v)") == "dependents*(v)");
  CHECK(parsed("f()") == "f()");
  CHECK(parsed("a * (b)") == "(a * b)");
}

TEST_CASE("aggregates in their three forms", "[parser]") {
  CHECK(parsed("count(entities(\"vendor\"))") == "count{- for - in entities(\"vendor\") where -}");
  CHECK(parsed("count(s in C where s.x == 1)") == "count{s for s in C where (s.x == 1)}");
  CHECK(parsed("any(s in C)") == "any{s for s in C where -}");
  CHECK(parsed("sum(v.spend for v in C where v.active)") == "sum{v.spend for v in C where v.active}");
  CHECK(parsed("max(v.spend for v in C)") == "max{v.spend for v in C where -}");
  CHECK(parsed("list(v.id for v in entities(\"vendor\"))") == "list{v.id for v in entities(\"vendor\") where -}");
  CHECK(parsed("count(x in [1, 2] where count(y in [x] where y > 0) > 0)") ==
        "count{x for x in [1, 2] where (count{y for y in [x] where (y > 0)} > 0)}");
}

TEST_CASE("comments and whitespace are skipped everywhere", "[parser]") {
  CHECK(parsed("a # first\n  +\n  # between\n  b") == "(a + b)");
}

TEST_CASE("a whole rule file", "[parser]") {
  auto file = parse_rule_file(test::source(R"(# header comment
let tiers = ["critical", "high"]
let limit = 3

rule IRP-001 "Title" {
  severity high
  tags ["incident-response", "dora"]
  for vendor v
  let n = 1
  let m = n + 1
  when v.tier in tiers and m > 1
  message "{v.name} ({v.tier}) {{literal}} n={n}"
}

rule P.2_x {
  severity info
  for portfolio
  when true
  message "plain"
}
)"));
  REQUIRE(file.constants.size() == 2);
  CHECK(file.constants[0].name == "tiers");
  REQUIRE(file.rules.size() == 2);
  const Rule& rule = file.rules[0];
  CHECK(rule.id == "IRP-001");
  CHECK(rule.title == "Title");
  CHECK(rule.severity == Severity::high);
  CHECK(rule.tags == std::vector<std::string>{"incident-response", "dora"});
  CHECK(rule.for_kind == "vendor");
  CHECK(rule.variable == "v");
  CHECK_FALSE(rule.for_portfolio);
  REQUIRE(rule.lets.size() == 2);
  CHECK(rule.lets[1].name == "m");
  CHECK(shape(*rule.when) == "((v.tier in tiers) and (m > 1))");
  CHECK(shape(*rule.message) == "(v.name, \" (\", v.tier, \") {literal} n=\", n)");
  const Rule& portfolio = file.rules[1];
  CHECK(portfolio.id == "P.2_x");
  CHECK_FALSE(portfolio.title);
  CHECK(portfolio.for_portfolio);
}

TEST_CASE("clauses may come in any order", "[parser]") {
  auto file = parse_rule_file(test::source(
      "rule A {\n message \"m\"\n when true\n for vendor v\n severity low\n}\n"));
  CHECK(file.rules.at(0).severity == Severity::low);
}

TEST_CASE("source spans point at the text", "[parser]") {
  auto source = test::source("  v.name == \"x\"");
  auto e = parse_expression(source);
  CHECK(e->span.begin == 2);
  CHECK(e->span.end == 15);
  CHECK(e->op_offset == 9);
  CHECK(e->args[0]->span.end == 8);
}

TEST_CASE("interpolated expressions keep positions inside the message", "[parser]") {
  auto file = parse_rule_file(test::source("rule A {\n severity low\n for vendor v\n when true\n message \"x {v.name}\"\n}\n"));
  const Expr& message = *file.rules[0].message;
  REQUIRE(message.args.size() == 2);
  auto where = file.source->locate(message.args[1]->span.begin);
  CHECK(where.line == 5);
  CHECK(where.column == 14);
}
