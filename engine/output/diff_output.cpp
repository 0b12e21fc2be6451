#include "engine/output/diff_output.hpp"

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "engine/facts/value_format.hpp"

namespace vigil {
namespace {

void write_table(std::ostream& out, const RunDiff& diff) {
  out << fmt::format("run {} ({}) -> run {} ({}): {} new, {} resolved, {} still open\n", diff.from.id, diff.from.as_of,
                     diff.to.id, diff.to.as_of, diff.added.size(), diff.resolved.size(), diff.unchanged.size());
  auto section = [&](const char* title, const std::vector<StoredFinding>& findings, bool with_age) {
    if (findings.empty()) return;
    out << "\n" << title << "\n";
    for (const auto& f : findings) {
      std::string age = with_age ? fmt::format("  open {} days, since {}", days_open(f.first_seen, diff.to.as_of), f.first_seen) : "";
      out << fmt::format("  {:<9} {:<10} {:<8} {}{}\n", severity_name(f.severity), f.rule, f.entity.value_or("-"),
                         f.message, age);
    }
  };
  section("NEW", diff.added, false);
  section("RESOLVED", diff.resolved, false);
  section("STILL OPEN", diff.unchanged, true);
}

nlohmann::ordered_json to_json(const RunDiff& diff) {
  auto finding = [&](const StoredFinding& f, bool open) {
    nlohmann::ordered_json item{{"rule", f.rule},
                                {"entity", f.entity ? nlohmann::ordered_json(*f.entity) : nlohmann::ordered_json(nullptr)},
                                {"kind", f.kind},
                                {"severity", severity_name(f.severity)},
                                {"message", f.message},
                                {"first_seen", f.first_seen}};
    if (open) item["days_open"] = days_open(f.first_seen, diff.to.as_of);
    return item;
  };
  auto list = [&](const std::vector<StoredFinding>& findings, bool open) {
    auto array = nlohmann::ordered_json::array();
    for (const auto& f : findings) array.push_back(finding(f, open));
    return array;
  };
  auto run = [](const StoredRun& r) { return nlohmann::ordered_json{{"run", r.id}, {"as_of", r.as_of}}; };
  return {{"from", run(diff.from)},       {"to", run(diff.to)},           {"new", list(diff.added, true)},
          {"resolved", list(diff.resolved, false)}, {"unchanged", list(diff.unchanged, true)}};
}

}  // namespace

void write_diff(std::ostream& out, const RunDiff& diff, DiffFormat format) {
  if (format == DiffFormat::json) out << json_text(to_json(diff), 2) << "\n";
  else write_table(out, diff);
}

}  // namespace vigil
