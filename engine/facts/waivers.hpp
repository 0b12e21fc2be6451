// Waivers (CONTRACT section 6) as they come in: `waivers.csv` beside the
// entities, or the "waivers" array of a portfolio JSON. Every waiver is
// checked as it is read, so that a bad one stops the import at its line.
#pragma once

#include <map>
#include <string>
#include <utility>
#include <vector>

#include <vigil/finding.hpp>

#include "engine/facts/csv_reader.hpp"

namespace vigil {

class Portfolio;

// Collects waivers from one or more places, refusing bad ones with
// ImportError("file:line: message"). `where` is the waiver's file:line, kept
// for the warnings that name it later.
class WaiverReader {
 public:
  // `fields` maps column names (rule, entity, owner, reason, expires,
  // approved_by, ticket) to the cell text; an unknown name is an error.
  void add(const std::map<std::string, std::string>& fields, const std::string& file, std::size_t line);
  std::vector<Waiver> take() { return std::move(waivers_); }

 private:
  std::vector<Waiver> waivers_;
  std::map<std::pair<std::string, std::string>, std::string> seen_;  // (rule, entity) -> file:line
};

void read_waivers_csv(WaiverReader& reader, const std::string& path, const CsvDialect& dialect = {});
// The same from a table read already (a workbook's `waivers` sheet).
void read_waivers_table(WaiverReader& reader, const CsvTable& table);

// "file:line: warning text" for each waiver naming an entity the portfolio does not have.
std::vector<std::string> unknown_entity_warnings(const Portfolio& portfolio);

}  // namespace vigil
