#include "engine/run_store.hpp"

#include <chrono>

#include <SQLiteCpp/Statement.h>
#include <SQLiteCpp/Transaction.h>
#include <fmt/chrono.h>

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

}  // namespace

std::int64_t store_run(Database& db, RunRecord run, const EvaluationResult& result) {
  auto& sql = db.sql();
  SQLite::Transaction transaction(sql);
  SQLite::Statement insert_run(sql,
                               "INSERT INTO runs (started_at, finished_at, as_of, rules_hash, facts_hash, rule_count, "
                               "entity_count, finding_count, error_count) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)");
  insert_run.bind(1, run.started_at);
  insert_run.bind(2, run.finished_at);
  insert_run.bind(3, run.as_of);
  insert_run.bind(4, run.rules_hash);
  insert_run.bind(5, run.facts_hash);
  insert_run.bind(6, static_cast<std::int64_t>(run.rule_count));
  insert_run.bind(7, static_cast<std::int64_t>(run.entity_count));
  insert_run.bind(8, static_cast<std::int64_t>(result.findings.size()));
  insert_run.bind(9, static_cast<std::int64_t>(result.errors.size()));
  insert_run.exec();
  std::int64_t id = sql.getLastInsertRowid();
  SQLite::Statement insert_finding(sql,
                                   "INSERT INTO findings (run_id, rule, entity, kind, severity, message, evidence) "
                                   "VALUES (?, ?, ?, ?, ?, ?, ?)");
  for (const auto& f : result.findings) {
    insert_finding.bind(1, id);
    insert_finding.bind(2, f.rule);
    bind_optional(insert_finding, 3, f.entity);
    insert_finding.bind(4, f.kind);
    insert_finding.bind(5, severity_name(f.severity));
    insert_finding.bind(6, f.message);
    insert_finding.bind(7, f.evidence_json);
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
