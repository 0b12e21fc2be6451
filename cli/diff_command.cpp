#include <iostream>

#include <nlohmann/json.hpp>

#include "cli/commands.hpp"
#include "engine/store/run_diff.hpp"

namespace vigil::cli {
namespace {

std::int64_t run_number(const std::string& text) {
  auto number = whole_number(text, 18);
  if (!number) throw UsageError(fmt::format("'{}' is not a run number", text));
  return *number;
}

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

// vigil diff --db DB [RUN_A RUN_B] [--format table|json]
int diff_command(const Args& args) {
  Arguments arguments(args, with_common_options({{"db", Arity::one}, {"format", Arity::one}}));
  apply_log_options(arguments);
  std::string format = arguments.value("format").value_or("table");
  if (format != "table" && format != "json")
    throw UsageError(fmt::format("--format: unknown format '{}' (table or json)", format));
  const auto& runs = arguments.positionals();
  if (runs.size() == 1 || runs.size() > 2) throw UsageError("diff takes two runs (RUN_A RUN_B), or none for the last two");
  Database db(arguments.required("db"), OpenMode::must_exist);
  std::int64_t from = 0, to = 0;
  if (runs.empty()) {
    auto last = recent_runs(db, 2);
    if (last.size() < 2)
      throw Error(fmt::format("{}: diff needs two stored runs, and there {}", db.path(),
                              last.empty() ? "are none" : "is only one"));
    from = last[1].id;
    to = last[0].id;
  } else {
    from = run_number(runs[0]);
    to = run_number(runs[1]);
  }
  RunDiff diff = diff_runs(db, from, to);
  if (format == "json") std::cout << to_json(diff).dump(2, ' ', false, nlohmann::json::error_handler_t::replace) << "\n";
  else write_table(std::cout, diff);
  return kExitOk;
}

}  // namespace vigil::cli
