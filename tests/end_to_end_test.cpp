// The sample portfolio and the standard rule pack, as of a fixed date,
// against findings checked by hand (tests/expected/samples_2026-11-01.json).
#include <catch2/catch.hpp>

#include <nlohmann/json.hpp>

#include "test_support.hpp"

using namespace vigil::test;

TEST_CASE("samples/ with rules/ as of 2026-11-01 gives the expected findings", "[e2e]") {
  TempDir dir;
  auto db = (dir.path / "samples.db").string();
  auto imported = run_vigil({"import", source_dir() + "/samples/portfolio", "--db", db});
  REQUIRE(imported.exit_code == 0);
  auto checked = run_vigil({"check", source_dir() + "/rules", "--db", db});
  CHECK(checked.exit_code == 0);
  CHECK(checked.err.empty());  // the standard pack has no warnings on the samples
  auto result = run_vigil({"run", "--db", db, "--rules", source_dir() + "/rules", "--as-of", "2026-11-01", "--format", "json"});
  REQUIRE(result.exit_code == 0);
  auto actual = nlohmann::json::parse(result.out);
  auto expected = nlohmann::json::parse(read_file(source_dir() + "/tests/expected/samples_2026-11-01.json"));
  REQUIRE(actual.size() == expected.size());
  for (std::size_t i = 0; i < expected.size(); ++i) {
    INFO("finding " << i << ": " << expected[i]["rule"] << " " << expected[i]["entity"]);
    CHECK(actual[i] == expected[i]);
  }
  CHECK(run_vigil({"run", "--db", db, "--rules", source_dir() + "/rules", "--as-of", "2026-11-01", "--fail-on", "critical",
                   "--no-store"})
            .exit_code == 1);
}
