#include <algorithm>
#include <iostream>

#include "cli/command_line.hpp"
#include "cli/commands.hpp"
#include "dsl/rule_set.hpp"
#include "engine/eval/acceptance.hpp"
#include "engine/store/database.hpp"
#include "engine/store/fact_store.hpp"

namespace vigil::cli {

// vigil check RULES... [--db DB]
int check_command(const Args& args) {
  Arguments arguments(args, options_of("check"));
  apply_log_options(arguments);
  if (arguments.positionals().empty()) throw UsageError("check needs at least one rule file or directory");
  std::optional<Schema> schema;
  std::optional<Portfolio> entities;  // ids, kinds and waivers: what waivers are checked against
  if (auto db_path = arguments.value("db")) {
    Database db(*db_path, OpenMode::must_exist);
    schema = load_schema(db);
    FactNeeds nothing;
    entities = load_portfolio(db, &nothing);
  }
  auto files = expand_rule_paths(arguments.positionals());
  try {
    std::vector<SourcePtr> sources;
    for (const auto& file : files) sources.push_back(read_source_file(file));
    RuleSet rules = compile_rules(sources, schema ? &*schema : nullptr);
    if (entities)
      for (auto& warning : waiver_warnings(*entities, rules)) rules.warnings.push_back(std::move(warning));
    print_diagnostics(rules.warnings);
    std::cout << fmt::format("ok: {} rules in {} files{}\n", rules.rule_count(), files.size(),
                             rules.warnings.empty() ? "" : fmt::format(", {} warnings", rules.warnings.size()));
    return kExitOk;
  } catch (const RuleError& error) {
    print_diagnostics(error.diagnostics());
    std::size_t errors = std::count_if(error.diagnostics().begin(), error.diagnostics().end(),
                                       [](const Diagnostic& d) { return d.level == DiagnosticLevel::error; });
    std::cerr << fmt::format("{} error{} in {} file{}\n", errors, errors == 1 ? "" : "s", files.size(),
                             files.size() == 1 ? "" : "s");
    return kExitError;
  }
}

}  // namespace vigil::cli
