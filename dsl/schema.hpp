// What the checker may know of the portfolio: the entity kinds and the
// attributes each kind has, with their types. Filled from a fact database.
#pragma once

#include <map>
#include <string>

#include "dsl/value_type.hpp"

namespace vigil {

struct Schema {
  std::map<std::string, std::map<std::string, ValueType>> kinds;  // kind -> attribute -> type
};

}  // namespace vigil
