#include "engine/output/diff_output.hpp"

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "engine/facts/value_format.hpp"
#include "engine/output/finding_output.hpp"

namespace vigil {
namespace {

// Categories whose findings are open in the later run show since when.
bool shows_age(DiffCategory c) { return c == DiffCategory::still_open || c == DiffCategory::changed; }

std::string counts_line(const RunDiff& diff) {
  std::string counts;
  for (const auto& c : kDiffCategories)
    counts += fmt::format("{}{} {}", counts.empty() ? "" : ", ", diff[c.category].size(), c.label);
  return counts;
}

void write_table(std::ostream& out, const RunDiff& diff) {
  out << fmt::format("run {} ({}) -> run {} ({}): {}\n", diff.from.id, diff.from.as_of, diff.to.id, diff.to.as_of,
                     counts_line(diff));
  for (const auto& c : kDiffCategories) {
    const auto& items = diff[c.category];
    if (items.empty()) continue;
    out << "\n" << c.title << "\n";
    for (const auto& item : items) {
      const auto& f = item.finding;
      std::string note;
      if (shows_age(c.category))
        note = fmt::format("  open {} days, since {}", days_open(f.first_seen, diff.to.as_of), f.first_seen);
      if (c.category == DiffCategory::changed && item.before)
        note += fmt::format("  (was {}: {})", severity_name(item.before->severity), item.before->message);
      if (f.waiver) note += fmt::format("  [accepted until {}, {}]", f.waiver->expires, f.waiver->owner);
      out << fmt::format("  {:<9} {:<10} {:<8} {}{}\n", severity_name(f.severity), f.rule, f.entity.value_or("-"),
                         f.message, note);
    }
  }
}

// The finding as `run --format json` prints it, plus where it stands in time,
// and for a changed one what it was.
std::string extra_members(const DiffItem& item, DiffCategory category, const std::string& as_of) {
  std::string extra = fmt::format(",\"first_seen\":\"{}\"", item.finding.first_seen);
  if (category != DiffCategory::resolved) extra += fmt::format(",\"days_open\":{}", days_open(item.finding.first_seen, as_of));
  if (category == DiffCategory::changed && item.before)
    extra += ",\"before\":" + json_text(nlohmann::ordered_json{{"severity", severity_name(item.before->severity)},
                                                                {"message", item.before->message}});
  return extra;
}

void write_json(std::ostream& out, const RunDiff& diff) {
  out << "{\n  \"from_run\": " << diff.from.id << ",\n  \"to_run\": " << diff.to.id;
  for (const auto& c : kDiffCategories) {
    const auto& items = diff[c.category];
    out << ",\n  \"" << c.key << "\": [";
    for (std::size_t i = 0; i < items.size(); ++i) {
      out << (i == 0 ? "\n    " : ",\n    ");
      write_finding_json(out, items[i].finding, extra_members(items[i], c.category, diff.to.as_of));
    }
    out << (items.empty() ? "]" : "\n  ]");
  }
  out << "\n}\n";
}

}  // namespace

void write_diff(std::ostream& out, const RunDiff& diff, DiffFormat format) {
  if (format == DiffFormat::json) write_json(out, diff);
  else write_table(out, diff);
}

}  // namespace vigil
