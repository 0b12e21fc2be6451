// Typing of text cells (CSV) and attribute values: declared column types
// (`spend:number`) and inference for untyped columns.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "engine/facts/value.hpp"

namespace vigil {

// How a file writes dates and numbers (CONTRACT section 9, `vigil import
// --date-format --decimal-comma`). ISO dates are always read.
struct CellFormat {
  std::string date_format;     // strptime's: %d/%m/%Y, %d.%m.%Y, %m/%d/%y...; empty: ISO dates only
  bool decimal_comma = false;  // "1.200.000,50": '.' groups digits, ',' starts the decimals
};

// All non-empty cells numbers -> number; all dates -> date; all of
// true/false/yes/no -> bool; otherwise string. A column with no value at all
// is a string column.
ValueType infer_column_type(const std::vector<std::string_view>& cells, const CellFormat& format = {});
// For a column inferred as string: the index of its first cell and why, when
// every value is a date or number that the format cannot read (02/01/2025
// without --date-format, 1,200,000): such a column must not quietly become text.
struct AmbiguousCell {
  std::size_t index;
  std::string message;
};
std::optional<AmbiguousCell> find_ambiguous_column(const std::vector<std::string_view>& cells, const CellFormat& format);
// Why `text` is not a value of `type` in this format, as a hint to add to the error ("" when no hint).
std::string cell_hint(std::string_view text, ValueType type, const CellFormat& format);

// The cell as a value of `type`; an empty cell is missing; nullopt when the
// text is not of that type. Strings are returned as views of `text`.
std::optional<Value> parse_cell(std::string_view text, ValueType type, const CellFormat& format = {});

std::optional<double> parse_number(std::string_view text);
// A number as the format writes it.
std::optional<double> parse_number(std::string_view text, const CellFormat& format);
// An ISO date, or one in the format's date_format.
std::optional<Date> parse_date(std::string_view text, const CellFormat& format);
std::optional<bool> parse_bool(std::string_view text);

// `name` or `name:type`; throws vigil::Error describing the problem.
struct ColumnSpec {
  std::string name;
  std::optional<ValueType> declared;
};
ColumnSpec parse_column_header(std::string_view header);
bool is_attribute_name(std::string_view name);
bool is_kind_name(std::string_view name);

}  // namespace vigil
