// Risk acceptance and truthful history (CONTRACT sections 6, 7 and 10):
// waivers at import, accepted findings in every output, every diff category
// across stored runs, a waiver expiring between runs, runs of a subset of the rules.
#include <catch2/catch.hpp>

#include <nlohmann/json.hpp>

#include "test_support.hpp"

using vigil::test::run_vigil;
using vigil::test::TempDir;

namespace {

constexpr const char* kWaiverHeader = "rule,entity,owner,reason,expires,approved_by,ticket\n";

// Two rule files (tags main and other) over vendors whose facts and waivers change between imports.
struct Nightly {
  TempDir dir;
  Nightly() {
    dir.write("rules/bad.vigil", "rule BAD \"Bad vendor\" {\n  severity high\n  tags [\"main\"]\n  for vendor v\n"
                                 "  when v.bad\n  message \"{v.id} is bad ({v.note})\"\n}\n");
    dir.write("rules/other.vigil", "rule OTH {\n  severity low\n  tags [\"other\"]\n  for vendor v\n  when v.bad\n"
                                   "  message \"{v.id}\"\n}\n");
  }
  void facts(const std::string& vendors, const std::string& waivers) {
    dir.write("p/entities/vendor.csv", "id,bad:bool,note,risk_owner\n" + vendors);
    dir.write("p/waivers.csv", kWaiverHeader + waivers);
    auto imported = run_vigil({"import", "p", "--db", "v.db", "-q"}, dir.path);
    REQUIRE(imported.err == "");
    REQUIRE(imported.exit_code == 0);
  }
  vigil::test::CommandResult run(const std::string& as_of, std::vector<std::string> extra = {}) {
    std::vector<std::string> args{"run", "--db", "v.db", "--rules", "rules", "--as-of", as_of, "--format", "json"};
    args.insert(args.end(), extra.begin(), extra.end());
    return run_vigil(args, dir.path);
  }
  nlohmann::json diff() { return nlohmann::json::parse(run_vigil({"diff", "--db", "v.db", "--format", "json"}, dir.path).out); }
};

// "BAD:A OTH:B" for a list of findings.
std::string ids(const nlohmann::json& findings) {
  std::string out;
  for (const auto& f : findings) out += (out.empty() ? "" : " ") + f["rule"].get<std::string>() + ":" + f["entity"].get<std::string>();
  return out;
}

std::string summary(const vigil::test::CommandResult& result) {
  auto at = result.err.find("info: run");
  return at == std::string::npos ? result.err : result.err.substr(at, result.err.find(" errors in", at) - at);
}

}  // namespace

TEST_CASE("diff: every category across three stored runs, and a waiver expiring between two", "[waivers]") {
  Nightly n;
  n.facts("A,yes,n1,Ann\nB,yes,n1,Bob\nC,yes,n1,\nD,no,n1,\nE,no,n1,\n", "BAD,B,Bob,vendor replaced in Q1,2026-01-15,CRO,T-1\n");
  auto first = n.run("2026-01-01", {"--fail-on", "high"});
  CHECK(first.exit_code == 1);
  CHECK(summary(first) == "info: run 1: 5 findings (2 high, 3 low), 1 accepted, 5 new, 0 resolved, 0");
  auto findings = nlohmann::json::parse(first.out);
  REQUIRE(findings.size() == 6);
  auto line = [&](std::size_t i) {  // the i-th finding as printed, keys in the contract's order
    std::size_t at = 0;
    for (std::size_t k = 0; k <= i; ++k) at = first.out.find("\n  {", at) + 3;
    return first.out.substr(at, first.out.find('\n', at) - at);
  };
  CHECK(line(0) ==
        R"j({"rule":"BAD","entity":"A","kind":"vendor","severity":"high","message":"A is bad (n1)","status":"open",)j"
        R"j("title":"Bad vendor","tags":["main"],"owner":"Ann","evidence":{"facts":{"A":{"bad":true,"note":"n1"}}}},)j");
  CHECK(line(1) ==
        R"j({"rule":"BAD","entity":"B","kind":"vendor","severity":"high","message":"B is bad (n1)","status":"accepted",)j"
        R"j("title":"Bad vendor","tags":["main"],"owner":"Bob","waiver":{"owner":"Bob","reason":"vendor replaced in Q1",)j"
        R"j("expires":"2026-01-15","approved_by":"CRO","ticket":"T-1"},"evidence":{"facts":{"B":{"bad":true,"note":"n1"}}}},)j");
  CHECK(findings[2]["owner"].is_null());

  n.facts("A,yes,n2,Ann\nB,yes,n1,Bob\nC,no,n1,\nD,yes,n1,\nE,yes,n1,\n",
          "BAD,B,Bob,vendor replaced in Q1,2026-01-15,,\nBAD,E,Eve,compensating control,2026-12-31,,\nOTH,*,Olga,all accepted,2026-12-31,,\n");
  auto second = n.run("2026-01-10", {"--fail-on", "low"});
  CHECK(second.exit_code == 1);  // BAD:A and BAD:D are open
  CHECK(summary(second) == "info: run 2: 2 findings (2 high), 6 accepted, 1 new, 2 resolved, 0");
  auto d12 = n.diff();
  CHECK(d12["from_run"] == 1);
  CHECK(d12["to_run"] == 2);
  CHECK(ids(d12["new"]) == "BAD:D");
  CHECK(ids(d12["resolved"]) == "BAD:C OTH:C");
  CHECK(ids(d12["changed"]) == "BAD:A");
  CHECK(d12["changed"][0]["before"] == nlohmann::json{{"severity", "high"}, {"message", "A is bad (n1)"}});
  CHECK(d12["changed"][0]["message"] == "A is bad (n2)");
  CHECK(ids(d12["accepted"]) == "BAD:E OTH:A OTH:B OTH:D OTH:E");
  CHECK(ids(d12["reopened"]) == "");
  CHECK(ids(d12["still_open"]) == "");
  CHECK(ids(d12["still_accepted"]) == "BAD:B");
  CHECK(ids(d12["not_compared"]) == "");

  auto third = n.run("2026-01-20");  // B's waiver expired on the 15th
  CHECK(summary(third) == "info: run 3: 3 findings (3 high), 5 accepted, 0 new, 0 resolved, 0");
  auto reopened = nlohmann::json::parse(third.out)[1];
  CHECK(reopened["status"] == "open");
  CHECK(reopened["evidence"]["waiver_expired"] == "2026-01-15");
  CHECK_FALSE(reopened.contains("waiver"));
  auto d23 = n.diff();
  CHECK(ids(d23["reopened"]) == "BAD:B");
  CHECK(ids(d23["still_open"]) == "BAD:A BAD:D");
  CHECK(ids(d23["still_accepted"]) == "BAD:E OTH:A OTH:B OTH:D OTH:E");
  for (auto* empty : {"new", "resolved", "changed", "accepted", "not_compared"}) CHECK(d23[empty].empty());
}

