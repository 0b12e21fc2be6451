// A rule's `when` decided without the interpreter (engine/eval/quick_when.hpp)
// must never drop a finding or an error: for every subject, evaluating the
// rule gives what `explain` (which always runs the interpreter) gives.
#include <catch2/catch.hpp>

#include "engine/eval/context.hpp"
#include "engine/eval/quick_when.hpp"
#include "engine/facts/portfolio_import.hpp"
#include "test_support.hpp"

namespace vigil {
namespace {

// What one evaluation of a rule for a subject says: its finding or its error, or nothing.
std::string outcome(const EvaluationResult& result) {
  if (!result.findings.empty()) return "finding: " + result.findings[0].message;
  if (!result.errors.empty()) return "error: " + result.errors[0].message;
  return "nothing";
}

// For every rule and subject: the evaluation (which may decide quietly) and the interpreter agree.
void check_against_interpreter(const RuleSet& rules, const Portfolio& portfolio, const char* today) {
  Evaluator evaluator(rules, portfolio, test::date(today));
  for (const Rule* rule : rules.rules()) {
    const KindTable* kind = portfolio.find_kind(rule->for_kind);
    if (!kind || rule->each_collection) continue;
    for (EntityIndex entity : kind->members) {
      INFO(rule->id << " " << portfolio.id(entity));
      CHECK(outcome(evaluator.evaluate_rule(*rule, entity)) == outcome(evaluator.explain(*rule, entity).result));
    }
  }
}

// Three vendors: a number column with a zero, texts, a date, a boolean, and missing values.
test::TestPortfolio three_vendors() {
  test::TestPortfolio t;
  t.add("vendor", "A", {{"spend", Value::number(100)}, {"units", Value::number(0)}, {"status", Value::string("active")},
                        {"tier", Value::string("critical")}, {"tested", Value::date(test::date("2026-01-01"))}});
  t.add("vendor", "B", {{"spend", Value::number(5)}, {"units", Value::number(2)}, {"status", Value::string("exited")},
                        {"flag", Value::boolean(true)}});
  t.add("vendor", "C", {});
  return t;
}

RuleSet rule_when(const std::string& condition) {
  return test::compile(std::string("let important = [\"critical\", \"high\"]\nlet total = 105\n") +
                       "rule R {\n severity low\n for vendor v\n let share = 100 * v.spend / total\n when " + condition +
                       "\n message \"{v.id}\"\n}\n");
}

const char* const kConditions[] = {
  "v.status == \"active\" and v.spend / total > 0.5",
  "v.spend / v.units > 1",                       // division by zero for A: an error
  "v.status == \"active\" and v.spend / v.units > 1",
  "v.status == \"exited\" or v.spend / v.units > 1",
  "v.spend > \"x\"",                             // numbers and texts: an error
  "v.status > \"a\"",                            // texts ordered by the interpreter
  "v.flag",                                      // missing for A and C
  "not v.flag",
  "v.flag and v.spend > 1",
  "v.spend ?? 0 < 10",
  "(v.spend ?? 0) < 10",
  "v.tier in important",
  "v.tier not in important and present(v.tier)",
  "missing(v.tested) or v.tested < today - 1y",  // date arithmetic: left to the interpreter
  "v.tested < 2026-06-01",
  "round(100 * v.spend / total, 1) > 50",
  "round(v.spend, 20) > 1",                      // too many digits: an error
  "v.status == 3",                               // a text and a number: an error
  "v.id == \"B\" and -v.spend < 0",
  "v.spend % 2 == 0",
  "share > 10 and v.kind == \"vendor\"",
};

TEST_CASE("a when decided without the interpreter gives every finding and error the interpreter gives") {
  test::TestPortfolio t = three_vendors();
  for (const char* condition : kConditions) {
    INFO(condition);
    check_against_interpreter(rule_when(condition), t.portfolio, "2026-06-30");
  }
}

// What QuickWhen::block_quiet says of the rule R over the portfolio's vendors, one block.
bool quiet_block(const RuleSet& rules, const Portfolio& portfolio, const char* today) {
  const Rule& rule = *rules.rules().front();
  std::vector<const Expr*> lets(static_cast<std::size_t>(rule.slot_count), nullptr);
  for (const auto& let : rule.lets) lets[static_cast<std::size_t>(let.slot)] = let.value.get();
  auto quick = QuickWhen::of(rule, lets, portfolio);
  if (!quick) return false;
  LazyGraph graph(portfolio);
  Context c{.portfolio = portfolio, .graph = graph, .today = test::date(today)};
  c.column_cache.assign(rules.node_count, {0, -1});
  c.element_filter_cache.resize(rules.node_count);
  std::vector<Value> constants;
  c.constants = &constants;
  for (const auto& constant : rules.files[0].constants) constants.push_back(eval(*constant.value, c));
  ColumnZones zones(portfolio);
  return quick->block_quiet(0, zones, c);
}

TEST_CASE("a block of subjects said quiet from its columns' ranges gives no finding and no error for any of them") {
  test::TestPortfolio t = three_vendors();
  for (const char* condition : kConditions) {
    INFO(condition);
    RuleSet rules = rule_when(condition);
    if (!quiet_block(rules, t.portfolio, "2026-06-30")) continue;
    Evaluator evaluator(rules, t.portfolio, test::date("2026-06-30"));
    for (EntityIndex entity : t.portfolio.find_kind("vendor")->members)
      CHECK(outcome(evaluator.explain(*rules.rules().front(), entity).result) == "nothing");
  }
  // Spend 100, 5 and missing; units 0, 2 and missing; statuses active and exited; tier critical; tested 2026-01-01; flag true.
  const std::pair<const char*, bool> cases[] = {
      {"v.spend > 1000", true},
      {"v.spend > 50", false},
      {"v.spend >= 100", false},
      {"v.spend < 5", true},
      {"-v.spend > 0", true},
      {"round(100 * v.spend / total, 1) > 95", false},  // 95.2 at most
      {"round(100 * v.spend / total, 1) > 95.1", false},
      {"round(100 * v.spend / total, 1) > 95.2", true},
      {"round(100 * v.spend / total, 1) >= 95.2", false},
      {"share > 96", true},
      {"v.spend / v.units > 1000", false},              // a division by zero may fail
      {"v.spend > \"x\"", false},                       // numbers and texts: an error
      {"v.status == \"gone\"", false},                  // texts other than one are not told apart
      {"v.tier == \"high\"", true},                     // one text: critical
      {"v.tier in important", false},
      {"v.tier not in important", true},
      {"v.tested < 2026-01-01", true},
      {"v.tested <= 2026-01-01", false},
      {"v.flag and v.spend > 1000", true},
      {"v.spend > 1000 or v.flag", false},
      {"not v.flag", true},
      {"(v.spend ?? 0) > 200", true},
      {"(v.spend ?? 500) > 200", false},
      {"present(v.name)", true},
      {"missing(v.name)", false},
      {"v.spend + v.units > 102", true},
      {"v.spend - v.units < 3", true},
      {"v.spend * v.units > 200", true},
      {"v.kind == \"service\"", true},
      {"v.id == \"A\" and v.spend > 1000", true},
      {"v.id == \"A\"", false},
  };
  for (const auto& [condition, quiet] : cases) {
    INFO(condition);
    CHECK(quiet_block(rule_when(condition), t.portfolio, "2026-06-30") == quiet);
  }
}

TEST_CASE("the standard pack decided without the interpreter gives what the interpreter gives, subject by subject") {
  Portfolio samples = read_portfolio_directory(test::source_dir() + "/samples/portfolio");
  check_against_interpreter(load_rules({test::source_dir() + "/rules"}), samples, "2026-11-01");
}

}  // namespace
}  // namespace vigil
