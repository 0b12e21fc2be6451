// The embedding API, through <vigil/vigil.hpp> only.
#include <catch2/catch.hpp>

#include <vigil/vigil.hpp>

#include "test_support.hpp"

namespace {

const char* kRules = R"(let important = ["critical", "high"]
rule IRP-001 "Untested plan" {
  severity high
  for vendor v
  when v.tier in important and (missing(v.tested) or v.tested < today - 1y)
  message "{v.name} untested"
}
rule CONC {
  severity medium
  for vendor v
  when count(s in dependents*(v) where s.kind == "service") >= 2
  message "{v.name} is relied on"
}
)";

void build(vigil::Engine& engine) {
  engine.add_rules("api.vigil", kRules);
  engine.add_entity("V1", "vendor");
  engine.set_string("V1", "name", "Acme");
  engine.set_string("V1", "tier", "critical");
  engine.set_date("V1", "tested", "2024-01-01");
  engine.add_entity("V2", "vendor");
  engine.set_string("V2", "name", "Beta");
  engine.set_string("V2", "tier", "low");
  engine.set_number("V2", "spend", 10);
  engine.set_bool("V2", "active", true);
  engine.add_entity("S1", "service");
  engine.add_entity("S2", "service");
  engine.add_edge("S1", "V2", "depends_on");
  engine.add_edge("S2", "V2", "depends_on");
}

}  // namespace

TEST_CASE("Engine: a portfolio built through the API, evaluated whole and per entity", "[api]") {
  vigil::Engine engine;
  build(engine);
  CHECK(engine.entity_count() == 4);
  CHECK(engine.rule_count() == 2);
  auto all = engine.evaluate("2026-06-30");
  REQUIRE(all.findings.size() == 2);
  CHECK(all.findings[0].rule == "CONC");
  CHECK(all.findings[0].entity == "V2");
  CHECK(all.findings[0].severity == vigil::Severity::medium);
  CHECK(all.findings[1].message == "Acme untested");
  CHECK(all.findings[1].evidence_json == R"({"facts":{"V1":{"name":"Acme","tested":"2024-01-01","tier":"critical"}}})");
  auto one = engine.evaluate_entity("V1", "2026-06-30");
  REQUIRE(one.findings.size() == 1);
  CHECK(one.findings[0].rule == "IRP-001");
  CHECK(engine.evaluate_entity("V1", "2024-06-30").findings.empty());
  CHECK(engine.evaluate_entity("S1", "2026-06-30").findings.empty());
}

TEST_CASE("Engine: errors carry the same diagnostics as the command line", "[api]") {
  vigil::Engine engine;
  engine.add_rules("bad.vigil", "rule A {\n  severity high\n  for vendor v\n  when v.tier = \"x\"\n  message \"m\"\n}\n");
  try {
    engine.evaluate();
    FAIL("expected a RuleError");
  } catch (const vigil::RuleError& error) {
    REQUIRE(error.diagnostics().size() == 1);
    CHECK(error.diagnostics()[0].location() == "bad.vigil:4:15");
    CHECK(std::string(error.what()) ==
          "bad.vigil:4:15: error: expected '==' to compare values but found '='\n  when v.tier = \"x\"\n              ^\n");
  }
  vigil::Engine other;
  other.add_rules("r.vigil", kRules);
  CHECK_THROWS_WITH(other.evaluate_entity("V9"), "no entity has the id 'V9'");
  CHECK_THROWS_WITH(other.evaluate("2026-02-30"), "invalid date '2026-02-30': day 30 does not exist in that month");
  CHECK_THROWS_WITH(other.set_string("V9", "name", "x"), "no entity has the id 'V9'");
  other.add_entity("V1", "vendor");
  CHECK_THROWS_AS(other.add_entity("V1", "vendor"), vigil::Error);
  other.set_number("V1", "spend", 1);
  CHECK_THROWS_WITH(other.set_string("V1", "spend", "lots"), "attribute 'spend' of V1 must be a number but was given a string");
  CHECK_THROWS_AS(other.load_database("/nonexistent/x.db"), vigil::Error);
}

