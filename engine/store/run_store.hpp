// Stored runs: a run and all its findings and errors are written in one transaction.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "engine/store/database.hpp"
#include "engine/eval/finding.hpp"

namespace vigil {

// A rule as a run evaluated it.
struct EvaluatedRule {
  std::string id;
  std::string text_hash;  // of the rule's source text ("" for runs stored before schema 4)
  std::string title;
  std::vector<std::string> tags;
};

struct RunRecord {
  std::int64_t id = 0;
  std::string started_at;   // UTC, ISO 8601
  std::string finished_at;
  std::string as_of;        // YYYY-MM-DD
  std::string rules_hash;
  std::string facts_hash;
  std::size_t entity_count = 0;
  std::vector<EvaluatedRule> rules;  // the rules evaluated, sorted by id
};

// A finding's identity across runs: rule id and entity id ("" for portfolio findings).
using FindingKey = std::pair<std::string, std::string>;
FindingKey finding_key(const std::string& rule, const std::optional<std::string>& entity);

// What the history says about each rule before a new run: for every rule id
// asked for, the latest stored run that evaluated it, and that run's findings
// of the rule (status and first-seen date). A run of a subset of the rules
// thus never makes the others' findings look new or resolved later.
struct FindingMark {
  std::string first_seen;
  FindingStatus status = FindingStatus::open;
};
struct RuleHistory {
  std::set<std::string> rules;  // the rules some earlier run evaluated
  std::map<FindingKey, FindingMark> findings;
};
// `before`: only runs stored before this id (none: every run).
RuleHistory rule_history(Database& db, const std::vector<std::string>& rule_ids,
                         std::optional<std::int64_t> before = std::nullopt);

// Stores the run, its findings and its errors in one transaction, and returns
// the run's id. A finding (rule, entity) that was in the latest run of its
// rule keeps its first-seen date; any other starts a new streak on this run's
// as-of date. `history`, when given, is rule_history read before this call.
std::int64_t store_run(Database& db, RunRecord run, const EvaluationResult& result,
                       const RuleHistory* history = nullptr);

// A finding as stored with a run: the finding as printed, and since when it is open.
struct StoredFinding : Finding {
  std::string first_seen;  // YYYY-MM-DD
};

struct StoredRun {
  std::int64_t id = 0;
  std::string started_at, finished_at, as_of, rules_hash, facts_hash;
  std::size_t finding_count = 0, error_count = 0;  // finding_count: open findings
  std::size_t accepted_count = 0;
  std::map<Severity, std::size_t> counts;  // open findings by severity
  std::map<std::string, EvaluatedRule> rules;  // by id
  std::string rule_title(const std::string& rule) const;  // "" when unknown
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
