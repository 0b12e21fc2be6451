#include <map>

#include <spdlog/spdlog.h>

#include "cli/command_line.hpp"
#include "cli/commands.hpp"
#include "engine/store/fact_store.hpp"
#include "engine/facts/dora_import.hpp"
#include "engine/facts/portfolio_import.hpp"
#include "engine/facts/waivers.hpp"

namespace vigil::cli {

namespace {

// --delimiter accepts the character or its name: a tab is awkward to type in a shell.
struct DelimiterName {
  const char* name;
  char delimiter;
};
constexpr DelimiterName kDelimiterNames[] = {{",", ','}, {"comma", ','}, {";", ';'}, {"semicolon", ';'},
                                             {"\t", '\t'}, {"tab", '\t'}, {"\\t", '\t'}, {"|", '|'}, {"pipe", '|'}};

ImportOptions import_options(const Arguments& arguments) {
  ImportOptions options;
  if (auto delimiter = arguments.value("delimiter")) {
    for (const auto& known : kDelimiterNames)
      if (*delimiter == known.name) options.csv.delimiter = known.delimiter;
    if (!options.csv.delimiter)
      throw UsageError(fmt::format("--delimiter '{}': use ',', ';', tab or '|' (or comma, semicolon, tab, pipe)", *delimiter));
  }
  if (auto encoding = arguments.value("encoding")) {
    options.csv.encoding = parse_text_encoding(*encoding);
    if (!options.csv.encoding) throw UsageError(fmt::format("--encoding '{}': use utf-8 or windows-1252 (cp1252)", *encoding));
  }
  if (auto format = arguments.value("date-format")) {
    if (format->find('%') == std::string::npos)
      throw UsageError(fmt::format("--date-format '{}' has no field: write it as strptime does, for example %d/%m/%Y", *format));
    options.cells.date_format = *format;
  }
  options.cells.decimal_comma = arguments.flag("decimal-comma");
  return options;
}

// --from: what the PORTFOLIO is. `vigil` (the default) is Vigil's own forms, told apart by the path.
Portfolio read_input(const Arguments& arguments, const std::string& path, std::function<void(std::size_t)> progress) {
  std::string from = arguments.value("from").value_or("vigil");
  if (from == "dora-roi") {
    for (const char* option : {"delimiter", "encoding", "date-format", "decimal-comma"})
      if (arguments.value(option) || arguments.flag(option))
        throw UsageError(fmt::format("--{} does not apply to --from dora-roi (the ESA format is fixed)", option));
    return read_dora_register(path);
  }
  if (from != "vigil") throw UsageError(fmt::format("--from '{}': use dora-roi (or leave it out for Vigil's own forms)", from));
  ImportOptions options = import_options(arguments);
  options.csv.progress = std::move(progress);
  return read_portfolio(path, options);
}

}  // namespace

// vigil import PORTFOLIO --db DB [--from dora-roi] [--delimiter D] [--encoding E] [--date-format F] [--decimal-comma]
int import_command(const Args& args) {
  Arguments arguments(args, options_of("import"));
  apply_log_options(arguments);
  if (arguments.positionals().size() != 1)
    throw UsageError("import takes one PORTFOLIO (a directory, a .json file or an .xlsx workbook)");
  std::string db_path = arguments.required("db");
  // Read and validate everything before the database is opened, so that bad
  // input leaves it exactly as it was (not even created).
  ProgressLine progress("importing");
  std::size_t rows_read = 0;
  Portfolio portfolio = read_input(arguments, arguments.positionals()[0], [&](std::size_t rows) {
    rows_read += rows;
    progress.update(rows_read, "rows");
  });
  spdlog::debug("read {} CSV rows; writing {} entities and {} edges", rows_read, portfolio.entity_count(),
                portfolio.edges().size());
  std::vector<Diagnostic> warnings;
  for (auto& text : unknown_entity_warnings(portfolio)) warnings.push_back({DiagnosticLevel::warning, nullptr, 0, std::move(text)});
  print_diagnostics(warnings);
  Database db(db_path, OpenMode::create_if_missing);
  save_portfolio(db, portfolio, [&](const std::string& what) { progress.step(what); });
  std::string kinds;
  for (const auto& kind : portfolio.kinds())
    kinds += fmt::format("{}{} {}", kinds.empty() ? "" : ", ", kind.members.size(), kind.name);
  spdlog::info("imported {} entities ({}), {} edges and {} waivers into {}", portfolio.entity_count(), kinds,
               portfolio.edges().size(), portfolio.waivers.size(), db_path);
  return kExitOk;
}

}  // namespace vigil::cli
