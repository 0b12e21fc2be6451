// Findings compared between two runs by their stable identity (rule id +
// entity id): new, resolved, and still open (with how long they have been open).
#pragma once

#include <string>
#include <vector>

#include "engine/store/run_store.hpp"

namespace vigil {

struct RunDiff {
  StoredRun from, to;
  std::vector<StoredFinding> added;      // in `to` only
  std::vector<StoredFinding> resolved;   // in `from` only
  std::vector<StoredFinding> unchanged;  // in both, as stored with `to`
};

RunDiff diff_runs(Database& db, std::int64_t from, std::int64_t to);

struct ChangeCounts {
  std::size_t added = 0;
  std::size_t resolved = 0;
};
// How a fresh evaluation differs from a stored run's findings.
ChangeCounts count_changes(const FindingsOfRun& before, const std::vector<Finding>& now);

// Days between a finding's first-seen date and `as_of` (both YYYY-MM-DD).
long days_open(const std::string& first_seen, const std::string& as_of);

}  // namespace vigil
