// Reading a portfolio from the import formats of CONTRACT section 1: a
// directory (entities/<kind>.csv and edges.csv) or one JSON file. Any bad
// input throws ImportError ("file:line: message"); nothing is half-read.
#pragma once

#include <string>

#include "engine/facts/portfolio.hpp"

namespace vigil {

Portfolio read_portfolio_directory(const std::string& directory);
Portfolio read_portfolio_json(const std::string& path);
// The JSON form given as text; `path` names it in errors.
Portfolio parse_portfolio_json(const std::string& path, const std::string& text);
// A directory, or a file ending in .json.
Portfolio read_portfolio(const std::string& path);

}  // namespace vigil
