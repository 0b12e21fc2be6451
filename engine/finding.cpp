#include "engine/finding.hpp"

#include <algorithm>
#include <tuple>

namespace vigil {

void sort_result(EvaluationResult& result) {
  auto key = [](const auto& item) { return std::tie(item.rule, item.entity); };
  std::sort(result.findings.begin(), result.findings.end(),
            [&](const Finding& a, const Finding& b) { return key(a) < key(b); });
  std::stable_sort(result.errors.begin(), result.errors.end(),
                   [&](const EvaluationError& a, const EvaluationError& b) { return key(a) < key(b); });
}

}  // namespace vigil
