#include <catch2/catch.hpp>

#include <SQLiteCpp/Database.h>
#include <SQLiteCpp/Transaction.h>

#include "engine/store/fact_store.hpp"
#include "engine/facts/portfolio_import.hpp"
#include "engine/store/row_feed.hpp"
#include "engine/store/run_store.hpp"
#include "engine/facts/value_format.hpp"
#include "test_support.hpp"

using namespace vigil;

TEST_CASE("facts survive a round trip through the database", "[database]") {
  test::TempDir dir;
  dir.write("p/entities/vendor.csv", "id,name,spend:number,since:date,ok:bool,note\nV1,Acme,1.5,2024-01-31,yes,\nV2,\"B, Inc\",,,no,x\n");
  dir.write("p/entities/service.csv", "id,name\nS1,Pay\n");
  dir.write("p/edges.csv", "from,to,kind,w\nS1,V1,depends_on,2\nV1,V2,subcontracts,\n");
  Portfolio original = read_portfolio((dir.path / "p").string());
  auto db_path = (dir.path / "v.db").string();
  {
    Database db(db_path, OpenMode::create_if_missing);
    save_portfolio(db, original);
  }
  Database db(db_path, OpenMode::must_exist);
  Portfolio loaded = load_portfolio(db);
  CHECK(loaded.entity_count() == 3);
  auto v1 = *loaded.find("V1");
  CHECK(loaded.attribute(v1, "spend").as_number() == 1.5);
  CHECK(format_date(loaded.attribute(v1, "since").as_date()) == "2024-01-31");
  CHECK(loaded.attribute(v1, "ok").as_bool());
  CHECK(loaded.attribute(v1, "note").is_missing());
  CHECK(loaded.attribute(*loaded.find("V2"), "name").as_string() == "B, Inc");
  CHECK(loaded.edges().size() == 2);
  auto schema = load_schema(db);
  CHECK(schema.kinds.at("vendor").at("since") == ValueType::date);
  CHECK(schema.kinds.at("vendor").at("note") == ValueType::string);  // declared even with no value
  CHECK(schema.kinds.count("service") == 1);
}

TEST_CASE("re-importing replaces the facts and keeps the runs", "[database]") {
  test::TempDir dir;
  auto db_path = (dir.path / "v.db").string();
  Database db(db_path, OpenMode::create_if_missing);
  test::TestPortfolio first;
  first.add("vendor", "V1");
  first.add("vendor", "V2");
  save_portfolio(db, first.portfolio);
  store_run(db, RunRecord{0, "a", "b", "2026-01-01", "r", "f", 2, {{"R1", "", "", {}}}}, EvaluationResult{});
  test::TestPortfolio second;
  second.add("vendor", "V3");
  save_portfolio(db, second.portfolio);
  CHECK(load_portfolio(db).entity_count() == 1);
  CHECK(db.sql().execAndGet("SELECT count(*) FROM runs").getInt() == 1);
}

TEST_CASE("the first import writes without the log; every import leaves the database in WAL mode", "[database]") {
  test::TempDir dir;
  auto db_path = (dir.path / "v.db").string();
  test::TestPortfolio facts;
  facts.add("vendor", "V1");
  auto journal = [](Database& db) { return db.sql().execAndGet("PRAGMA journal_mode").getString(); };
  {
    Database db(db_path, OpenMode::create_if_missing);
    save_portfolio(db, facts.portfolio);  // first: a rollback journal while it writes
    CHECK(journal(db) == "wal");
    save_portfolio(db, facts.portfolio);  // facts there: the log all along
    CHECK(journal(db) == "wal");
  }
  // A reader holding the empty database keeps the journal from changing: the import still succeeds.
  auto empty_path = (dir.path / "empty.db").string();
  Database db(empty_path, OpenMode::create_if_missing);
  SQLite::Database reader(empty_path, SQLite::OPEN_READONLY);
  SQLite::Transaction reading(reader);
  CHECK(reader.execAndGet("SELECT count(*) FROM entities").getInt() == 0);
  save_portfolio(db, facts.portfolio);
  CHECK(journal(db) == "wal");
  CHECK(reader.execAndGet("SELECT count(*) FROM entities").getInt() == 0);  // its snapshot
  CHECK(load_portfolio(db).entity_count() == 1);
}

TEST_CASE("a database that a procurement system writes directly", "[database]") {
  test::TempDir dir;
  auto db_path = (dir.path / "v.db").string();
  { Database create(db_path, OpenMode::create_if_missing); }
  {
    SQLite::Database sql(db_path, SQLite::OPEN_READWRITE);
    sql.exec("INSERT INTO entities VALUES ('V1', 'vendor');"
             "INSERT INTO attribute_types VALUES ('vendor', 'active', 'bool'), ('vendor', 'since', 'date');"
             "INSERT INTO attributes VALUES ('V1', 'active', 1), ('V1', 'since', '2025-01-01'), ('V1', 'spend', 12),"
             " ('V1', 'name', 'Acme');");
  }
  Database db(db_path, OpenMode::must_exist);
  Portfolio p = load_portfolio(db);
  CHECK(p.attribute(0, "active").as_bool());
  CHECK(format_date(p.attribute(0, "since").as_date()) == "2025-01-01");
  CHECK(p.attribute(0, "spend").as_number() == 12);  // undeclared: typed by its storage class
  CHECK(p.attribute(0, "name").as_string() == "Acme");

  SQLite::Database sql(db_path, SQLite::OPEN_READWRITE);
  sql.exec("INSERT INTO attributes VALUES ('V1', 'bad', 'x'); INSERT INTO attribute_types VALUES ('vendor', 'bad', 'date');");
  CHECK_THROWS_WITH(load_portfolio(db), Catch::Contains("attributes: 'bad' of V1 is declared date but holds 'x'"));
}

