// The dependency graph as Graphviz DOT, entities coloured by the highest
// severity of their findings.
#pragma once

#include <map>
#include <optional>
#include <ostream>
#include <string>

#include "dsl/ast.hpp"
#include "engine/facts/portfolio.hpp"

namespace vigil {

struct DotOptions {
  std::optional<EntityIndex> focus;  // only the focus and its neighbourhood
  int depth = 2;                     // hops from the focus, in each direction
};

void write_dot(std::ostream& out, const Portfolio& portfolio, const std::map<std::string, Severity>& highest_severity,
               const DotOptions& options);

}  // namespace vigil
