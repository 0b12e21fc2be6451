#include "engine/store/database.hpp"

#include <cerrno>
#include <cstring>
#include <filesystem>

#include <SQLiteCpp/Transaction.h>
#include <sqlite3.h>
#include <fmt/format.h>

#include "dsl/diagnostic.hpp"
#include "engine/store/fact_snapshot.hpp"

namespace vigil {
namespace {

constexpr const char* kSchema = R"sql(
CREATE TABLE entities (
  id   TEXT PRIMARY KEY NOT NULL,
  kind TEXT NOT NULL
);
CREATE INDEX entities_by_kind ON entities(kind);
CREATE TABLE attribute_types (
  kind TEXT NOT NULL,
  name TEXT NOT NULL,
  type TEXT NOT NULL CHECK (type IN ('number', 'string', 'bool', 'date')),
  PRIMARY KEY (kind, name)
) WITHOUT ROWID;
CREATE TABLE attributes (
  entity_id TEXT NOT NULL REFERENCES entities(id) ON DELETE CASCADE,
  name      TEXT NOT NULL,
  value,    -- no declared type: values keep their storage class ('007' stays text)
  PRIMARY KEY (entity_id, name)
) WITHOUT ROWID;
CREATE TABLE edges (
  from_id    TEXT NOT NULL REFERENCES entities(id) ON DELETE CASCADE,
  to_id      TEXT NOT NULL REFERENCES entities(id) ON DELETE CASCADE,
  kind       TEXT NOT NULL,
  attributes TEXT,
  PRIMARY KEY (from_id, to_id, kind)
) WITHOUT ROWID;
CREATE INDEX edges_by_target ON edges(to_id);
CREATE TABLE runs (
  id            INTEGER PRIMARY KEY,
  started_at    TEXT NOT NULL,
  finished_at   TEXT NOT NULL,
  as_of         TEXT NOT NULL,
  rules_hash    TEXT NOT NULL,
  facts_hash    TEXT NOT NULL,
  rule_count    INTEGER NOT NULL,
  entity_count  INTEGER NOT NULL,
  finding_count INTEGER NOT NULL,
  error_count   INTEGER NOT NULL,
  critical_count INTEGER NOT NULL DEFAULT 0,
  high_count     INTEGER NOT NULL DEFAULT 0,
  medium_count   INTEGER NOT NULL DEFAULT 0,
  low_count      INTEGER NOT NULL DEFAULT 0,
  info_count     INTEGER NOT NULL DEFAULT 0,
  rule_titles    TEXT NOT NULL DEFAULT '{}',  -- {"RULE-ID": "title"} of the rules evaluated
  accepted_count INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE findings (
  run_id   INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
  rule     TEXT NOT NULL,
  entity   TEXT,
  kind     TEXT NOT NULL,
  severity TEXT NOT NULL,
  message  TEXT NOT NULL,
  evidence TEXT NOT NULL,
  first_seen TEXT NOT NULL,       -- as-of date of the first run of this finding's current streak
  status   TEXT NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'accepted')),
  waiver   TEXT,                  -- JSON of the waiver that accepts it
  owner    TEXT
);
CREATE INDEX findings_by_run ON findings(run_id, rule, entity);
CREATE TABLE run_rules (
  run_id    INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
  rule      TEXT NOT NULL,
  text_hash TEXT NOT NULL,        -- of the rule's source text ('' for runs stored before schema 4)
  title     TEXT NOT NULL DEFAULT '',
  tags      TEXT NOT NULL DEFAULT '[]',
  PRIMARY KEY (run_id, rule)
) WITHOUT ROWID;
CREATE TABLE waivers (
  rule        TEXT NOT NULL,
  entity      TEXT NOT NULL,      -- an entity id, or '*'
  owner       TEXT NOT NULL,
  reason      TEXT NOT NULL,
  expires     TEXT NOT NULL,      -- YYYY-MM-DD
  approved_by TEXT NOT NULL DEFAULT '',
  ticket      TEXT NOT NULL DEFAULT '',
  source      TEXT NOT NULL DEFAULT '',  -- file:line it was imported from
  PRIMARY KEY (rule, entity)
) WITHOUT ROWID;
CREATE TABLE evaluation_errors (
  run_id    INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
  rule      TEXT NOT NULL,
  entity    TEXT,
  attribute TEXT,
  location  TEXT,
  message   TEXT NOT NULL
);
)sql";

