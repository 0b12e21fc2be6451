#include "engine/store/run_store.hpp"

#include <algorithm>
#include <chrono>

#include <SQLiteCpp/Statement.h>
#include <SQLiteCpp/Transaction.h>
#include <fmt/chrono.h>
#include <nlohmann/json.hpp>

namespace vigil {

std::string utc_timestamp() {
  auto now = std::chrono::floor<std::chrono::milliseconds>(std::chrono::system_clock::now());
  return fmt::format("{:%Y-%m-%dT%H:%M:%S}Z", now);
}

namespace {

void bind_optional(SQLite::Statement& statement, int index, const std::optional<std::string>& text) {
  if (text) statement.bind(index, *text);
  else statement.bind(index);
}




StoredRun read_run(SQLite::Statement& row) {
  StoredRun run;
  run.id = row.getColumn(0).getInt64();
  run.started_at = row.getColumn(1).getString();
  run.finished_at = row.getColumn(2).getString();
  run.as_of = row.getColumn(3).getString();
  run.rules_hash = row.getColumn(4).getString();
  run.facts_hash = row.getColumn(5).getString();
  run.finding_count = static_cast<std::size_t>(row.getColumn(6).getInt64());
  run.error_count = static_cast<std::size_t>(row.getColumn(7).getInt64());
  int column = 8;
  for (auto severity : kSeveritiesMostSevereFirst)
    run.counts[severity] = static_cast<std::size_t>(row.getColumn(column++).getInt64());
  auto titles = nlohmann::json::parse(row.getColumn(column).getString(), nullptr, false);
  if (titles.is_object())
    for (const auto& [id, title] : titles.items())
      if (title.is_string()) run.rule_titles[id] = title.get<std::string>();
  return run;
}

constexpr const char* kRunColumns =
    "SELECT id, started_at, finished_at, as_of, rules_hash, facts_hash, finding_count, error_count, critical_count, "
    "high_count, medium_count, low_count, info_count, rule_titles FROM runs ";

}  // namespace

FindingsOfRun findings_of_run(Database& db, std::int64_t run) {
  FindingsOfRun findings{run, {}};
  SQLite::Statement query(db.sql(), "SELECT rule, coalesce(entity, ''), first_seen FROM findings WHERE run_id = ?");
  query.bind(1, run);
  while (query.executeStep())
    findings.first_seen.emplace(FindingKey{query.getColumn(0).getString(), query.getColumn(1).getString()},
                                query.getColumn(2).getString());
  return findings;
}

std::int64_t store_run(Database& db, RunRecord run, const EvaluationResult& result, const FindingsOfRun* previous) {
  auto& sql = db.sql();
  SQLite::Transaction transaction(sql);
  SQLite::Statement insert_run(sql,
                               "INSERT INTO runs (started_at, finished_at, as_of, rules_hash, facts_hash, rule_count, "
                               "entity_count, finding_count, error_count, critical_count, high_count, medium_count, "
                               "low_count, info_count, rule_titles) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
  insert_run.bind(1, run.started_at);
  insert_run.bind(2, run.finished_at);
  insert_run.bind(3, run.as_of);
  insert_run.bind(4, run.rules_hash);
  insert_run.bind(5, run.facts_hash);
  insert_run.bind(6, static_cast<std::int64_t>(run.rule_count));
  insert_run.bind(7, static_cast<std::int64_t>(run.entity_count));
  insert_run.bind(8, static_cast<std::int64_t>(result.findings.size()));
  insert_run.bind(9, static_cast<std::int64_t>(result.errors.size()));
  int column = 10;
  auto counts = count_by_severity(result.findings);
  for (auto severity : kSeveritiesMostSevereFirst) insert_run.bind(column++, static_cast<std::int64_t>(counts[severity]));
  insert_run.bind(column, nlohmann::json(run.rule_titles).dump());
  insert_run.exec();
  std::int64_t id = sql.getLastInsertRowid();
  FindingsOfRun reread;
  const FindingsOfRun* earlier = &reread;
  if (auto before = previous_run(db, id)) {  // inside the transaction: the run really stored before this one
    if (previous && previous->run == *before) earlier = previous;
    else reread = findings_of_run(db, *before);
  }
  SQLite::Statement insert_finding(sql,
                                   "INSERT INTO findings (run_id, rule, entity, kind, severity, message, evidence, "
                                   "first_seen) VALUES (?, ?, ?, ?, ?, ?, ?, ?)");
  for (const auto& f : result.findings) {
    insert_finding.bind(1, id);
    insert_finding.bind(2, f.rule);
    bind_optional(insert_finding, 3, f.entity);
    insert_finding.bind(4, f.kind);
    insert_finding.bind(5, severity_name(f.severity));
    insert_finding.bind(6, f.message);
    insert_finding.bind(7, f.evidence_json);
    auto streak = earlier->first_seen.find(finding_key(f.rule, f.entity));
    insert_finding.bind(8, streak == earlier->first_seen.end() ? run.as_of : streak->second);
    insert_finding.exec();
    insert_finding.reset();
  }
  SQLite::Statement insert_error(sql,
                                 "INSERT INTO evaluation_errors (run_id, rule, entity, attribute, location, message) "
                                 "VALUES (?, ?, ?, ?, ?, ?)");
  for (const auto& e : result.errors) {
    insert_error.bind(1, id);
    insert_error.bind(2, e.rule);
    bind_optional(insert_error, 3, e.entity);
    insert_error.bind(4, e.attribute);
    insert_error.bind(5, e.location);
    insert_error.bind(6, e.message);
    insert_error.exec();
    insert_error.reset();
  }
  transaction.commit();
  return id;
}

}  // namespace vigil

namespace vigil {

FindingKey finding_key(const std::string& rule, const std::optional<std::string>& entity) {
  return {rule, entity.value_or("")};
}

std::optional<StoredRun> find_run(Database& db, std::int64_t id) {
  SQLite::Statement query(db.sql(), std::string(kRunColumns) + "WHERE id = ?");
  query.bind(1, id);
  if (!query.executeStep()) return std::nullopt;
  return read_run(query);
}

std::vector<StoredRun> recent_runs(Database& db, std::size_t limit) {
  SQLite::Statement query(db.sql(), std::string(kRunColumns) + "ORDER BY id DESC LIMIT ?");
  query.bind(1, static_cast<std::int64_t>(limit));
  std::vector<StoredRun> runs;
  while (query.executeStep()) runs.push_back(read_run(query));
  return runs;
}

std::optional<std::int64_t> previous_run(Database& db, std::int64_t id) {
  SQLite::Statement query(db.sql(), "SELECT max(id) FROM runs WHERE id < ?");
  query.bind(1, id);
  query.executeStep();
  if (query.getColumn(0).isNull()) return std::nullopt;
  return query.getColumn(0).getInt64();
}

std::vector<StoredFinding> load_findings(Database& db, std::int64_t run) {
  SQLite::Statement query(db.sql(),
                          "SELECT rule, entity, kind, severity, message, first_seen FROM findings WHERE run_id = ? "
                          "ORDER BY rule, coalesce(entity, '')");
  query.bind(1, run);
  std::vector<StoredFinding> findings;
  while (query.executeStep()) {
    StoredFinding f;
    f.rule = query.getColumn(0).getString();
    if (!query.getColumn(1).isNull()) f.entity = query.getColumn(1).getString();
    f.kind = query.getColumn(2).getString();
    f.severity = parse_severity(query.getColumn(3).getString()).value_or(Severity::info);
    f.message = query.getColumn(4).getString();
    f.first_seen = query.getColumn(5).getString();
    findings.push_back(std::move(f));
  }
  return findings;
}

std::optional<std::int64_t> latest_run(Database& db) {
  SQLite::Statement query(db.sql(), "SELECT max(id) FROM runs");
  query.executeStep();
  if (query.getColumn(0).isNull()) return std::nullopt;
  return query.getColumn(0).getInt64();
}

std::map<std::string, Severity> highest_severity_by_entity(Database& db, std::int64_t run) {
  std::map<std::string, Severity> highest;
  SQLite::Statement query(db.sql(), "SELECT entity, severity FROM findings WHERE run_id = ? AND entity IS NOT NULL");
  query.bind(1, run);
  while (query.executeStep()) {
    auto severity = parse_severity(query.getColumn(1).getString());
    if (!severity) continue;
    auto [it, inserted] = highest.emplace(query.getColumn(0).getString(), *severity);
    if (!inserted && *severity > it->second) it->second = *severity;
  }
  return highest;
}

}  // namespace vigil