TEST_CASE("a run of a subset of the rules resolves nothing of the others", "[waivers]") {
  Nightly n;
  n.facts("A,yes,n1,\nB,no,n1,\n", "");
  n.run("2026-01-01");
  auto subset = n.run("2026-01-02", {"--tag", "main"});
  CHECK(summary(subset) == "info: run 2: 1 findings (1 high), 0 accepted, 0 new, 0 resolved, 0");
  CHECK(ids(nlohmann::json::parse(subset.out)) == "BAD:A");
  auto d12 = n.diff();
  CHECK(ids(d12["resolved"]) == "");
  CHECK(ids(d12["not_compared"]) == "OTH:A");
  CHECK(ids(d12["still_open"]) == "BAD:A");
  // The full set again: OTH is compared with its last run (run 1), so nothing is new.
  CHECK(summary(n.run("2026-01-03")) == "info: run 3: 2 findings (1 high, 1 low), 0 accepted, 0 new, 0 resolved, 0");
  CHECK(ids(n.diff()["not_compared"]) == "OTH:A");
  auto table = run_vigil({"diff", "--db", "v.db", "1", "2"}, n.dir.path).out;
  CHECK(table.rfind("run 1 (2026-01-01) -> run 2 (2026-01-02): 0 new, 0 resolved, 0 changed, 0 accepted, 0 reopened, "
                    "1 still open, 0 still accepted, 1 not compared\n", 0) == 0);
  CHECK(table.find("\nNOT COMPARED (rule evaluated in one of the runs only)\n  low       OTH        A        A\n") != std::string::npos);
  // Tags: repeatable, and a tag no rule carries is an error (with a suggestion).
  CHECK(ids(nlohmann::json::parse(n.run("2026-01-04", {"--tag", "main", "--tag", "other", "--no-store"}).out)) == "BAD:A OTH:A");
  auto typo = n.run("2026-01-04", {"--tag", "mian"});
  CHECK(typo.exit_code == 2);
  CHECK(typo.err == "vigil run: --tag: no rule carries the tag 'mian' (did you mean `main`?)\n");
}

