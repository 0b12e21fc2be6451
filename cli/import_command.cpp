#include <map>

#include <spdlog/spdlog.h>

#include "cli/commands.hpp"
#include "engine/store/fact_store.hpp"
#include "engine/facts/portfolio_import.hpp"

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
  Database db(db_path, OpenMode::create_if_missing);
  save_portfolio(db, portfolio);
  std::string kinds;
  for (const auto& kind : portfolio.kinds())
    kinds += fmt::format("{}{} {}", kinds.empty() ? "" : ", ", kind.members.size(), kind.name);
  spdlog::info("imported {} entities ({}) and {} edges into {}", portfolio.entity_count(), kinds,
               portfolio.edges().size(), db_path);
  return kExitOk;
}

}  // namespace vigil::cli