TEST_CASE("foreign, corrupt and missing database files are refused and left untouched", "[database]") {
  test::TempDir dir;
  auto missing = (dir.path / "none.db").string();
  CHECK_THROWS_WITH(Database(missing, OpenMode::must_exist), Catch::Contains("no such database"));
  CHECK_FALSE(std::filesystem::exists(missing));

  auto garbage = dir.write("garbage.db", std::string(4096, 'x'));
  CHECK_THROWS_WITH(Database(garbage.string(), OpenMode::create_if_missing), Catch::Contains("not a Vigil database"));
  CHECK(test::read_file(garbage) == std::string(4096, 'x'));

  auto foreign = (dir.path / "foreign.db").string();
  { SQLite::Database sql(foreign, SQLite::OPEN_READWRITE | SQLite::OPEN_CREATE); sql.exec("CREATE TABLE t (x); INSERT INTO t VALUES (1);"); }
  auto before = test::read_file(foreign);
  CHECK_THROWS_WITH(Database(foreign, OpenMode::create_if_missing),
                    Catch::Contains("not a Vigil database (it belongs to another application); nothing was changed"));
  CHECK(test::read_file(foreign) == before);

  CHECK_THROWS_WITH(Database(dir.path.string(), OpenMode::create_if_missing), Catch::Contains("is a directory"));
}

TEST_CASE("runs are stored with their findings and errors", "[database]") {
  test::TempDir dir;
  Database db((dir.path / "v.db").string(), OpenMode::create_if_missing);
  EvaluationResult result;
  auto finding = [](const char* rule, std::optional<std::string> entity, const char* kind, Severity severity,
                    const char* message) {
    Finding f;
    f.rule = rule, f.entity = std::move(entity), f.kind = kind, f.severity = severity, f.message = message;
    f.evidence_json = "{}";
    return f;
  };
  result.findings.push_back(finding("R1", std::string("V1"), "vendor", Severity::high, "msg"));
  result.findings.push_back(finding("R2", std::nullopt, "portfolio", Severity::info, "p"));
  result.errors.push_back({"R1", std::string("V2"), "tier", "bad", "x.vigil:1:1"});
  auto id = store_run(db, RunRecord{0, "s", "f", "2026-01-01", "r", "h", 2, {{"R1", "", "", {}}, {"R2", "", "", {}}}}, result);
  CHECK(id == 1);
  CHECK(db.sql().execAndGet("SELECT finding_count || '/' || error_count FROM runs WHERE id = 1").getString() == "2/1");
  CHECK(db.sql().execAndGet("SELECT count(*) FROM findings WHERE run_id = 1 AND entity IS NULL").getInt() == 1);
  CHECK(db.sql().execAndGet("SELECT attribute FROM evaluation_errors").getString() == "tier");
  CHECK(db.sql().execAndGet("SELECT run_id || '|' || rule || '|' || entity || '|' || location || '|' || message "
                            "FROM evaluation_errors").getString() == "1|R1|V2|x.vigil:1:1|bad");
}

