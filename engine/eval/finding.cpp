#include "engine/eval/finding.hpp"

#include <algorithm>
#include <tuple>

namespace vigil {

void sort_result(EvaluationResult& result) {
  auto key = [](const auto& item) { return std::tie(item.rule, item.entity); };
  // Findings are large: their order is sorted, then each is moved once.
  auto& findings = result.findings;
  std::vector<std::size_t> order(findings.size());
  for (std::size_t i = 0; i < order.size(); ++i) order[i] = i;
  std::sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) { return key(findings[a]) < key(findings[b]); });
  std::vector<Finding> sorted;
  sorted.reserve(findings.size());
  for (std::size_t i : order) sorted.push_back(std::move(findings[i]));
  findings = std::move(sorted);
  std::stable_sort(result.errors.begin(), result.errors.end(),
                   [&](const EvaluationError& a, const EvaluationError& b) { return key(a) < key(b); });
}

std::map<Severity, std::size_t> count_by_severity(const std::vector<const Finding*>& findings) {
  std::map<Severity, std::size_t> counts;
  for (auto severity : kSeveritiesMostSevereFirst) counts[severity] = 0;
  for (const Finding* f : findings) ++counts[f->severity];
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
