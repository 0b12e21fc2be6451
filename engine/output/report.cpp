#include "engine/output/report.hpp"

#include <algorithm>
#include <cctype>
#include <tuple>

#include <fmt/format.h>

#include "dsl/calendar.hpp"
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

// Criticality words, most critical first; their rank is 4 down to 1.
constexpr const char* kCriticalities[] = {"critical", "high", "medium", "low"};

int criticality_rank(const Value& value) {
  if (!value.is(ValueType::string)) return 0;
  for (int i = 0; i < 4; ++i)
    if (value.as_string() == kCriticalities[i]) return 4 - i;
  return 0;
}

// For every entity, the most critical service that relies on it (or is it):
// one breadth-first walk per criticality, from its services along the edges
// (from relies on to), most critical first, each entity marked once.
std::vector<int> criticality_behind(const Portfolio& portfolio) {
  std::vector<int> behind(portfolio.entity_count(), 0);
  std::vector<std::vector<EntityIndex>> relied_on(portfolio.entity_count());
  for (const auto& edge : portfolio.edges()) relied_on[edge.from].push_back(edge.to);
  const KindTable* services = portfolio.find_kind("service");
  if (!services) return behind;
  for (int rank = 4; rank >= 1; --rank) {
    std::vector<EntityIndex> frontier;
    for (EntityIndex s : services->members)
      if (criticality_rank(portfolio.attribute(s, "criticality")) == rank && behind[s] == 0) {
        behind[s] = rank;
        frontier.push_back(s);
      }
    while (!frontier.empty()) {
      EntityIndex e = frontier.back();
      frontier.pop_back();
      for (EntityIndex next : relied_on[e])
        if (behind[next] == 0) {
          behind[next] = rank;
          frontier.push_back(next);
        }
    }
  }
  return behind;
}

std::vector<RankedRisk> rank_risks(const std::vector<StoredFinding>& findings, const Portfolio& portfolio,
                                   const std::string& as_of) {
  std::vector<int> behind = criticality_behind(portfolio);
  std::vector<RankedRisk> ranked;
  for (const auto& f : findings) {
    if (f.status != FindingStatus::open) continue;
    std::optional<EntityIndex> entity = f.entity ? portfolio.find(*f.entity) : std::nullopt;
    ranked.push_back({f, entity ? behind[*entity] : 0, days_open(f.first_seen, as_of)});
  }
  auto key = [](const RankedRisk& r) {
    return std::make_tuple(-static_cast<int>(r.finding.severity), -r.behind, -r.days_open, std::cref(r.finding.rule),
                           std::cref(r.finding.entity));
  };
  std::size_t keep = std::min(ranked.size(), kTopRisks);
  std::partial_sort(ranked.begin(), ranked.begin() + static_cast<std::ptrdiff_t>(keep), ranked.end(),
                    [&](const RankedRisk& a, const RankedRisk& b) { return key(a) < key(b); });
  ranked.resize(keep);
  return ranked;
}

std::vector<TagSummary> summarise_tags(const std::vector<StoredFinding>& findings) {
  std::map<std::string, TagSummary> tags;
  auto count = [&](const std::string& tag, const StoredFinding& f) {
    auto& summary = tags[tag];
    summary.tag = tag;
    if (summary.open.empty())
      for (auto s : kSeveritiesMostSevereFirst) summary.open[s] = 0;
    if (f.status == FindingStatus::accepted) ++summary.accepted;
    else ++summary.open[f.severity];
  };
  for (const auto& f : findings) {
    if (f.tags.empty()) count("(no tag)", f);
    for (const auto& tag : f.tags) count(tag, f);
  }
  std::vector<TagSummary> out;
  for (auto& [tag, summary] : tags) out.push_back(std::move(summary));
  return out;
}

std::vector<Waiver> expiring_within(const std::vector<Waiver>& waivers, const std::string& as_of, int days) {
  std::vector<Waiver> soon;
  auto today = parse_iso_date(as_of);
  for (const auto& w : waivers) {
    auto expires = parse_iso_date(w.expires);
    if (today && expires && *today <= *expires && expires->days_since_epoch - today->days_since_epoch <= days)
      soon.push_back(w);
  }
  std::sort(soon.begin(), soon.end(), [](const Waiver& a, const Waiver& b) {
    return std::tie(a.expires, a.rule, a.entity) < std::tie(b.expires, b.rule, b.entity);
  });
  return soon;
}