TEST_CASE("a version 1 database is migrated in place when opened", "[database]") {
  test::TempDir dir;
  auto path = (dir.path / "old.db").string();
  {
    SQLite::Database sql(path, SQLite::OPEN_READWRITE | SQLite::OPEN_CREATE);
    sql.exec(R"sql(
      CREATE TABLE entities (id TEXT PRIMARY KEY NOT NULL, kind TEXT NOT NULL);
      CREATE TABLE attribute_types (kind TEXT NOT NULL, name TEXT NOT NULL, type TEXT NOT NULL, PRIMARY KEY (kind, name));
      CREATE TABLE attributes (entity_id TEXT NOT NULL, name TEXT NOT NULL, value ANY, PRIMARY KEY (entity_id, name));
      CREATE TABLE edges (from_id TEXT NOT NULL, to_id TEXT NOT NULL, kind TEXT NOT NULL, attributes TEXT,
                          PRIMARY KEY (from_id, to_id, kind));
      CREATE TABLE runs (id INTEGER PRIMARY KEY, started_at TEXT NOT NULL, finished_at TEXT NOT NULL, as_of TEXT NOT NULL,
                         rules_hash TEXT NOT NULL, facts_hash TEXT NOT NULL, rule_count INTEGER NOT NULL,
                         entity_count INTEGER NOT NULL, finding_count INTEGER NOT NULL, error_count INTEGER NOT NULL);
      CREATE TABLE findings (run_id INTEGER NOT NULL, rule TEXT NOT NULL, entity TEXT, kind TEXT NOT NULL,
                             severity TEXT NOT NULL, message TEXT NOT NULL, evidence TEXT NOT NULL);
      CREATE TABLE evaluation_errors (run_id INTEGER NOT NULL, rule TEXT NOT NULL, entity TEXT, attribute TEXT,
                                      location TEXT, message TEXT NOT NULL);
      INSERT INTO runs VALUES (1, 's', 'f', '2026-01-01', 'r', 'h', 1, 2, 2, 0);
      INSERT INTO findings VALUES (1, 'R', 'V1', 'vendor', 'high', 'm', '{}'), (1, 'R', 'V2', 'vendor', 'low', 'm', '{}');
      INSERT INTO entities VALUES ('V1', 'vendor');
      INSERT INTO attributes VALUES ('V1', 'name', 'Acme');
      PRAGMA application_id = 1447642956;
      PRAGMA user_version = 1;
    )sql");
  }
  Database db(path, OpenMode::must_exist);
  CHECK(db.sql().execAndGet("PRAGMA user_version").getInt() == 6);
  CHECK(db.sql().tableExists("fact_snapshot"));
  CHECK(db.sql().tableExists("workbench_waivers"));
  CHECK(db.sql().tableExists("waiver_audit"));
  CHECK(db.sql().execAndGet("SELECT value FROM attributes WHERE entity_id = 'V1'").getString() == "Acme");
  auto run = find_run(db, 1);
  REQUIRE(run);
  CHECK(run->rules.size() == 1);  // known from its findings
  CHECK(load_findings(db, 1).at(0).status == FindingStatus::open);
  CHECK(run->counts.at(Severity::high) == 1);
  CHECK(run->counts.at(Severity::low) == 1);
  CHECK(load_findings(db, 1).at(0).first_seen == "2026-01-01");
}

TEST_CASE("strings that look like numbers are stored as given", "[database]") {
  test::TempDir dir;
  auto path = (dir.path / "v.db").string();
  Portfolio portfolio;
  KindId vendor = portfolio.declare_kind("vendor");
  int code = portfolio.declare_attribute(vendor, "code", ValueType::string);
  for (const char* text : {"+1", "007", "1.50", "1e3"}) {
    EntityIndex e = portfolio.add_entity(std::string("V") + text, vendor);
    portfolio.set_attribute(e, code, Value::string_view(text));
  }
  {
    Database db(path, OpenMode::create_if_missing);
    save_portfolio(db, portfolio);
  }
  Database db(path, OpenMode::must_exist);
  Portfolio loaded = load_portfolio(db);
  for (const char* text : {"+1", "007", "1.50", "1e3"})
    CHECK(display_value(loaded.attribute(*loaded.find(std::string("V") + text), 0), loaded) == text);
}

TEST_CASE("rows fed from memory are inserted as one statement, with the tables' storage classes", "[database]") {
  SQLite::Database sql(":memory:", SQLite::OPEN_READWRITE | SQLite::OPEN_CREATE);
  sql.exec("CREATE TABLE t (id TEXT NOT NULL PRIMARY KEY, value)");
  std::vector<std::pair<std::string, Value>> rows = {
      {"a", Value::number(1.5)}, {"b", Value::boolean(true)}, {"c", Value::date(*parse_iso_date("2026-01-31"))},
      {"d", Value::string_view("007")}, {"e", Value::missing()}};
  auto feed = [&](std::size_t row, int column, sqlite3_context* out) {
    if (column == 0) put_text(out, rows[row].first);
    else put_value(out, rows[row].second);
  };
  insert_rows(sql, "t", "id, value", rows.size(), feed);
  auto stored = [&](const char* id) {
    SQLite::Statement query(sql, "SELECT typeof(value) || ':' || coalesce(value, '') FROM t WHERE id = ?");
    query.bind(1, id);
    return query.executeStep() ? query.getColumn(0).getString() : std::string("(none)");
  };
  CHECK(stored("a") == "real:1.5");
  CHECK(stored("b") == "integer:1");
  CHECK(stored("c") == "text:2026-01-31");
  CHECK(stored("d") == "text:007");
  CHECK(stored("e") == "null:");
  // A failing insert throws, inserts nothing, and the next one works.
  CHECK_THROWS_AS(insert_rows(sql, "t", "id, value", 2, feed), SQLite::Exception);  // "a" is there already
  CHECK(sql.execAndGet("SELECT count(*) FROM t").getInt() == 5);
  sql.exec("DELETE FROM t");
  insert_rows(sql, "t", "id, value", 0, feed);
  CHECK(sql.execAndGet("SELECT count(*) FROM t").getInt() == 0);
  insert_rows(sql, "t", "id, value", rows.size(), feed);
  CHECK(sql.execAndGet("SELECT count(*) FROM t").getInt() == 5);
}
