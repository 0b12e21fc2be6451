// Typing of text cells (CSV) and attribute values: declared column types
// (`spend:number`) and inference for untyped columns.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "engine/facts/value.hpp"

namespace vigil {

// All non-empty cells numbers -> number; all ISO dates -> date; all of
// true/false/yes/no -> bool; otherwise string. A column with no value at all
// is a string column.
ValueType infer_column_type(const std::vector<std::string_view>& cells);

// The cell as a value of `type`; an empty cell is missing; nullopt when the
// text is not of that type. Strings are returned as views of `text`.
std::optional<Value> parse_cell(std::string_view text, ValueType type);

std::optional<double> parse_number(std::string_view text);
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