TEST_CASE("Engine: rules from files, facts from a database, warnings from check()", "[api]") {
  vigil::test::TempDir dir;
  auto db = (dir.path / "v.db").string();
  REQUIRE(vigil::test::run_vigil({"import", vigil::test::source_dir() + "/samples/portfolio", "--db", db, "-q"}).exit_code == 0);
  vigil::Engine engine;
  engine.load_database(db);
  engine.add_rules_from(vigil::test::source_dir() + "/rules");
  CHECK(engine.check().empty());
  CHECK(engine.evaluate("2026-11-01").findings.size() == 38);
  auto v1 = engine.evaluate_entity("V001", "2026-11-01");
  REQUIRE(v1.findings.size() == 2);
  CHECK(v1.findings[0].rule == "CONC-001");
  CHECK(v1.findings[1].rule == "SPEND-001");
  engine.add_rules("typo.vigil", "rule T {\n  severity low\n  for vendor v\n  when v.tierr == \"x\"\n  message \"m\"\n}\n");
  auto warnings = engine.check();
  REQUIRE(warnings.size() == 1);
  CHECK(warnings[0].message == "no entity of kind 'vendor' has an attribute 'tierr' (did you mean `tier`?)");
}

TEST_CASE("Engine: waivers, owners, titles and tags, as in the command's outputs", "[api]") {
  vigil::Engine engine;
  build(engine);
  engine.set_string("V1", "risk_owner", "CISO");
  engine.add_waiver({"IRP-001", "V1", "CRO", "plan being tested", "2026-07-31", "", "", ""});
  auto accepted = engine.evaluate("2026-06-30").findings.at(1);  // CONC V2, then IRP-001 V1
  CHECK(accepted.rule == "IRP-001");
  CHECK(accepted.status == vigil::FindingStatus::accepted);
  CHECK(accepted.waiver->owner == "CRO");
  CHECK(accepted.title == "Untested plan");
  CHECK(*accepted.owner == "CISO");
  auto expired = engine.evaluate("2026-08-01").findings.at(1);
  CHECK(expired.status == vigil::FindingStatus::open);
  CHECK(expired.evidence_json.find(R"("waiver_expired":"2026-07-31")") != std::string::npos);
  CHECK(engine.evaluate_entity("V2", "2026-06-30").findings.at(0).tags.empty());
  engine.set_owner_attribute("name");
  CHECK(*engine.evaluate("2026-06-30").findings.at(1).owner == "Acme");
  CHECK_THROWS_AS(engine.add_waiver({"IRP-001", "V1", "CRO", "why", "2026-02-30", "", "", ""}), vigil::Error);
  CHECK_THROWS_AS(engine.add_waiver({"IRP-001", "V1", "", "why", "2026-12-31", "", "", ""}), vigil::Error);
}

TEST_CASE("Engine: rules replaced in place, all or nothing", "[api]") {
  vigil::Engine engine;
  build(engine);
  engine.replace_rules({{"one.vigil", "rule ONE {\n  severity low\n  for vendor v\n  when v.tier == \"low\"\n  message \"{v.name}\"\n}\n"}});
  CHECK(engine.rule_count() == 1);
  auto result = engine.evaluate("2026-06-30");
  REQUIRE(result.findings.size() == 1);
  CHECK(result.findings[0].rule == "ONE");
  // The same id again (an edited file) is no duplicate: the old text is gone.
  engine.replace_rules({{"one.vigil", "rule ONE {\n  severity high\n  for vendor v\n  when v.tier == \"low\"\n  message \"{v.name}\"\n}\n"}});
  CHECK(engine.evaluate("2026-06-30").findings.at(0).severity == vigil::Severity::high);
  try {
    engine.replace_rules({{"bad.vigil", "rule BAD {\n  severity low\n  for vendor v\n  when v.tier ==\n  message \"m\"\n}\n"}});
    FAIL("no RuleError");
  } catch (const vigil::RuleError& error) {
    REQUIRE(error.diagnostics().size() == 1);
    CHECK(error.diagnostics()[0].location() == "bad.vigil:5:3");
  }
  CHECK(engine.rule_count() == 1);  // the old rules stay
  CHECK(engine.evaluate("2026-06-30").findings.at(0).rule == "ONE");
}

