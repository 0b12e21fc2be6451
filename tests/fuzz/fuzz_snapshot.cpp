// Bytes as one part of the fact snapshot -> load_portfolio. The first byte
// picks the part (meta, entities, one attribute column of each type, edges),
// the rest replaces its data. A damaged part must be passed over for the
// tables (engine/store/fact_snapshot.cpp): the load never crashes, hangs or
// fails, and the stored database is never changed (each input is rolled back).
#include <unistd.h>

#include <cstdint>
#include <filesystem>
#include <string>

#include <SQLiteCpp/Transaction.h>
#include <spdlog/spdlog.h>

#include "engine/facts/portfolio_import.hpp"
#include "engine/store/fact_store.hpp"

namespace {

vigil::Database& database() {
  static vigil::Database* instance = [] {
    spdlog::set_level(spdlog::level::off);  // a warning per damaged input would drown the fuzzer's output
    auto dir = std::filesystem::temp_directory_path() / ("vigil-fuzz-snapshot-" + std::to_string(getpid()));
    std::filesystem::create_directories(dir);
    std::string path = (dir / "v.db").string();
    {
      vigil::Database db(path, vigil::OpenMode::create_if_missing);
      vigil::save_portfolio(db, vigil::parse_portfolio_json("p.json", R"({"entities": [
        {"id": "V1", "kind": "vendor", "attributes": {"name": "Acme", "spend": 12.5, "ok": true, "since": "2026-01-01"}},
        {"id": "V2", "kind": "vendor", "attributes": {"name": "Beta", "ok": false}},
        {"id": "S1", "kind": "service"}],
        "edges": [{"from": "S1", "to": "V1", "kind": "depends_on"},
        {"from": "V1", "to": "V2", "kind": "subcontracts", "attributes": {"share": 3}}]})"));
    }
    return new vigil::Database(path, vigil::OpenMode::must_exist);
  }();
  return *instance;
}

// Which row an input replaces: part, and for an attribute its name.
constexpr const char* kParts[][2] = {{"meta", ""},          {"entities", ""},      {"attribute", "name"},
                                     {"attribute", "spend"}, {"attribute", "ok"},   {"attribute", "since"},
                                     {"edges", ""}};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  auto& db = database();
  const auto* part = kParts[data[0] % std::size(kParts)];
  SQLite::Transaction transaction(db.sql());  // never committed: every input starts from the stored snapshot
  SQLite::Statement update(db.sql(), "UPDATE fact_snapshot SET data = ? WHERE part = ? AND (? = '' OR name = ?)");
  update.bind(1, static_cast<const void*>(data + 1), static_cast<int>(size - 1));
  update.bind(2, part[0]);
  update.bind(3, part[1]);
  update.bind(4, part[1]);
  update.exec();
  vigil::Portfolio portfolio = vigil::load_portfolio(db);
  if (portfolio.entity_count() != 3) __builtin_trap();  // the tables, when the snapshot was damaged
  return 0;
}
