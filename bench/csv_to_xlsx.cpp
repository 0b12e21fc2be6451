// Writes a portfolio directory (entities/<kind>.csv, edges.csv) as one .xlsx
// workbook, the way a spreadsheet program would hold it: numbers as number
// cells, ISO dates as date cells, the rest as text. For bench/inputs, which
// compares importing the two. libxlsxwriter's constant-memory mode streams
// the rows, so 100,000 vendors fit.
//
// usage: csv_to_xlsx PORTFOLIO_DIR OUT.xlsx
#include <filesystem>
#include <iostream>

#include <xlsxwriter.h>

#include "dsl/calendar.hpp"
#include "engine/facts/cell_types.hpp"
#include "engine/facts/csv_reader.hpp"

namespace fs = std::filesystem;

void write_sheet(lxw_workbook* book, lxw_format* date_format, const std::string& name, const vigil::CsvTable& table) {
  lxw_worksheet* sheet = workbook_add_worksheet(book, name.c_str());
  for (std::size_t c = 0; c < table.header.size(); ++c)
    worksheet_write_string(sheet, 0, static_cast<lxw_col_t>(c), table.header[c].c_str(), nullptr);
  for (std::size_t r = 0; r < table.rows.size(); ++r) {
    auto row = static_cast<lxw_row_t>(r + 1);
    for (std::size_t c = 0; c < table.header.size(); ++c) {
      const std::string& text = table.rows[r].fields[c];
      auto col = static_cast<lxw_col_t>(c);
      if (text.empty()) continue;
      bool text_column = table.header[c] == "id" || table.header[c].ends_with(":string");
      if (auto number = vigil::parse_number(text); number && !text_column) {
        worksheet_write_number(sheet, row, col, *number, nullptr);
      } else if (auto date = vigil::parse_iso_date(text); date && !text_column) {
        lxw_datetime when{std::stoi(text.substr(0, 4)), std::stoi(text.substr(5, 2)), std::stoi(text.substr(8, 2)), 0, 0, 0};
        worksheet_write_datetime(sheet, row, col, &when, date_format);
      } else {
        worksheet_write_string(sheet, row, col, text.c_str(), nullptr);
      }
    }
  }
}

int main(int argc, char** argv) {
  if (argc != 3) {
    std::cerr << "usage: csv_to_xlsx PORTFOLIO_DIR OUT.xlsx\n";
    return 2;
  }
  lxw_workbook_options options{};
  options.constant_memory = LXW_TRUE;
  lxw_workbook* book = workbook_new_opt(argv[2], &options);
  lxw_format* date_format = workbook_add_format(book);
  format_set_num_format(date_format, "yyyy-mm-dd");
  std::vector<fs::path> files;
  for (const auto& entry : fs::directory_iterator(fs::path(argv[1]) / "entities")) files.push_back(entry.path());
  std::sort(files.begin(), files.end());
  for (const auto& file : files) write_sheet(book, date_format, file.stem().string(), vigil::read_csv_file(file.string()));
  fs::path edges = fs::path(argv[1]) / "edges.csv";
  if (fs::exists(edges)) write_sheet(book, date_format, "edges", vigil::read_csv_file(edges.string()));
  return workbook_close(book) == LXW_NO_ERROR ? 0 : 1;
}
