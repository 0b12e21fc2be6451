// A board-ready summary of a stored run, as Markdown or as one self-contained
// HTML file (no external assets; readable on a phone; printable).
#pragma once

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

struct ReportData {
  StoredRun run;
  std::vector<StoredRun> trend;                 // oldest first, ending with `run`
  std::optional<RunDiff> changes;               // against the previous run, if any
  std::vector<StoredFinding> findings;          // of `run`
  std::vector<ProviderReliance> most_relied_on;  // from the current facts
};

// The run (latest when `run` is empty). Throws vigil::Error when there is no such run.
ReportData gather_report(Database& db, std::optional<std::int64_t> run);

void write_markdown_report(std::ostream& out, const ReportData& report);
void write_html_report(std::ostream& out, const ReportData& report);

}  // namespace vigil
