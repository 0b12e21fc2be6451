// Findings compared between two runs by their identity (rule id + entity id),
// CONTRACT section 10: only rules both runs evaluated are compared; a finding
// of any other rule is "not compared", never resolved.
#pragma once

#include <array>
#include <optional>
#include <string>
#include <vector>

#include "engine/store/run_store.hpp"

namespace vigil {

enum class DiffCategory { added, resolved, changed, accepted, reopened, still_open, still_accepted, not_compared };
constexpr std::size_t kDiffCategoryCount = 8;

struct DiffCategoryName {
  DiffCategory category;
  const char* key;    // in `diff --format json`
  const char* label;  // in the table's counts line
  const char* title;  // in the table, as the section heading
};
// In the order the outputs list them.
extern const std::array<DiffCategoryName, kDiffCategoryCount> kDiffCategories;

// The category of a compared finding, from its status in the earlier and
// the later run (none: absent). `same_text`: severity and message equal.
std::optional<DiffCategory> classify_change(std::optional<FindingStatus> before, std::optional<FindingStatus> after,
                                            bool same_text);

struct DiffItem {
  StoredFinding finding;               // as in the later run (as in the earlier one when resolved)
  std::optional<StoredFinding> before;  // the earlier run's, when both runs have it
};

struct RunDiff {
  StoredRun from, to;
  std::array<std::vector<DiffItem>, kDiffCategoryCount> items;  // by DiffCategory
  const std::vector<DiffItem>& operator[](DiffCategory c) const { return items[static_cast<std::size_t>(c)]; }
  std::vector<DiffItem>& operator[](DiffCategory c) { return items[static_cast<std::size_t>(c)]; }
};

RunDiff diff_runs(Database& db, std::int64_t from, std::int64_t to);

struct ChangeCounts {
  std::size_t added = 0;
  std::size_t resolved = 0;
};
// How a fresh evaluation of `rules` differs from each rule's latest stored
// run. A rule never evaluated before has only new findings, as on a first run.
ChangeCounts count_changes(const RuleHistory& before, const std::vector<std::string>& rules,
                           const std::vector<Finding>& now);

// Days between a finding's first-seen date and `as_of` (both YYYY-MM-DD).
long days_open(const std::string& first_seen, const std::string& as_of);

}  // namespace vigil
