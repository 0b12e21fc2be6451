// A rule's `when` decided without the interpreter (engine/eval/quick_when.hpp)
// must never drop a finding or an error: for every subject, evaluating the
// rule gives what `explain` (which always runs the interpreter) gives.
#include <catch2/catch.hpp>

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

TEST_CASE("a when decided without the interpreter gives every finding and error the interpreter gives") {
  test::TestPortfolio t;
  t.add("vendor", "A", {{"spend", Value::number(100)}, {"units", Value::number(0)}, {"status", Value::string("active")},
                        {"tier", Value::string("critical")}, {"tested", Value::date(test::date("2026-01-01"))}});
  t.add("vendor", "B", {{"spend", Value::number(5)}, {"units", Value::number(2)}, {"status", Value::string("exited")},
                        {"flag", Value::boolean(true)}});
  t.add("vendor", "C", {});
  const char* conditions[] = {
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
  for (const char* condition : conditions) {
    INFO(condition);
    RuleSet rules = test::compile(std::string("let important = [\"critical\", \"high\"]\nlet total = 105\n") +
                                  "rule R {\n severity low\n for vendor v\n let share = 100 * v.spend / total\n when " + condition +
                                  "\n message \"{v.id}\"\n}\n");
    check_against_interpreter(rules, t.portfolio, "2026-06-30");
  }
}

TEST_CASE("the standard pack decided without the interpreter gives what the interpreter gives, subject by subject") {
  Portfolio samples = read_portfolio_directory(test::source_dir() + "/samples/portfolio");
  check_against_interpreter(load_rules({test::source_dir() + "/rules"}), samples, "2026-11-01");
}

}  // namespace
}  // namespace vigil