TEST_CASE("Engine: facts from portfolio JSON", "[api]") {
  vigil::Engine engine;
  engine.add_rules("api.vigil", kRules);
  engine.load_facts_json(R"({"entities": [
    {"id": "V1", "kind": "vendor", "attributes": {"name": "Acme", "tier": "critical", "tested": "2024-01-01"}},
    {"id": "S1", "kind": "service"}], "edges": [{"from": "S1", "to": "V1", "kind": "depends_on"}]})");
  CHECK(engine.entity_count() == 2);
  CHECK(engine.evaluate("2026-06-30").findings.at(0).message == "Acme untested");
  try {
    engine.load_facts_json("{\"entities\": [\n{\"id\": \"V1\", \"kind\": \"vendor\"},\n{\"id\": \"V1\", \"kind\": \"vendor\"}]}", "new.json");
    FAIL("no Error");
  } catch (const vigil::Error& error) {
    CHECK(std::string(error.what()) == "new.json:3: duplicate id 'V1' (first defined at new.json:2)");
  }
  CHECK(engine.entity_count() == 2);  // unchanged
}

TEST_CASE("Engine: evaluation with an overlay changes nothing and answers what the overlay changes", "[api]") {
  vigil::Engine engine;
  build(engine);
  // A candidate vendor relied on by two services, one of them new; V1 replaced entirely (tested recently).
  auto changes = engine.evaluate_overlay(R"({"entities": [
    {"id": "V9", "kind": "vendor", "attributes": {"name": "Candidate", "tier": "critical"}},
    {"id": "S3", "kind": "service"},
    {"id": "V1", "kind": "vendor", "attributes": {"name": "Acme", "tier": "critical", "tested": "2026-05-01"}}],
    "edges": [{"from": "S1", "to": "V9", "kind": "depends_on"}, {"from": "S3", "to": "V9", "kind": "depends_on"},
              {"from": "S1", "to": "V2", "kind": "depends_on"}]})",
                                         "2026-06-30");
  std::vector<std::string> got;
  for (const auto& f : changes.findings) got.push_back(f.rule + " " + *f.entity + ": " + f.message);
  CHECK(got == std::vector<std::string>{"CONC V9: Candidate is relied on", "IRP-001 V9: Candidate untested"});
  // The engine is unchanged: V1 still untested, no V9.
  auto after = engine.evaluate("2026-06-30");
  CHECK(after.findings.size() == 2);
  CHECK(engine.entity_count() == 4);
  CHECK_THROWS_WITH(engine.evaluate_overlay(R"({"entities": [{"id": "V1", "kind": "service"}]})"),
                    "<overlay>:1: 'V1' is a vendor in the loaded portfolio: an overlay cannot make it a service");
  CHECK_THROWS_WITH(engine.evaluate_overlay(R"({"entities": [], "edges": [{"from": "S1", "to": "V7", "kind": "x"}]})"),
                    "<overlay>:1: edge to 'V7' is not a known entity id");
  CHECK_THROWS_WITH(engine.evaluate_overlay(R"({"entities": [{"id": "V1", "kind": "vendor", "attributes": {"tested": "soon"}}]})"),
                    "<overlay>:1: attribute 'tested' holds dates in the loaded portfolio: give an ISO date (YYYY-MM-DD)");
  CHECK_THROWS_WITH(engine.evaluate_overlay(R"({"entities": [{"id": "V2", "kind": "vendor", "attributes": {"spend": "a lot"}}]})"),
                    "<overlay>:1: attribute 'spend' is a number in the loaded portfolio but a string here");
  CHECK_THROWS_WITH(engine.evaluate_overlay(R"({"entities": [{"id": "V2", "kind": "vendor", "attributes": {"active": "yes"}}]})"),
                    "<overlay>:1: attribute 'active' is a bool in the loaded portfolio but a string here");
  // A waiver for a loaded entity's finding changes its status: the finding is answered, accepted.
  auto waived = engine.evaluate_overlay(R"({"entities": [], "waivers": [{"rule": "IRP-001", "entity": "V1", "reason": "r",
                                                                           "owner": "a", "expires": "2027-01-01"}]})",
                                        "2026-06-30");
  REQUIRE(waived.findings.size() == 1);
  CHECK(waived.findings[0].rule + " " + *waived.findings[0].entity + " " + vigil::status_name(waived.findings[0].status) ==
        "IRP-001 V1 accepted");
  // A finding of another entity that the overlay removes is not reported (only additions and changes are).
  auto replaced = engine.evaluate_overlay(R"({"entities": [{"id": "V1", "kind": "vendor", "attributes": {"name": "Acme"}}]})",
                                          "2026-06-30");
  CHECK(replaced.findings.empty());  // V1 without a tier: IRP-001 no longer fires for it
}

