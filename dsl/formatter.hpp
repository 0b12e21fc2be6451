// Canonical formatting of rule files (`vigil fmt`). Comments are kept, each
// with the item or clause it stands beside; formatting the result again
// changes nothing.
#pragma once

#include <string>

#include "dsl/ast.hpp"

namespace vigil {

// The canonical text of a parsed (not necessarily checked) rule file.
std::string format_rule_file(const RuleFile& file);

// An expression on one line, with the parentheses precedence needs (and those
// that keep `not (...)` and `(... ?? ...)` inside and/or readable).
std::string format_expression(const Expr& expr, const SourceFile& source);

}  // namespace vigil
