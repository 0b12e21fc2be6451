// What a finding carries besides what the rule computed (CONTRACT sections 6
// and 10): its rule's title and tags, the owner of its entity, and whether a
// waiver accepts it. One pass over the findings after evaluation, shared by
// the CLI, the library and every embedding, so that all agree.
#pragma once

#include <string>
#include <vector>

#include "dsl/rule_set.hpp"
#include "engine/eval/finding.hpp"
#include "engine/facts/portfolio.hpp"

namespace vigil {

constexpr const char* kDefaultOwnerAttribute = "risk_owner";

// A finding is accepted while `as_of` <= its waiver's expiry; a finding whose
// waivers have all expired stays open and its evidence says since when
// ("waiver_expired": "2026-10-31"). A waiver for one entity comes before the
// rule's `*` waiver.
void annotate_findings(std::vector<Finding>& findings, const RuleSet& rules, const Portfolio& portfolio, Date as_of,
                       const std::string& owner_attribute = kDefaultOwnerAttribute);

// Warnings for waivers naming a rule that is not loaded (with a did-you-mean)
// or an entity the portfolio does not have; `check --db` and `run` give them.
std::vector<Diagnostic> waiver_warnings(const Portfolio& portfolio, const RuleSet& rules);

// Open findings only: accepted ones count neither for --fail-on nor in headline counts.
std::vector<const Finding*> open_findings(const std::vector<Finding>& findings);  // views, not copies
std::size_t accepted_count(const std::vector<Finding>& findings);

}  // namespace vigil
