// Reading a portfolio from the import formats of CONTRACT section 1: a
// directory (entities/<kind>.csv and edges.csv) or one JSON file. Any bad
// input throws ImportError ("file:line: message"); nothing is half-read.
#pragma once

#include <string>
#include <vector>

#include "engine/facts/cell_types.hpp"
#include "engine/facts/csv_reader.hpp"
#include "engine/facts/portfolio.hpp"

namespace vigil {

// How the CSV files are written: delimiter, encoding, dates and numbers (CONTRACT section 9).
struct ImportOptions {
  CsvDialect csv;
  CellFormat cells;
};

Portfolio read_portfolio_directory(const std::string& directory, const ImportOptions& options = {});
Portfolio read_portfolio_json(const std::string& path);
// The JSON form given as text; `path` names it in errors.
Portfolio parse_portfolio_json(const std::string& path, const std::string& text);
// `base` with the portfolio JSON `text` laid over it, as a new portfolio (`base`
// must outlive it): an entity with a loaded id replaces that entity entirely
// (same kind; its attributes are the overlay's only), an edge already loaded
// or given twice is ignored, waivers are added. Errors name `path`:line.
struct Overlay {
  Portfolio portfolio;
  std::vector<EntityIndex> entities;  // the overlay's entities (new or replacing), in its order
};
Overlay overlay_portfolio_json(const Portfolio& base, const std::string& path, const std::string& text);
// The same laid over `copy`, base's overlay_copy() (or one rolled back to
// how it was made: Portfolio::Mark); returns the overlay's entities. After
// an error, `copy` holds part of the overlay: roll it back.
std::vector<EntityIndex> lay_overlay_json(Portfolio& copy, const Portfolio& base, const std::string& path, const std::string& text);
// A directory, a file ending in .json (whose values carry their types, so
// `options` does not apply) or .xlsx, or `-`: a JSON portfolio on standard input.
Portfolio read_portfolio(const std::string& path, const ImportOptions& options = {});

}  // namespace vigil