// The engine keeps overlay copies of its portfolio and rolls each overlay
// back after it (Portfolio::Mark): whatever came before, an overlay answers
// as it does on a fresh engine, and a failed overlay leaves nothing behind.
TEST_CASE("Engine: overlays one after another answer as each does on a fresh engine", "[api]") {
  const char* overlays[] = {
      R"({"entities": [{"id": "V9", "kind": "vendor", "attributes": {"name": "Candidate", "tier": "critical", "rating": 3}},
                       {"id": "X1", "kind": "exit_plan", "attributes": {"vendor": "V9"}}],
          "edges": [{"from": "S1", "to": "V9", "kind": "depends_on"}, {"from": "V9", "to": "V2", "kind": "hosts"}]})",
      R"({"entities": [{"id": "V1", "kind": "vendor", "attributes": {"name": "Acme", "tier": "high"}},
                       {"id": "S3", "kind": "service"}],
          "edges": [{"from": "S3", "to": "V1", "kind": "depends_on"}, {"from": "S2", "to": "V1", "kind": "depends_on"}],
          "waivers": [{"rule": "IRP-001", "entity": "V1", "reason": "r", "approved_by": "a", "expires": "2027-01-01"}]})",
      R"({"entities": [{"id": "V8", "kind": "vendor", "attributes": {"name": "Late", "tier": "critical"}}],
          "edges": [{"from": "S1", "to": "NOPE", "kind": "depends_on"}]})",
      R"({"entities": [{"id": "V2", "kind": "vendor", "attributes": {"name": "Beta2", "tier": "critical"}}]})",
  };
  auto answer = [](const vigil::Engine& engine, const char* overlay) {
    std::vector<std::string> got;
    try {
      for (const auto& f : engine.evaluate_overlay(overlay, "2026-06-30").findings)
        got.push_back(f.rule + " " + f.entity.value_or("") + ": " + f.message + " " + f.evidence_json + " " + vigil::status_name(f.status));
    } catch (const vigil::Error& error) {
      got.push_back(std::string("error: ") + error.what());
    }
    return got;
  };
  vigil::Engine reused;
  build(reused);
  for (int round = 0; round < 2; ++round)
    for (const char* overlay : overlays) {
      INFO(overlay);
      vigil::Engine fresh;
      build(fresh);
      CHECK(answer(reused, overlay) == answer(fresh, overlay));
    }
  CHECK(answer(reused, overlays[2]) == std::vector<std::string>{"error: <overlay>:2: edge to 'NOPE' is not a known entity id"});
  CHECK(reused.entity_count() == 4);
  CHECK(reused.evaluate("2026-06-30").findings.size() == 2);
}

// The same through the engine's kept copies: random overlays one after
// another over the sample portfolio answer as each does on a fresh engine.
TEST_CASE("Engine: random overlays one after another answer as on a fresh engine", "[api]") {
  vigil::test::TempDir dir;
  auto db = (dir.path / "v.db").string();
  REQUIRE(vigil::test::run_vigil({"import", vigil::test::source_dir() + "/samples/portfolio", "--db", db, "-q"}).exit_code == 0);
  auto engine_on_samples = [&] {
    auto engine = std::make_unique<vigil::Engine>();
    engine->load_database(db);
    engine->add_rules_from(vigil::test::source_dir() + "/rules");
    return engine;
  };
  auto answer = [](const vigil::Engine& engine, const std::string& overlay) {
    std::vector<std::string> got;
    for (const auto& f : engine.evaluate_overlay(overlay, "2026-11-01").findings)
      got.push_back(f.rule + " " + f.entity.value_or("") + ": " + f.message + " " + f.evidence_json);
    return got;
  };
  auto reused = engine_on_samples();
  std::mt19937 random(7);
  for (int round = 0; round < 50; ++round) {
    std::string overlay = vigil::test::random_overlay(random, round);
    INFO(overlay);
    CHECK(answer(*reused, overlay) == answer(*engine_on_samples(), overlay));
  }
}