TEST_CASE("waivers: bad input names file and line and changes nothing", "[waivers]") {
  struct Case {
    const char* rows;
    const char* error;
  };
  const Case cases[] = {
      {"BAD,A,,why,2027-01-01,,\n", "p/waivers.csv:2: a waiver needs an 'owner'"},
      {"BAD,A,Ann,,2027-01-01,,\n", "p/waivers.csv:2: a waiver needs a 'reason'"},
      {"BAD,A,Ann,why,,,\n", "p/waivers.csv:2: a waiver needs a 'expires'"},
      {"BAD,A,Ann,why,31/12/2026,,\n", "p/waivers.csv:2: expires '31/12/2026' is not a date (YYYY-MM-DD)"},
      {"BAD,A,Ann,why,2026-02-30,,\n", "p/waivers.csv:2: expires '2026-02-30' is not a date (YYYY-MM-DD)"},
      {"BAD,A,Ann,why,2027-01-01,,\nBAD,A,Bob,again,2027-02-01,,\n",
       "p/waivers.csv:3: duplicate waiver for rule BAD and entity A (first at p/waivers.csv:2)"},
      {"1BAD,A,Ann,why,2027-01-01,,\n", "p/waivers.csv:2: '1BAD' is not a rule id (letters, digits, '_', '.', '-')"},
      {",A,Ann,why,2027-01-01,,\n", "p/waivers.csv:2: a waiver needs a 'rule'"},
  };
  for (const auto& c : cases) {
    INFO(c.rows);
    TempDir dir;
    dir.write("p/entities/vendor.csv", "id\nA\n");
    dir.write("p/waivers.csv", std::string(kWaiverHeader) + c.rows);
    auto result = run_vigil({"import", "p", "--db", "v.db"}, dir.path);
    CHECK(result.exit_code == 2);
    CHECK(result.err == "vigil import: " + std::string(c.error) + "\n");
    CHECK_FALSE(std::filesystem::exists(dir.path / "v.db"));
  }
  TempDir dir;
  dir.write("p/entities/vendor.csv", "id\nA\n");
  dir.write("p/waivers.csv", "rule,entity,owner,reason,expiry\nBAD,A,Ann,why,2027-01-01\n");
  CHECK(run_vigil({"import", "p", "--db", "v.db"}, dir.path).err ==
        "vigil import: p/waivers.csv:1: unknown waiver field 'expiry' (did you mean `expires`?) (a waiver has rule, "
        "entity, owner, reason, expires and optionally approved_by, ticket)\n");
  dir.write("p.json", R"j({"entities": [{"id": "A", "kind": "vendor"}],
  "waivers": [
    {"rule": "BAD", "entity": "A", "owner": "Ann", "reason": "why", "expires": 20270101}
  ]})j");
  CHECK(run_vigil({"import", "p.json", "--db", "v.db"}, dir.path).err ==
        "vigil import: p.json:3: waiver field \"expires\" must be a string\n");
}

TEST_CASE("waivers: unknown rules and entities are warnings at import, check --db and run", "[waivers]") {
  Nightly n;
  n.facts("A,yes,n1,\n", "");
  n.dir.write("p/waivers.csv", std::string(kWaiverHeader) + "BDA,A,Ann,why,2027-01-01,,\nBAD,Z9,Ann,why,2027-01-01,,\n");
  auto imported = run_vigil({"import", "p", "--db", "v.db"}, n.dir.path);
  CHECK(imported.exit_code == 0);
  const std::string entity_warning = "p/waivers.csv:3: waiver for rule BAD names entity 'Z9', which the portfolio does not have";
  CHECK(imported.err == "warning: " + entity_warning + "\ninfo: imported 1 entities (1 vendor), 0 edges and 2 waivers into v.db\n");
  auto checked = run_vigil({"check", "rules", "--db", "v.db"}, n.dir.path);
  CHECK(checked.exit_code == 0);
  CHECK(checked.err == "warning: p/waivers.csv:2: waiver names rule BDA, which is not loaded (did you mean `BAD`?)\n"
                       "warning: " + entity_warning + "\n");
  auto ran = n.run("2026-01-01", {"--no-store"});
  CHECK(ran.exit_code == 0);
  CHECK(ran.err.find("warning: p/waivers.csv:2: waiver names rule BDA, which is not loaded (did you mean `BAD`?)") !=
        std::string::npos);
}

TEST_CASE("findings name their owner from a configurable attribute", "[waivers]") {
  Nightly n;
  n.facts("A,yes,n1,Ann\n", "");
  CHECK(nlohmann::json::parse(n.run("2026-01-01", {"--no-store"}).out)[0]["owner"] == "Ann");
  auto by_note = nlohmann::json::parse(n.run("2026-01-01", {"--no-store", "--owner-attribute", "note"}).out);
  CHECK(by_note[0]["owner"] == "n1");
  auto csv = run_vigil({"run", "--db", "v.db", "--rules", "rules", "--as-of", "2026-01-01", "--format", "csv", "--no-store"},
                       n.dir.path);
  CHECK(csv.out == "rule,entity,kind,severity,message,status,title,owner\r\nBAD,A,vendor,high,A is bad (n1),open,Bad vendor,Ann\r\n"
                   "OTH,A,vendor,low,A,open,,Ann\r\n");
}
