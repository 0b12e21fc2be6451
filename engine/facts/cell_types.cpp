#include "engine/facts/cell_types.hpp"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cmath>
#include <ctime>

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

std::optional<double> parse_number(std::string_view text, const CellFormat& format) {
  if (!format.decimal_comma) return parse_number(text);
  // "1.200.000,50": groups of three after the first one to three digits, then ',' and the decimals.
  std::string plain;
  std::size_t digits_in_group = 0, groups = 0;
  bool decimals = false;
  for (std::size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if ((c == '-' || c == '+') && i == 0) {
      plain += c;
    } else if (std::isdigit(static_cast<unsigned char>(c))) {
      plain += c;
      ++digits_in_group;
    } else if (c == '.' && !decimals) {
      if (digits_in_group == 0 || digits_in_group > 3 || (groups > 0 && digits_in_group != 3)) return std::nullopt;
      ++groups, digits_in_group = 0;
    } else if (c == ',' && !decimals) {
      if (groups > 0 && digits_in_group != 3) return std::nullopt;
      plain += '.';
      decimals = true;
    } else {
      return std::nullopt;
    }
  }
  if (groups > 0 && !decimals && digits_in_group != 3) return std::nullopt;
  return parse_number(plain);
}

std::optional<Date> parse_date(std::string_view text, const CellFormat& format) {
  if (auto iso = parse_iso_date(text)) return iso;
  if (format.date_format.empty()) return std::nullopt;
  std::string cell(text);
  std::tm parts{};
  const char* end = strptime(cell.c_str(), format.date_format.c_str(), &parts);
  if (!end || *end != '\0') return std::nullopt;
  // strptime takes 31/02; the ISO reader checks that the day exists.
  return parse_iso_date(fmt::format("{:04}-{:02}-{:02}", parts.tm_year + 1900, parts.tm_mon + 1, parts.tm_mday));
}

namespace {

bool all_digits(std::string_view text) {
  return !text.empty() && std::all_of(text.begin(), text.end(), [](char c) { return std::isdigit(static_cast<unsigned char>(c)); });
}

// 02/01/2025, 2.1.25, 2025/01/02: day, month and year (two or four digits)
// in some order, joined by one of / . - (a version such as 10.4.1 is not
// one, nor is an impossible ISO date).
bool looks_like_date(std::string_view text) {
  for (char separator : {'/', '.', '-'}) {
    auto first = text.find(separator), second = text.find(separator, first + 1);
    if (first == std::string_view::npos || second == std::string_view::npos) continue;
    std::string_view a = text.substr(0, first), b = text.substr(first + 1, second - first - 1), c = text.substr(second + 1);
    if (!all_digits(a) || !all_digits(b) || !all_digits(c) || b.size() > 2) continue;
    bool year_last = a.size() <= 2 && (c.size() == 2 || c.size() == 4);
    bool year_first = a.size() == 4 && c.size() <= 2 && separator != '-';  // 2026-02-30 is a wrong ISO date
    if (year_last || year_first) return true;
  }
  return false;
}

// 1,200,000 or 1.200,50 or 3,5: digits with ',' in them (and maybe '.').
bool looks_like_grouped_number(std::string_view text) {
  if (!text.empty() && (text[0] == '-' || text[0] == '+')) text.remove_prefix(1);
  if (text.empty() || !std::isdigit(static_cast<unsigned char>(text[0])) || text.find(',') == std::string_view::npos) return false;
  return std::all_of(text.begin(), text.end(), [](char c) { return std::isdigit(static_cast<unsigned char>(c)) || c == ',' || c == '.'; });
}

}  // namespace

ValueType infer_column_type(const std::vector<std::string_view>& cells, const CellFormat& format) {
  bool any = false, numbers = true, dates = true, bools = true;
  for (auto cell : cells) {
    if (cell.empty()) continue;
    any = true;
    numbers = numbers && parse_number(cell, format).has_value();
    dates = dates && parse_date(cell, format).has_value();
    bools = bools && parse_bool(cell).has_value();
    if (!numbers && !dates && !bools) break;
  }
  if (!any) return ValueType::string;
  if (numbers) return ValueType::number;
  if (dates) return ValueType::date;
  if (bools) return ValueType::boolean;
  return ValueType::string;
}

std::optional<AmbiguousCell> find_ambiguous_column(const std::vector<std::string_view>& cells, const CellFormat& format) {
  std::optional<std::size_t> first;
  bool dates = true, numbers = true;
  for (std::size_t i = 0; i < cells.size() && (dates || numbers); ++i) {
    if (cells[i].empty()) continue;
    if (!first) first = i;
    dates = dates && (parse_date(cells[i], format) || looks_like_date(cells[i]));
    numbers = numbers && (parse_number(cells[i], format) || looks_like_grouped_number(cells[i]));
  }
  if (!first || !(dates || numbers)) return std::nullopt;
  return AmbiguousCell{*first, cell_hint(cells[*first], dates ? ValueType::date : ValueType::number, format) +
                                   " (or declare the column :string to keep it as text)"};
}

std::string cell_hint(std::string_view text, ValueType type, const CellFormat& format) {
  if (type == ValueType::date && looks_like_date(text))
    return format.date_format.empty()
               ? fmt::format("'{}' is not an ISO date (YYYY-MM-DD) and its day and month order is not known: "
                             "give --date-format, for example --date-format %d/%m/%Y",
                             text)
               : fmt::format("'{}' is not a date in --date-format {}", text, format.date_format);
  if (type == ValueType::number && looks_like_grouped_number(text))
    return format.decimal_comma
               ? fmt::format("'{}' is not a number with a decimal comma (1.200.000,50)", text)
               : fmt::format("'{}' has ',' in it, which may group digits or start decimals: give --decimal-comma "
                             "if ',' starts the decimals, or write the number without grouping",
                             text);
  return {};
}

std::optional<Value> parse_cell(std::string_view text, ValueType type, const CellFormat& format) {
  if (text.empty()) return Value::missing();
  switch (type) {
    case ValueType::number:
      if (auto n = parse_number(text, format)) return Value::number(*n);
      return std::nullopt;
    case ValueType::date:
      if (auto d = parse_date(text, format)) return Value::date(*d);
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
