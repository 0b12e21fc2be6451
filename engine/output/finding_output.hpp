// Findings as `vigil run` prints them: table (for people), json, jsonl, csv.
#pragma once

#include <optional>
#include <ostream>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "engine/eval/finding.hpp"

namespace vigil {

enum class OutputFormat { table, json, jsonl, csv };
std::optional<OutputFormat> parse_output_format(std::string_view name);

// One finding as compact JSON (the shape of `run --format json`), and a waiver as a JSON object.
// `extra_members` (",\"key\":value..." JSON text) is added at the end of the object.
void write_finding_json(std::ostream& out, const Finding& f, std::string_view extra_members = {});
nlohmann::ordered_json waiver_json(const Waiver& w);

// `table_width`: the table fits that many columns, its messages wrapped at word boundaries (0: unwrapped).
void write_findings(std::ostream& out, const std::vector<Finding>& findings, OutputFormat format,
                    std::size_t table_width = 0);
// The JSON array `run --format json` prints, as text (the C ABI, Python and `vigil serve` answer it).
std::string findings_json_text(const std::vector<Finding>& findings);

}  // namespace vigil