// Schema version 1 -> 2: counts by severity and rule titles on runs, first-seen dates on findings.
constexpr const char* kMigrationTo2 = R"sql(
ALTER TABLE runs ADD COLUMN critical_count INTEGER NOT NULL DEFAULT 0;
ALTER TABLE runs ADD COLUMN high_count INTEGER NOT NULL DEFAULT 0;
ALTER TABLE runs ADD COLUMN medium_count INTEGER NOT NULL DEFAULT 0;
ALTER TABLE runs ADD COLUMN low_count INTEGER NOT NULL DEFAULT 0;
ALTER TABLE runs ADD COLUMN info_count INTEGER NOT NULL DEFAULT 0;
ALTER TABLE runs ADD COLUMN rule_titles TEXT NOT NULL DEFAULT '{}';
UPDATE runs SET
  critical_count = (SELECT count(*) FROM findings f WHERE f.run_id = runs.id AND f.severity = 'critical'),
  high_count = (SELECT count(*) FROM findings f WHERE f.run_id = runs.id AND f.severity = 'high'),
  medium_count = (SELECT count(*) FROM findings f WHERE f.run_id = runs.id AND f.severity = 'medium'),
  low_count = (SELECT count(*) FROM findings f WHERE f.run_id = runs.id AND f.severity = 'low'),
  info_count = (SELECT count(*) FROM findings f WHERE f.run_id = runs.id AND f.severity = 'info');
ALTER TABLE findings ADD COLUMN first_seen TEXT NOT NULL DEFAULT '';
UPDATE findings SET first_seen = (SELECT as_of FROM runs WHERE runs.id = findings.run_id);
PRAGMA user_version = 2;
)sql";

// Schema version 2 -> 3: `value ANY` had NUMERIC affinity, so SQLite turned
// the strings '+1' and '007' into the numbers 1 and 7. An untyped column
// stores every value as given. (Values already converted cannot be told apart
// from numbers; the next import stores them right.)
constexpr const char* kMigrationTo3 = R"sql(
CREATE TABLE attributes_v3 (
  entity_id TEXT NOT NULL REFERENCES entities(id) ON DELETE CASCADE,
  name      TEXT NOT NULL,
  value,
  PRIMARY KEY (entity_id, name)
) WITHOUT ROWID;
INSERT INTO attributes_v3 SELECT entity_id, name, value FROM attributes;
DROP TABLE attributes;
ALTER TABLE attributes_v3 RENAME TO attributes;
PRAGMA user_version = 3;
)sql";

// Schema version 3 -> 4: waivers; the rules each run evaluated (older runs:
// those named in rule_titles, or, for runs before those, the rules with
// findings); a finding's status, waiver and owner.
constexpr const char* kMigrationTo4 = R"sql(
ALTER TABLE runs ADD COLUMN accepted_count INTEGER NOT NULL DEFAULT 0;
ALTER TABLE findings ADD COLUMN status TEXT NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'accepted'));
ALTER TABLE findings ADD COLUMN waiver TEXT;
ALTER TABLE findings ADD COLUMN owner TEXT;
CREATE TABLE run_rules (
  run_id    INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
  rule      TEXT NOT NULL,
  text_hash TEXT NOT NULL,
  title     TEXT NOT NULL DEFAULT '',
  tags      TEXT NOT NULL DEFAULT '[]',
  PRIMARY KEY (run_id, rule)
) WITHOUT ROWID;
INSERT OR IGNORE INTO run_rules (run_id, rule, text_hash, title)
  SELECT runs.id, titles.key, '', coalesce(titles.value, '') FROM runs, json_each(runs.rule_titles) AS titles
  WHERE json_valid(runs.rule_titles);
