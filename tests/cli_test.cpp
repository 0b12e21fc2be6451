// The vigil binary: commands, exit codes, output formats, stdout/stderr separation.
#include <catch2/catch.hpp>

#include <SQLiteCpp/Database.h>
#include <nlohmann/json.hpp>
#include <vigil/version.hpp>

#include "test_support.hpp"

using vigil::test::run_vigil;
using vigil::test::TempDir;

namespace {

// A portfolio and rules in a temporary directory, imported into v.db.
struct Workspace {
  TempDir dir;
  Workspace() {
    dir.write("p/entities/vendor.csv",
              "id,name,tier,tested:date\nV1,Acme,critical,2024-01-01\nV2,\"Beta, Inc\",high,\nV3,Gamma,low,2026-01-01\n");
    dir.write("p/entities/service.csv", "id,name\nS1,Payments\n");
    dir.write("p/edges.csv", "from,to,kind\nS1,V1,depends_on\n");
    dir.write("rules/irp.vigil", R"(let important = ["critical", "high"]
rule IRP-001 "Untested plan" {
  severity high
  for vendor v
  when v.tier in important and (missing(v.tested) or v.tested < today - 1y)
  message "{v.name} untested"
}
)");
    dir.write("rules/more/low.vigil", R"(rule LOW-1 {
  severity low
  for vendor v
  when v.tier == "low"
  message "{v.name} is low"
}
rule PORT-1 {
  severity info
  for portfolio
  when count(entities("vendor")) > 2
  message "{count(entities(\"vendor\"))} vendors"
}
)");
    auto imported = run({"import", "p", "--db", "v.db"});
    REQUIRE(imported.exit_code == 0);
  }
  vigil::test::CommandResult run(const std::vector<std::string>& args) const { return run_vigil(args, dir.path); }
  vigil::test::CommandResult evaluate(std::vector<std::string> extra) const {
    std::vector<std::string> args{"run", "--db", "v.db", "--rules", "rules", "--as-of", "2026-06-30"};
    args.insert(args.end(), extra.begin(), extra.end());
    return run(args);
  }
};

}  // namespace

TEST_CASE("vigil without a command prints usage and exits 2", "[cli]") {
  auto result = run_vigil({});
  CHECK(result.exit_code == 2);
  CHECK(result.out.find("usage: vigil COMMAND") != std::string::npos);
  CHECK(run_vigil({"--help"}).exit_code == 0);
  CHECK(run_vigil({"run", "--help"}).exit_code == 0);
  CHECK(run_vigil({"--version"}).out == std::string("vigil ") + VIGIL_VERSION_STRING + "\n");
}

TEST_CASE("unknown commands and options are usage errors (exit 2)", "[cli]") {
  auto unknown = run_vigil({"rnu"});
  CHECK(unknown.exit_code == 2);
  CHECK(unknown.err.find("unknown command 'rnu' (did you mean `run`?)") != std::string::npos);
  Workspace w;
  auto option = w.evaluate({"--formt", "json"});
  CHECK(option.exit_code == 2);
  CHECK(option.err.find("unknown option '--formt' (did you mean `--format`?)") != std::string::npos);
  CHECK(w.evaluate({"--format", "xml"}).err.find("--format: unknown format 'xml' (table, json, jsonl or csv)") != std::string::npos);
  CHECK(w.evaluate({"--fail-on", "severe"}).exit_code == 2);
  CHECK(w.run({"run", "--db", "v.db", "--rules", "rules", "--as-of", "2026-02-30"}).err.find(
            "--as-of: invalid date '2026-02-30': day 30 does not exist in that month") != std::string::npos);
  CHECK(w.run({"run", "--rules", "rules"}).err.find("missing required option '--db'") != std::string::npos);
  CHECK(w.run({"run", "--db", "v.db"}).err.find("missing required option '--rules'") != std::string::npos);
  CHECK(w.run({"run", "--db", "v.db", "--rules"}).err.find("option '--rules' needs a value") != std::string::npos);
  CHECK(w.run({"run", "--db", "v.db", "--db", "w.db", "--rules", "rules"}).err.find("option '--db' is given more than once") !=
        std::string::npos);
  CHECK(w.run({"import", "--db", "v.db"}).err.find("import takes one PORTFOLIO") != std::string::npos);
  CHECK(w.run({"check"}).exit_code == 2);
  CHECK(w.run({"run", "--db", "v.db", "--rules", "rules", "-v", "-q"}).exit_code == 2);
}

