// The fact snapshot is a cache of the tables: whatever path a load takes, the
// portfolio is the same, and any direct write makes the next load read the tables.
#include <catch2/catch.hpp>

#include <SQLiteCpp/Database.h>

#include "engine/facts/portfolio_import.hpp"
#include "engine/facts/value_format.hpp"
#include "engine/store/fact_snapshot.hpp"
#include "engine/store/fact_store.hpp"
#include "test_support.hpp"

using namespace vigil;

namespace {

std::string snapshot_count(Database& db) { return db.sql().execAndGet("SELECT count(*) FROM fact_snapshot").getString(); }

// Every fact of a portfolio as one line each, in index order: two loads are
// the same when these are (entity indices, kind and column order included).
std::vector<std::string> fact_lines(const Portfolio& p) {
  std::vector<std::string> lines;
  for (const auto& kind : p.kinds()) {
    std::string line = "kind " + kind.name + ":";
    for (std::size_t c = 0; c < kind.attribute_names.size(); ++c)
      line += " " + kind.attribute_names[c] + "/" + type_name(kind.attribute_types[c]);
    lines.push_back(line);
  }
  for (EntityIndex e = 0; e < p.entity_count(); ++e) {
    std::string line = p.id(e) + " " + p.kind_name(e);
    const auto& kind = p.kinds()[p.kind_of(e)];
    for (std::size_t c = 0; c < kind.attribute_names.size(); ++c) {
      Value v = p.attribute(e, static_cast<int>(c));
      line += " " + kind.attribute_names[c] + "=" + (v.is_missing() ? "~" : display_value(v, p));
    }
    lines.push_back(line);
  }
  for (const auto& edge : p.edges())
    lines.push_back(p.id(edge.from) + " -" + p.edge_kinds()[edge.kind] + "-> " + p.id(edge.to) + " " + std::string(p.edge_attributes(edge)));
  return lines;
}

struct ImportedSample {
  test::TempDir dir;
  std::string path = (dir.path / "v.db").string();
  ImportedSample() {
    Database db(path, OpenMode::create_if_missing);
    save_portfolio(db, read_portfolio(test::source_dir() + "/samples/portfolio"));
  }
};

}  // namespace

TEST_CASE("a load from the snapshot is the load from the tables", "[snapshot]") {
  ImportedSample sample;
  Database db(sample.path, OpenMode::must_exist);
  std::string fingerprint;
  auto from_snapshot = fact_lines(load_portfolio(db, nullptr, &fingerprint));
  CHECK(fingerprint.size() == 16);
  CHECK(has_fact_snapshot(db));
  db.sql().exec("DELETE FROM fact_snapshot");
  CHECK_FALSE(has_fact_snapshot(db));
  std::string none;
  auto from_tables = fact_lines(load_portfolio(db, nullptr, &none));
  CHECK(none.empty());
  CHECK(from_snapshot == from_tables);
  CHECK(from_snapshot.size() > 60);
}

TEST_CASE("a load from the snapshot reads only the attributes and edges the rules use", "[snapshot]") {
  ImportedSample sample;
  Database db(sample.path, OpenMode::must_exist);
  FactNeeds needs{{"tier"}, false};
  Portfolio p = load_portfolio(db, &needs);
  EntityIndex v = *p.find("V001");
  CHECK(display_value(p.attribute(v, "tier"), p) == "critical");
  CHECK(p.attribute(v, "name").is_missing());
  CHECK(p.kinds()[p.kind_of(v)].column("name") >= 0);  // declared all the same: the checker knows it
  CHECK(p.edges().empty());
}

TEST_CASE("any write to the fact tables empties the snapshot", "[snapshot]") {
  const char* writes[] = {
      "INSERT INTO entities VALUES ('V999', 'vendor')",
      "UPDATE entities SET kind = 'vendor' WHERE id = 'V001'",
      "DELETE FROM entities WHERE id = 'S999'",  // no row: nothing changed, the snapshot stays
      "INSERT INTO attributes VALUES ('V001', 'extra', 1)",
      "UPDATE attributes SET value = 'high' WHERE entity_id = 'V001' AND name = 'tier'",
      "DELETE FROM attributes WHERE entity_id = 'V001' AND name = 'tier'",
      "INSERT INTO edges VALUES ('V001', 'V002', 'subcontracts', NULL)",
      "UPDATE edges SET attributes = NULL",
      "DELETE FROM edges",
      "INSERT INTO attribute_types VALUES ('vendor', 'extra', 'number')",
      "UPDATE attribute_types SET type = type",
      "DELETE FROM attribute_types WHERE kind = 'vendor' AND name = 'tier'",
  };
  const char* left[] = {"0", "0", "", "0", "0", "0", "0", "0", "0", "0", "0", "0"};
  for (std::size_t i = 0; i < std::size(writes); ++i) {
    ImportedSample sample;
    Database db(sample.path, OpenMode::must_exist);
    std::string before = snapshot_count(db);
    db.sql().exec(writes[i]);
    CAPTURE(writes[i]);
    CHECK(snapshot_count(db) == (*left[i] ? std::string(left[i]) : before));
  }
}

TEST_CASE("the next load after a direct write sees it", "[snapshot]") {
  ImportedSample sample;
  Database db(sample.path, OpenMode::must_exist);
  db.sql().exec("UPDATE attributes SET value = 'low' WHERE entity_id = 'V001' AND name = 'tier'");
  Portfolio p = load_portfolio(db);
  CHECK(display_value(p.attribute(*p.find("V001"), "tier"), p) == "low");
}

TEST_CASE("a damaged snapshot is passed over for the tables", "[snapshot]") {
  const char* damage[] = {
      "UPDATE fact_snapshot SET data = x'00' WHERE part = 'entities'",
      "UPDATE fact_snapshot SET data = substr(data, 1, length(data) - 3) WHERE part = 'attribute' AND name = 'tier'",
      "UPDATE fact_snapshot SET data = x'01000000ffffffff' WHERE part = 'edges'",
      "UPDATE fact_snapshot SET data = x'' WHERE part = 'meta'",
      "DELETE FROM fact_snapshot WHERE part = 'entities'",
      "UPDATE fact_snapshot SET kind = '999' WHERE part = 'meta'",  // a format this build does not know
  };
  for (const char* sql : damage) {
    ImportedSample sample;
    Database db(sample.path, OpenMode::must_exist);
    auto expected = fact_lines(load_portfolio(db));
    db.sql().exec(sql);
    CAPTURE(sql);
    std::string fingerprint;
    CHECK(fact_lines(load_portfolio(db, nullptr, &fingerprint)) == expected);
    CHECK(fingerprint.empty());
  }
}

TEST_CASE("the facts' fingerprint follows the facts", "[snapshot]") {
  test::TempDir dir;
  auto fingerprint_of = [&](const std::string& vendors) {
    dir.write("p/entities/vendor.csv", vendors);
    Database db((dir.path / "v.db").string(), OpenMode::create_if_missing);
    save_portfolio(db, read_portfolio((dir.path / "p").string()));
    std::string fingerprint;
    load_portfolio(db, nullptr, &fingerprint);
    return fingerprint;
  };
  std::string first = fingerprint_of("id,tier\nV1,high\nV2,low\n");
  CHECK(fingerprint_of("id,tier\nV2,low\nV1,high\n") == first);  // the same facts in another order
  CHECK(fingerprint_of("id,tier\nV1,high\nV2,medium\n") != first);
}
