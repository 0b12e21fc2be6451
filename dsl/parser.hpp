// Parsing rule files (Boost.Spirit X3). Syntax errors throw RuleError with a
// `file:line:col: error: expected ... but found ...` diagnostic.
#pragma once

#include "dsl/ast.hpp"

namespace vigil {

RuleFile parse_rule_file(SourcePtr source);

// A single expression (the whole source), for tests and tools.
ExprPtr parse_expression(SourcePtr source);

// Words that cannot name variables.
bool is_reserved_word(std::string_view word);

}  // namespace vigil
