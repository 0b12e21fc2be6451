// Portfolio <-> database. Saving replaces every fact (entities, attributes,
// edges) in one transaction; runs are kept.
#pragma once

#include <functional>
#include <string>

#include "dsl/schema.hpp"
#include "dsl/rule_set.hpp"
#include "engine/store/database.hpp"
#include "engine/facts/portfolio.hpp"

namespace vigil {

// Replaces the facts in one transaction. `step`, when given, is told each step as it starts
// ("writing 300000 entities"), for the CLI's progress on a long import.
void save_portfolio(Database& db, const Portfolio& portfolio, const std::function<void(const std::string&)>& step = {});
// Throws vigil::Error naming the row when a stored value contradicts its declared type.
// Every fact, or (with `needs`) only the attributes the rules read, and the
// edges only when they follow them: a run loads what it uses. From the fact
// snapshot when there is one (then `snapshot_fingerprint` gets its hash of the
// facts), else from the tables.
Portfolio load_portfolio(Database& db, const FactNeeds* needs = nullptr, std::string* snapshot_fingerprint = nullptr);
Schema load_schema(Database& db);

}  // namespace vigil
