#include <iostream>

#include "cli/command_line.hpp"
#include "cli/commands.hpp"
#include "engine/output/diff_output.hpp"

namespace vigil::cli {
namespace {

std::int64_t run_number(const std::string& text) {
  auto number = whole_number(text, 18);
  if (!number) throw UsageError(fmt::format("'{}' is not a run number", text));
  return *number;
}

}  // namespace

// vigil diff --db DB [RUN_A RUN_B] [--format table|json]
int diff_command(const Args& args) {
  Arguments arguments(args, options_of("diff"));
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
  write_diff(std::cout, diff, format == "json" ? DiffFormat::json : DiffFormat::table);
  return kExitOk;
}

}  // namespace vigil::cli
