// What the checker may know of the portfolio: the entity kinds and the
// attributes each kind has, with their types. Filled from a fact database.
#pragma once

#include <map>
#include <optional>
#include <set>
#include <string>

#include "dsl/value_type.hpp"

namespace vigil {

struct Schema {
  std::map<std::string, std::map<std::string, ValueType>> kinds;  // kind -> attribute -> type
  std::optional<std::set<std::string>> edge_kinds;                 // the kinds edges have, when known
};

}  // namespace vigil
