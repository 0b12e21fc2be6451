// The fact snapshot: a compact, columnar copy of the facts that `vigil import`
// writes beside the tables (docs/schema.md, "Fact snapshot"). A run reads the
// parts its rules use, a column per attribute and the edges as arrays of
// indices, instead of turning one row per attribute into values: loading the
// 100k portfolio goes from seconds to tens of milliseconds.
//
// The tables stay the truth. Any write to them empties the snapshot
// (triggers), and a run then reads the tables, so direct writers need not
// know it exists.
#pragma once

#include <optional>
#include <string>

#include "dsl/rule_set.hpp"
#include "engine/facts/portfolio.hpp"
#include "engine/store/database.hpp"

namespace vigil {

// The order in which the import writes and the loaders read: entities by id,
// edges by (from id, to id, kind). A portfolio loaded from the snapshot has
// the same entity indices, kinds, columns and edge order as one loaded from
// the tables, so that a run's output does not depend on which was read.
struct FactOrder {
  std::vector<EntityIndex> entities;  // by id
  std::vector<std::size_t> edges;     // positions in Portfolio::edges(), by (from id, to id, kind)
};
FactOrder fact_order(const Portfolio& portfolio);

// Replaces the snapshot with one of `portfolio` (inside the caller's transaction).
void save_fact_snapshot(Database& db, const Portfolio& portfolio, const FactOrder& order);

struct SnapshotFacts {
  Portfolio portfolio;
  std::string fingerprint;  // of every part, not only those loaded: the run's facts_hash
};
// The facts from the snapshot (every attribute, or those `needs` names, and
// the edges when the rules follow them); nullopt when there is none. Throws
// vigil::Error when a part is damaged.
std::optional<SnapshotFacts> load_fact_snapshot(Database& db, const FactNeeds* needs);

// Whether there is a snapshot to read (it may still turn out damaged).
bool has_fact_snapshot(Database& db);

// SQL that creates (or drops) the triggers that empty the snapshot on any write to the fact tables.
std::string snapshot_trigger_sql(bool create);

}  // namespace vigil
