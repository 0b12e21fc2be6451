#include "engine/store/waiver_store.hpp"

#include <SQLiteCpp/Statement.h>
#include <SQLiteCpp/Transaction.h>

#include "engine/store/run_store.hpp"

namespace vigil {
namespace {

void record(SQLite::Database& sql, const std::string& at, const std::string& actor, const char* action, const Waiver& w) {
  SQLite::Statement insert(sql, "INSERT INTO waiver_audit (at, actor, action, rule, entity, owner, reason, expires, "
                                "approved_by, ticket) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
  int column = 1;
  for (const std::string* field : {&at, &actor})
    insert.bind(column++, *field);
  insert.bind(column++, action);
  for (const std::string* field : {&w.rule, &w.entity, &w.owner, &w.reason, &w.expires, &w.approved_by, &w.ticket})
    insert.bind(column++, *field);
  insert.exec();
}

std::optional<Waiver> find_workbench_waiver(SQLite::Database& sql, const std::string& rule, const std::string& entity) {
  SQLite::Statement query(sql, "SELECT owner, reason, expires, approved_by, ticket FROM workbench_waivers "
                               "WHERE rule = ? AND entity = ?");
  query.bind(1, rule);
  query.bind(2, entity);
  if (!query.executeStep()) return std::nullopt;
  Waiver w;
  w.rule = rule;
  w.entity = entity;
  int column = 0;
  for (std::string* field : {&w.owner, &w.reason, &w.expires, &w.approved_by, &w.ticket}) *field = query.getColumn(column++).getString();
  w.where = "workbench";
  return w;
}

}  // namespace

std::string save_workbench_waiver(Database& db, const Waiver& w, const std::string& actor) {
  auto& sql = db.sql();
  SQLite::Transaction transaction(sql);
  const char* action = find_workbench_waiver(sql, w.rule, w.entity) ? "changed" : "created";
  std::string now = utc_timestamp();
  SQLite::Statement upsert(sql, "INSERT INTO workbench_waivers (rule, entity, owner, reason, expires, approved_by, ticket, "
                                "created_by, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (rule, entity) DO UPDATE "
                                "SET owner = excluded.owner, reason = excluded.reason, expires = excluded.expires, "
                                "approved_by = excluded.approved_by, ticket = excluded.ticket, "
                                "created_by = excluded.created_by, created_at = excluded.created_at");
  int column = 1;
  const std::string* values[] = {&w.rule, &w.entity, &w.owner, &w.reason, &w.expires, &w.approved_by, &w.ticket, &actor, &now};
  for (const std::string* field : values)
    upsert.bind(column++, *field);
  upsert.exec();
  record(sql, now, actor, action, w);
  transaction.commit();
  return action;
}

bool revoke_workbench_waiver(Database& db, const std::string& rule, const std::string& entity, const std::string& actor) {
  auto& sql = db.sql();
  SQLite::Transaction transaction(sql);
  auto existing = find_workbench_waiver(sql, rule, entity);
  if (!existing) return false;
  SQLite::Statement remove(sql, "DELETE FROM workbench_waivers WHERE rule = ? AND entity = ?");
  remove.bind(1, rule);
  remove.bind(2, entity);
  remove.exec();
  record(sql, utc_timestamp(), actor, "revoked", *existing);
  transaction.commit();
  return true;
}

std::vector<StoredWaiver> list_waivers(Database& db) {
  SQLite::Statement query(db.sql(),
                          "SELECT rule, entity, owner, reason, expires, approved_by, ticket, 'import', '', '' FROM waivers "
                          "UNION ALL SELECT rule, entity, owner, reason, expires, approved_by, ticket, 'workbench', created_by, "
                          "created_at FROM workbench_waivers ORDER BY 1, 2, 8");
  std::vector<StoredWaiver> waivers;
  while (query.executeStep()) {
    StoredWaiver stored;
    int column = 0;
    Waiver& w = stored.waiver;
    for (std::string* field : {&w.rule, &w.entity, &w.owner, &w.reason, &w.expires, &w.approved_by, &w.ticket, &stored.origin,
                               &stored.created_by, &stored.created_at})
      *field = query.getColumn(column++).getString();
    waivers.push_back(std::move(stored));
  }
  return waivers;
}

std::vector<WaiverEvent> waiver_audit(Database& db) {
  SQLite::Statement query(db.sql(), "SELECT at, actor, action, rule, entity, owner, reason, expires, approved_by, ticket "
                                    "FROM waiver_audit ORDER BY id DESC");
  std::vector<WaiverEvent> events;
  while (query.executeStep()) {
    WaiverEvent event;
    Waiver& w = event.waiver;
    int column = 0;
    for (std::string* field : {&event.at, &event.actor, &event.action, &w.rule, &w.entity, &w.owner, &w.reason, &w.expires,
                               &w.approved_by, &w.ticket})
      *field = query.getColumn(column++).getString();
    events.push_back(std::move(event));
  }
  return events;
}

}  // namespace vigil
