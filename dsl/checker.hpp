// Static checking of parsed rules: resolves names to slots, numbers the
// expression nodes, and reports unknown names and functions, wrong argument
// counts, duplicate rule ids and type errors that are certain. With a schema,
// warns about kinds and attributes the portfolio does not have.
#pragma once

#include <vector>

#include "dsl/diagnostic.hpp"
#include "dsl/rule_set.hpp"

namespace vigil {

std::vector<Diagnostic> check_rules(RuleSet& rules, const Schema* schema);

}  // namespace vigil
