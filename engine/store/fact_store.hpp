// Portfolio <-> database. Saving replaces every fact (entities, attributes,
// edges) in one transaction; runs are kept.
#pragma once

#include "dsl/schema.hpp"
#include "dsl/rule_set.hpp"
#include "engine/store/database.hpp"
#include "engine/facts/portfolio.hpp"

namespace vigil {

void save_portfolio(Database& db, const Portfolio& portfolio);
// Throws vigil::Error naming the row when a stored value contradicts its declared type.
// Every fact, or (with `needs`) only the attributes the rules read, and the
// edges only when they follow them: a run loads what it uses.
Portfolio load_portfolio(Database& db, const FactNeeds* needs = nullptr);
Schema load_schema(Database& db);

}  // namespace vigil
