// Findings and evaluation errors: defined in the public API (vigil/finding.hpp).
#pragma once

#include <map>
#include <string>

#include <vigil/finding.hpp>

namespace vigil {

// Sorts findings by rule id, then entity id (portfolio findings first), and errors likewise.
void sort_result(EvaluationResult& result);

// Findings by severity (every severity present, 0 when none).
std::map<Severity, std::size_t> count_by_severity(const std::vector<const Finding*>& findings);
// "3 high, 9 medium": the non-zero counts, most severe first ("" when all are zero).
std::string severity_summary(const std::map<Severity, std::size_t>& counts);

}  // namespace vigil
