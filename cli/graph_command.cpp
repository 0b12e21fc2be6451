#include <iostream>

#include "cli/command_line.hpp"
#include "cli/commands.hpp"
#include "engine/store/fact_store.hpp"
#include "engine/output/graph_dot.hpp"
#include "engine/store/run_store.hpp"

namespace vigil::cli {

// vigil graph --db DB [--focus ID] [--depth N] [--format dot]
int graph_command(const Args& args) {
  Arguments arguments(args, options_of("graph"));
  apply_log_options(arguments);
  if (!arguments.positionals().empty())
    throw UsageError(fmt::format("unexpected argument '{}'", arguments.positionals()[0]));
  if (auto format = arguments.value("format"); format && *format != "dot")
    throw UsageError(fmt::format("--format: unknown format '{}' (graph supports dot)", *format));
  DotOptions options;
  if (auto depth = arguments.value("depth")) {
    auto hops = whole_number(*depth, 3);
    if (!hops) throw UsageError(fmt::format("--depth: '{}' is not a number of hops (0-999)", *depth));
    options.depth = static_cast<int>(*hops);
  }
  Database db(arguments.required("db"), OpenMode::must_exist);
  Portfolio portfolio = load_portfolio(db);
  if (auto focus = arguments.value("focus")) {
    options.focus = portfolio.find(*focus);
    if (!options.focus) throw Error(fmt::format("--focus: no entity has the id '{}'", *focus));
  }
  std::map<std::string, Severity> severities;
  if (auto run = latest_run(db)) severities = highest_severity_by_entity(db, *run);
  write_dot(std::cout, portfolio, severities, options);
  return kExitOk;
}

}  // namespace vigil::cli
