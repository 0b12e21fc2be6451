// Run history: stable finding identity across runs, diff, interrupted
// writes, concurrent readers, corrupted database files.
#include <catch2/catch.hpp>

#include <thread>

#include <SQLiteCpp/Database.h>
#include <SQLiteCpp/Transaction.h>
#include <nlohmann/json.hpp>

#include "engine/store/run_diff.hpp"
#include "test_support.hpp"

using vigil::test::run_vigil;
using vigil::test::TempDir;

namespace {

// One rule over vendors whose `bad` flag changes between imports.
struct History {
  TempDir dir;
  History() {
    dir.write("rules/bad.vigil", "rule BAD {\n  severity high\n  for vendor v\n  when v.bad\n  message \"{v.id} is bad\"\n}\n");
  }
  void facts(const std::string& rows) {
    dir.write("p/entities/vendor.csv", "id,bad:bool\n" + rows);
    REQUIRE(run_vigil({"import", "p", "--db", "v.db", "-q"}, dir.path).exit_code == 0);
  }
  vigil::test::CommandResult run(const std::string& as_of) {
    return run_vigil({"run", "--db", "v.db", "--rules", "rules", "--as-of", as_of, "--format", "csv"}, dir.path);
  }
  vigil::test::CommandResult diff(std::vector<std::string> extra = {}) {
    std::vector<std::string> args{"diff", "--db", "v.db"};
    args.insert(args.end(), extra.begin(), extra.end());
    return run_vigil(args, dir.path);
  }
};

std::string summary(const vigil::test::CommandResult& result) {
  auto at = result.err.find("info: run");
  return at == std::string::npos ? "" : result.err.substr(at, result.err.find(" errors in", at) - at);
}

}  // namespace

TEST_CASE("findings keep their identity across runs: new, resolved, still open, reappearing", "[history]") {
  History h;
  h.facts("A,yes\nB,yes\nC,no\n");
  CHECK(summary(h.run("2026-01-01")) == "info: run 1: 2 findings (2 high), 0 accepted, 2 new, 0 resolved, 0");
  h.facts("A,yes\nB,no\nC,yes\n");
  CHECK(summary(h.run("2026-01-11")) == "info: run 2: 2 findings (2 high), 0 accepted, 1 new, 1 resolved, 0");
  h.facts("A,yes\nB,yes\nC,yes\n");
  CHECK(summary(h.run("2026-01-21")) == "info: run 3: 3 findings (3 high), 0 accepted, 1 new, 0 resolved, 0");

  auto json = nlohmann::json::parse(h.diff({"--format", "json"}).out);
  CHECK(json["from_run"] == 2);
  CHECK(json["to_run"] == 3);
  REQUIRE(json["new"].size() == 1);
  CHECK(json["new"][0]["entity"] == "B");          // B is back: a new streak
  CHECK(json["new"][0]["first_seen"] == "2026-01-21");
  REQUIRE(json["still_open"].size() == 2);
  CHECK(json["still_open"][0]["entity"] == "A");
  CHECK(json["still_open"][0]["first_seen"] == "2026-01-01");  // open since the first run
  CHECK(json["still_open"][0]["days_open"] == 20);
  CHECK(json["still_open"][1]["first_seen"] == "2026-01-11");
  CHECK(json["resolved"].empty());

  auto table = h.diff({"1", "2"});
  CHECK(table.exit_code == 0);
  CHECK(table.out ==
        "run 1 (2026-01-01) -> run 2 (2026-01-11): 1 new, 1 resolved, 0 changed, 0 accepted, 0 reopened, "
        "1 still open, 0 still accepted, 0 not compared\n"
        "\nNEW\n  high      BAD        C        C is bad\n"
        "\nRESOLVED\n  high      BAD        B        B is bad\n"
        "\nSTILL OPEN\n  high      BAD        A        A is bad  open 10 days, since 2026-01-01\n");
}

TEST_CASE("diff: usage and missing runs", "[history]") {
  History h;
  h.facts("A,yes\n");
  CHECK(h.diff().err == "vigil diff: v.db: diff needs two stored runs, and there are none\n");
  h.run("2026-01-01");
  CHECK(h.diff().err == "vigil diff: v.db: diff needs two stored runs, and there is only one\n");
  CHECK(h.diff().exit_code == 2);
  h.run("2026-01-02");
  CHECK(h.diff().exit_code == 0);
  CHECK(h.diff({"1"}).err.find("diff takes two runs") != std::string::npos);
  CHECK(h.diff({"1", "x"}).err.find("'x' is not a run number") != std::string::npos);
  CHECK(h.diff({"1", "9"}).err == "vigil diff: v.db: there is no run 9\n");
  CHECK(h.diff({"1", "2", "--format", "xml"}).exit_code == 2);
}