TEST_CASE("import: success logs to stderr; bad input exits 2 naming file and line, leaving the database as it was",
          "[cli]") {
  Workspace w;
  auto ok = w.run({"import", "p", "--db", "v.db"});
  CHECK(ok.exit_code == 0);
  CHECK(ok.out.empty());
  CHECK(ok.err == "info: imported 4 entities (1 service, 3 vendor), 1 edges and 0 waivers into v.db\n");
  auto quiet = w.run({"import", "p", "--db", "v.db", "--quiet"});
  CHECK(quiet.err.empty());

  w.dir.write("bad/entities/vendor.csv", "id,name\nV9,Nine\n");
  w.dir.write("bad/edges.csv", "from,to,kind\nV9,V404,subcontracts\n");
  auto before = vigil::test::read_file(w.dir.path / "v.db");
  auto bad = w.run({"import", "bad", "--db", "v.db"});
  CHECK(bad.exit_code == 2);
  CHECK(bad.err == "vigil import: bad/edges.csv:2: edge to 'V404' is not a known entity id\n");
  CHECK(vigil::test::read_file(w.dir.path / "v.db") == before);
  auto fresh = w.run({"import", "bad", "--db", "new.db"});
  CHECK(fresh.exit_code == 2);
  CHECK_FALSE(std::filesystem::exists(w.dir.path / "new.db"));
  CHECK(w.run({"import", "nowhere", "--db", "v.db"}).err == "vigil import: nowhere: no such file or directory\n");
}

TEST_CASE("check: ok, warnings with a database, errors with exit 2", "[cli]") {
  Workspace w;
  auto ok = w.run({"check", "rules"});
  CHECK(ok.exit_code == 0);
  CHECK(ok.out == "ok: 3 rules in 2 files\n");

  w.dir.write("typo.vigil", "rule T {\n  severity low\n  for vendor v\n  when v.tiers == \"x\"\n  message \"m\"\n}\n");
  auto warned = w.run({"check", "typo.vigil", "--db", "v.db"});
  CHECK(warned.exit_code == 0);
  CHECK(warned.out == "ok: 1 rules in 1 files, 1 warnings\n");
  CHECK(warned.err ==
        "typo.vigil:4:10: warning: no entity of kind 'vendor' has an attribute 'tiers' (did you mean `tier`?)\n"
        "  when v.tiers == \"x\"\n"
        "         ^\n");

  w.dir.write("broken.vigil", "rule T {\n  severity low\n  for vendor v\n  when v.tier = \"x\"\n  message \"m\"\n}\n");
  auto broken = w.run({"check", "broken.vigil", "rules"});
  CHECK(broken.exit_code == 2);
  CHECK(broken.out.empty());
  CHECK(broken.err ==
        "broken.vigil:4:15: error: expected '==' to compare values but found '='\n"
        "  when v.tier = \"x\"\n"
        "              ^\n"
        "1 error in 3 files\n");
  CHECK(w.run({"check", "missing.vigil"}).err == "vigil check: missing.vigil: no such file or directory\n");
  w.dir.write("empty_dir/readme.md", "x");
  CHECK(w.run({"check", "empty_dir"}).err == "vigil check: empty_dir: no .vigil rule files in this directory\n");
  CHECK(w.run({"check", "rules", "--db", "none.db"}).exit_code == 2);
}

