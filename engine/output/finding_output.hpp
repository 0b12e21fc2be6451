// Findings as `vigil run` prints them: table (for people), json, jsonl, csv.
#pragma once

#include <optional>
#include <ostream>
#include <string_view>
#include <vector>

#include "engine/eval/finding.hpp"

namespace vigil {

enum class OutputFormat { table, json, jsonl, csv };
std::optional<OutputFormat> parse_output_format(std::string_view name);

void write_findings(std::ostream& out, const std::vector<Finding>& findings, OutputFormat format);

}  // namespace vigil