std::map<std::string, std::vector<const StoredFinding*>> by_rule(const ReportData& r) {
  std::map<std::string, std::vector<const StoredFinding*>> groups;
  for (const auto& f : r.findings)
    if (f.status == FindingStatus::open) groups[f.rule].push_back(&f);
  return groups;
}

std::string title_of(const ReportData& r, const std::string& rule) {
  std::string title = r.run.rule_title(rule);
  return title.empty() ? rule : rule + " " + title;
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

std::string grouped_summary(const std::map<Severity, std::size_t>& counts) {
  std::string out;
  for (auto severity : kSeveritiesMostSevereFirst)
    if (auto it = counts.find(severity); it != counts.end() && it->second > 0)
      out += fmt::format("{}{} {}", out.empty() ? "" : ", ", grouped(it->second), severity_name(severity));
  return out;
}

std::string headline(const ReportData& r) {
  std::string counts = grouped_summary(r.run.counts);
  std::string text = fmt::format("{} open findings{}", grouped(r.run.finding_count), counts.empty() ? "" : " (" + counts + ")");
  if (r.run.accepted_count > 0) text += fmt::format(", {} accepted", grouped(r.run.accepted_count));
  if (r.changes) {
    const auto& c = *r.changes;
    text += fmt::format("; {} new and {} resolved since run {}", grouped(c[DiffCategory::added].size()),
                        grouped(c[DiffCategory::resolved].size()), c.from.id);
    if (!c[DiffCategory::reopened].empty()) text += fmt::format(", {} reopened", grouped(c[DiffCategory::reopened].size()));
  }
  if (r.run.error_count > 0) text += fmt::format("; {} evaluation errors", grouped(r.run.error_count));
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

// A round step for the y axis: 1, 2 or 5 times a power of ten, about four ticks.
std::size_t tick_step(std::size_t highest) {
  std::size_t step = 1;
  while (true) {
    for (std::size_t m : {1, 2, 5})
      if (highest / (step * m) <= 4) return step * m;
    step *= 10;
  }
}

// Stacked bars of open findings, one per run, with a y axis (ticks and
// grouped numbers), run labels on the x axis and a legend; drawn inline so
// the page needs no assets.
std::string trend_svg(const ReportData& r) {
  std::size_t highest = 1;
  for (const auto& run : r.trend) highest = std::max(highest, run.finding_count);
  std::size_t step = tick_step(highest);
  std::size_t top = (highest + step - 1) / step * step;
  const int left = 56, bar = 36, gap = 24, height = 150, base = 10 + height;
  int width = left + static_cast<int>(std::max(r.trend.size(), kTrendRuns)) * (bar + gap) + gap;
  auto y_of = [&](double count) { return base - count / static_cast<double>(top) * height; };
  std::string svg = fmt::format(R"(<svg viewBox="0 0 {} {}" role="img" aria-label="Open findings per run, by severity" class="trend">)",
                                width, base + 64);
  svg += fmt::format(R"(<g class="y-axis"><line x1="{0}" y1="10" x2="{0}" y2="{1}" stroke="#888"/>)", left, base);
  for (std::size_t tick = 0; tick <= top; tick += step)
    svg += fmt::format(R"(<line x1="{}" y1="{:.1f}" x2="{}" y2="{:.1f}" stroke="#e3e6ec"/><text x="{}" y="{:.1f}" text-anchor="end" font-size="10">{}</text>)",
                       left, y_of(static_cast<double>(tick)), width - gap, y_of(static_cast<double>(tick)), left - 4,
                       y_of(static_cast<double>(tick)) + 3, grouped(tick));
  svg += fmt::format(R"svg(<text x="12" y="{}" font-size="10" transform="rotate(-90 12 {})" text-anchor="middle">open findings</text></g>)svg",
                     10 + height / 2, 10 + height / 2);
  svg += fmt::format(R"(<g class="x-axis"><line x1="{}" y1="{}" x2="{}" y2="{}" stroke="#888"/>)", left, base, width - gap, base);
  int x = left + gap;
  std::string bars;
  for (const auto& run : r.trend) {
    double below = 0;
    for (auto s : kSeveritiesMostSevereFirst) {
      double count = static_cast<double>(run.counts.at(s));
      if (count <= 0) continue;
      bars += fmt::format(R"(<rect x="{}" y="{:.1f}" width="{}" height="{:.1f}" fill="{}"><title>run {}: {} {}</title></rect>)", x,
                          y_of(below + count), bar, y_of(below) - y_of(below + count), colour_of(s), run.id,
                          grouped(run.counts.at(s)), severity_name(s));
      below += count;
    }
    bars += fmt::format(R"(<text x="{}" y="{:.1f}" text-anchor="middle" font-size="10">{}</text>)", x + bar / 2,
                        y_of(below) - 3, grouped(run.finding_count));
    svg += fmt::format(R"(<text x="{}" y="{}" text-anchor="middle" font-size="10">run {}</text><text x="{}" y="{}" text-anchor="middle" font-size="9" fill="#555">{}</text>)",
                       x + bar / 2, base + 13, run.id, x + bar / 2, base + 25, run.as_of);
    x += bar + gap;
  }
  svg += "</g>" + bars + R"(<g class="legend">)";
  int lx = left;
  for (auto s : kSeveritiesMostSevereFirst) {
    svg += fmt::format(R"(<rect x="{}" y="{}" width="10" height="10" fill="{}"/><text x="{}" y="{}" font-size="10">{}</text>)", lx,
                       base + 40, colour_of(s), lx + 14, base + 49, severity_name(s));
    lx += 74;
  }
  return svg + "</g></svg>";
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
.card.accepted { background: #2a9d8f; }
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

// The report is a list of sections, each a table, written once as HTML and
// once as Markdown: both formats say the same thing.
struct Table {
  std::vector<std::string> headers;
  std::vector<std::vector<std::string>> rows;  // plain text; the writers escape it
  std::size_t more = 0;                        // rows left out
  bool severity_first = false;                 // the first column is a severity (a badge in HTML)
};

struct Section {
  int level = 2;  // 2: a section; 3: a part of the one before
  std::string title;
  std::string intro;  // a sentence before the table ("" for none)
  Table table;
  std::string empty = "None.";  // said instead of an empty table
};

std::string owner_of(const Finding& f) { return f.owner.value_or("-"); }

Table finding_table(const std::vector<const StoredFinding*>& findings, std::size_t limit) {
  Table t{{"Severity", "Rule", "Entity", "Owner", "Finding"}, {}, 0, true};
  for (std::size_t i = 0; i < findings.size() && i < limit; ++i) {
    const auto& f = *findings[i];
    t.rows.push_back({severity_name(f.severity), f.rule, entity_of(f), owner_of(f), f.message});
  }
  t.more = findings.size() - std::min(findings.size(), limit);
  return t;
}

std::vector<const StoredFinding*> of_items(const std::vector<DiffItem>& items) {
  std::vector<const StoredFinding*> findings;
  for (const auto& item : items) findings.push_back(&item.finding);
  return findings;
}

Table risk_table(const std::vector<RankedRisk>& risks) {
  Table t{{"Severity", "Rule", "Entity", "Owner", "Services behind", "Open", "Finding"}, {}, 0, true};
  for (const auto& r : risks)
    t.rows.push_back({severity_name(r.finding.severity), r.finding.rule, entity_of(r.finding), owner_of(r.finding),
                      criticality_name(r.behind), fmt::format("{} days", grouped(static_cast<std::size_t>(std::max(0L, r.days_open)))),
                      r.finding.message});
  return t;
}

Table accepted_table(const std::vector<StoredFinding>& accepted) {
  Table t{{"Severity", "Rule", "Entity", "Waiver owner", "Expires", "Reason", "Finding"}, {}, 0, true};
  for (std::size_t i = 0; i < accepted.size() && i < kListed * 5; ++i) {
    const auto& f = accepted[i];
    const Waiver& w = *f.waiver;
    t.rows.push_back({severity_name(f.severity), f.rule, entity_of(f), w.owner, w.expires, w.reason, f.message});
  }
  t.more = accepted.size() - std::min(accepted.size(), kListed * 5);
  return t;
}

Table expiring_table(const std::vector<Waiver>& waivers, const std::string& as_of) {
  Table t{{"Rule", "Entity", "Owner", "Expires", "Days left", "Reason"}, {}, 0, false};
  auto today = parse_iso_date(as_of);
  for (const auto& w : waivers) {
    auto expires = parse_iso_date(w.expires);
    long left = today && expires ? expires->days_since_epoch - today->days_since_epoch : 0;
    t.rows.push_back({w.rule, w.entity, w.owner, w.expires, std::to_string(left), w.reason});
  }
  return t;
}

Table tag_table(const std::vector<TagSummary>& tags) {
  Table t{{"Tag"}, {}, 0, false};
  for (auto s : kSeveritiesMostSevereFirst) t.headers.push_back(severity_name(s));
  t.headers.push_back("Open");
  t.headers.push_back("Accepted");
  for (const auto& tag : tags) {
    std::vector<std::string> row{tag.tag};
    std::size_t open = 0;
    for (auto s : kSeveritiesMostSevereFirst) {
      row.push_back(grouped(tag.open.at(s)));
      open += tag.open.at(s);
    }
    row.push_back(grouped(open));
    row.push_back(grouped(tag.accepted));
    t.rows.push_back(std::move(row));
  }
  return t;
}

Table trend_table(const std::vector<StoredRun>& trend) {
  Table t{{"Run", "As of"}, {}, 0, false};
  for (auto s : kSeveritiesMostSevereFirst) t.headers.push_back(severity_name(s));
  t.headers.push_back("Open");
  t.headers.push_back("Accepted");
  for (const auto& run : trend) {
    std::vector<std::string> row{std::to_string(run.id), run.as_of};
    for (auto s : kSeveritiesMostSevereFirst) row.push_back(grouped(run.counts.at(s)));
    row.push_back(grouped(run.finding_count));
    row.push_back(grouped(run.accepted_count));
    t.rows.push_back(std::move(row));
  }
  return t;
}

Table provider_table(const std::vector<ProviderReliance>& providers) {
  Table t{{"Provider", "Id", "Critical services", "All services"}, {}, 0, false};
  for (const auto& p : providers) t.rows.push_back({p.name, p.id, grouped(p.critical_services), grouped(p.services)});
  return t;
}

std::vector<Section> sections(const ReportData& r) {
  std::vector<Section> out;
  out.push_back({2, "Top risks",
                 "Open findings ranked by severity, then the criticality of the services that rely on the entity "
                 "(directly or through vendors), then days open.",
                 risk_table(r.top_risks)});
  if (r.changes) {
    auto since = fmt::format(" since run {}", r.changes->from.id);
    out.push_back({2, "New" + since, "", finding_table(of_items((*r.changes)[DiffCategory::added]), kListed)});
    out.push_back({2, "Resolved" + since, "", finding_table(of_items((*r.changes)[DiffCategory::resolved]), kListed)});
    if (!(*r.changes)[DiffCategory::reopened].empty())
      out.push_back({2, "Reopened" + since, "Their waiver expired or was removed.",
                     finding_table(of_items((*r.changes)[DiffCategory::reopened]), kListed)});
    if (!(*r.changes)[DiffCategory::not_compared].empty())
      out.push_back({2, "Not compared", fmt::format("{} findings of rules that only one of runs {} and {} evaluated.",
                                                    grouped((*r.changes)[DiffCategory::not_compared].size()),
                                                    r.changes->from.id, r.run.id),
                     Table{}, ""});
  }
  out.push_back({2, "Accepted risks", "Findings covered by a waiver on the as-of date; they count in no total above.",
                 accepted_table(r.accepted)});
  out.push_back({2, "Waivers expiring within 30 days", "", expiring_table(r.expiring, r.run.as_of)});
  out.push_back({2, "Findings by tag", "Open findings by severity, and accepted ones, for the rules carrying each tag.",
                 tag_table(r.by_tag)});
  out.push_back({2, "Concentration: the providers most relied on",
                 "Services that rely on the provider directly or through their vendors, in the current facts.",
                 provider_table(r.most_relied_on), "No dependencies recorded."});
  out.push_back({2, "Open findings by rule", "", Table{}, ""});
  for (const auto& [rule, findings] : by_rule(r)) {
    Table t = finding_table(findings, kPerRule);
    out.push_back({3, fmt::format("{} ({})", title_of(r, rule), grouped(findings.size())), "", std::move(t)});
  }
  return out;
}

void write_html_table(std::ostream& out, const Table& t) {
  out << "<div class=\"scroll\"><table><tr>";
  for (const auto& h : t.headers) out << "<th>" << html(h) << "</th>";
  out << "</tr>\n";
  for (const auto& row : t.rows) {
    out << "<tr>";
    for (std::size_t c = 0; c < row.size(); ++c) {
      if (c == 0 && t.severity_first) out << "<td>" << severity_badge(*parse_severity(row[c])) << "</td>";
      else out << "<td" << (c + 1 < row.size() ? " class=\"id\"" : "") << ">" << html(row[c]) << "</td>";
    }
    out << "</tr>\n";
  }
  out << "</table></div>\n";
  if (t.more > 0) out << "<p class=\"more\">and " << grouped(t.more) << " more.</p>\n";
}

void write_md_table(std::ostream& out, const Table& t) {
  out << "|";
  for (const auto& h : t.headers) out << " " << md(h) << " |";
  out << "\n|";
  for (std::size_t c = 0; c < t.headers.size(); ++c) out << "---|";
  out << "\n";
  for (const auto& row : t.rows) {
    out << "|";
    for (const auto& cell : row) out << " " << md(cell) << " |";
    out << "\n";
  }
  if (t.more > 0) out << "\n*and " << grouped(t.more) << " more.*\n";
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
  Portfolio portfolio = load_portfolio(db);
  report.top_risks = rank_risks(report.findings, portfolio, report.run.as_of);
  for (const auto& f : report.findings)
    if (f.status == FindingStatus::accepted && f.waiver) report.accepted.push_back(f);
  std::stable_sort(report.accepted.begin(), report.accepted.end(),
                   [](const StoredFinding& a, const StoredFinding& b) { return a.waiver->expires < b.waiver->expires; });
  report.expiring = expiring_within(portfolio.waivers, report.run.as_of, 30);
  report.by_tag = summarise_tags(report.findings);
  report.most_relied_on = most_relied_on(portfolio);
  return report;
}

void write_markdown_report(std::ostream& out, const ReportData& r) {
  out << "# Third-party risk report\n\nRun " << r.run.id << ", as of " << r.run.as_of << " (evaluated " << r.run.finished_at
      << ").\n\n**" << headline(r) << ".**\n\n## Trend\n\n";  // the headline holds only numbers
  write_md_table(out, trend_table(r.trend));
  for (const auto& section : sections(r)) {
    out << std::string(static_cast<std::size_t>(section.level), '#') << " " << md(section.title) << "\n\n";
    if (!section.intro.empty()) out << section.intro << "\n\n";  // Vigil's own words, not the facts
    if (!section.table.rows.empty()) write_md_table(out, section.table);
    else if (!section.empty.empty()) out << section.empty << "\n\n";
  }
}

void write_html_report(std::ostream& out, const ReportData& r) {
  out << "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n"
         "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
      << "<title>Third-party risk report, run " << r.run.id << "</title>\n<style>" << kStyle << "</style></head>\n<body><main>\n";
  out << "<h1>Third-party risk report</h1>\n<p class=\"meta\">Run " << r.run.id << ", as of " << html(r.run.as_of)
      << " (evaluated " << html(r.run.finished_at) << ")</p>\n";
  out << "<div class=\"cards\"><div class=\"card total\"><b>" << grouped(r.run.finding_count) << "</b>open findings</div>";
  for (auto s : kSeveritiesMostSevereFirst)
    out << "<div class=\"card\" style=\"background:" << colour_of(s) << "\"><b>" << grouped(r.run.counts.at(s)) << "</b>"
        << severity_name(s) << "</div>";
  out << "<div class=\"card accepted\"><b>" << grouped(r.run.accepted_count) << "</b>accepted</div>";
  out << "</div>\n<p class=\"headline\"><strong>" << html(headline(r)) << ".</strong></p>\n";
  out << "<h2>Trend over the last " << r.trend.size() << " runs</h2>\n" << trend_svg(r) << "\n";
  for (const auto& section : sections(r)) {
    std::string id;
    for (char c : section.title) id += std::isalnum(static_cast<unsigned char>(c)) ? static_cast<char>(std::tolower(c)) : '-';
    out << "<section id=\"" << (section.level == 2 ? id : "rule-" + id) << "\"><h" << section.level << ">"
        << html(section.title) << "</h" << section.level << ">\n";
    if (!section.intro.empty()) out << "<p class=\"more\">" << html(section.intro) << "</p>\n";
    if (!section.table.rows.empty()) write_html_table(out, section.table);
    else if (!section.empty.empty()) out << "<p class=\"more\">" << html(section.empty) << "</p>\n";
    out << "</section>\n";
  }
  out << "</main></body></html>\n";
}

const char* criticality_name(int rank) { return rank >= 1 && rank <= 4 ? kCriticalities[4 - rank] : "none"; }

std::string grouped(std::size_t number) {
  std::string digits = std::to_string(number), out;
  for (std::size_t i = 0; i < digits.size(); ++i) {
    if (i > 0 && (digits.size() - i) % 3 == 0) out += ',';
    out += digits[i];
  }
  return out;
}

std::string html_escape(std::string_view text) { return html(text); }

}  // namespace vigil