TEST_CASE("run: the table for people", "[cli]") {
  Workspace w;
  auto result = w.evaluate({});
  CHECK(result.exit_code == 0);
  CHECK(result.out ==
        "SEVERITY   RULE     ENTITY  MESSAGE\n"
        "high       IRP-001  V1      Acme untested\n"
        "high       IRP-001  V2      Beta, Inc untested\n"
        "low        LOW-1    V3      Gamma is low\n"
        "info       PORT-1   -       3 vendors\n");
  CHECK(result.err.find("info: run 1: 4 findings (2 high, 1 low, 1 info), 0 accepted, 4 new, 0 resolved, 0 errors in") != std::string::npos);
}

TEST_CASE("run: json, jsonl and csv", "[cli]") {
  Workspace w;
  auto json = w.evaluate({"--format", "json", "--no-store"});
  REQUIRE(json.exit_code == 0);
  auto array = nlohmann::json::parse(json.out);
  REQUIRE(array.size() == 4);
  CHECK(json.out.rfind("[\n  {\"rule\":\"IRP-001\",\"entity\":\"V1\",\"kind\":\"vendor\",", 0) == 0);
  CHECK(json.out.substr(json.out.size() - 4) == "}\n]\n");
  CHECK(array[3]["entity"].is_null());
  CHECK(array[3]["kind"] == "portfolio");

  auto jsonl = w.evaluate({"--format", "jsonl", "--no-store"});
  CHECK(std::count(jsonl.out.begin(), jsonl.out.end(), '\n') == 4);
  CHECK(jsonl.out.substr(0, jsonl.out.find('\n')) ==
        R"({"rule":"IRP-001","entity":"V1","kind":"vendor","severity":"high","message":"Acme untested",)"
        R"("status":"open","title":"Untested plan","tags":[],"owner":null,)"
        R"("evidence":{"facts":{"V1":{"name":"Acme","tested":"2024-01-01","tier":"critical"}}}})");
  CHECK(nlohmann::json::parse(jsonl.out.substr(0, jsonl.out.find('\n'))) == array[0]);

  auto csv = w.evaluate({"--format", "csv", "--no-store"});
  CHECK(csv.out ==
        "rule,entity,kind,severity,message,status,title,owner\r\n"
        "IRP-001,V1,vendor,high,Acme untested,open,Untested plan,\r\n"
        "IRP-001,V2,vendor,high,\"Beta, Inc untested\",open,Untested plan,\r\n"
        "LOW-1,V3,vendor,low,Gamma is low,open,,\r\n"
        "PORT-1,,portfolio,info,3 vendors,open,,\r\n");

  // A stored run keeps the evidence whatever its output shows.
  REQUIRE(w.evaluate({"--format", "csv", "-q"}).exit_code == 0);
  SQLite::Database db((w.dir.path / "v.db").string(), SQLite::OPEN_READONLY);
  CHECK(db.execAndGet("SELECT evidence FROM findings WHERE rule = 'IRP-001' AND entity = 'V1'").getString() ==
        R"({"facts":{"V1":{"name":"Acme","tested":"2024-01-01","tier":"critical"}}})");
}

TEST_CASE("run: --fail-on sets exit code 1 at or above the severity", "[cli]") {
  Workspace w;
  CHECK(w.evaluate({"--fail-on", "high", "--no-store"}).exit_code == 1);
  CHECK(w.evaluate({"--fail-on", "info", "--no-store"}).exit_code == 1);
  CHECK(w.evaluate({"--fail-on", "critical", "--no-store"}).exit_code == 0);
  CHECK(w.evaluate({"--fail-on=critical", "--no-store"}).exit_code == 0);
}

TEST_CASE("run: --output writes the file and nothing to stdout", "[cli]") {
  Workspace w;
  auto result = w.evaluate({"--format", "csv", "--output", "out.csv", "--no-store"});
  CHECK(result.exit_code == 0);
  CHECK(result.out.empty());
  CHECK(vigil::test::read_file(w.dir.path / "out.csv").rfind("rule,entity,kind,severity,message,status,title,owner\r\n", 0) == 0);
  CHECK_FALSE(std::filesystem::exists(w.dir.path / "out.csv.tmp"));
  auto unwritable = w.evaluate({"--output", "no/such/dir/out.txt", "--no-store"});
  CHECK(unwritable.exit_code == 2);
  CHECK(unwritable.err.find("no/such/dir/out.txt: cannot write the output file") != std::string::npos);
}

