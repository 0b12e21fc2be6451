// CSV as people save it (CONTRACT section 9): `;` and tab separators,
// Windows-1252, day-first dates and decimal commas; what cannot be read for
// sure is an error at its line, never a quiet string.
#include <catch2/catch.hpp>

#include "engine/facts/cell_types.hpp"
#include "engine/facts/csv_reader.hpp"
#include "engine/facts/import_error.hpp"
#include "engine/facts/portfolio_import.hpp"
#include "engine/facts/value_format.hpp"
#include "test_support.hpp"

namespace vigil {
namespace {

// The vendor file `content` imported with `options`: "V1 name=... spend=..." per entity, or the error.
std::string imported(const std::string& content, const ImportOptions& options = {}) {
  test::TempDir dir;
  dir.write("p/entities/vendor.csv", content);
  try {
    Portfolio p = read_portfolio((dir.path / "p").string(), options);
    const KindTable& vendors = p.kinds()[0];
    std::string out;
    for (EntityIndex e : vendors.members) {
      out += (out.empty() ? "" : "; ") + p.id(e);
      for (const auto& name : vendors.attribute_names)
        out += " " + name + "=" + type_name(p.attribute(e, name).type()) + ":" + display_value(p.attribute(e, name), p);
    }
    return out;
  } catch (const ImportError& error) {
    std::string message = error.what();
    return message.substr(message.find("vendor.csv"));
  }
}

ImportOptions with_dates(const char* format) {
  ImportOptions options;
  options.cells.date_format = format;
  return options;
}

TEST_CASE("separators are found in the header line, or given") {
  CHECK(imported("id;name;spend\nV1;Acme, Ltd;1200\n") == "V1 name=string:Acme, Ltd spend=number:1200");
  CHECK(imported("id\tname\nV1\tAcme;Beta\n") == "V1 name=string:Acme;Beta");
  CHECK(imported("id,name\nV1,\"a;b;c\"\n") == "V1 name=string:a;b;c");
  CHECK(imported("\"id;x\",name\n") == "vendor.csv:1: column name 'id;x' is not a valid attribute name (letters, digits and '_', starting with a letter)");
  ImportOptions semicolon;
  semicolon.csv.delimiter = ';';
  CHECK(imported("id,name;spend\nV1,x;3\n", semicolon) ==
        "vendor.csv:1: column name 'id,name' is not a valid attribute name (letters, digits and '_', starting with a letter)");
  CHECK(imported("id;name\nV1;a;b\n") == "vendor.csv:2: row has 3 fields but the header has 2");
}

TEST_CASE("Windows-1252 is detected when the bytes are not UTF-8, or given") {
  CHECK(imported("id;name\nV1;Soci\xe9t\xe9 G\xe9n\xe9rale \x80\n") == "V1 name=string:Soci\u00e9t\u00e9 G\u00e9n\u00e9rale \u20ac");
  ImportOptions utf8;
  utf8.csv.encoding = TextEncoding::utf8;
  CHECK(imported("id;name\nV1;Soci\xe9t\xe9\n", utf8) == "vendor.csv:2: invalid UTF-8 (byte 0xE9): save the file as UTF-8");
  ImportOptions cp1252;
  cp1252.csv.encoding = TextEncoding::windows1252;
  CHECK(imported("id,name\nV1,\xc3\xa9\n", cp1252) == "V1 name=string:\u00c3\u00a9");  // as told, even if it looks like UTF-8
  CHECK(imported("id,name\nV1,caf\xc3\xa9\nV2,\xff\n") == "vendor.csv:3: invalid UTF-8 (byte 0xFF): save the file as UTF-8");
  CHECK(imported("id,name\nV1,ok\nV2,\x81\n") ==
        "vendor.csv:3: byte 0x81 is neither UTF-8 nor Windows-1252 text (give --encoding)");
  CHECK(parse_text_encoding("CP1252") == TextEncoding::windows1252);
  CHECK(parse_text_encoding("UTF8") == TextEncoding::utf8);
  CHECK_FALSE(parse_text_encoding("latin1"));
}

TEST_CASE("dates in another order need --date-format; then both forms are read") {
  CHECK(imported("id,since\nV1,02/01/2025\n") ==
        "vendor.csv:2: column 'since': '02/01/2025' is not an ISO date (YYYY-MM-DD) and its day and month order is "
        "not known: give --date-format, for example --date-format %d/%m/%Y (or declare the column :string to keep it "
        "as text)");
  CHECK(imported("id,since:date\nV1,2025-01-03\nV2,02/01/2025\n") ==
        "vendor.csv:3: column 'since': '02/01/2025' is not an ISO date (YYYY-MM-DD) and its day and month order is "
        "not known: give --date-format, for example --date-format %d/%m/%Y");
  CHECK(imported("id,since\nV1,02/01/2025\nV2,2025-01-03\n", with_dates("%d/%m/%Y")) ==
        "V1 since=date:2025-01-02; V2 since=date:2025-01-03");
  CHECK(imported("id,since\nV1,02.01.25\n", with_dates("%d.%m.%y")) == "V1 since=date:2025-01-02");
  CHECK(imported("id,since:date\nV1,31/02/2025\n", with_dates("%d/%m/%Y")) ==
        "vendor.csv:2: column 'since': '31/02/2025' is not a date in --date-format %d/%m/%Y");
  CHECK(imported("id,since:date\nV1,01/13/2025\n", with_dates("%d/%m/%Y")) ==
        "vendor.csv:2: column 'since': '01/13/2025' is not a date in --date-format %d/%m/%Y");
  CHECK(imported("id,since:string\nV1,02/01/2025\n") == "V1 since=string:02/01/2025");
  CHECK(imported("id,version\nV1,10.4.1\n") == "V1 version=string:10.4.1");  // not a date
}

TEST_CASE("numbers with a comma need --decimal-comma or no grouping") {
  CHECK(imported("id,spend\nV1,\"1,200,000\"\n") ==
        "vendor.csv:2: column 'spend': '1,200,000' has ',' in it, which may group digits or start decimals: give "
        "--decimal-comma if ',' starts the decimals, or write the number without grouping (or declare the column "
        ":string to keep it as text)");
  ImportOptions comma;
  comma.cells.decimal_comma = true;
  CHECK(imported("id;spend\nV1;1.200.000,50\nV2;3,5\nV3;1200\nV4;-0,25\nV5;1.200\n", comma) ==
        "V1 spend=number:1200000.5; V2 spend=number:3.5; V3 spend=number:1200; V4 spend=number:-0.25; V5 spend=number:1200");
  CHECK(imported("id;spend:number\nV1;1.20,5\n", comma) ==
        "vendor.csv:2: column 'spend': '1.20,5' is not a number with a decimal comma (1.200.000,50)");
  CHECK(imported("id;spend:number\nV1;12.5\n", comma) == "vendor.csv:2: column 'spend' holds number values but this cell is '12.5'");
}

}  // namespace
}  // namespace vigil

