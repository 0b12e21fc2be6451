// Content hashes that identify what a run evaluated: the rule sources and the facts.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "dsl/rule_set.hpp"
#include "engine/store/database.hpp"

namespace vigil {

std::string rules_fingerprint(const RuleSet& rules);
// One rule's source text, from `rule` to its closing brace: diff reports a
// rule whose text changed (and still compares it).
std::string rule_fingerprint(const RuleSet& rules, const Rule& rule);
// Every stored fact, read straight from the tables in key order: a run that
// loads only the attributes its rules use still fingerprints all the facts.
std::string facts_fingerprint(Database& db);
// The same hash over byte strings (the fact snapshot's parts).
std::string bytes_fingerprint(const std::vector<std::string_view>& parts);

}  // namespace vigil
