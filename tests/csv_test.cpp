#include <catch2/catch.hpp>

#include "engine/facts/csv_reader.hpp"
#include "engine/facts/import_error.hpp"

using namespace vigil;

namespace {

std::string csv_error(const std::string& text) {
  try {
    parse_csv("f.csv", text);
    return "";
  } catch (const ImportError& error) {
    return error.what();
  }
}

std::vector<std::vector<std::string>> rows(const std::string& text) {
  std::vector<std::vector<std::string>> out;
  auto table = parse_csv("f.csv", text);
  out.push_back(table.header);
  for (auto& row : table.rows) out.push_back(row.fields);
  return out;
}

using Rows = std::vector<std::vector<std::string>>;

}  // namespace

TEST_CASE("RFC 4180 fields", "[csv]") {
  CHECK(rows("a,b\n1,2\n") == Rows{{"a", "b"}, {"1", "2"}});
  CHECK(rows("a,b\n1,2") == Rows{{"a", "b"}, {"1", "2"}});  // no final line break
  CHECK(rows("a,b\n\"x, y\",\"say \"\"hi\"\"\"\n") == Rows{{"a", "b"}, {"x, y", "say \"hi\""}});
  CHECK(rows("a,b\n\"line1\nline2\",2\n") == Rows{{"a", "b"}, {"line1\nline2", "2"}});
  CHECK(rows("a,b\n,\n") == Rows{{"a", "b"}, {"", ""}});
  CHECK(rows("a,b\n1,\n") == Rows{{"a", "b"}, {"1", ""}});
  CHECK(rows("a,b\n\"\",2\n") == Rows{{"a", "b"}, {"", "2"}});
  CHECK(rows("a\n\xc3\xa9\n") == Rows{{"a"}, {"\xc3\xa9"}});
}

TEST_CASE("CRLF, byte-order marks and blank lines", "[csv]") {
  CHECK(rows("a,b\r\n1,2\r\n") == Rows{{"a", "b"}, {"1", "2"}});
  CHECK(rows("\xEF\xBB\xBFid,b\n1,2\n") == Rows{{"id", "b"}, {"1", "2"}});
  CHECK(rows("a,b\n\n1,2\n\n\n") == Rows{{"a", "b"}, {"1", "2"}});
  CHECK(rows("a,b\r\n\"x\r\ny\",2\r\n") == Rows{{"a", "b"}, {"x\r\ny", "2"}});
}

TEST_CASE("line numbers count the lines inside quoted fields", "[csv]") {
  auto table = parse_csv("f.csv", "a,b\n\"multi\nline\",1\n\nx,2\n");
  REQUIRE(table.rows.size() == 2);
  CHECK(table.rows[0].line == 2);
  CHECK(table.rows[1].line == 5);
  CHECK(csv_error("a,b\n\"multi\nline\",1\nx,2,3\n") == "f.csv:4: row has 3 fields but the header has 2");
}

TEST_CASE("malformed CSV names the file and line", "[csv]") {
  CHECK(csv_error("") == "f.csv:1: empty file: expected a header row");
  CHECK(csv_error("\n\n") == "f.csv:1: empty file: expected a header row");
  CHECK(csv_error("\xEF\xBB\xBF") == "f.csv:1: empty file: expected a header row");
  CHECK(csv_error("a,b\n1,2,3\n") == "f.csv:2: row has 3 fields but the header has 2");
  CHECK(csv_error("a,b\n1\n") == "f.csv:2: row has 1 fields but the header has 2");
  CHECK(csv_error("a,b\n1,ab\"c\n") ==
        "f.csv:2: quote inside an unquoted field: put the whole field in quotes and double the quote (\"\")");
  CHECK(csv_error("a,b\n1,\"ab\"c\n") ==
        "f.csv:2: unexpected text after a closing quote (a quote inside a quoted field is written \"\")");
  CHECK(csv_error("a,b\n1,2\n3,\"open\n\n") == "f.csv:3: unterminated quoted field: the quote opened here is never closed");
  CHECK(csv_error("a,b\n1,2\x00\n") == "");  // embedded NUL is caught when the text is whole (below)
  CHECK(csv_error(std::string("a,b\n1,2\n3,\0\n", 12)) == "f.csv:3: NUL character: text may not contain NUL");
  CHECK(csv_error("a,b\n1,\xff\n") == "f.csv:2: invalid UTF-8 (byte 0xFF): save the file as UTF-8");
  CHECK(csv_error("a,b\n1,\xed\xa0\x80\n") == "f.csv:2: invalid UTF-8 (byte 0xED): save the file as UTF-8");  // surrogate
  CHECK(csv_error("a,b\n1,2\n3,\xc0\xaf\n") == "f.csv:3: invalid UTF-8 (byte 0xC0): save the file as UTF-8");  // overlong '/'
  CHECK(csv_error("a,b\n1,\xe0\x80\xaf\n") == "f.csv:2: invalid UTF-8 (byte 0xE0): save the file as UTF-8");  // overlong, 3 bytes
  CHECK(csv_error("a,b\n1,\xf4\x90\x80\x80\n") == "f.csv:2: invalid UTF-8 (byte 0xF4): save the file as UTF-8");  // U+110000
  CHECK(csv_error("a,b\n1,x\ry\n") == "f.csv:2: carriage return without a line feed");
}
