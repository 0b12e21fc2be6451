#include <catch2/catch.hpp>

#include "engine/facts/import_error.hpp"
#include "engine/facts/portfolio_import.hpp"
#include "test_support.hpp"

using namespace vigil;

namespace {

// Writes FILES (relative path -> content) to a temporary directory, imports
// ROOT inside it and returns the error, with the directory's path removed.
std::string import_error(const std::vector<std::pair<std::string, std::string>>& files, const std::string& root = "") {
  test::TempDir dir;
  for (const auto& [path, content] : files) dir.write(path, content);
  try {
    read_portfolio(root.empty() ? dir.path.string() : (dir.path / root).string());
    return "";
  } catch (const ImportError& error) {
    std::string message = error.what();
    std::string prefix = dir.path.string() + "/";
    for (auto at = message.find(prefix); at != std::string::npos; at = message.find(prefix))
      message.erase(at, prefix.size());
    if (message.rfind(dir.path.string(), 0) == 0) message.replace(0, dir.path.string().size(), "<dir>");
    return message;
  }
}

std::string json_error(const std::string& text) { return import_error({{"p.json", text}}, "p.json"); }

Portfolio import(const std::vector<std::pair<std::string, std::string>>& files, const std::string& root = "") {
  test::TempDir dir;
  for (const auto& [path, content] : files) dir.write(path, content);
  return read_portfolio((dir.path / root).string());
}

ValueType type_of(const Portfolio& p, const std::string& kind, const std::string& attribute) {
  const KindTable* table = p.find_kind(kind);
  return table->attribute_types[static_cast<std::size_t>(table->column(attribute))];
}

}  // namespace

TEST_CASE("a portfolio directory: entities by kind, typed and inferred columns, edges", "[import]") {
  Portfolio p = import({{"entities/vendor.csv",
                         "id,name,spend,since,active,tier:string,code:string,score:number,notes\n"
                         "V1,Acme,100,2024-01-31,yes,1,007,3,\n"
                         "V2,Beta,2.5e3,2025-12-01,No,2,008,,x\n"},
                        {"entities/service.csv", "id,name\nS1,Payments\n"},
                        {"edges.csv", "from,to,kind,weight\nS1,V1,depends_on,3\nV1,V2,subcontracts,\n"}});
  CHECK(p.entity_count() == 3);
  CHECK(type_of(p, "vendor", "name") == ValueType::string);
  CHECK(type_of(p, "vendor", "spend") == ValueType::number);
  CHECK(type_of(p, "vendor", "since") == ValueType::date);
  CHECK(type_of(p, "vendor", "active") == ValueType::boolean);
  CHECK(type_of(p, "vendor", "tier") == ValueType::string);
  CHECK(type_of(p, "vendor", "code") == ValueType::string);
  CHECK(type_of(p, "vendor", "score") == ValueType::number);
  CHECK(type_of(p, "vendor", "notes") == ValueType::string);
  auto v2 = *p.find("V2");
  CHECK(p.attribute(v2, "spend").as_number() == 2500);
  CHECK(p.attribute(v2, "active").as_bool() == false);
  CHECK(p.attribute(v2, "code").as_string() == "008");
  CHECK(p.attribute(v2, "score").is_missing());
  CHECK(p.attribute(*p.find("V1"), "notes").is_missing());
  CHECK(p.attribute(v2, "kind").as_string() == "vendor");
  REQUIRE(p.edges().size() == 2);
  CHECK(p.edge_attributes(p.edges()[0]) == R"({"weight":3})");
  CHECK(p.edge_attributes(p.edges()[1]) == R"({"weight":null})");
}

TEST_CASE("a column with no values is a string column; all-empty cells are missing", "[import]") {
  Portfolio p = import({{"entities/vendor.csv", "id,empty,when:date\nV1,,\n"}});
  CHECK(type_of(p, "vendor", "empty") == ValueType::string);
  CHECK(type_of(p, "vendor", "when") == ValueType::date);
  CHECK(p.attribute(0, "when").is_missing());
}

TEST_CASE("bad portfolio directories", "[import]") {
  CHECK(import_error({{"readme.txt", "x"}}) ==
        "<dir>: no entities/ folder: a portfolio directory holds entities/<kind>.csv and edges.csv");
  CHECK(import_error({{"entities/notes.txt", "x"}}) == "entities: no <kind>.csv files in this folder");
  CHECK(import_error({{"entities/Vendor.csv", "id\nV1\n"}}) ==
        "entities/Vendor.csv: 'Vendor.csv' is not an entity kind: name the file after a lower-case kind, such as vendor.csv");
  CHECK(import_error({{"entities/vendor.csv", ""}}) == "entities/vendor.csv:1: empty file: expected a header row");
  CHECK(import_error({{"entities/vendor.csv", "name\nAcme\n"}}) == "entities/vendor.csv:1: no 'id' column in the header");
  CHECK(import_error({{"entities/vendor.csv", "id,kind\nV1,x\n"}}) ==
        "entities/vendor.csv:1: column 'kind' is reserved: the file name gives the kind");
  CHECK(import_error({{"entities/vendor.csv", "id,a,a\nV1,1,2\n"}}) ==
        "entities/vendor.csv:1: column 'a' appears twice in the header");
  CHECK(import_error({{"entities/vendor.csv", "id,spend:money\nV1,1\n"}}) ==
        "entities/vendor.csv:1: column 'spend' has unknown type 'money': use number, string, bool or date");
  CHECK(import_error({{"entities/vendor.csv", "id,first name\nV1,1\n"}}) ==
        "entities/vendor.csv:1: column name 'first name' is not a valid attribute name (letters, digits and '_', starting with a letter)");
  CHECK(import_error({{"entities/vendor.csv", "id,\nV1,1\n"}}) == "entities/vendor.csv:1: empty column name in the header");
  CHECK(import_error({{"entities/vendor.csv", "id,id:number\nV1,1\n"}}) ==
        "entities/vendor.csv:1: column 'id' appears twice in the header");
}