TEST_CASE("run: stores runs unless --no-store", "[cli]") {
  Workspace w;
  w.evaluate({"--no-store"});
  CHECK(w.evaluate({}).err.find("info: run 1: ") != std::string::npos);
  CHECK(w.evaluate({}).err.find("info: run 2: ") != std::string::npos);
  CHECK(w.evaluate({"--no-store"}).err.find("info: run (not stored): ") != std::string::npos);
}

TEST_CASE("run: an empty result is an empty JSON array", "[cli]") {
  Workspace w;
  w.dir.write("never.vigil", "rule NEVER {\n  severity low\n  for vendor v\n  when false\n  message \"m\"\n}\n");
  auto none = w.run({"run", "--db", "v.db", "--rules", "never.vigil", "--format", "json", "--no-store"});
  CHECK(none.out == "[]\n");
  CHECK(w.run({"run", "--db", "v.db", "--rules", "never.vigil", "--no-store"}).out == "no findings\n");
  CHECK(w.run({"run", "--db", "v.db", "--rules", "never.vigil", "--format", "csv", "--no-store"}).out ==
        "rule,entity,kind,severity,message,status,title,owner\r\n");
  CHECK(w.run({"run", "--db", "v.db", "--rules", "never.vigil", "--format", "jsonl", "--no-store"}).out.empty());
}

TEST_CASE("run: --threads does not change the result", "[cli]") {
  Workspace w;
  auto one = w.evaluate({"--threads", "1", "--format", "jsonl", "--no-store"});
  auto many = w.evaluate({"--threads", "8", "--format", "jsonl", "--no-store"});
  CHECK(one.out == many.out);
  CHECK(w.evaluate({"--threads", "0", "--no-store"}).err.find("--threads: '0' is not a number of threads") != std::string::npos);
}

TEST_CASE("run: --as-of decides what today is", "[cli]") {
  Workspace w;
  auto earlier = w.run({"run", "--db", "v.db", "--rules", "rules/irp.vigil", "--as-of", "2024-06-30", "--no-store"});
  CHECK(earlier.out.find("V1") == std::string::npos);  // tested within the year before 2024-06-30
  CHECK(earlier.out.find("V2") != std::string::npos);
}

TEST_CASE("run: rule errors and database problems exit 2", "[cli]") {
  Workspace w;
  w.dir.write("broken.vigil", "rule X {\n");
  auto broken = w.run({"run", "--db", "v.db", "--rules", "broken.vigil"});
  CHECK(broken.exit_code == 2);
  CHECK(broken.out.empty());
  CHECK(broken.err.find("broken.vigil:2:1: error: expected a clause") != std::string::npos);
  auto no_db = w.run({"run", "--db", "none.db", "--rules", "rules"});
  CHECK(no_db.exit_code == 2);
  CHECK(no_db.err == "vigil run: none.db: no such database (create it with `vigil import PORTFOLIO --db none.db`)\n");
  w.dir.write("junk.db", "this is not a database, it is a text file that is long enough to have a header...........");
  auto junk = w.run({"run", "--db", "junk.db", "--rules", "rules"});
  CHECK(junk.exit_code == 2);
  CHECK(junk.err.find("junk.db: not a Vigil database") != std::string::npos);
}

TEST_CASE("run: evaluation errors are reported on stderr and the run goes on", "[cli]") {
  Workspace w;
  // With the database's types, `v.tested ?? "never"` is a date or a string: only known per entity.
  w.dir.write("typed.vigil",
              "rule T {\n  severity low\n  for vendor v\n  when (v.tested ?? \"never\") < today\n  message \"m\"\n}\n");
  auto result = w.run({"run", "--db", "v.db", "--rules", "typed.vigil", "rules", "--as-of", "2026-06-30", "--no-store"});
  CHECK(result.exit_code == 0);
  CHECK(result.err.find("warning: evaluation error: rule T, entity V2: cannot compare a string \"never\" "
                        "with a date 2026-06-30 (typed.vigil:4:30)") != std::string::npos);
  CHECK(result.err.find("6 findings (2 high, 3 low, 1 info), 0 accepted, 6 new, 0 resolved, 1 errors") != std::string::npos);
  CHECK(result.out.find("IRP-001") != std::string::npos);
}

