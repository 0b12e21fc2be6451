#include "cli/command_line.hpp"
#include "cli/commands.hpp"
#include "engine/output/report.hpp"

namespace vigil::cli {

// vigil report --db DB [--run N] --format html|md [--output FILE]
int report_command(const Args& args) {
  Arguments arguments(args, options_of("report"));
  apply_log_options(arguments);
  if (!arguments.positionals().empty()) throw UsageError(fmt::format("unexpected argument '{}'", arguments.positionals()[0]));
  std::string format = arguments.required("format");
  if (format != "html" && format != "md") throw UsageError(fmt::format("--format: unknown format '{}' (html or md)", format));
  std::optional<std::int64_t> run;
  if (auto text = arguments.value("run")) {
    run = whole_number(*text, 18);
    if (!run) throw UsageError(fmt::format("--run: '{}' is not a run number", *text));
  }
  Database db(arguments.required("db"), OpenMode::must_exist);
  ReportData report = gather_report(db, run);
  auto write = [&](std::ostream& out) {
    if (format == "html") write_html_report(out, report);
    else write_markdown_report(out, report);
  };
  write_file_atomically(arguments.value("output").value_or(kStandardOutput), write);
  return kExitOk;
}

}  // namespace vigil::cli