namespace vigil {
namespace {

TEST_CASE("vigil import takes the dialect options, and refuses bad ones with exit 2") {
  test::TempDir dir;
  dir.write("p/entities/vendor.csv", "id|name|since|spend\nV1|Soci\xe9t\xe9|02/01/2025|1.200,5\n");
  auto ok = test::run_vigil({"import", "p", "--db", "v.db", "--delimiter", "pipe", "--encoding", "cp1252", "--date-format",
                             "%d/%m/%Y", "--decimal-comma"},
                            dir.path);
  CHECK(ok.exit_code == 0);
  CHECK(ok.err.find("imported 1 entities (1 vendor), 0 edges and 0 waivers") != std::string::npos);
  const std::pair<std::vector<std::string>, const char*> refused[] = {
      {{"--delimiter", "::"}, "--delimiter '::': use ',', ';', tab or '|' (or comma, semicolon, tab, pipe)"},
      {{"--encoding", "latin9"}, "--encoding 'latin9': use utf-8 or windows-1252 (cp1252)"},
      {{"--date-format", "dd/mm/yyyy"}, "--date-format 'dd/mm/yyyy' has no field: write it as strptime does, for example %d/%m/%Y"},
  };
  for (const auto& [options, message] : refused) {
    std::vector<std::string> args{"import", "p", "--db", "w.db"};
    args.insert(args.end(), options.begin(), options.end());
    auto result = test::run_vigil(args, dir.path);
    CHECK(result.exit_code == 2);
    CHECK(result.err.find(message) != std::string::npos);
    CHECK_FALSE(std::filesystem::exists(dir.path / "w.db"));
  }
  auto ambiguous = test::run_vigil({"import", "p", "--db", "w.db", "--delimiter", "|"}, dir.path);
  CHECK(ambiguous.exit_code == 2);
  CHECK(ambiguous.err.find("vendor.csv:2: column 'since': '02/01/2025' is not an ISO date") != std::string::npos);
  CHECK_FALSE(std::filesystem::exists(dir.path / "w.db"));
}

}  // namespace
}  // namespace vigil
