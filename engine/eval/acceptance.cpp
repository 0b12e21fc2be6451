#include "engine/eval/acceptance.hpp"

#include <algorithm>
#include <map>

#include "dsl/calendar.hpp"
#include "engine/facts/value_format.hpp"
#include "engine/facts/waivers.hpp"

namespace vigil {
namespace {

using WaiverKey = std::pair<std::string_view, std::string_view>;  // (rule, entity or "*")

// A waiver with its expiry parsed once, not once per finding it is checked against.
struct IndexedWaiver {
  const Waiver* waiver;
  std::optional<Date> expires;
  bool covers(Date as_of) const { return expires && as_of <= *expires; }
};

class WaiverIndex {
 public:
  explicit WaiverIndex(const std::vector<Waiver>& waivers) {
    for (const auto& w : waivers) by_key_.emplace(WaiverKey{w.rule, w.entity}, IndexedWaiver{&w, parse_iso_date(w.expires)});
  }

  // The waivers that could cover a finding, the entity's own first.
  std::vector<IndexedWaiver> candidates(const Finding& f) const {
    std::vector<IndexedWaiver> found;
    if (f.entity)
      if (auto it = by_key_.find({f.rule, *f.entity}); it != by_key_.end()) found.push_back(it->second);
    if (auto it = by_key_.find({f.rule, "*"}); it != by_key_.end()) found.push_back(it->second);
    return found;
  }

  bool empty() const { return by_key_.empty(); }

 private:
  std::map<WaiverKey, IndexedWaiver> by_key_;
};

// `"waiver_expired": "DATE"` added to the evidence object (JSON text).
void note_expired_waiver(Finding& f, const std::string& expired) {
  std::string field = "\"waiver_expired\":\"" + expired + "\"";
  auto& evidence = f.evidence_json;
  if (evidence.size() < 2 || evidence.back() != '}') evidence = "{" + field + "}";
  else evidence.insert(evidence.size() - 1, (evidence == "{}" ? "" : ",") + field);
}

void apply_waivers(Finding& f, const WaiverIndex& waivers, Date as_of) {
  auto candidates = waivers.candidates(f);
  auto current = std::find_if(candidates.begin(), candidates.end(), [&](const IndexedWaiver& w) { return w.covers(as_of); });
  if (current != candidates.end()) {
    f.status = FindingStatus::accepted;
    f.waiver = *current->waiver;
    return;
  }
  if (candidates.empty()) return;
  const IndexedWaiver& latest = *std::max_element(candidates.begin(), candidates.end(),
                                                  [](const IndexedWaiver& a, const IndexedWaiver& b) { return a.expires < b.expires; });
  note_expired_waiver(f, latest.waiver->expires);
}

std::optional<std::string> owner_of(const Finding& f, const Portfolio& portfolio, const std::string& owner_attribute) {
  if (!f.entity) return std::nullopt;
  auto entity = portfolio.find(*f.entity);
  if (!entity) return std::nullopt;
  Value value = portfolio.attribute(*entity, owner_attribute);
  if (value.is_missing()) return std::nullopt;
  return display_value(value, portfolio);
}

}  // namespace

const char* status_name(FindingStatus status) { return status == FindingStatus::accepted ? "accepted" : "open"; }

FindingStatus parse_status(std::string_view name) {
  return name == status_name(FindingStatus::accepted) ? FindingStatus::accepted : FindingStatus::open;
}

void annotate_findings(std::vector<Finding>& findings, const RuleSet& rules, const Portfolio& portfolio, Date as_of,
                       const std::string& owner_attribute) {
  WaiverIndex waivers(portfolio.waivers);
  const Rule* rule = nullptr;
  for (auto& f : findings) {
    if (!rule || rule->id != f.rule) rule = rules.find_rule(f.rule);  // findings come grouped by rule
    if (rule) {
      f.title = rule->title.value_or("");
      f.tags = rule->tags;
    }
    f.owner = owner_of(f, portfolio, owner_attribute);
    if (!waivers.empty()) apply_waivers(f, waivers, as_of);
  }
}

std::vector<Diagnostic> waiver_warnings(const Portfolio& portfolio, const RuleSet& rules) {
  std::vector<std::string> ids;
  for (const Rule* rule : rules.rules()) ids.push_back(rule->id);
  std::vector<Diagnostic> warnings;
  auto warn = [&](std::string text) { warnings.push_back({DiagnosticLevel::warning, nullptr, 0, std::move(text)}); };
  for (const auto& w : portfolio.waivers)
    if (!rules.find_rule(w.rule))
      warn(fmt::format("{}waiver names rule {}, which is not loaded{}", w.where.empty() ? "" : w.where + ": ", w.rule,
                       did_you_mean(w.rule, ids)));
  for (auto& text : unknown_entity_warnings(portfolio)) warn(std::move(text));
  return warnings;
}

std::vector<const Finding*> open_findings(const std::vector<Finding>& findings) {
  std::vector<const Finding*> open;
  for (const Finding& f : findings)
    if (f.status == FindingStatus::open) open.push_back(&f);
  return open;
}

std::size_t accepted_count(const std::vector<Finding>& findings) {
  return static_cast<std::size_t>(std::count_if(findings.begin(), findings.end(),
                                                [](const Finding& f) { return f.status == FindingStatus::accepted; }));
}

}  // namespace vigil
