// Workbooks as a spreadsheet program writes them (libxlsxwriter, at test
// time): a workbook imports to exactly what the same facts as CSV give, and
// every bad cell is named as book.xlsx:Sheet!B7.
#include <catch2/catch.hpp>

#include <SQLiteCpp/SQLiteCpp.h>
#include <xlsxwriter.h>
#include <zip.h>

#include "engine/facts/import_error.hpp"
#include "engine/facts/portfolio_import.hpp"
#include "test_support.hpp"

namespace vigil {
namespace {

namespace fs = std::filesystem;

// A cell to write: text, a number, a date (with a date format), a bool, or nothing.
struct Cell {
  enum { text, number, date, boolean, empty } kind;
  std::string value;
  double number_value = 0;
};
Cell T(std::string s) { return {Cell::text, std::move(s)}; }
Cell N(double n) { return {Cell::number, "", n}; }
Cell D(std::string iso) { return {Cell::date, std::move(iso)}; }
Cell B(bool b) { return {Cell::boolean, "", b ? 1.0 : 0.0}; }
Cell E() { return {Cell::empty, ""}; }
using Sheet = std::pair<std::string, std::vector<std::vector<Cell>>>;

void write_workbook(const fs::path& path, const std::vector<Sheet>& sheets) {
  lxw_workbook* book = workbook_new(path.c_str());
  lxw_format* date_format = workbook_add_format(book);
  format_set_num_format(date_format, "dd/mm/yyyy");
  for (const auto& [name, rows] : sheets) {
    lxw_worksheet* sheet = workbook_add_worksheet(book, name.c_str());
    for (std::size_t r = 0; r < rows.size(); ++r)
      for (std::size_t c = 0; c < rows[r].size(); ++c) {
        const Cell& cell = rows[r][c];
        auto row = static_cast<lxw_row_t>(r);
        auto col = static_cast<lxw_col_t>(c);
        if (cell.kind == Cell::text) worksheet_write_string(sheet, row, col, cell.value.c_str(), nullptr);
        if (cell.kind == Cell::number) worksheet_write_number(sheet, row, col, cell.number_value, nullptr);
        if (cell.kind == Cell::boolean) worksheet_write_boolean(sheet, row, col, cell.number_value != 0, nullptr);
        if (cell.kind == Cell::date) {
          lxw_datetime when{std::stoi(cell.value.substr(0, 4)), std::stoi(cell.value.substr(5, 2)),
                            std::stoi(cell.value.substr(8, 2)), 0, 0, 0};
          worksheet_write_datetime(sheet, row, col, &when, date_format);
        }
      }
  }
  REQUIRE(workbook_close(book) == LXW_NO_ERROR);
}

// Every fact of a database, one line each, in key order.
std::vector<std::string> facts(const fs::path& db) {
  SQLite::Database database(db.string());
  std::vector<std::string> out;
  for (const char* query : {"SELECT id || ' ' || kind FROM entities ORDER BY id",
                            "SELECT kind || '.' || name || ' ' || type FROM attribute_types ORDER BY kind, name",
                            "SELECT entity_id || '.' || name || '=' || typeof(value) || ':' || value FROM attributes "
                            "WHERE value IS NOT NULL ORDER BY entity_id, name",
                            "SELECT from_id || '>' || to_id || ' ' || kind || ' ' || ifnull(attributes, '') FROM edges "
                            "ORDER BY from_id, to_id, kind",
                            "SELECT rule || ' ' || entity || ' ' || expires FROM waivers ORDER BY rule, entity"}) {
    SQLite::Statement statement(database, query);
    while (statement.executeStep()) out.push_back(statement.getColumn(0).getString());
  }
  return out;
}

TEST_CASE("a workbook imports to the same facts as the same CSV directory") {
  test::TempDir dir;
  write_workbook(dir.path / "book.xlsx",
                 {{"Sheet1", {}},
                  {"edges", {{T("from"), T("to"), T("kind"), T("share")}, {T("S1"), T("V1"), T("depends_on"), N(0.5)},
                             {T("V1"), T("V2"), T("subcontracts"), E()}}},
                  {"vendor", {{T("id"), T("name"), T("spend"), T("since"), T("active"), T("code"), T("note")},
                              {T("V1"), T("Soci\u00e9t\u00e9 G\u00e9n\u00e9rale"), N(1200000.5), D("2025-01-02"), B(true), T("007"), E()},
                              {T("V2"), T("Beta, \"quoted\""), N(-3), D("1900-03-01"), B(false), T("008"), T("x")},
                              {E()},
                              {T("V3"), T("Gamma"), E(), E(), E(), E(), E()}}},
                  {"service", {{T("id"), T("name"), T("rto:number")}, {T("S1"), T("Payments"), T("4")}}},
                  {"waivers", {{T("rule"), T("entity"), T("owner"), T("reason"), T("expires")},
                               {T("CONC-001"), T("V1"), T("CRO"), T("accepted"), T("2027-01-31")}}}});
  dir.write("csv/entities/vendor.csv",
            "id,name,spend,since,active,code:string,note\n"
            "V1,Soci\u00e9t\u00e9 G\u00e9n\u00e9rale,1200000.5,2025-01-02,true,007,\n"
            "V2,\"Beta, \"\"quoted\"\"\",-3,1900-03-01,false,008,x\nV3,Gamma,,,,,\n");
  dir.write("csv/entities/service.csv", "id,name,rto:number\nS1,Payments,4\n");
  dir.write("csv/edges.csv", "from,to,kind,share\nS1,V1,depends_on,0.5\nV1,V2,subcontracts,\n");
  dir.write("csv/waivers.csv", "rule,entity,owner,reason,expires\nCONC-001,V1,CRO,accepted,2027-01-31\n");
  auto from_book = test::run_vigil({"import", "book.xlsx", "--db", "book.db"}, dir.path);
  auto from_csv = test::run_vigil({"import", "csv", "--db", "csv.db"}, dir.path);
  REQUIRE(from_book.exit_code == 0);
  REQUIRE(from_csv.exit_code == 0);
  auto book_facts = facts(dir.path / "book.db");
  CHECK(book_facts == facts(dir.path / "csv.db"));
  CHECK(std::find(book_facts.begin(), book_facts.end(), "V1.code=text:007") != book_facts.end());
  CHECK(std::find(book_facts.begin(), book_facts.end(), "V1.since=text:2025-01-02") != book_facts.end());
  CHECK(std::find(book_facts.begin(), book_facts.end(), "vendor.since date") != book_facts.end());
}

// The error of importing a workbook of `sheets`, with the directory removed.
std::string book_error(const std::vector<Sheet>& sheets) {
  test::TempDir dir;
  write_workbook(dir.path / "book.xlsx", sheets);
  try {
    read_portfolio((dir.path / "book.xlsx").string());
    return "";
  } catch (const ImportError& error) {
    std::string message = error.what(), prefix = dir.path.string() + "/";
    for (auto at = message.find(prefix); at != std::string::npos; at = message.find(prefix)) message.erase(at, prefix.size());
    return message;
  }
}

TEST_CASE("bad workbook cells are named by sheet and cell") {
  const std::vector<Cell> header{T("id"), T("since:date"), T("spend")};
  CHECK(book_error({{"vendor", {header, {T("V1"), T("soon"), N(1)}}}}) ==
        "book.xlsx:vendor!B2: column 'since' holds date values but this cell is 'soon'");
  CHECK(book_error({{"vendor", {header, {T("V1"), D("2025-01-01"), N(1)}, {T("V1"), E(), N(2)}}}}) ==
        "book.xlsx:vendor!A3: duplicate id 'V1' (first defined at book.xlsx:vendor!A2)");
  CHECK(book_error({{"vendor", {header, {T("V1"), E(), N(1), T("extra")}}}}) ==
        "book.xlsx:vendor!D2: a value beyond the header's last column (row 1 names every column)");
  CHECK(book_error({{"vendor", {{T("id"), N(3)}}}}) == "book.xlsx:vendor!B1: a column name must be text");
  CHECK(book_error({{"vendor", {{T("id"), T("a b")}}}}) ==
        "book.xlsx:vendor!B1: column name 'a b' is not a valid attribute name (letters, digits and '_', starting with a letter)");
  CHECK(book_error({{"Vendors", {{T("id")}, {T("V1")}}}}) ==
        "book.xlsx:Vendors: 'Vendors' is not an entity kind: name each sheet after a lower-case kind (such as vendor), "
        "or edges or waivers");
  CHECK(book_error({{"vendor", {{T("id")}, {T("V1")}}}, {"edges", {{T("from"), T("to"), T("kind")}, {T("V1"), T("V9"), T("x")}}}}) ==
        "book.xlsx:edges!A2: edge to 'V9' is not a known entity id");
  CHECK(book_error({{"vendor", {{T("id")}, {T("V1")}}}, {"edges", {{T("from"), T("to")}}}}) ==
        "book.xlsx:edges!A1: no 'kind' column in the header (edges have from,to,kind)");
  CHECK(book_error({{"vendor", {{T("id")}, {T("V1")}}}, {"waivers", {{T("rule"), T("entity"), T("owner"), T("reason"), T("expires")},
                                                                       {T("R"), T("V1"), T("o"), T("r"), T("31/01/2027")}}}}) ==
        "book.xlsx:waivers!A2: expires '31/01/2027' is not a date (YYYY-MM-DD)");
}

// A workbook part by part, for what libxlsxwriter never writes (inline strings, error cells) and for broken files.
void write_parts(const fs::path& path, const std::vector<std::pair<std::string, std::string>>& parts) {
  int error = 0;
  zip_t* archive = zip_open(path.c_str(), ZIP_CREATE | ZIP_TRUNCATE, &error);
  REQUIRE(archive);
  for (const auto& [name, content] : parts) {
    zip_source_t* source = zip_source_buffer(archive, content.data(), content.size(), 0);
    REQUIRE(zip_file_add(archive, name.c_str(), source, ZIP_FL_OVERWRITE) >= 0);
  }
  REQUIRE(zip_close(archive) == 0);
}

std::string parts_result(const std::string& sheet_xml) {
  test::TempDir dir;
  write_parts(dir.path / "book.xlsx",
              {{"xl/workbook.xml", R"(<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"
                  xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">
                  <sheets><sheet name="vendor" sheetId="1" r:id="rId1"/></sheets></workbook>)"},
               {"xl/_rels/workbook.xml.rels", R"(<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">
                  <Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet"
                   Target="worksheets/sheet1.xml"/></Relationships>)"},
               {"xl/worksheets/sheet1.xml", sheet_xml}});
  try {
    Portfolio p = read_portfolio((dir.path / "book.xlsx").string());
    std::string out;
    for (EntityIndex e = 0; e < p.entity_count(); ++e)
      out += p.id(e) + "=" + std::string(p.attribute(e, "name").is_missing() ? "missing" : p.attribute(e, "name").as_string()) + " ";
    return out;
  } catch (const ImportError& error) {
    std::string message = error.what();
    return message.substr(message.find("book.xlsx"));
  }
}

TEST_CASE("inline strings, cells without references, error cells and broken XML") {
  const char* open = R"(<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>)";
  auto sheet = [&](const std::string& rows) { return open + rows + "</sheetData></worksheet>"; };
  CHECK(parts_result(sheet(R"(<row r="1"><c r="A1" t="inlineStr"><is><t>id</t></is></c><c t="inlineStr"><is><t>name</t></is></c></row>
                              <row r="2"><c t="inlineStr"><is><t>V1</t></is></c><c t="inlineStr"><is><t>Acme &amp; Co</t></is></c></row>
                              <row r="4"><c r="A4" t="str"><f>"V"&amp;2</f><v>V2</v></c></row>)")) == "V1=Acme & Co V2=missing ");
  CHECK(parts_result(sheet(R"(<row r="1"><c r="A1" t="inlineStr"><is><t>id</t></is></c><c r="B1" t="inlineStr"><is><t>name</t></is></c></row>
                              <row r="2"><c r="A2" t="inlineStr"><is><t>V1</t></is></c><c r="B2" t="e"><v>#N/A</v></c></row>)")) ==
        "book.xlsx:vendor!B2: the cell holds the Excel error #N/A");
  CHECK(parts_result(sheet(R"(<row r="1"><c r="A1" t="s"><v>0</v></c></row>)")) ==
        "book.xlsx:vendor!A1: shared string 0 does not exist");
  CHECK(parts_result(std::string(open) + "\n<row r=\"1\"><c r=\"A1\">") ==
        "book.xlsx:vendor: xl/worksheets/sheet1.xml line 2: no element found");
  test::TempDir dir;
  dir.write("not.xlsx", "id,name\n");
  try {
    read_portfolio((dir.path / "not.xlsx").string());
    FAIL("no error");
  } catch (const ImportError& error) {
    CHECK(std::string(error.what()).find("not.xlsx: not an .xlsx workbook (a zip file): Not a zip archive") != std::string::npos);
  }
}

}  // namespace
}  // namespace vigil
