// Findings and evaluation errors: defined in the public API (vigil/finding.hpp).
#pragma once

#include <vigil/finding.hpp>

namespace vigil {

// Sorts findings by rule id, then entity id (portfolio findings first), and errors likewise.
void sort_result(EvaluationResult& result);

}  // namespace vigil
