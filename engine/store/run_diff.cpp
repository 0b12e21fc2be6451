#include "engine/store/run_diff.hpp"

#include <set>

#include "dsl/calendar.hpp"
#include "dsl/diagnostic.hpp"

namespace vigil {
namespace {

template <typename F>
FindingKey key_of(const F& finding) {
  return finding_key(finding.rule, finding.entity);
}

template <typename F>
std::set<FindingKey> keys_of(const std::vector<F>& findings) {
  std::set<FindingKey> keys;
  for (const auto& f : findings) keys.insert(key_of(f));
  return keys;
}

}  // namespace

RunDiff diff_runs(Database& db, std::int64_t from, std::int64_t to) {
  RunDiff diff;
  for (auto [id, slot] : {std::pair{from, &diff.from}, std::pair{to, &diff.to}}) {
    auto run = find_run(db, id);
    if (!run) throw Error(fmt::format("{}: there is no run {}", db.path(), id));
    *slot = *run;
  }
  auto before = load_findings(db, from);
  auto after = load_findings(db, to);
  auto before_keys = keys_of(before), after_keys = keys_of(after);
  for (auto& f : after) (before_keys.count(key_of(f)) ? diff.unchanged : diff.added).push_back(f);
  for (auto& f : before)
    if (!after_keys.count(key_of(f))) diff.resolved.push_back(f);
  return diff;
}

ChangeCounts count_changes(const FindingsOfRun& before, const std::vector<Finding>& now) {
  auto now_keys = keys_of(now);
  ChangeCounts counts;
  for (const auto& key : now_keys) counts.added += before.first_seen.count(key) ? 0 : 1;
  for (const auto& [key, first_seen] : before.first_seen) counts.resolved += now_keys.count(key) ? 0 : 1;
  return counts;
}

long days_open(const std::string& first_seen, const std::string& as_of) {
  auto since = parse_iso_date(first_seen), until = parse_iso_date(as_of);
  if (!since || !until) return 0;
  return until->days_since_epoch - since->days_since_epoch;
}

}  // namespace vigil
