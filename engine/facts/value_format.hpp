// Values as people read them (messages, tables) and as JSON (evidence).
#pragma once

#include <string>

#include <nlohmann/json.hpp>

#include "engine/facts/portfolio.hpp"

namespace vigil {

// For messages: numbers without needless decimals, dates ISO, durations
// `30d`, entities by id, lists comma-separated, missing as "(missing)".
std::string display_value(const Value& value, const Portfolio& portfolio);
// For diagnostics: `a string "soon"`, `a number 3`.
std::string describe_value(const Value& value, const Portfolio& portfolio);
// Missing is null; dates and durations are strings; entities their id;
// integral numbers are integers. Lists longer than `max_items` are cut.
nlohmann::ordered_json value_to_json(const Value& value, const Portfolio& portfolio, std::size_t max_items = 50);
// JSON text for an output. Text that a direct writer of the database stored
// as invalid UTF-8 is written with U+FFFD rather than failing the output.
std::string json_text(const nlohmann::ordered_json& json, int indent = -1);
std::string format_number(double number);

}  // namespace vigil