INSERT OR IGNORE INTO run_rules (run_id, rule, text_hash) SELECT DISTINCT run_id, rule, '' FROM findings;
CREATE TABLE waivers (
  rule        TEXT NOT NULL,
  entity      TEXT NOT NULL,
  owner       TEXT NOT NULL,
  reason      TEXT NOT NULL,
  expires     TEXT NOT NULL,
  approved_by TEXT NOT NULL DEFAULT '',
  ticket      TEXT NOT NULL DEFAULT '',
  source      TEXT NOT NULL DEFAULT '',
  PRIMARY KEY (rule, entity)
) WITHOUT ROWID;
PRAGMA user_version = 4;
)sql";

// Schema version 4 -> 5: waivers accepted in the workbench, and their audit list. A new database
// gets them the same way, after kSchema.
constexpr const char* kMigrationTo5 = R"sql(
CREATE TABLE workbench_waivers (  -- risks accepted in the workbench: kept across imports
  rule        TEXT NOT NULL,
  entity      TEXT NOT NULL,      -- an entity id, or '*'
  owner       TEXT NOT NULL,
  reason      TEXT NOT NULL,
  expires     TEXT NOT NULL,      -- YYYY-MM-DD
  approved_by TEXT NOT NULL DEFAULT '',
  ticket      TEXT NOT NULL DEFAULT '',
  created_by  TEXT NOT NULL,
  created_at  TEXT NOT NULL,      -- UTC, ISO 8601
  PRIMARY KEY (rule, entity)
) WITHOUT ROWID;
CREATE TABLE waiver_audit (       -- every workbench waiver created, changed or revoked, never deleted
  id          INTEGER PRIMARY KEY,
  at          TEXT NOT NULL,      -- UTC, ISO 8601
  actor       TEXT NOT NULL,
  action      TEXT NOT NULL CHECK (action IN ('created', 'changed', 'revoked')),
  rule        TEXT NOT NULL,
  entity      TEXT NOT NULL,
  owner       TEXT NOT NULL,
  reason      TEXT NOT NULL,
  expires     TEXT NOT NULL,
  approved_by TEXT NOT NULL DEFAULT '',
  ticket      TEXT NOT NULL DEFAULT ''
);
PRAGMA user_version = 5;
)sql";

// Schema version 5 -> 6: the fact snapshot (engine/store/fact_snapshot.hpp),
// empty until the next import, and the triggers that empty it on any write to
// the fact tables.
constexpr const char* kMigrationTo6 = R"sql(
CREATE TABLE fact_snapshot (      -- a compact copy of the facts for fast loading; see docs/schema.md
  part TEXT NOT NULL,             -- meta, entities, attribute, edges
  kind TEXT NOT NULL,             -- attribute: its kind; meta: the snapshot's format and byte order
  name TEXT NOT NULL,             -- attribute: its name; meta: the facts' fingerprint
  data BLOB NOT NULL,
  PRIMARY KEY (part, kind, name)
);
PRAGMA user_version = 6;
)sql";

void migrate_to_6(SQLite::Database& db) {
  db.exec(kMigrationTo6);
  db.exec(snapshot_trigger_sql(true));
}

// What went wrong when opening, in the user's terms: only a file that SQLite
// does not recognise is "not a Vigil database"; a missing folder, a read-only
// file or a full disk say so.
std::string open_failure(const std::string& path, const SQLite::Exception& e) {
  switch (e.getErrorCode()) {
    case SQLITE_NOTADB: return fmt::format("{}: not a Vigil database (not an SQLite file); nothing was changed", path);
    case SQLITE_CORRUPT: return fmt::format("{}: the database file is damaged ({})", path, e.what());
    case SQLITE_CANTOPEN: return fmt::format("{}: cannot open the database file (check the path and its permissions)", path);
    case SQLITE_READONLY: return fmt::format("{}: the database is read-only (check its permissions)", path);
    case SQLITE_PERM: return fmt::format("{}: permission denied", path);
    case SQLITE_FULL: return fmt::format("{}: the disk is full; nothing was changed", path);
    case SQLITE_IOERR: return fmt::format("{}: input/output error ({})", path, e.what());
    case SQLITE_BUSY:
    case SQLITE_LOCKED: return fmt::format("{}: the database is locked by another process; try again", path);
    default: return fmt::format("{}: database error ({})", path, e.what());
  }
}

}  // namespace

