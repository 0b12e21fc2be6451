// RFC 4180 CSV, read strictly: every malformed row is an ImportError naming
// the file and line. Written by hand (rather than with a CSV library) because
// exact line numbers across quoted multi-line fields are the point.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "dsl/value_type.hpp"

namespace vigil {

// How a CSV file is written (CONTRACT section 9); what is unset is detected.
enum class TextEncoding { utf8, windows1252 };
struct CsvDialect {
  // `,`, `;` or tab; when unset, whichever of them the header line (outside quotes) holds most (`,` if none).
  std::optional<char> delimiter;
  // When unset: UTF-8, or Windows-1252 when the bytes are not valid UTF-8
  // (spreadsheet programs on Windows save "CSV" in it).
  std::optional<TextEncoding> encoding;
  // Not the dialect but how reading it is watched: called with the number of rows read since the
  // last call, every 65,536 rows of a file, for the CLI's progress line on a long import.
  std::function<void(std::size_t rows)> progress = {};
};
// "utf-8" (or "utf8"), "windows-1252" (or "cp1252"), any case; nullopt otherwise.
std::optional<TextEncoding> parse_text_encoding(std::string_view name);

struct CsvRow {
  std::size_t line = 0;  // line where the row starts
  std::vector<std::string> fields;
};

struct CsvTable {
  std::string path;  // a spreadsheet's is "book.xlsx:Sheet"
  std::vector<std::string> header;
  std::vector<CsvRow> rows;
  // Spreadsheets only: per row, each cell's type as the file stores it
  // (missing for an empty cell); a CSV file's cells are all text to type.
  std::vector<std::vector<ValueType>> cell_types{};
  bool spreadsheet = false;      // errors then name cells: "book.xlsx:Sheet!B7"
  std::size_t header_line = 1;   // the header's line (a spreadsheet's first non-blank row)
};

// Accepts a UTF-8 byte-order mark and CRLF or LF line ends; skips blank
// lines; rejects empty files, stray or unterminated quotes, rows whose field
// count differs from the header's, NUL bytes and invalid UTF-8.
CsvTable read_csv_file(const std::string& path, const CsvDialect& dialect = {});
// `text` is UTF-8 (see read_csv_text); the dialect gives its delimiter.
CsvTable parse_csv(const std::string& path, const std::string& text, const CsvDialect& dialect = {});

// The same checks, row by row without keeping the rows (a million edges are
// not held as three million strings): calls `header` with the header, then
// `each` for every record after it, in order.
void for_each_csv_row(const std::string& path, const std::string& text,
                      const std::function<void(const std::vector<std::string>&)>& header,
                      const std::function<void(const CsvRow&)>& each, const CsvDialect& dialect = {});
// A CSV file's text in UTF-8, converted from the dialect's encoding; an
// ImportError when it cannot be read or converted.
std::string read_csv_text(const std::string& path, const CsvDialect& dialect = {});
// The delimiter the dialect gives, or the one detected from the header line of `text`.
char csv_delimiter(const std::string& text, const CsvDialect& dialect);

}  // namespace vigil
