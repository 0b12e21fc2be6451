#include "engine/store/run_diff.hpp"

#include <algorithm>
#include <map>

#include "dsl/calendar.hpp"
#include "dsl/diagnostic.hpp"

namespace vigil {

const std::array<DiffCategoryName, kDiffCategoryCount> kDiffCategories{{
    {DiffCategory::added, "new", "new", "NEW"},
    {DiffCategory::resolved, "resolved", "resolved", "RESOLVED"},
    {DiffCategory::changed, "changed", "changed", "CHANGED"},
    {DiffCategory::accepted, "accepted", "accepted", "ACCEPTED"},
    {DiffCategory::reopened, "reopened", "reopened", "REOPENED (waiver expired or removed)"},
    {DiffCategory::still_open, "still_open", "still open", "STILL OPEN"},
    {DiffCategory::still_accepted, "still_accepted", "still accepted", "STILL ACCEPTED"},
    {DiffCategory::not_compared, "not_compared", "not compared", "NOT COMPARED (rule evaluated in one of the runs only)"},
}};

namespace {

// Rows: the earlier run's state; columns: the later run's (absent, open, accepted).
// `changed` becomes `still_open` when severity and message are equal.
constexpr std::optional<DiffCategory> kTransitions[3][3] = {
    /* absent   */ {std::nullopt, DiffCategory::added, DiffCategory::accepted},
    /* open     */ {DiffCategory::resolved, DiffCategory::changed, DiffCategory::accepted},
    /* accepted */ {DiffCategory::resolved, DiffCategory::reopened, DiffCategory::still_accepted},
};

std::size_t state_index(std::optional<FindingStatus> status) {
  if (!status) return 0;
  return *status == FindingStatus::open ? 1 : 2;
}

bool same_text(const Finding& a, const Finding& b) { return a.severity == b.severity && a.message == b.message; }

}  // namespace

std::optional<DiffCategory> classify_change(std::optional<FindingStatus> before, std::optional<FindingStatus> after,
                                            bool same_text) {
  auto category = kTransitions[state_index(before)][state_index(after)];
  if (category == DiffCategory::changed && same_text) return DiffCategory::still_open;
  return category;
}

RunDiff diff_runs(Database& db, std::int64_t from, std::int64_t to) {
  RunDiff diff;
  for (auto [id, slot] : {std::pair{from, &diff.from}, std::pair{to, &diff.to}}) {
    auto run = find_run(db, id);
    if (!run) throw Error(fmt::format("{}: there is no run {}", db.path(), id));
    *slot = *run;
  }
  auto compared = [&](const std::string& rule) { return diff.from.rules.count(rule) && diff.to.rules.count(rule); };
  std::map<FindingKey, StoredFinding> before;
  for (auto& f : load_findings(db, from)) before.emplace(finding_key(f.rule, f.entity), std::move(f));
  for (auto& f : load_findings(db, to)) {
    if (!compared(f.rule)) {
      diff[DiffCategory::not_compared].push_back({std::move(f), std::nullopt});
      continue;
    }
    auto earlier = before.find(finding_key(f.rule, f.entity));
    std::optional<StoredFinding> was;
    if (earlier != before.end()) {
      was = std::move(earlier->second);
      before.erase(earlier);
    }
    auto category = classify_change(was ? std::optional(was->status) : std::nullopt, f.status, was && same_text(*was, f));
    diff[*category].push_back({std::move(f), std::move(was)});
  }
  for (auto& [key, f] : before)  // in the earlier run only
    diff[compared(f.rule) ? DiffCategory::resolved : DiffCategory::not_compared].push_back({std::move(f), std::nullopt});
  auto by_identity = [](const DiffItem& a, const DiffItem& b) {
    return finding_key(a.finding.rule, a.finding.entity) < finding_key(b.finding.rule, b.finding.entity);
  };
  std::sort(diff[DiffCategory::not_compared].begin(), diff[DiffCategory::not_compared].end(), by_identity);
  return diff;
}

ChangeCounts count_changes(const RuleHistory& before, const std::vector<std::string>& rules,
                           const std::vector<Finding>& now) {
  ChangeCounts counts;
  std::set<FindingKey> now_keys;
  for (const auto& f : now) {
    auto key = finding_key(f.rule, f.entity);
    now_keys.insert(key);
    auto was = before.findings.find(key);
    auto category = classify_change(was == before.findings.end() ? std::nullopt : std::optional(was->second.status),
                                    f.status, true);
    counts.added += category == DiffCategory::added ? 1 : 0;
  }
  std::set<std::string> evaluated(rules.begin(), rules.end());
  for (const auto& [key, mark] : before.findings)
    counts.resolved += evaluated.count(key.first) && !now_keys.count(key) ? 1 : 0;
  return counts;
}

long days_open(const std::string& first_seen, const std::string& as_of) {
  auto since = parse_iso_date(first_seen), until = parse_iso_date(as_of);
  if (!since || !until) return 0;
  return until->days_since_epoch - since->days_since_epoch;
}

}  // namespace vigil
