// Stored runs: a run and all its findings and errors are written in one transaction.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "engine/store/database.hpp"
#include "engine/eval/finding.hpp"

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
  std::map<std::string, std::string> rule_titles;  // rule id -> title (or "")
};

// A finding's identity across runs: rule id and entity id ("" for portfolio findings).
using FindingKey = std::pair<std::string, std::string>;
FindingKey finding_key(const std::string& rule, const std::optional<std::string>& entity);

// A stored run's findings by identity -> first-seen date.
struct FindingsOfRun {
  std::int64_t run = 0;
  std::map<FindingKey, std::string> first_seen;
};
FindingsOfRun findings_of_run(Database& db, std::int64_t run);

// Stores the run, its findings and its errors in one transaction, and returns
// the run's id. A finding (rule, entity) that was in the previous run keeps
// its first-seen date; any other starts a new streak on this run's as-of date.
// `previous`, when given and still the run stored just before, saves reading it again.
std::int64_t store_run(Database& db, RunRecord run, const EvaluationResult& result,
                       const FindingsOfRun* previous = nullptr);

// A finding as stored with a run.
struct StoredFinding {
  std::string rule;
  std::optional<std::string> entity;
  std::string kind;
  Severity severity = Severity::info;
  std::string message;
  std::string first_seen;  // YYYY-MM-DD
};

struct StoredRun {
  std::int64_t id = 0;
  std::string started_at, finished_at, as_of, rules_hash, facts_hash;
  std::size_t finding_count = 0, error_count = 0;
  std::map<Severity, std::size_t> counts;  // by severity
  std::map<std::string, std::string> rule_titles;
};

std::optional<StoredRun> find_run(Database& db, std::int64_t id);
// The runs, newest first (at most `limit`).
std::vector<StoredRun> recent_runs(Database& db, std::size_t limit);
// The run stored before `id`, if any.
std::optional<std::int64_t> previous_run(Database& db, std::int64_t id);
// A run's findings, sorted by rule id, then entity id.
std::vector<StoredFinding> load_findings(Database& db, std::int64_t run);
std::string utc_timestamp();

// The id of the latest stored run, if any.
std::optional<std::int64_t> latest_run(Database& db);
// Entity id -> the highest severity of its findings in that run.
std::map<std::string, Severity> highest_severity_by_entity(Database& db, std::int64_t run);

}  // namespace vigil
