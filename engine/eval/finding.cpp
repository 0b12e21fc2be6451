#include "engine/eval/finding.hpp"

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

std::map<Severity, std::size_t> count_by_severity(const std::vector<Finding>& findings) {
  std::map<Severity, std::size_t> counts;
  for (auto severity : kSeveritiesMostSevereFirst) counts[severity] = 0;
  for (const auto& f : findings) ++counts[f.severity];
  return counts;
}

std::string severity_summary(const std::map<Severity, std::size_t>& counts) {
  std::string out;
  for (auto severity : kSeveritiesMostSevereFirst) {
    auto it = counts.find(severity);
    if (it != counts.end() && it->second > 0)
      out += (out.empty() ? "" : ", ") + std::to_string(it->second) + " " + severity_name(severity);
  }
  return out;
}

}  // namespace vigil
