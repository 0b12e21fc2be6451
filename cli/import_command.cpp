#include <map>

#include <spdlog/spdlog.h>

#include "cli/commands.hpp"
#include "engine/store/fact_store.hpp"
#include "engine/facts/portfolio_import.hpp"
#include "engine/facts/waivers.hpp"

namespace vigil::cli {

// vigil import PORTFOLIO --db DB
int import_command(const Args& args) {
  Arguments arguments(args, with_common_options({{"db", Arity::one}}));
  apply_log_options(arguments);
  if (arguments.positionals().size() != 1)
    throw UsageError("import takes one PORTFOLIO (a directory or a .json file)");
  std::string db_path = arguments.required("db");
  // Read and validate everything before the database is opened, so that bad
  // input leaves it exactly as it was (not even created).
  Portfolio portfolio = read_portfolio(arguments.positionals()[0]);
  std::vector<Diagnostic> warnings;
  for (auto& text : unknown_entity_warnings(portfolio)) warnings.push_back({DiagnosticLevel::warning, nullptr, 0, std::move(text)});
  print_diagnostics(warnings);
  Database db(db_path, OpenMode::create_if_missing);
  save_portfolio(db, portfolio);
  std::string kinds;
  for (const auto& kind : portfolio.kinds())
    kinds += fmt::format("{}{} {}", kinds.empty() ? "" : ", ", kind.members.size(), kind.name);
  spdlog::info("imported {} entities ({}), {} edges and {} waivers into {}", portfolio.entity_count(), kinds,
               portfolio.edges().size(), portfolio.waivers.size(), db_path);
  return kExitOk;
}

}  // namespace vigil::cli
