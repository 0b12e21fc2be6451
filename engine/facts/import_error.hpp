// Bad input found while importing facts: what() is "file:line: message", or
// for a spreadsheet cell "book.xlsx:Sheet!B7: message" (then `file` is
// "book.xlsx:Sheet!B" and `line` the row: see spreadsheet_cell_file).
#pragma once

#include <algorithm>
#include <string>

#include <fmt/format.h>

#include "dsl/diagnostic.hpp"

namespace vigil {

class ImportError : public Error {
 public:
  ImportError(const std::string& file, std::size_t line, const std::string& message)
      : Error(line == 0 ? fmt::format("{}: {}", file, message) : fmt::format("{}: {}", location_text(file, line), message)) {}

  // "file:line", or "book.xlsx:Sheet!B7" when `file` names a spreadsheet column ("book.xlsx:Sheet!B").
  static std::string location_text(const std::string& file, std::size_t line) {
    auto bang = file.rfind('!');
    bool cell_column = bang != std::string::npos && bang + 1 < file.size() &&
                       std::all_of(file.begin() + static_cast<long>(bang) + 1, file.end(), [](char c) { return c >= 'A' && c <= 'Z'; });
    return cell_column ? fmt::format("{}{}", file, line) : fmt::format("{}:{}", file, line);
  }
};

// Where a table's cell is, as ImportError's `file`: the CSV file's path, or a
// spreadsheet's "book.xlsx:Sheet!" and the column's letters.
inline std::string cell_file(const std::string& table_path, bool spreadsheet, std::size_t column) {
  if (!spreadsheet) return table_path;
  std::string letters;
  for (std::size_t n = column + 1; n > 0; n = (n - 1) / 26) letters.insert(letters.begin(), static_cast<char>('A' + (n - 1) % 26));
  return table_path + "!" + letters;
}

}  // namespace vigil
