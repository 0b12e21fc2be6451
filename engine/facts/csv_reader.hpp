// RFC 4180 CSV, read strictly: every malformed row is an ImportError naming
// the file and line. Written by hand (rather than with a CSV library) because
// exact line numbers across quoted multi-line fields are the point.
#pragma once

#include <functional>
#include <string>
#include <vector>

namespace vigil {

struct CsvRow {
  std::size_t line = 0;  // line where the row starts
  std::vector<std::string> fields;
};

struct CsvTable {
  std::string path;
  std::vector<std::string> header;
  std::vector<CsvRow> rows;
};

// Accepts a UTF-8 byte-order mark and CRLF or LF line ends; skips blank
// lines; rejects empty files, stray or unterminated quotes, rows whose field
// count differs from the header's, NUL bytes and invalid UTF-8.
CsvTable read_csv_file(const std::string& path);
CsvTable parse_csv(const std::string& path, const std::string& text);

// The same checks, row by row without keeping the rows (a million edges are
// not held as three million strings): calls `header` with the header, then
// `each` for every record after it, in order.
void for_each_csv_row(const std::string& path, const std::string& text,
                      const std::function<void(const std::vector<std::string>&)>& header,
                      const std::function<void(const CsvRow&)>& each);
// A CSV file's bytes; an ImportError when it cannot be read.
std::string read_csv_text(const std::string& path);

}  // namespace vigil
