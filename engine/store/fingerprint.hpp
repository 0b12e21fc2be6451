// Content hashes that identify what a run evaluated: the rule sources and the facts.
#pragma once

#include <string>

#include "dsl/rule_set.hpp"
#include "engine/facts/portfolio.hpp"

namespace vigil {

std::string rules_fingerprint(const RuleSet& rules);
std::string facts_fingerprint(const Portfolio& portfolio);

}  // namespace vigil
