#include "engine/facts/waivers.hpp"

#include <algorithm>
#include <set>

#include <fmt/format.h>

#include "dsl/calendar.hpp"
#include "engine/facts/csv_reader.hpp"
#include "engine/facts/import_error.hpp"
#include "engine/facts/portfolio.hpp"

namespace vigil {
namespace {

// The columns of a waiver: the first five are required (CONTRACT section 6).
struct WaiverColumn {
  const char* name;
  bool required;
  std::string Waiver::*field;
};
constexpr WaiverColumn kWaiverColumns[] = {
    {"rule", true, &Waiver::rule},       {"entity", true, &Waiver::entity},
    {"owner", true, &Waiver::owner},     {"reason", true, &Waiver::reason},
    {"expires", true, &Waiver::expires}, {"approved_by", false, &Waiver::approved_by},
    {"ticket", false, &Waiver::ticket},
};

std::vector<std::string> column_names() {
  std::vector<std::string> names;
  for (const auto& column : kWaiverColumns) names.emplace_back(column.name);
  return names;
}

std::string trimmed(const std::string& text) {
  auto begin = text.find_first_not_of(" \t");
  if (begin == std::string::npos) return "";
  return text.substr(begin, text.find_last_not_of(" \t") - begin + 1);
}

// A rule id as the language spells it: [A-Za-z][A-Za-z0-9_.-]*.
bool is_rule_id(const std::string& text) {
  auto letter = [](char c) { return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z'); };
  auto digit = [](char c) { return c >= '0' && c <= '9'; };
  return !text.empty() && letter(text[0]) && std::all_of(text.begin(), text.end(), [&](char c) {
    return letter(c) || digit(c) || c == '_' || c == '.' || c == '-';
  });
}

void require_known_field(const std::string& name, const std::string& file, std::size_t line) {
  if (std::none_of(std::begin(kWaiverColumns), std::end(kWaiverColumns),
                   [&](const WaiverColumn& c) { return name == c.name; }))
    throw ImportError(file, line, fmt::format("unknown waiver field '{}'{} (a waiver has rule, entity, owner, "
                                              "reason, expires and optionally approved_by, ticket)",
                                              name, did_you_mean(name, column_names())));
}

}  // namespace

void WaiverReader::add(const std::map<std::string, std::string>& fields, const std::string& file, std::size_t line) {
  for (const auto& field : fields) require_known_field(field.first, file, line);
  Waiver waiver;
  for (const auto& column : kWaiverColumns) {
    auto it = fields.find(column.name);
    std::string value = it == fields.end() ? "" : trimmed(it->second);
    if (column.required && value.empty())
      throw ImportError(file, line, fmt::format("a waiver needs {} '{}'", column.name[0] == 'o' ? "an" : "a", column.name));
    waiver.*column.field = value;
  }
  if (!is_rule_id(waiver.rule))
    throw ImportError(file, line, fmt::format("'{}' is not a rule id (letters, digits, '_', '.', '-')", waiver.rule));
  if (!parse_iso_date(waiver.expires))
    throw ImportError(file, line, fmt::format("expires '{}' is not a date (YYYY-MM-DD)", waiver.expires));
  waiver.where = fmt::format("{}:{}", file, line);
  auto [first, inserted] = seen_.emplace(std::pair{waiver.rule, waiver.entity}, waiver.where);
  if (!inserted)
    throw ImportError(file, line, fmt::format("duplicate waiver for rule {} and entity {} (first at {})", waiver.rule,
                                              waiver.entity, first->second));
  waivers_.push_back(std::move(waiver));
}

void read_waivers_table(WaiverReader& reader, const CsvTable& table) {
  std::set<std::string> names;
  for (std::size_t c = 0; c < table.header.size(); ++c) {
    std::string at = cell_file(table.path, table.spreadsheet, c);
    require_known_field(table.header[c], at, table.header_line);
    if (!names.insert(table.header[c]).second)
      throw ImportError(at, table.header_line, fmt::format("column '{}' appears twice in the header", table.header[c]));
  }
  // Each waiver is named by its row (a spreadsheet's by the row's first cell).
  std::string at = cell_file(table.path, table.spreadsheet, 0);
  for (const auto& row : table.rows) {
    std::map<std::string, std::string> fields;
    for (std::size_t c = 0; c < table.header.size(); ++c) fields.emplace(table.header[c], row.fields[c]);
    reader.add(fields, at, row.line);
  }
}

void read_waivers_csv(WaiverReader& reader, const std::string& path, const CsvDialect& dialect) {
  read_waivers_table(reader, read_csv_file(path, dialect));
}

std::vector<std::string> unknown_entity_warnings(const Portfolio& portfolio) {
  std::vector<std::string> warnings;
  for (const auto& w : portfolio.waivers)
    if (w.entity != "*" && !portfolio.find(w.entity))
      warnings.push_back(fmt::format("{}: waiver for rule {} names entity '{}', which the portfolio does not have",
                                     w.where, w.rule, w.entity));
  return warnings;
}

}  // namespace vigil
