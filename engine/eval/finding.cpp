#include "engine/eval/finding.hpp"

#include <algorithm>
#include <iterator>
#include <optional>
#include <tuple>

namespace vigil {

namespace {
auto order_key(const auto& item) { return std::tie(item.rule, item.entity); }
}  // namespace

void sort_result(EvaluationResult& result) {
  // Findings are large: their order is sorted, then each is moved once.
  auto& findings = result.findings;
  std::vector<std::size_t> order(findings.size());
  for (std::size_t i = 0; i < order.size(); ++i) order[i] = i;
  std::sort(order.begin(), order.end(),
            [&](std::size_t a, std::size_t b) { return order_key(findings[a]) < order_key(findings[b]); });
  std::vector<Finding> sorted;
  sorted.reserve(findings.size());
  for (std::size_t i : order) sorted.push_back(std::move(findings[i]));
  findings = std::move(sorted);
  std::stable_sort(result.errors.begin(), result.errors.end(),
                   [](const EvaluationError& a, const EvaluationError& b) { return order_key(a) < order_key(b); });
}

void merge_sorted_results(std::vector<EvaluationResult>& parts, EvaluationResult& into) {
  std::size_t total = into.findings.size();
  for (const auto& part : parts) total += part.findings.size();
  into.findings.reserve(total);
  std::vector<std::size_t> next(parts.size(), 0);
  auto head = [&](std::size_t p) { return &parts[p].findings[next[p]]; };
  for (;;) {  // a part per thread: few enough to look at every head
    std::optional<std::size_t> least;
    for (std::size_t p = 0; p < parts.size(); ++p)
      if (next[p] < parts[p].findings.size() && (!least || order_key(*head(p)) < order_key(*head(*least)))) least = p;
    if (!least) break;
    into.findings.push_back(std::move(*head(*least)));
    ++next[*least];
  }
  for (auto& part : parts) std::move(part.errors.begin(), part.errors.end(), std::back_inserter(into.errors));
  std::stable_sort(into.errors.begin(), into.errors.end(),  // few: sorted whole, with the caller's own
                   [](const EvaluationError& a, const EvaluationError& b) { return order_key(a) < order_key(b); });
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