TEST_CASE("cells that contradict their column's declared type", "[import]") {
  CHECK(import_error({{"entities/vendor.csv", "id,spend:number\nV1,100\nV2,lots\n"}}) ==
        "entities/vendor.csv:3: column 'spend' holds number values but this cell is 'lots'");
  CHECK(import_error({{"entities/vendor.csv", "id,due:date\nV1,2026-02-30\n"}}) ==
        "entities/vendor.csv:2: column 'due' holds date values but this cell is '2026-02-30'");
  CHECK(import_error({{"entities/vendor.csv", "id,ok:bool\nV1,maybe\n"}}) ==
        "entities/vendor.csv:2: column 'ok' holds bool values but this cell is 'maybe'");
  CHECK(import_error({{"entities/vendor.csv", "id,spend:number\nV1,1,000\n"}}) ==
        "entities/vendor.csv:2: row has 3 fields but the header has 2");
  CHECK(import_error({{"entities/vendor.csv", "id,spend:number\nV1,inf\n"}}) ==
        "entities/vendor.csv:2: column 'spend' holds number values but this cell is 'inf'");
}

TEST_CASE("ids are unique across the whole portfolio", "[import]") {
  CHECK(import_error({{"entities/vendor.csv", "id\nV1\nV1\n"}}) ==
        "entities/vendor.csv:3: duplicate id 'V1' (first defined at entities/vendor.csv:2)");
  CHECK(import_error({{"entities/service.csv", "id\nX1\n"}, {"entities/vendor.csv", "id\nV1\nX1\n"}}) ==
        "entities/vendor.csv:3: duplicate id 'X1' (first defined at entities/service.csv:2)");
  CHECK(import_error({{"entities/vendor.csv", "id,name\n,Acme\n"}}) == "entities/vendor.csv:2: empty id: every entity needs an id");
}

TEST_CASE("bad edges", "[import]") {
  std::pair<std::string, std::string> vendors{"entities/vendor.csv", "id\nV1\nV2\n"};
  CHECK(import_error({vendors, {"edges.csv", "from,to,kind\nV1,V9,subcontracts\n"}}) ==
        "edges.csv:2: edge to 'V9' is not a known entity id");
  CHECK(import_error({vendors, {"edges.csv", "from,to,kind\nV0,V1,subcontracts\n"}}) ==
        "edges.csv:2: edge from 'V0' is not a known entity id");
  CHECK(import_error({vendors, {"edges.csv", "from,to,kind\nV1,V2,\n"}}) ==
        "edges.csv:2: empty edge kind (for example depends_on or subcontracts)");
  CHECK(import_error({vendors, {"edges.csv", "from,to\nV1,V2\n"}}) ==
        "edges.csv:1: no 'kind' column in the header (edges have from,to,kind)");
  CHECK(import_error({vendors, {"edges.csv", "from,to,kind\nV1,V2,s\nV1,V2,s\n"}}) ==
        "edges.csv:3: duplicate edge V1 -> V2 (s), first at line 2");
  CHECK(import_error({vendors, {"edges.csv", ""}}) == "edges.csv:1: empty file: expected a header row");
  CHECK(import_error({vendors, {"edges.csv", "from,to,kind\n,V2,s\n"}}) == "edges.csv:2: empty 'from' in edge");
}

TEST_CASE("cycles and self-loops are valid facts", "[import]") {
  Portfolio p = import({{"entities/vendor.csv", "id\nV1\nV2\n"},
                        {"edges.csv", "from,to,kind\nV1,V2,subcontracts\nV2,V1,subcontracts\nV1,V1,subcontracts\n"}});
  CHECK(p.edges().size() == 3);
}

TEST_CASE("the JSON form", "[import]") {
  Portfolio p = import({{"p.json", R"({
  "entities": [
    {"id": "V1", "kind": "vendor", "attributes": {"tier": "critical", "spend": 10, "since": "2024-01-31", "ok": true, "gone": null}},
    {"id": "V2", "kind": "vendor", "attributes": {"tier": "low", "since": "2025-02-01"}},
    {"id": "S1", "kind": "service"}
  ],
  "edges": [{"from": "S1", "to": "V1", "kind": "depends_on"}]
})"}},
                       "p.json");
  CHECK(p.entity_count() == 3);
  CHECK(type_of(p, "vendor", "since") == ValueType::date);
  CHECK(type_of(p, "vendor", "spend") == ValueType::number);
  CHECK(type_of(p, "vendor", "ok") == ValueType::boolean);
  CHECK(format_date(p.attribute(*p.find("V2"), "since").as_date()) == "2025-02-01");
  CHECK(p.attribute(*p.find("V2"), "spend").is_missing());
  CHECK(p.edges().size() == 1);
}

