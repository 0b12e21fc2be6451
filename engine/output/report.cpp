#include "engine/output/report.hpp"

#include <algorithm>

#include <fmt/format.h>

#include "dsl/diagnostic.hpp"
#include "engine/facts/dependency_graph.hpp"
#include "engine/store/fact_store.hpp"
#include "engine/eval/finding.hpp"

namespace vigil {
namespace {

constexpr std::size_t kTrendRuns = 10;
constexpr std::size_t kTopRisks = 15;
constexpr std::size_t kListed = 20;     // new/resolved findings listed, then "and N more"
constexpr std::size_t kPerRule = 25;    // messages listed per rule
constexpr std::size_t kProviders = 10;


// Providers ranked by the services that rely on them, directly or through other vendors.
std::vector<ProviderReliance> most_relied_on(const Portfolio& portfolio) {
  std::vector<ProviderReliance> providers;
  const KindTable* vendors = portfolio.find_kind("vendor");
  if (!vendors || portfolio.edges().empty()) return providers;
  DependencyGraph graph(portfolio);
  const GraphView& view = graph.view(DependencyGraph::kAllEdges);
  for (EntityIndex vendor : vendors->members) {
    ProviderReliance reliance;
    auto dependents = view.dependents_closure(vendor);
    for (const Value& v : *dependents) {
      EntityIndex e = v.as_entity();
      if (portfolio.kind_name(e) != "service") continue;
      ++reliance.services;
      Value criticality = portfolio.attribute(e, "criticality");
      if (criticality.is(ValueType::string) && criticality.as_string() == "critical") ++reliance.critical_services;
    }
    if (reliance.services == 0) continue;
    reliance.id = portfolio.id(vendor);
    Value name = portfolio.attribute(vendor, "name");
    reliance.name = name.is(ValueType::string) ? std::string(name.as_string()) : reliance.id;
    providers.push_back(std::move(reliance));
  }
  std::sort(providers.begin(), providers.end(), [](const auto& a, const auto& b) {
    return std::tie(b.critical_services, b.services, a.id) < std::tie(a.critical_services, a.services, b.id);
  });
  if (providers.size() > kProviders) providers.resize(kProviders);
  return providers;
}

// Critical and high findings, longest open first.
std::vector<StoredFinding> top_risks(const ReportData& r) {
  std::vector<StoredFinding> top;
  for (const auto& f : r.findings)
    if (f.severity >= Severity::high) top.push_back(f);
  std::stable_sort(top.begin(), top.end(), [](const StoredFinding& a, const StoredFinding& b) {
    return std::tie(b.severity, a.first_seen) < std::tie(a.severity, b.first_seen);
  });
  if (top.size() > kTopRisks) top.resize(kTopRisks);
  return top;
}

std::map<std::string, std::vector<const StoredFinding*>> by_rule(const ReportData& r) {
  std::map<std::string, std::vector<const StoredFinding*>> groups;
  for (const auto& f : r.findings) groups[f.rule].push_back(&f);
  return groups;
}

std::string title_of(const ReportData& r, const std::string& rule) {
  auto it = r.run.rule_titles.find(rule);
  return it == r.run.rule_titles.end() || it->second.empty() ? rule : rule + " " + it->second;
}

std::string entity_of(const StoredFinding& f) { return f.entity.value_or("portfolio"); }

std::string html(std::string_view text) {
  std::string out;
  for (char c : text) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      default: out += c;
    }
  }
  return out;
}

// Text from the facts and rules shown in Markdown: every character that
// Markdown or the HTML inside it gives a meaning is escaped, so a vendor
// named `<script>` or `[x](javascript:...)` stays text; pipes would end a
// table cell and line breaks the row.
std::string md(std::string_view text) {
  std::string out;
  for (char c : text) {
    if (c == '&') out += "&amp;";
    else if (c == '\n' || c == '\r') out += ' ';
    else if (std::string_view("\\`*_[]<>()#!|~").find(c) != std::string_view::npos) out += {'\\', c};
    else out += c;
  }
  return out;
}

std::string headline(const ReportData& r) {
  std::string counts = severity_summary(r.run.counts);
  std::string text = fmt::format("{} findings{}", r.run.finding_count, counts.empty() ? "" : " (" + counts + ")");
  if (r.changes) text += fmt::format("; {} new and {} resolved since run {}", r.changes->added.size(), r.changes->resolved.size(), r.changes->from.id);
  if (r.run.error_count > 0) text += fmt::format("; {} evaluation errors", r.run.error_count);
  return text;
}

