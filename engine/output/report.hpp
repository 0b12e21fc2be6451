// A board-ready summary of a stored run, as Markdown or as one self-contained
// HTML file (no external assets; readable on a phone; printable).
#pragma once

#include <string_view>

#include <map>
#include <optional>
#include <ostream>
#include <string>
#include <vector>

#include "engine/store/database.hpp"
#include "engine/store/run_diff.hpp"

namespace vigil {

struct ProviderReliance {
  std::string id;
  std::string name;
  std::size_t services = 0;           // services relying on it, directly or through vendors
  std::size_t critical_services = 0;
};

// An open finding in the ranking of top risks (CONTRACT section 7): by
// severity, then the criticality of the services behind the entity (those
// relying on it, directly or through vendors), then days open.
struct RankedRisk {
  StoredFinding finding;
  int behind = 0;  // 4 critical, 3 high, 2 medium, 1 low, 0 no service
  long days_open = 0;
};

// Open and accepted findings of the rules carrying a tag.
struct TagSummary {
  std::string tag;  // "(no tag)" for rules without tags
  std::map<Severity, std::size_t> open;
  std::size_t accepted = 0;
};

struct ReportData {
  StoredRun run;
  std::vector<StoredRun> trend;                 // oldest first, ending with `run`
  std::optional<RunDiff> changes;               // against the previous run, if any
  std::vector<StoredFinding> findings;          // of `run`, open and accepted
  std::vector<RankedRisk> top_risks;            // the first kTopRisks open findings, ranked
  std::vector<StoredFinding> accepted;          // accepted findings, soonest expiry first
  std::vector<Waiver> expiring;                 // current waivers expiring within 30 days of the as-of date
  std::vector<TagSummary> by_tag;
  std::vector<ProviderReliance> most_relied_on;  // from the current facts
};

// "criticality of the services behind": the word for RankedRisk::behind.
const char* criticality_name(int rank);
// 12345 -> "12,345": counts for people.
std::string grouped(std::size_t number);

// The run (latest when `run` is empty). Throws vigil::Error when there is no such run.
ReportData gather_report(Database& db, std::optional<std::int64_t> run);

void write_markdown_report(std::ostream& out, const ReportData& report);
void write_html_report(std::ostream& out, const ReportData& report);
// Text for HTML: < > & " escaped (the report's, and the workbench's login page).
std::string html_escape(std::string_view text);

}  // namespace vigil