TEST_CASE("bad JSON names the file and line", "[import]") {
  CHECK(json_error("") == "p.json:1: empty file: expected a JSON object");
  CHECK(json_error("{\"entities\": [\n  {\"id\": \"V1\", \"kind\": \"vendor\"},\n  {\"id\": \"V1\" \"kind\": 1}\n]}") ==
        "p.json:3: syntax error while parsing object - unexpected string literal; expected '}'");
  CHECK(json_error("{\"entities\": [\n  {\"id\": \"V1\", \"kind\": \"vendor\"},\n  {\"id\": \"V1\", \"kind\": \"vendor\"}\n]}") ==
        "p.json:3: duplicate id 'V1' (first defined at p.json:2)");
  CHECK(json_error("{\"entities\": [\n{\"id\": \"V1\", \"kind\": \"vendor\", \"atributes\": {}}\n]}") ==
        "p.json:2: unknown field 'atributes' in an entity (did you mean `attributes`?)");
  CHECK(json_error("{\"entities\": [\n{\"kind\": \"vendor\"}\n]}") == "p.json:2: an entity has no \"id\"");
  CHECK(json_error("{\"entities\": [\n{\"id\": 5, \"kind\": \"vendor\"}\n]}") == "p.json:2: \"id\" of an entity must be a string");
  CHECK(json_error("{\"entities\": [\n{\"id\": \"V1\", \"kind\": \"Vendor\"}\n]}") ==
        "p.json:2: kind 'Vendor' is not a lower-case word (such as vendor)");
  CHECK(json_error("{\"entities\": [\n{\"id\": \"V1\", \"kind\": \"vendor\", \"attributes\": {\"a\": 1}},\n"
                   "{\"id\": \"V2\", \"kind\": \"vendor\", \"attributes\": {\"a\": \"x\"}}\n]}") ==
        "p.json:3: attribute 'a' is a string here but a number at line 2");
  CHECK(json_error("{\"entities\": [\n{\"id\": \"V1\", \"kind\": \"vendor\", \"attributes\": {\"a\": [1]}}\n]}") ==
        "p.json:2: attribute 'a' is array: attribute values are numbers, strings, booleans, dates or null");
  CHECK(json_error("{\"entities\": [\n{\"id\": \"V1\", \"kind\": \"vendor\"}\n],\n\"edges\": [\n"
                   "{\"from\": \"V1\", \"to\": \"V2\", \"kind\": \"x\"}\n]}") ==
        "p.json:5: edge to 'V2' is not a known entity id");
  CHECK(json_error("[1, 2]") == "p.json:1: expected a JSON object with \"entities\" and \"edges\"");
  CHECK(json_error("{\"edges\": []}") == "p.json:1: the portfolio needs an \"entities\" array");
  CHECK(json_error("{\"entities\": [], \"extra\": 1}") == "p.json:1: unknown field 'extra' in the portfolio");
  CHECK(json_error("{\"entities\": [\n{\"id\": \"V1\",\n \"kind\": \"vendor\"\n") ==
        "p.json:4: syntax error while parsing object - unexpected end of input; expected '}'");
}

TEST_CASE("a path that is neither a directory nor JSON", "[import]") {
  test::TempDir dir;
  auto file = dir.write("p.csv", "id\n");
  CHECK_THROWS_WITH(read_portfolio(file.string()), Catch::Contains("expected a portfolio directory, a .json file or an .xlsx workbook"));
  CHECK_THROWS_WITH(read_portfolio((dir.path / "nope").string()), Catch::Contains("no such file or directory"));
}

TEST_CASE("large files import completely, and an error deep inside one is still exact", "[import]") {
  std::string vendors = "id,name,spend:number,since:date\n";
  for (int i = 0; i < 20000; ++i) vendors += fmt::format("V{:05},\"Vendor {}, Ltd\",{},2025-01-01\n", i, i, i * 10);
  Portfolio p = import({{"entities/vendor.csv", vendors}});
  CHECK(p.entity_count() == 20000);
  CHECK(p.attribute(*p.find("V19999"), "name").as_string() == "Vendor 19999, Ltd");
  CHECK(import_error({{"entities/vendor.csv", vendors + "V99999,x,1,2025-13-01\n"}}) ==
        "entities/vendor.csv:20002: column 'since' holds date values but this cell is '2025-13-01'");
  std::string long_cell(1 << 20, 'x');
  Portfolio wide = import({{"entities/vendor.csv", "id,notes\nV1," + long_cell + "\n"}});
  CHECK(wide.attribute(0, "notes").as_string().size() == long_cell.size());
}