TEST_CASE("graph: DOT of the whole graph, coloured by the last run", "[cli]") {
  Workspace w;
  auto before = w.run({"graph", "--db", "v.db"});
  CHECK(before.exit_code == 0);
  CHECK(before.out ==
        "digraph vigil {\n  rankdir=LR;\n  node [fontname=\"Helvetica\", style=filled, fillcolor=white];\n"
        "  edge [fontname=\"Helvetica\", fontsize=9, color=\"#555555\"];\n"
        "  \"S1\" [label=\"S1\\nPayments\", shape=box];\n"
        "  \"V1\" [label=\"V1\\nAcme\", shape=ellipse];\n"
        "  \"V2\" [label=\"V2\\nBeta, Inc\", shape=ellipse];\n"
        "  \"V3\" [label=\"V3\\nGamma\", shape=ellipse];\n"
        "  \"S1\" -> \"V1\" [label=\"depends_on\"];\n"
        "}\n");
  w.evaluate({});
  auto after = w.run({"graph", "--db", "v.db", "--format", "dot"});
  CHECK(after.out.find("\"V1\" [label=\"V1\\nAcme\", shape=ellipse, fillcolor=\"#f77f00\", fontcolor=\"black\", "
                       "tooltip=\"highest finding: high\"];") != std::string::npos);
  CHECK(after.out.find("\"V3\" [label=\"V3\\nGamma\", shape=ellipse, fillcolor=\"#a8dadc\"") != std::string::npos);
}

TEST_CASE("graph: --focus shows the neighbourhood within --depth hops", "[cli]") {
  Workspace w;
  auto focus = w.run({"graph", "--db", "v.db", "--focus", "V1", "--depth", "1"});
  CHECK(focus.exit_code == 0);
  CHECK(focus.out.find("\"V1\" [label=\"V1\\nAcme\", shape=ellipse, penwidth=3];") != std::string::npos);
  CHECK(focus.out.find("\"S1\" -> \"V1\"") != std::string::npos);
  CHECK(focus.out.find("\"V2\"") == std::string::npos);
  auto alone = w.run({"graph", "--db", "v.db", "--focus", "V2"});
  CHECK(alone.out.find("\"V1\"") == std::string::npos);
  CHECK(w.run({"graph", "--db", "v.db", "--focus", "V404"}).err == "vigil graph: --focus: no entity has the id 'V404'\n");
  CHECK(w.run({"graph", "--db", "v.db", "--format", "svg"}).exit_code == 2);
  CHECK(w.run({"graph", "--db", "v.db", "--depth", "-1"}).exit_code == 2);
  CHECK(w.run({"graph", "--db", "v.db", "--depth", "two"}).err.find("--depth: 'two' is not a number of hops") !=
        std::string::npos);
  CHECK(w.run({"graph"}).err.find("missing required option '--db'") != std::string::npos);
}