Database::Database(const std::string& path, OpenMode mode) : path_(path) {
  std::error_code error;
  bool exists = std::filesystem::exists(path, error);
  if (!exists && mode == OpenMode::must_exist)
    throw Error(fmt::format("{}: no such database (create it with `vigil import PORTFOLIO --db {}`)", path, path));
  if (exists && std::filesystem::is_directory(path, error)) throw Error(fmt::format("{}: is a directory, not a database", path));
  auto folder = std::filesystem::path(path).parent_path();
  if (!exists && !folder.empty() && !std::filesystem::is_directory(folder, error))
    throw Error(fmt::format("{}: the folder {} does not exist", path, folder.string()));
  try {
    // No mutex inside SQLite: a Database is used by one thread at a time (each
    // thread that needs the file opens its own), and the per-call locking
    // cost a fifth of the time of loading the facts.
    int flags = SQLite::OPEN_READWRITE | SQLite::OPEN_NOMUTEX | (mode == OpenMode::create_if_missing ? SQLite::OPEN_CREATE : 0);
    db_ = std::make_unique<SQLite::Database>(path, flags, 5000);
    verify_or_create_schema(mode == OpenMode::create_if_missing);
  } catch (const SQLite::Exception& e) {
    throw Error(open_failure(path, e));
  }
}

void Database::verify_or_create_schema(bool may_create) {
  // Reading the header first: a file that is not SQLite fails here, untouched.
  int application_id = db_->execAndGet("PRAGMA application_id").getInt();
  int tables = db_->execAndGet("SELECT count(*) FROM sqlite_master").getInt();
  if (application_id == 0 && tables == 0) {
    if (!may_create) throw Error(fmt::format("{}: empty database (import a portfolio first)", path_));
    // Pages of 64 KiB, not SQLite's 4 KiB: an import writes 1,000,000 edges
    // and 2,000,000 attributes at 100,000 vendors, and the facts' snapshot
    // is a few parts of megabytes; bigger pages split less and chain fewer
    // overflow pages (the 100k import took about a tenth less time; runs
    // were no slower). It must be set before anything is written.
    db_->exec("PRAGMA page_size = 65536");
    db_->exec("PRAGMA journal_mode = WAL");
    SQLite::Transaction transaction(*db_);
    db_->exec(kSchema);
    db_->exec(kMigrationTo5);
    migrate_to_6(*db_);
    db_->exec(fmt::format("PRAGMA application_id = {}", kApplicationId));
    db_->exec(fmt::format("PRAGMA user_version = {}", kSchemaVersion));
    transaction.commit();
  } else if (application_id != kApplicationId) {
    throw Error(fmt::format("{}: not a Vigil database (it belongs to another application); nothing was changed", path_));
  } else {
    int version = db_->execAndGet("PRAGMA user_version").getInt();
    if (version > kSchemaVersion)
      throw Error(fmt::format("{}: database schema version {} is newer than this vigil understands ({})", path_,
                              version, kSchemaVersion));
    if (version < kSchemaVersion) {  // migrated in place, in one transaction
      SQLite::Transaction transaction(*db_);
      if (version < 2) db_->exec(kMigrationTo2);
      if (version < 3) db_->exec(kMigrationTo3);
      if (version < 4) db_->exec(kMigrationTo4);
      if (version < 5) db_->exec(kMigrationTo5);
      migrate_to_6(*db_);
      transaction.commit();
    }
  }
  db_->exec("PRAGMA foreign_keys = ON");
}

}  // namespace vigil
