// The DORA Register of Information (CONTRACT sections 9 and 11): the import
// of samples/dora-roi, every kind of bad register, and the DORA pack kept
// apart from the standard one.
#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>

#include "engine/facts/dora_codes.hpp"
#include "engine/facts/dora_import.hpp"
#include "engine/facts/import_error.hpp"
#include "engine/facts/value_format.hpp"
#include "test_support.hpp"

namespace vigil {
namespace {

namespace fs = std::filesystem;

std::string sample() { return test::source_dir() + "/samples/dora-roi"; }

std::string attribute(const Portfolio& p, const std::string& id, const std::string& name) {
  auto entity = p.find(id);
  if (!entity) return "(no entity " + id + ")";
  Value value = p.attribute(*entity, name);
  return std::string(type_name(value.type())) + ":" + display_value(value, p);
}

TEST_CASE("the sample register imports into entities, attributes and edges") {
  Portfolio p = read_dora_register(sample());
  std::map<std::string, std::size_t> kinds;
  for (const auto& table : p.kinds()) kinds[table.name] = table.members.size();
  CHECK(kinds == std::map<std::string, std::size_t>{{"arrangement", 9}, {"branch", 1}, {"financial_entity", 2},
                                                    {"function", 6}, {"ict_provider", 12}, {"ict_service", 9}});
  const std::string cloud = "svc:ARR-001:635400CLOUDCOEU00193:S17";
  const std::pair<std::pair<std::string, std::string>, std::string> expected[] = {
      {{"fe:529900NORDBANK000161", "is_reporter"}, "bool:true"},
      {{"fe:529900NORDBANK000161", "entity_type"}, "string:credit institution"},
      {{"fe:529900NORDBANK000161", "deleted_on"}, "missing:(missing)"},  // 9999-12-31: not deleted
      {{"fe:5299000PAYSA00000240", "hierarchy"}, "string:subsidiary"},
      {{"fn:529900NORDBANK000161:F1", "critical"}, "bool:true"},
      {{"fn:5299000PAYSA00000240:F6", "critical"}, "missing:(missing)"},  // x21, not assessed
      {{"fn:5299000PAYSA00000240:F6", "criticality_assessed"}, "bool:false"},
      {{"fn:529900NORDBANK000161:F2", "licensed_activity"}, "string:taking deposits"},
      {{cloud, "name"}, "string:cloud IaaS from CloudCo Europe Ltd (ARR-001)"},
      {{cloud, "substitutability"}, "string:highly complex"},
      {{cloud, "has_exit_plan"}, "bool:false"},
      {{cloud, "max_chain_rank"}, "number:3"},
      {{cloud, "data_countries"}, "string:IE;DE"},
      {{cloud, "data_outside_eea"}, "bool:false"},
      {{"svc:ARR-004:549300IDCHECKUS00461:S19", "assessed"}, "bool:false"},
      {{"svc:ARR-004:549300IDCHECKUS00461:S19", "data_outside_eea"}, "bool:true"},
      {{"arr:ARR-001", "open_ended"}, "bool:true"},
      {{"arr:ARR-001", "end_date"}, "missing:(missing)"},
      {{"arr:ARR-008", "termination_reason"}, "string:expired, not renewed"},
      {{"arr:ARR-009", "end_date"}, "date:2026-06-30"},
      {{"prov:969500CARDTECH001023", "lei_valid"}, "bool:false"},
      {{"prov:SE556677889901", "lei"}, "string:549300BACKUPVLT01231"},  // the LEI as the additional code
      {{"prov:SE556677889901", "lei_valid"}, "bool:true"},
      {{"prov:506700POWERGRID00889", "eea"}, "bool:false"},
      {{"prov:506700POWERGRID00889", "direct"}, "bool:false"},
      {{"prov:635400CLOUDCOEU00193", "direct"}, "bool:true"},
  };
  for (const auto& [where, value] : expected) {
    INFO(where.first << "." << where.second);
    CHECK(attribute(p, where.first, where.second) == value);
  }
  std::vector<std::string> subcontracting;
  for (const auto& edge : p.edges())
    if (p.edge_kinds()[edge.kind] == "subcontracts")
      subcontracting.push_back(p.id(edge.from) + " > " + p.id(edge.to) + " " + std::string(p.edge_attributes(edge)));
  CHECK(subcontracting == std::vector<std::string>{
                              "prov:635400CLOUDCOEU00193 > prov:391200DCSERVICE00748 {\"rank\":2.0,\"arrangement\":\"ARR-001\",\"service_type\":\"cloud IaaS\"}",
                              "prov:391200DCSERVICE00748 > prov:506700POWERGRID00889 {\"rank\":3.0,\"arrangement\":\"ARR-001\",\"service_type\":\"cloud IaaS\"}",
                              "prov:724500PAYRAIL0000369 > prov:549300SECMSG00000994 {\"rank\":2.0,\"arrangement\":\"ARR-003\",\"service_type\":\"cloud SaaS\"}"});
}

// The sample register with one template's text replaced, imported; the error with the directory removed.
std::string register_error(const std::string& template_name, const std::string& text) {
  test::TempDir dir;
  for (const auto& entry : fs::directory_iterator(sample())) fs::copy(entry.path(), dir.path / entry.path().filename());
  if (text.empty()) fs::remove(dir.path / (template_name + ".csv"));
  else dir.write(template_name + ".csv", text);
  try {
    read_dora_register(dir.path.string());
    return "";
  } catch (const ImportError& error) {
    std::string message = error.what(), prefix = dir.path.string() + "/";
    if (message.rfind(prefix, 0) == 0) message.erase(0, prefix.size());
    if (message.rfind(dir.path.string(), 0) == 0) message.replace(0, dir.path.string().size(), "<dir>");
    return message;
  }
}

TEST_CASE("a bad register is refused at its file and line") {
  const std::string reporter = "c0010,c0020,c0030,c0040,c0050,c0060\n";
  const std::string lei = "529900NORDBANK000161";
  CHECK(register_error("b_01.01", "") ==
        "<dir>: no b_01.01.csv: a register holds the ESA templates b_01.01.csv ... b_07.01.csv (see docs/dora.md)");
  CHECK(register_error("b_01.01", reporter + lei + ",Nordbank AG,eba_GA:DE,eba_CT:x12,BaFin\n") ==
        "b_01.01.csv:2: row has 5 fields but the header has 6");
  CHECK(register_error("b_01.01", reporter + lei + ",Nordbank AG,eba_GA:DE,eba_CT:x999,BaFin,2025-12-31\n") ==
        "b_01.01.csv:2: c0040: 'eba_CT:x999' is not a code of the EBA list of entity type");
  CHECK(register_error("b_01.01", reporter + lei + ",Nordbank AG,DEU,eba_CT:x12,BaFin,2025-12-31\n") ==
        "b_01.01.csv:2: c0030: 'DEU' is not a code of the EBA list of country");
  CHECK(register_error("b_01.01", reporter + ",Nordbank AG,eba_GA:DE,eba_CT:x12,BaFin,2025-12-31\n") ==
        "b_01.01.csv:2: c0010 is a key and may not be empty");
  CHECK(register_error("b_01.01", "LEI,name\n" + lei + ",x\n") == "b_01.01.csv:1: 'LEI' is not an EBA column code (c0010, c0020, ...)");
  CHECK(register_error("b_01.01", reporter + lei + ",Nordbank AG,eba_GA:DE,eba_CT:x12,BaFin,31/12/2025\n") ==
        "b_01.01.csv:2: c0060: '31/12/2025' is not a date (YYYY-MM-DD)");
  CHECK(register_error("b_02.01", "c0010,c0020,c0030,c0040,c0050\nARR-001,eba_CO:x1,,eba_CU:EUR,1\nARR-001,eba_CO:x1,,eba_CU:EUR,1\n") ==
        "b_02.01.csv:3: duplicate key: arr:ARR-001 is already in the register");
  CHECK(register_error("b_02.01", "c0010,c0020,c0030,c0040,c0050\nARR-001,eba_CO:x3,ARR-999,eba_CU:EUR,1\n") ==
        "b_02.01.csv:2: c0030: arr:ARR-999 is not in the register (no row defines it)");
  CHECK(register_error("b_03.02", "c0010,c0020,c0030\nARR-001,NOSUCHPROVIDER,eba_qCO:qx2000\n") ==
        "b_03.02.csv:2: c0020: prov:NOSUCHPROVIDER is not in the register (no row defines it)");
  CHECK(register_error("b_05.02", "c0010,c0020,c0030,c0040,c0050,c0060,c0070\nARR-001,eba_TA:S17,635400CLOUDCOEU00193,eba_qCO:qx2000,two,,\n") ==
        "b_05.02.csv:2: c0050: 'two' is not a number");
  CHECK(register_error("b_05.02", "c0010,c0020,c0030,c0040,c0050,c0060,c0070\nARR-001,eba_TA:S17,635400CLOUDCOEU00193,eba_qCO:qx2000,1.5,,\n") ==
        "b_05.02.csv:2: c0050: rank '1.5' is not a whole number from 1");
  CHECK(register_error("b_07.01", "c0010,c0020,c0040\nARR-005,969500HRCLOUDFR00576,eba_TA:S99\n") ==
        "b_07.01.csv:2: c0040: 'eba_TA:S99' is not a code of the EBA list of ICT service type");
  CHECK(register_error("b_06.01", "c0010,c0030\nF1,Payments\n") == "b_06.01.csv:1: no column c0040 in the header");
}

TEST_CASE("code lists and identifiers") {
  CHECK(dora::decode(dora::List::substitutability, "eba_ZZ:x959") == "not substitutable");
  CHECK(dora::decode(dora::List::country, "eba_GA:qx2007") == std::nullopt);
  CHECK(dora::decode(dora::List::country, "eba_GA:x28") == "other");
  CHECK(dora::decode(dora::List::alternatives, "eba_ZZ:x23") == "yes");
  CHECK(dora::decode(dora::List::alternatives, "eba_BT:x28") == "yes");
  CHECK_THROWS_WITH(dora::decode(dora::List::reliance, "FE_1"), "'FE_1' is not a code of the EBA list of reliance");
  CHECK(dora::valid_lei("529900NORDBANK000161"));
  CHECK_FALSE(dora::valid_lei("529900NORDBANK000162"));
  CHECK_FALSE(dora::valid_lei("529900nordbank000161"));
  CHECK_FALSE(dora::valid_lei("529900NORDBANK00016"));
  CHECK(dora::in_eea("NO"));
  CHECK_FALSE(dora::in_eea("GB"));
}

TEST_CASE("vigil import --from dora-roi, and the DORA pack fires on the sample") {
  test::TempDir dir;
  auto imported = test::run_vigil({"import", "--from", "dora-roi", sample(), "--db", "d.db"}, dir.path);
  REQUIRE(imported.exit_code == 0);
  CHECK(imported.err.find("imported 39 entities (2 financial_entity, 1 branch, 6 function, 9 arrangement, 9 ict_service, "
                          "12 ict_provider), 59 edges") != std::string::npos);
  auto checked = test::run_vigil({"check", test::source_dir() + "/rules/dora", "--db", "d.db"}, dir.path);
  CHECK(checked.exit_code == 0);
  CHECK(checked.err.find("warning") == std::string::npos);
  auto run = test::run_vigil({"run", "--db", "d.db", "--rules", test::source_dir() + "/rules/dora", "--as-of", "2026-11-01",
                              "--format", "csv", "--no-store"},
                             dir.path);
  CHECK(run.exit_code == 0);
  std::map<std::string, int> fired;
  std::istringstream lines(run.out);
  for (std::string line; std::getline(lines, line);)
    if (line.rfind("DORA-", 0) == 0) ++fired[line.substr(0, line.find(','))];
  CHECK(fired == std::map<std::string, int>{{"DORA-001", 1}, {"DORA-002", 2}, {"DORA-003", 1}, {"DORA-004", 3},
                                            {"DORA-005", 2}, {"DORA-006", 1}, {"DORA-007", 1}});
  auto tests = test::run_vigil({"test", test::source_dir() + "/rules/dora/tests"});
  CHECK(tests.exit_code == 0);
  CHECK(tests.out.substr(tests.out.rfind('\n', tests.out.size() - 2) + 1) == "15 passed, 0 failed\n");
  CHECK(test::run_vigil({"fmt", "--check", test::source_dir() + "/rules/dora"}).exit_code == 0);
  auto wrong = test::run_vigil({"import", "--from", "dora", sample(), "--db", "e.db"}, dir.path);
  CHECK(wrong.exit_code == 2);
  CHECK(wrong.err.find("--from 'dora': use dora-roi (or leave it out for Vigil's own forms)") != std::string::npos);
  auto mixed = test::run_vigil({"import", "--from", "dora-roi", sample(), "--db", "e.db", "--delimiter", ";"}, dir.path);
  CHECK(mixed.exit_code == 2);
  CHECK_FALSE(fs::exists(dir.path / "e.db"));
}

TEST_CASE("the DORA pack lives apart: --rules rules reads neither its rules nor its tests") {
  test::TempDir dir;
  REQUIRE(test::run_vigil({"import", test::source_dir() + "/samples/portfolio", "--db", "s.db"}, dir.path).exit_code == 0);
  auto checked = test::run_vigil({"check", test::source_dir() + "/rules", "--db", "s.db"}, dir.path);
  CHECK(checked.exit_code == 0);
  CHECK(checked.err.find("DORA") == std::string::npos);
  CHECK(checked.err.find("ict_") == std::string::npos);
  CHECK(checked.err.find("kind 'function'") == std::string::npos);
  auto run = test::run_vigil({"run", "--db", "s.db", "--rules", test::source_dir() + "/rules", "--no-store", "--format", "csv"}, dir.path);
  CHECK(run.out.find("DORA-") == std::string::npos);
}

}  // namespace
}  // namespace vigil
