#include "engine/store/run_store.hpp"

#include <algorithm>
#include <chrono>
#include <limits>

#include <SQLiteCpp/Statement.h>
#include <SQLiteCpp/Transaction.h>
#include <fmt/chrono.h>
#include <nlohmann/json.hpp>

#include "engine/eval/acceptance.hpp"
#include "engine/store/row_feed.hpp"

namespace vigil {

std::string utc_timestamp() {
  auto now = std::chrono::floor<std::chrono::milliseconds>(std::chrono::system_clock::now());
  return fmt::format("{:%Y-%m-%dT%H:%M:%S}Z", now);
}

namespace {


std::vector<std::string> tags_from_json(const std::string& text) {
  std::vector<std::string> tags;
  auto json = nlohmann::json::parse(text, nullptr, false);
  if (json.is_array())
    for (const auto& tag : json)
      if (tag.is_string()) tags.push_back(tag.get<std::string>());
  return tags;
}

std::string waiver_to_json(const Waiver& w) {
  return nlohmann::json{{"rule", w.rule},       {"entity", w.entity},           {"owner", w.owner},
                        {"reason", w.reason},   {"expires", w.expires},         {"approved_by", w.approved_by},
                        {"ticket", w.ticket}}.dump();
}

std::optional<Waiver> waiver_from_json(const SQLite::Column& column) {
  if (column.isNull()) return std::nullopt;
  auto json = nlohmann::json::parse(column.getString(), nullptr, false);
  if (!json.is_object()) return std::nullopt;
  Waiver w;
  for (auto [key, field] : {std::pair{"rule", &w.rule}, {"entity", &w.entity}, {"owner", &w.owner}, {"reason", &w.reason},
                            {"expires", &w.expires}, {"approved_by", &w.approved_by}, {"ticket", &w.ticket}})
    if (json.contains(key) && json[key].is_string()) *field = json[key].get<std::string>();
  return w;
}

void read_run_rules(Database& db, StoredRun& run) {
  SQLite::Statement query(db.sql(), "SELECT rule, text_hash, title, tags FROM run_rules WHERE run_id = ?");
  query.bind(1, run.id);
  while (query.executeStep()) {
    EvaluatedRule rule{query.getColumn(0).getString(), query.getColumn(1).getString(), query.getColumn(2).getString(),
                       tags_from_json(query.getColumn(3).getString())};
    run.rules.emplace(rule.id, std::move(rule));
  }
}

StoredRun read_run(Database& db, SQLite::Statement& row) {
  StoredRun run;
  run.id = row.getColumn(0).getInt64();
  run.started_at = row.getColumn(1).getString();
  run.finished_at = row.getColumn(2).getString();
  run.as_of = row.getColumn(3).getString();
  run.rules_hash = row.getColumn(4).getString();
  run.facts_hash = row.getColumn(5).getString();
  run.finding_count = static_cast<std::size_t>(row.getColumn(6).getInt64());
  run.error_count = static_cast<std::size_t>(row.getColumn(7).getInt64());
  run.accepted_count = static_cast<std::size_t>(row.getColumn(8).getInt64());
  int column = 9;
  for (auto severity : kSeveritiesMostSevereFirst)
    run.counts[severity] = static_cast<std::size_t>(row.getColumn(column++).getInt64());
  read_run_rules(db, run);
  return run;
}

constexpr const char* kRunColumns =
    "SELECT id, started_at, finished_at, as_of, rules_hash, facts_hash, finding_count, error_count, accepted_count, "
    "critical_count, high_count, medium_count, low_count, info_count FROM runs ";

void insert_run_rules(SQLite::Database& sql, std::int64_t id, const std::vector<EvaluatedRule>& rules) {
  SQLite::Statement insert(sql, "INSERT INTO run_rules (run_id, rule, text_hash, title, tags) VALUES (?, ?, ?, ?, ?)");
  for (const auto& rule : rules) {
    insert.bind(1, id);
    insert.bind(2, rule.id);
    insert.bind(3, rule.text_hash);
    insert.bind(4, rule.title);
    insert.bind(5, nlohmann::json(rule.tags).dump());
    insert.exec();
    insert.reset();
  }
}

// One INSERT ... SELECT over the findings in memory (a nightly run stores
// 150,000 findings with their evidence at 100,000 vendors).
void insert_findings(SQLite::Database& sql, std::int64_t id, const std::string& as_of, const std::vector<Finding>& findings,
                     const RuleHistory& history) {
  static constexpr const char* kColumns =
      "run_id, rule, entity, kind, severity, message, evidence, first_seen, status, waiver, owner";
  insert_rows(sql, "findings", kColumns, findings.size(), [&](std::size_t row, int column, sqlite3_context* out) {
    const Finding& f = findings[row];
    switch (column) {
      case 0: put_integer(out, id); break;
      case 1: put_text(out, f.rule); break;
      case 2: put_optional_text(out, f.entity); break;
      case 3: put_text(out, f.kind); break;
      case 4: put_text(out, severity_name(f.severity)); break;
      case 5: put_text(out, f.message); break;
      case 6: put_text(out, f.evidence_json); break;
      case 7: {
        auto streak = history.findings.find(finding_key(f.rule, f.entity));
        put_text(out, streak == history.findings.end() ? as_of : streak->second.first_seen);
        break;
      }
      case 8: put_text(out, status_name(f.status)); break;
      case 9:
        if (f.waiver) put_text_copy(out, waiver_to_json(*f.waiver));
        else put_null(out);
        break;
      default: put_optional_text(out, f.owner);
    }
  });
}

// As the findings: a rule that fails for every entity gives an error each.
void insert_errors(SQLite::Database& sql, std::int64_t id, const std::vector<EvaluationError>& errors) {
  insert_rows(sql, "evaluation_errors", "run_id, rule, entity, attribute, location, message", errors.size(),
              [&](std::size_t row, int column, sqlite3_context* out) {
                const EvaluationError& e = errors[row];
                switch (column) {
                  case 0: put_integer(out, id); break;
                  case 1: put_text(out, e.rule); break;
                  case 2: put_optional_text(out, e.entity); break;
                  case 3: put_text(out, e.attribute); break;
                  case 4: put_text(out, e.location); break;
                  default: put_text(out, e.message);
                }
              });
}

}  // namespace

std::string StoredRun::rule_title(const std::string& rule) const {
  auto it = rules.find(rule);
  return it == rules.end() ? "" : it->second.title;
}

RuleHistory rule_history(Database& db, const std::vector<std::string>& rule_ids, std::optional<std::int64_t> before) {
  RuleHistory history;
  SQLite::Statement last_run(db.sql(), "SELECT max(run_id) FROM run_rules WHERE rule = ? AND run_id < ?");
  SQLite::Statement findings(db.sql(),
                             "SELECT coalesce(entity, ''), first_seen, status FROM findings WHERE run_id = ? AND rule = ?");
  for (const auto& rule : rule_ids) {
    last_run.bind(1, rule);
    last_run.bind(2, before.value_or(std::numeric_limits<std::int64_t>::max()));
    last_run.executeStep();
    bool evaluated = !last_run.getColumn(0).isNull();
    std::int64_t run = evaluated ? last_run.getColumn(0).getInt64() : 0;
    last_run.reset();
    if (!evaluated) continue;
    history.rules.insert(rule);
    findings.bind(1, run);
    findings.bind(2, rule);
    while (findings.executeStep())
      history.findings.emplace(FindingKey{rule, findings.getColumn(0).getString()},
                               FindingMark{findings.getColumn(1).getString(), parse_status(findings.getColumn(2).getText())});
    findings.reset();
  }
  return history;
}

std::int64_t store_run(Database& db, RunRecord run, const EvaluationResult& result, const RuleHistory* history) {
  auto& sql = db.sql();
  SQLite::Transaction transaction(sql);
  auto open = open_findings(result.findings);
  SQLite::Statement insert_run(sql,
                               "INSERT INTO runs (started_at, finished_at, as_of, rules_hash, facts_hash, rule_count, "
                               "entity_count, finding_count, error_count, accepted_count, critical_count, high_count, "
                               "medium_count, low_count, info_count, rule_titles) "
                               "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
  insert_run.bind(1, run.started_at);
  insert_run.bind(2, run.finished_at);
  insert_run.bind(3, run.as_of);
  insert_run.bind(4, run.rules_hash);
  insert_run.bind(5, run.facts_hash);
  insert_run.bind(6, static_cast<std::int64_t>(run.rules.size()));
  insert_run.bind(7, static_cast<std::int64_t>(run.entity_count));
  insert_run.bind(8, static_cast<std::int64_t>(open.size()));
  insert_run.bind(9, static_cast<std::int64_t>(result.errors.size()));
  insert_run.bind(10, static_cast<std::int64_t>(result.findings.size() - open.size()));
  int column = 11;
  auto counts = count_by_severity(open);
  for (auto severity : kSeveritiesMostSevereFirst) insert_run.bind(column++, static_cast<std::int64_t>(counts[severity]));
  nlohmann::json titles = nlohmann::json::object();  // kept for readers of schema 3
  for (const auto& rule : run.rules) titles[rule.id] = rule.title;
  insert_run.bind(column, titles.dump());
  insert_run.exec();
  std::int64_t id = sql.getLastInsertRowid();
  RuleHistory reread;
  if (!history) {
    std::vector<std::string> ids;
    for (const auto& rule : run.rules) ids.push_back(rule.id);
    reread = rule_history(db, ids, id);
    history = &reread;
  }
  insert_run_rules(sql, id, run.rules);
  insert_findings(sql, id, run.as_of, result.findings, *history);
  insert_errors(sql, id, result.errors);
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
  return read_run(db, query);
}

std::vector<StoredRun> recent_runs(Database& db, std::size_t limit) {
  SQLite::Statement query(db.sql(), std::string(kRunColumns) + "ORDER BY id DESC LIMIT ?");
  query.bind(1, static_cast<std::int64_t>(limit));
  std::vector<StoredRun> runs;
  while (query.executeStep()) runs.push_back(read_run(db, query));
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
                          "SELECT f.rule, f.entity, f.kind, f.severity, f.message, f.first_seen, f.status, f.waiver, "
                          "f.owner, f.evidence, coalesce(r.title, ''), coalesce(r.tags, '[]') FROM findings f "
                          "LEFT JOIN run_rules r ON r.run_id = f.run_id AND r.rule = f.rule "
                          "WHERE f.run_id = ? ORDER BY f.rule, coalesce(f.entity, '')");
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
    f.status = parse_status(query.getColumn(6).getText());
    f.waiver = waiver_from_json(query.getColumn(7));
    if (!query.getColumn(8).isNull()) f.owner = query.getColumn(8).getString();
    f.evidence_json = query.getColumn(9).getString();
    f.title = query.getColumn(10).getString();
    f.tags = tags_from_json(query.getColumn(11).getString());
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