TEST_CASE("explain: why a rule fires or not, with every value", "[cli]") {
  Workspace w;
  auto fires = w.run({"explain", "--db", "v.db", "--rules", "rules", "IRP-001", "V1", "--as-of", "2026-06-30"});
  CHECK(fires.exit_code == 0);
  CHECK(fires.out.rfind("IRP-001 \"Untested plan\" for vendor V1 (Acme), as of 2026-06-30\nFIRES: Acme untested\n\n"
                        "    2 | rule IRP-001 \"Untested plan\" {\n", 0) == 0);
  CHECK(fires.out.find("\nvalues:\n") != std::string::npos);
  CHECK(fires.out.find("  v.tier                                                    \"critical\"\n") != std::string::npos);
  CHECK(fires.out.find("  important                                                 [\"critical\",\"high\"]\n") != std::string::npos);
  CHECK(fires.out.find("  today - 1y                                                \"2025-06-30\"\n") != std::string::npos);

  auto low = w.run({"explain", "--db", "v.db", "--rules", "rules", "IRP-001", "V3", "--as-of", "2026-06-30"});
  CHECK(low.out.find("DOES NOT FIRE: `v.tier in important` is false\n") != std::string::npos);
  w.dir.write("m.vigil", "rule M {\n  severity low\n  for vendor v\n  let unused = v.name\n  when v.tested < today\n  message \"m\"\n}\n");
  auto missing = w.run({"explain", "--db", "v.db", "--rules", "m.vigil", "M", "V2"});
  CHECK(missing.out.find("DOES NOT FIRE: the condition is missing (unknown), because of missing values: v.tested\n") !=
        std::string::npos);
  CHECK(missing.out.find("  let unused                                                not evaluated: the decision did not need it\n") !=
        std::string::npos);
  auto portfolio = w.run({"explain", "--db", "v.db", "--rules", "rules", "PORT-1", "portfolio"});
  CHECK(portfolio.out.find("PORT-1 for the portfolio, as of ") == 0);
  CHECK(portfolio.out.find("FIRES: 3 vendors") != std::string::npos);
  auto aggregate = w.run({"explain", "--db", "v.db", "--rules", "rules", "PORT-1", "-"});
  CHECK(aggregate.exit_code == 0);
}

TEST_CASE("explain: the elements that decided an aggregate", "[cli]") {
  Workspace w;
  w.dir.write("agg.vigil", R"(rule AGG {
  severity low
  for portfolio
  let counted = count(v in entities("vendor") where v.tier != "low")
  let oldest = min(v.tested for v in entities("vendor"))
  let untested = any(v in entities("vendor") where missing(v.tested))
  let all_named = all(v in entities("vendor") where v.name != "Gamma")
  let nobody = count(v in entities("vendor") where v.tier == "medium")
  when counted + nobody > 1 and untested and not all_named and oldest < today
  message "m"
}
)");
  auto out = w.run({"explain", "--db", "v.db", "--rules", "agg.vigil", "AGG", "-", "--as-of", "2026-06-30"}).out;
  std::string pad(56 + 4, ' ');
  CHECK(out.find("\n" + pad + "  counted (2): V1, V2\n") != std::string::npos);
  CHECK(out.find("\n" + pad + "  the smallest (1): V1: \"2024-01-01\"\n") != std::string::npos);
  CHECK(out.find("\n" + pad + "  true because of (1): V2\n") != std::string::npos);
  CHECK(out.find("\n" + pad + "  false because of (1): V3\n") != std::string::npos);
  CHECK(out.find("\n" + pad + "  none passed `where`\n") != std::string::npos);
}

TEST_CASE("explain: one element of a `for each` rule, named as its findings name it", "[cli]") {
  Workspace w;
  w.dir.write("each.vigil", R"(rule EACH {
  severity low
  for each tier in list(v.tier for v in entities("vendor"))
  let n = count(v in entities("vendor") where v.tier == tier)
  when n >= 1 and tier != "low"
  message "{n} {tier}"
}
)");
  auto fires = w.run({"explain", "--db", "v.db", "--rules", "each.vigil", "EACH", "high", "--as-of", "2026-06-30"});
  CHECK(fires.exit_code == 0);
  CHECK(fires.out.rfind("EACH for tier high, as of 2026-06-30\nFIRES: 1 high\n\n", 0) == 0);
  CHECK(fires.out.find("  counted (1): V2\n") != std::string::npos);
  auto low = w.run({"explain", "--db", "v.db", "--rules", "each.vigil", "EACH", "low"});
  CHECK(low.out.find("DOES NOT FIRE: `tier != \"low\"` is false\n") != std::string::npos);
  auto unknown = w.run({"explain", "--db", "v.db", "--rules", "each.vigil", "EACH", "hihg"});
  CHECK(unknown.exit_code == 2);
  CHECK(unknown.err == "vigil explain: rule EACH goes over each value of its list; 'hihg' is not one of them (did you mean `high`?)\n");
}

