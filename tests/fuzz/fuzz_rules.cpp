// Rule text -> parse, check, evaluate over a small portfolio, format, and the
// formatted text must parse back to the same rules and format to itself.
// Bad input may only end in vigil::Error (RuleError): anything else, a crash,
// a leak or a hang is a finding.
#include <cstdint>
#include <cstdlib>
#include <string>

#include "dsl/formatter.hpp"
#include "dsl/parser.hpp"
#include "dsl/rule_set.hpp"
#include "engine/eval/evaluator.hpp"
#include "engine/facts/portfolio_import.hpp"

namespace {

const vigil::Portfolio& small_portfolio() {
  static const vigil::Portfolio portfolio = vigil::parse_portfolio_json("fuzz.json", R"({
    "entities": [
      {"id": "V1", "kind": "vendor", "attributes": {"name": "Acme", "tier": "critical", "spend": 120, "tested": "2025-01-31"}},
      {"id": "V2", "kind": "vendor", "attributes": {"name": "Zürich Öl", "tier": "low", "spend": 0.5, "exit_plan": true}},
      {"id": "V3", "kind": "vendor", "attributes": {"name": "Beta"}},
      {"id": "S1", "kind": "service", "attributes": {"criticality": "critical"}}],
    "edges": [{"from": "S1", "to": "V1", "kind": "depends_on"}, {"from": "V1", "to": "V2", "kind": "subcontracts"},
              {"from": "V2", "to": "V1", "kind": "subcontracts"}]})");
  return portfolio;
}

void require(bool condition) {
  if (!condition) std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  auto source = std::make_shared<vigil::SourceFile>("fuzz.vigil", std::string(reinterpret_cast<const char*>(data), size));
  vigil::RuleFile parsed;
  try {
    parsed = vigil::parse_rule_file(source);
  } catch (const vigil::Error&) {
    return 0;
  }
  std::string formatted = vigil::format_rule_file(parsed);
  auto again = std::make_shared<vigil::SourceFile>("fuzz.vigil", formatted);
  vigil::RuleFile reparsed = vigil::parse_rule_file(again);  // must not throw: fmt output is valid
  require(reparsed.rules.size() == parsed.rules.size() && reparsed.constants.size() == parsed.constants.size());
  for (std::size_t i = 0; i < parsed.rules.size(); ++i) require(reparsed.rules[i].id == parsed.rules[i].id);
  require(vigil::format_rule_file(reparsed) == formatted);
  try {
    vigil::RuleSet rules = vigil::compile_rules({source});
    vigil::Evaluator evaluator(rules, small_portfolio(), *vigil::parse_iso_date("2026-06-30"));
    evaluator.evaluate_all(1);
  } catch (const vigil::Error&) {
  }
  return 0;
}
