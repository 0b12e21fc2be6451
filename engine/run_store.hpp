// Stored runs: a run and all its findings and errors are written in one transaction.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>

#include "engine/database.hpp"
#include "engine/finding.hpp"

namespace vigil {

struct RunRecord {
  std::int64_t id = 0;
  std::string started_at;   // UTC, ISO 8601
  std::string finished_at;
  std::string as_of;        // YYYY-MM-DD
  std::string rules_hash;
  std::string facts_hash;
  std::size_t rule_count = 0;
  std::size_t entity_count = 0;
};

// Stores the run and returns its id.
std::int64_t store_run(Database& db, RunRecord run, const EvaluationResult& result);
std::string utc_timestamp();

// The id of the latest stored run, if any.
std::optional<std::int64_t> latest_run(Database& db);
// Entity id -> the highest severity of its findings in that run.
std::map<std::string, Severity> highest_severity_by_entity(Database& db, std::int64_t run);

}  // namespace vigil
