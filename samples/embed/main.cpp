// An onboarding gate: before a new vendor is approved, the procurement system
// asks Vigil whether the vendor, as entered, breaks any rule.
//
// usage: onboarding_check [RULES_PATH]   (default: the rules below)
#include <iostream>

#include <vigil/vigil.hpp>

namespace {

const char* kOnboardingRules = R"(
# Risk: onboarding a vendor with sensitive access and no independent assurance.
rule ONB-001 "Sensitive access without a SOC 2 report" {
  severity high
  for vendor v
  when v.data_access in ["confidential", "restricted"] and missing(v.soc2_report_expiry)
  message "{v.name} would access {v.data_access} data without a SOC 2 report"
}

# Risk: onboarding a critical vendor without an exit plan.
rule ONB-002 "Critical vendor without an exit plan" {
  severity medium
  for vendor v
  when v.tier == "critical" and not (v.has_exit_plan ?? false)
  message "{v.name} is critical but has no exit plan"
}
)";

}  // namespace

int main(int argc, char** argv) {
  try {
    vigil::Engine engine;
    if (argc > 1) engine.add_rules_from(argv[1]);
    else engine.add_rules("onboarding.vigil", kOnboardingRules);

    // The vendor as entered in the onboarding form.
    engine.add_entity("NEW-1", "vendor");
    engine.set_string("NEW-1", "name", "Contoso Cloud");
    engine.set_string("NEW-1", "tier", "critical");
    engine.set_string("NEW-1", "data_access", "restricted");
    engine.set_bool("NEW-1", "has_exit_plan", false);

    auto result = engine.evaluate_entity("NEW-1", "2026-11-01");
    for (const auto& finding : result.findings)
      std::cout << vigil::severity_name(finding.severity) << " " << finding.rule << ": " << finding.message << "\n";
    std::cout << result.findings.size() << " findings\n";
    return result.findings.empty() ? 0 : 1;
  } catch (const vigil::Error& error) {  // rule errors carry file:line:col diagnostics
    std::cerr << error.what();
    return 2;
  }
}
