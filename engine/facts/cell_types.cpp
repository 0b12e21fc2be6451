#include "engine/facts/cell_types.hpp"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cmath>

#include <fmt/format.h>

#include "dsl/diagnostic.hpp"

namespace vigil {
namespace {

std::string lower_ascii(std::string_view text) {
  std::string out(text);
  for (auto& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

}  // namespace

std::optional<double> parse_number(std::string_view text) {
  // Decimal notation only: no hex, no inf/nan, no thousands separators.
  if (text.empty()) return std::nullopt;
  std::size_t i = text[0] == '-' || text[0] == '+' ? 1 : 0;
  if (i == text.size() || !(std::isdigit(static_cast<unsigned char>(text[i])) || text[i] == '.')) return std::nullopt;
  for (std::size_t k = i; k < text.size(); ++k) {
    char c = text[k];
    if (!std::isdigit(static_cast<unsigned char>(c)) && c != '.' && c != 'e' && c != 'E' && c != '-' && c != '+')
      return std::nullopt;
  }
  if (text[0] == '+') text.remove_prefix(1);
  double value = 0;
  auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (error != std::errc() || end != text.data() + text.size() || !std::isfinite(value)) return std::nullopt;
  return value;
}

std::optional<bool> parse_bool(std::string_view text) {
  std::string word = lower_ascii(text);
  if (word == "true" || word == "yes") return true;
  if (word == "false" || word == "no") return false;
  return std::nullopt;
}

ValueType infer_column_type(const std::vector<std::string_view>& cells) {
  bool any = false, numbers = true, dates = true, bools = true;
  for (auto cell : cells) {
    if (cell.empty()) continue;
    any = true;
    numbers = numbers && parse_number(cell).has_value();
    dates = dates && parse_iso_date(cell).has_value();
    bools = bools && parse_bool(cell).has_value();
  }
  if (!any) return ValueType::string;
  if (numbers) return ValueType::number;
  if (dates) return ValueType::date;
  if (bools) return ValueType::boolean;
  return ValueType::string;
}

std::optional<Value> parse_cell(std::string_view text, ValueType type) {
  if (text.empty()) return Value::missing();
  switch (type) {
    case ValueType::number:
      if (auto n = parse_number(text)) return Value::number(*n);
      return std::nullopt;
    case ValueType::date:
      if (auto d = parse_iso_date(text)) return Value::date(*d);
      return std::nullopt;
    case ValueType::boolean:
      if (auto b = parse_bool(text)) return Value::boolean(*b);
      return std::nullopt;
    case ValueType::string: return Value::string_view(text);
    default: return std::nullopt;
  }
}

bool is_attribute_name(std::string_view name) {
  if (name.empty() || !(std::isalpha(static_cast<unsigned char>(name[0])) || name[0] == '_')) return false;
  return std::all_of(name.begin(), name.end(),
                     [](char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_'; });
}

bool is_kind_name(std::string_view name) {
  if (name.empty() || !(name[0] >= 'a' && name[0] <= 'z')) return false;
  return std::all_of(name.begin(), name.end(),
                     [](char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_'; });
}

ColumnSpec parse_column_header(std::string_view header) {
  ColumnSpec spec;
  auto colon = header.find(':');
  spec.name = std::string(header.substr(0, colon));
  // Spaces around names are a common spreadsheet artefact; they carry no meaning.
  auto trim = [](std::string s) {
    auto begin = s.find_first_not_of(" \t");
    auto end = s.find_last_not_of(" \t");
    return begin == std::string::npos ? std::string() : s.substr(begin, end - begin + 1);
  };
  spec.name = trim(spec.name);
  if (spec.name.empty()) throw Error("empty column name in the header");
  if (!is_attribute_name(spec.name))
    throw Error(fmt::format("column name '{}' is not a valid attribute name (letters, digits and '_', "
                            "starting with a letter)", spec.name));
  if (colon != std::string_view::npos) {
    std::string type = trim(std::string(header.substr(colon + 1)));
    spec.declared = parse_attribute_type(type);
    if (!spec.declared)
      throw Error(fmt::format("column '{}' has unknown type '{}': use number, string, bool or date", spec.name, type));
  }
  return spec;
}

}  // namespace vigil