const char* colour_of(Severity s) {
  switch (s) {
    case Severity::critical: return "#c1121f";
    case Severity::high: return "#f77f00";
    case Severity::medium: return "#e0a800";
    case Severity::low: return "#5fa8d3";
    case Severity::info: return "#9e9e9e";
  }
  return "#000";
}

// Stacked bars, one per run, drawn inline so the page needs no assets.
std::string trend_svg(const ReportData& r) {
  std::size_t highest = 1;
  for (const auto& run : r.trend) highest = std::max(highest, run.finding_count);
  const int bar = 36, gap = 14, height = 120;
  // Room for every run of the trend, so that a short history keeps the same scale.
  int width = static_cast<int>(std::max(r.trend.size(), kTrendRuns)) * (bar + gap) + gap;
  std::string svg = fmt::format(R"(<svg viewBox="0 0 {} {}" role="img" aria-label="Findings per run" class="trend">)", width, height + 34);
  int x = gap;
  for (const auto& run : r.trend) {
    double y = height;
    for (auto s : kSeveritiesMostSevereFirst) {
      double h = static_cast<double>(run.counts.at(s)) / static_cast<double>(highest) * (height - 10);
      if (h <= 0) continue;
      y -= h;
      svg += fmt::format(R"(<rect x="{}" y="{:.1f}" width="{}" height="{:.1f}" fill="{}"><title>run {}: {} {}</title></rect>)",
                         x, y, bar, h, colour_of(s), run.id, run.counts.at(s), severity_name(s));
    }
    svg += fmt::format(R"(<text x="{}" y="{}" text-anchor="middle" font-size="11">{}</text>)", x + bar / 2, height + 14, run.finding_count);
    svg += fmt::format(R"(<text x="{}" y="{}" text-anchor="middle" font-size="10" fill="#555">{}</text>)", x + bar / 2, height + 28, run.as_of.substr(5));
    x += bar + gap;
  }
  return svg + "</svg>";
}

constexpr const char* kStyle = R"css(
:root { --ink: #1d2433; --muted: #5b6475; --line: #e3e6ec; }
* { box-sizing: border-box; }
body { margin: 0; font: 15px/1.5 -apple-system, "Segoe UI", Roboto, Helvetica, Arial, sans-serif; color: var(--ink); background: #f6f7f9; }
main { max-width: 980px; margin: 0 auto; padding: 24px 16px 48px; background: #fff; }
h1 { font-size: 1.6em; margin: 0 0 4px; }
h2 { font-size: 1.2em; margin: 32px 0 8px; border-bottom: 2px solid var(--line); padding-bottom: 4px; }
h3 { font-size: 1em; margin: 20px 0 6px; }
.meta { color: var(--muted); margin: 0 0 16px; }
.cards { display: grid; grid-template-columns: repeat(auto-fit, minmax(110px, 1fr)); gap: 10px; margin: 16px 0; }
.card { border-radius: 8px; padding: 10px 12px; color: #fff; }
.card b { display: block; font-size: 1.8em; line-height: 1.1; }
.card.total { background: var(--ink); }
.headline { font-size: 1.05em; }
.scroll { overflow-x: auto; }
table { border-collapse: collapse; width: 100%; font-size: 0.92em; }
th, td { text-align: left; padding: 6px 8px; border-bottom: 1px solid var(--line); vertical-align: top; }
th { color: var(--muted); font-weight: 600; white-space: nowrap; }
td.id { white-space: nowrap; }
.sev { display: inline-block; min-width: 64px; text-align: center; border-radius: 4px; color: #fff; font-size: 0.85em; padding: 1px 6px; }
.trend { width: 100%; max-width: 640px; height: auto; }
.more { color: var(--muted); font-style: italic; }
ul { padding-left: 20px; }
@media (max-width: 600px) { body { font-size: 14px; } main { padding: 16px 10px; } th, td { padding: 5px 4px; } }
@media print {
  body { background: #fff; font-size: 11pt; }
  main { max-width: none; padding: 0; }
  h2 { break-after: avoid; }
  table, .cards, svg { break-inside: avoid; }
  .card, .sev { -webkit-print-color-adjust: exact; print-color-adjust: exact; }
}
)css";

std::string severity_badge(Severity s) {
  return fmt::format(R"(<span class="sev" style="background:{}">{}</span>)", colour_of(s), severity_name(s));
}

void html_finding_table(std::ostream& out, const std::vector<StoredFinding>& findings, std::size_t limit,
                        const std::string& as_of, bool with_age) {
  if (findings.empty()) {
    out << "<p class=\"more\">None.</p>\n";
    return;
  }
  out << "<div class=\"scroll\"><table><tr><th>Severity</th><th>Rule</th><th>Entity</th><th>Finding</th>"
      << (with_age ? "<th>Open</th>" : "") << "</tr>\n";
  for (std::size_t i = 0; i < findings.size() && i < limit; ++i) {
    const auto& f = findings[i];
    out << "<tr><td>" << severity_badge(f.severity) << "</td><td class=\"id\">" << html(f.rule) << "</td><td class=\"id\">"
        << html(entity_of(f)) << "</td><td>" << html(f.message) << "</td>";
    if (with_age) out << "<td class=\"id\">" << days_open(f.first_seen, as_of) << " days</td>";
    out << "</tr>\n";
  }
  out << "</table></div>\n";
  if (findings.size() > limit) out << "<p class=\"more\">and " << findings.size() - limit << " more.</p>\n";
}

void md_finding_table(std::ostream& out, const std::vector<StoredFinding>& findings, std::size_t limit,
                      const std::string& as_of, bool with_age) {
  if (findings.empty()) {
    out << "None.\n\n";
    return;
  }
  out << "| Severity | Rule | Entity | Finding |" << (with_age ? " Open |" : "") << "\n|---|---|---|---|"
      << (with_age ? "---|" : "") << "\n";
  for (std::size_t i = 0; i < findings.size() && i < limit; ++i) {
    const auto& f = findings[i];
    out << "| " << severity_name(f.severity) << " | " << md(f.rule) << " | " << md(entity_of(f)) << " | " << md(f.message)
        << " |";
    if (with_age) out << " " << days_open(f.first_seen, as_of) << " days |";
    out << "\n";
  }
  if (findings.size() > limit) out << "\n*and " << findings.size() - limit << " more.*\n";
  out << "\n";
}

}  // namespace

ReportData gather_report(Database& db, std::optional<std::int64_t> run) {
  if (!run) run = latest_run(db);
  if (!run) throw Error(fmt::format("{}: no stored run to report on (run `vigil run` first)", db.path()));
  ReportData report;
  auto found = find_run(db, *run);
  if (!found) throw Error(fmt::format("{}: there is no run {}", db.path(), *run));
  report.run = *found;
  for (const auto& r : recent_runs(db, 1000))
    if (r.id <= report.run.id && report.trend.size() < kTrendRuns) report.trend.push_back(r);
  std::reverse(report.trend.begin(), report.trend.end());
  if (auto previous = previous_run(db, report.run.id)) report.changes = diff_runs(db, *previous, report.run.id);
  report.findings = load_findings(db, report.run.id);
  report.most_relied_on = most_relied_on(load_portfolio(db));
  return report;
}

void write_markdown_report(std::ostream& out, const ReportData& r) {
  out << "# Third-party risk report\n\nRun " << r.run.id << ", as of " << r.run.as_of << " (evaluated " << r.run.finished_at
      << ").\n\n**" << headline(r) << ".**\n\n";
  out << "## Trend\n\n| Run | As of |";
  for (auto s : kSeveritiesMostSevereFirst) out << " " << severity_name(s) << " |";
  out << " Total |\n|---|---|---|---|---|---|---|---|\n";
  for (const auto& run : r.trend) {
    out << "| " << run.id << " | " << run.as_of << " |";
    for (auto s : kSeveritiesMostSevereFirst) out << " " << run.counts.at(s) << " |";
    out << " " << run.finding_count << " |\n";
  }
  out << "\n## Top risks\n\n";
  md_finding_table(out, top_risks(r), kTopRisks, r.run.as_of, true);
  if (r.changes) {
    out << "## New since run " << r.changes->from.id << "\n\n";
    md_finding_table(out, r.changes->added, kListed, r.run.as_of, false);
    out << "## Resolved since run " << r.changes->from.id << "\n\n";
    md_finding_table(out, r.changes->resolved, kListed, r.run.as_of, false);
  }
  out << "## Concentration: the providers most relied on\n\n";
  if (r.most_relied_on.empty()) out << "No dependencies recorded.\n\n";
  else {
    out << "| Provider | Critical services | All services |\n|---|---|---|\n";
    for (const auto& p : r.most_relied_on)
      out << "| " << md(p.name) << " (" << md(p.id) << ") | " << p.critical_services << " | " << p.services << " |\n";
    out << "\nServices that rely on the provider directly or through their vendors, in the current facts.\n\n";
  }
  out << "## Findings by rule\n\n";
  for (const auto& [rule, findings] : by_rule(r)) {
    out << "### " << md(title_of(r, rule)) << " (" << findings.size() << ")\n\n";
    for (std::size_t i = 0; i < findings.size() && i < kPerRule; ++i)
      out << "- **" << md(entity_of(*findings[i])) << "** (" << severity_name(findings[i]->severity) << "): "
          << md(findings[i]->message) << "\n";
    if (findings.size() > kPerRule) out << "- *and " << findings.size() - kPerRule << " more.*\n";
    out << "\n";
  }
}

void write_html_report(std::ostream& out, const ReportData& r) {
  out << "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n"
         "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
      << "<title>Third-party risk report, run " << r.run.id << "</title>\n<style>" << kStyle << "</style></head>\n<body><main>\n";
  out << "<h1>Third-party risk report</h1>\n<p class=\"meta\">Run " << r.run.id << ", as of " << html(r.run.as_of)
      << " (evaluated " << html(r.run.finished_at) << ")</p>\n";
  out << "<div class=\"cards\"><div class=\"card total\"><b>" << r.run.finding_count << "</b>findings</div>";
  for (auto s : kSeveritiesMostSevereFirst)
    out << "<div class=\"card\" style=\"background:" << colour_of(s) << "\"><b>" << r.run.counts.at(s) << "</b>"
        << severity_name(s) << "</div>";
  out << "</div>\n<p class=\"headline\"><strong>" << html(headline(r)) << ".</strong></p>\n";
  out << "<h2>Trend over the last " << r.trend.size() << " runs</h2>\n" << trend_svg(r) << "\n";
  out << "<h2>Top risks</h2>\n";
  html_finding_table(out, top_risks(r), kTopRisks, r.run.as_of, true);
  if (r.changes) {
    out << "<h2>New since run " << r.changes->from.id << "</h2>\n";
    html_finding_table(out, r.changes->added, kListed, r.run.as_of, false);
    out << "<h2>Resolved since run " << r.changes->from.id << "</h2>\n";
    html_finding_table(out, r.changes->resolved, kListed, r.run.as_of, false);
  }
  out << "<h2>Concentration: the providers most relied on</h2>\n";
  if (r.most_relied_on.empty()) out << "<p class=\"more\">No dependencies recorded.</p>\n";
  else {
    out << "<div class=\"scroll\"><table><tr><th>Provider</th><th>Critical services</th><th>All services</th></tr>\n";
    for (const auto& p : r.most_relied_on)
      out << "<tr><td>" << html(p.name) << " <span class=\"more\">" << html(p.id) << "</span></td><td>" << p.critical_services
          << "</td><td>" << p.services << "</td></tr>\n";
    out << "</table></div>\n<p class=\"more\">Services that rely on the provider directly or through their vendors, in the current facts.</p>\n";
  }
  out << "<h2>Findings by rule</h2>\n";
  for (const auto& [rule, findings] : by_rule(r)) {
    out << "<h3>" << html(title_of(r, rule)) << " (" << findings.size() << ")</h3>\n<ul>\n";
    for (std::size_t i = 0; i < findings.size() && i < kPerRule; ++i)
      out << "<li>" << severity_badge(findings[i]->severity) << " <strong>" << html(entity_of(*findings[i])) << "</strong> "
          << html(findings[i]->message) << "</li>\n";
    if (findings.size() > kPerRule) out << "<li class=\"more\">and " << findings.size() - kPerRule << " more.</li>\n";
    out << "</ul>\n";
  }
  out << "</main></body></html>\n";
}

}  // namespace vigil
