// Reading an Excel workbook (.xlsx: Office Open XML in a zip container) with
// libzip and expat, not by hand: each worksheet becomes a table of text cells
// that also knows the type each cell has in Excel (a date cell is a date, a
// number a number, "007" typed as text stays text).
#pragma once

#include <string>
#include <vector>

#include "engine/facts/csv_reader.hpp"

namespace vigil {

// Every worksheet in workbook order, as tables named "book.xlsx:Sheet":
// the first non-blank row is the header (text cells from column A up to the
// first empty one),
// each later non-blank row a record whose `line` is its Excel row number;
// date cells hold ISO dates, numbers their shortest exact decimal form,
// booleans true/false. Bad input throws ImportError naming the cell
// ("book.xlsx:vendor!C7: ..."). An empty worksheet has no header and no rows.
std::vector<CsvTable> read_xlsx(const std::string& path);

}  // namespace vigil