TEST_CASE("explain: bad rule ids, entities and arguments", "[cli]") {
  Workspace w;
  CHECK(w.run({"explain", "--db", "v.db", "--rules", "rules", "IRP-01", "V1"}).err ==
        "vigil explain: no rule 'IRP-01' in the given rules (did you mean `IRP-001`?)\n");
  CHECK(w.run({"explain", "--db", "v.db", "--rules", "rules", "IRP-001", "V9"}).err == "vigil explain: no entity has the id 'V9'\n");
  CHECK(w.run({"explain", "--db", "v.db", "--rules", "rules", "IRP-001", "S1"}).err ==
        "vigil explain: rule IRP-001 is for vendor entities, but S1 is a service\n");
  CHECK(w.run({"explain", "--db", "v.db", "--rules", "rules", "PORT-1", "V1"}).err ==
        "vigil explain: rule PORT-1 is a portfolio rule: give 'portfolio' (or '-') as the entity\n");
  CHECK(w.run({"explain", "--db", "v.db", "--rules", "rules", "IRP-001"}).exit_code == 2);
  CHECK(w.run({"explain", "IRP-001", "V1", "--db", "v.db"}).err.find("missing required option '--rules'") != std::string::npos);
  CHECK(w.run({"explain", "IRP-001", "V1", "--db", "v.db", "--rules", "rules"}).exit_code == 0);
}

TEST_CASE("test: the standard pack's rule tests pass", "[cli]") {
  auto result = run_vigil({"test", vigil::test::source_dir() + "/rules/tests"});
  CHECK(result.exit_code == 0);
  CHECK(result.out.find("  ok    IRP-001 fires for an important vendor tested more than a year ago\n") != std::string::npos);
  CHECK(result.out.substr(result.out.rfind('\n', result.out.size() - 2) + 1) == "56 passed, 0 failed\n");
}

TEST_CASE("test: failures show expected and actual findings; bad files exit 2", "[cli]") {
  Workspace w;
  w.dir.write("t/low.test.json", R"({
  "rules": ["../rules/more/low.vigil"],
  "as_of": "2026-06-30",
  "cases": [
    {"name": "a low vendor fires", "entities": [{"id": "V1", "kind": "vendor", "attributes": {"tier": "low", "name": "A"}}],
     "expect": [{"rule": "LOW-1", "entity": "V1", "message": "A is low"}]},
    {"name": "a wrong expectation",
     "entities": [{"id": "V1", "kind": "vendor", "attributes": {"tier": "low", "name": "A"}}],
     "expect": [{"rule": "LOW-1", "entity": "V2"}]},
    {"name": "a bad portfolio", "entities": [{"id": "V1"}], "expect": []}
  ]
})");
  auto result = w.run({"test", "t"});
  CHECK(result.exit_code == 1);
  CHECK(result.out ==
        "t/low.test.json\n"
        "  ok    a low vendor fires\n"
        "  FAIL  a wrong expectation\n"
        "        expected:\n            LOW-1 V2\n"
        "        actual:  \n            LOW-1 V1\n"
        "  FAIL  a bad portfolio\n"
        "        t/low.test.json (case \"a bad portfolio\"):3: an entity has no \"kind\"\n"
        "        expected: (no findings)\n"
        "        actual:   (no findings)\n"
        "1 passed, 2 failed\n");
  w.dir.write("bad.test.json", "{\"rules\": [\"rules\"], \"as_of\": \"soon\", \"cases\": []}");
  CHECK(w.run({"test", "bad.test.json"}).err == "vigil test: bad.test.json: \"as_of\" must be a date (YYYY-MM-DD)\n");
  w.dir.write("broken.test.json", "{\"rules\": [");
  CHECK(w.run({"test", "broken.test.json"}).exit_code == 2);
  CHECK(w.run({"test", "nothing"}).err == "vigil test: nothing: no such file or directory\n");
  CHECK(w.run({"test"}).exit_code == 2);
}
