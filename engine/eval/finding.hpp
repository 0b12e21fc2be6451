// Findings and evaluation errors: defined in the public API (vigil/finding.hpp).
#pragma once

#include <map>
#include <string>

#include <vigil/finding.hpp>

namespace vigil {

// Sorts findings by rule id, then entity id (portfolio findings first), and errors likewise.
void sort_result(EvaluationResult& result);
// Appends the findings and errors of `parts`, each sorted by sort_result, to
// `into` in that order: threads sort their own findings side by side, and only
// this merge is left to one thread.
void merge_sorted_results(std::vector<EvaluationResult>& parts, EvaluationResult& into);

// Findings by severity (every severity present, 0 when none).
std::map<Severity, std::size_t> count_by_severity(const std::vector<const Finding*>& findings);
// "3 high, 9 medium": the non-zero counts, most severe first ("" when all are zero).
std::string severity_summary(const std::map<Severity, std::size_t>& counts);

}  // namespace vigil
