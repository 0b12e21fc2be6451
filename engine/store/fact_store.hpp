// Portfolio <-> database. Saving replaces every fact (entities, attributes,
// edges) in one transaction; runs are kept.
#pragma once

#include "dsl/schema.hpp"
#include "engine/store/database.hpp"
#include "engine/facts/portfolio.hpp"

namespace vigil {

void save_portfolio(Database& db, const Portfolio& portfolio);
// Throws vigil::Error naming the row when a stored value contradicts its declared type.
Portfolio load_portfolio(Database& db);
Schema load_schema(Database& db);

}  // namespace vigil