TEST_CASE("an interrupted run leaves nothing half-written", "[history]") {
  History h;
  h.facts("A,yes\nB,yes\nC,yes\n");
  h.run("2026-01-01");
  {
    // A failure in the middle of writing the findings (the disk fills, the process is killed...).
    SQLite::Database sql((h.dir.path / "v.db").string(), SQLite::OPEN_READWRITE);
    sql.exec("CREATE TRIGGER fail_midway AFTER INSERT ON findings "
             "WHEN (SELECT count(*) FROM findings WHERE run_id = NEW.run_id) = 2 "
             "BEGIN SELECT RAISE(ABORT, 'simulated failure'); END;");
  }
  auto failed = h.run("2026-01-02");
  CHECK(failed.exit_code == 2);
  CHECK(failed.err.find("simulated failure") != std::string::npos);
  SQLite::Database sql((h.dir.path / "v.db").string(), SQLite::OPEN_READONLY);
  CHECK(sql.execAndGet("SELECT count(*) FROM runs").getInt() == 1);
  CHECK(sql.execAndGet("SELECT count(*) FROM findings").getInt() == 3);
  CHECK(sql.execAndGet("SELECT count(*) FROM findings WHERE run_id = 2").getInt() == 0);
}

TEST_CASE("the database stays readable while a run writes, and a second writer waits its turn", "[history]") {
  History h;
  h.facts("A,yes\nB,no\n");
  h.run("2026-01-01");
  h.run("2026-01-02");
  SQLite::Database writer((h.dir.path / "v.db").string(), SQLite::OPEN_READWRITE);
  SQLite::Transaction transaction(writer);  // another process is writing a run
  writer.exec("INSERT INTO runs (started_at, finished_at, as_of, rules_hash, facts_hash, rule_count, entity_count, "
              "finding_count, error_count) VALUES ('x', 'x', '2026-01-03', 'r', 'f', 1, 1, 0, 0)");
  // Two readers at once, while the write is under way: both see the committed runs.
  vigil::test::CommandResult first, second;
  std::thread a([&] { first = h.diff(); });
  std::thread b([&] { second = run_vigil({"graph", "--db", "v.db"}, h.dir.path); });
  a.join();
  b.join();
  CHECK(first.exit_code == 0);
  CHECK(first.out.rfind("run 1 (2026-01-01) -> run 2 (2026-01-02)", 0) == 0);
  CHECK(second.exit_code == 0);
  // A writer started now waits for the lock (busy timeout) and succeeds once it is released.
  vigil::test::CommandResult late;
  std::thread c([&] { late = h.run("2026-01-04"); });
  std::this_thread::sleep_for(std::chrono::milliseconds(500));
  transaction.commit();
  c.join();
  CHECK(late.exit_code == 0);
  CHECK(summary(late).rfind("info: run 4: ", 0) == 0);
}

TEST_CASE("a corrupted database is refused with a clear error and left as it was", "[history]") {
  History h;
  h.facts("A,yes\n");
  h.run("2026-01-01");
  auto path = h.dir.path / "v.db";
  std::string bytes = vigil::test::read_file(path);
  REQUIRE(bytes.size() > 8192);
  std::fill(bytes.begin() + 4096, bytes.end(), '\x5a');  // everything after the first pages overwritten
  h.dir.write("v.db", bytes);
  for (auto* command : {"run", "diff", "graph"}) {
    auto result = std::string(command) == "run" ? h.run("2026-01-02") : run_vigil({command, "--db", "v.db"}, h.dir.path);
    CHECK(result.exit_code == 2);
    CHECK(result.err.find("v.db") != std::string::npos);
    CHECK(result.err.find("internal error") == std::string::npos);
  }
  CHECK(vigil::test::read_file(path) == bytes);
  h.dir.write("empty.db", "");
  auto empty = run_vigil({"run", "--db", "empty.db", "--rules", "rules"}, h.dir.path);
  CHECK(empty.exit_code == 2);
  CHECK(empty.err == "vigil run: empty.db: empty database (import a portfolio first)\n");
}
