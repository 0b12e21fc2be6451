#include <chrono>

#include <spdlog/spdlog.h>

#include "cli/command_line.hpp"
#include "cli/commands.hpp"
#include "engine/output/finding_output.hpp"
#include "engine/output/text_wrap.hpp"
#include "engine/store/run_service.hpp"

namespace vigil::cli {
namespace {

constexpr std::size_t kErrorsPrinted = 20;

struct RunOptions {
  std::string db;
  std::vector<std::string> rules;
  Date as_of;
  OutputFormat format = OutputFormat::table;
  std::optional<std::string> output;
  std::optional<Severity> fail_on;
  bool store = true;
  bool bom = false;
  unsigned threads = 0;  // one per core
  RunSelection selection;
};

RunOptions parse_run_options(const Args& args) {
  Arguments arguments(args, options_of("run"));
  apply_log_options(arguments);
  if (!arguments.positionals().empty())
    throw UsageError(fmt::format("unexpected argument '{}' (rule files go after --rules)", arguments.positionals()[0]));
  RunOptions options;
  options.db = arguments.required("db");
  options.rules = arguments.values("rules");
  if (options.rules.empty()) throw UsageError("missing required option '--rules'");
  options.as_of = as_of_option(arguments);
  if (auto format = arguments.value("format")) {
    auto parsed = parse_output_format(*format);
    if (!parsed) throw UsageError(fmt::format("--format: unknown format '{}' (table, json, jsonl or csv)", *format));
    options.format = *parsed;
  }
  if (auto fail_on = arguments.value("fail-on")) {
    options.fail_on = parse_severity(*fail_on);
    if (!options.fail_on)
      throw UsageError(fmt::format("--fail-on: unknown severity '{}' (info, low, medium, high, critical)", *fail_on));
  }
  options.bom = arguments.flag("bom");
  if (options.bom && options.format != OutputFormat::csv) throw UsageError("--bom is for --format csv");
  if (auto threads = arguments.value("threads")) {
    auto count = whole_number(*threads, 3);
    if (!count || *count < 1) throw UsageError(fmt::format("--threads: '{}' is not a number of threads (1-999)", *threads));
    options.threads = static_cast<unsigned>(*count);
  }
  options.selection.tags = arguments.values("tag");
  if (auto owner = arguments.value("owner-attribute")) options.selection.owner_attribute = *owner;
  options.output = arguments.value("output");
  options.store = !arguments.flag("no-store");
  return options;
}

void report_errors(const std::vector<EvaluationError>& errors) {
  for (std::size_t i = 0; i < errors.size() && i < kErrorsPrinted; ++i) {
    const auto& e = errors[i];
    std::string who = e.entity ? fmt::format("rule {}, entity {}", e.rule, *e.entity) : fmt::format("rule {}", e.rule);
    if (!e.attribute.empty()) who += fmt::format(", attribute {}", e.attribute);
    spdlog::warn("evaluation error: {}: {} ({})", who, e.message, e.location);
  }
  if (errors.size() > kErrorsPrinted)
    spdlog::warn("... and {} more evaluation errors (all are stored with the run)", errors.size() - kErrorsPrinted);
}

std::string severity_counts(const std::vector<const Finding*>& findings) {
  std::string summary = severity_summary(count_by_severity(findings));
  return summary.empty() ? "" : " (" + summary + ")";
}

}  // namespace

// vigil run --db DB --rules RULES... [--as-of DATE] [--format F] [--output FILE] [--fail-on S] [--no-store]
//           [--tag T]... [--owner-attribute NAME] [--bom]
int run_command(const Args& args) {
  RunOptions options = parse_run_options(args);
  auto started = std::chrono::steady_clock::now();
  Database db(options.db, OpenMode::must_exist);
  RunInputs inputs;
  try {
    inputs = load_run_inputs(db, options.rules, options.selection);
  } catch (const RuleError& error) {
    print_diagnostics(error.diagnostics());
    return kExitError;
  }
  print_diagnostics(inputs.rules.warnings);

  // Only JSON output shows the evidence (and a stored run keeps it).
  bool shows_evidence = options.format == OutputFormat::json || options.format == OutputFormat::jsonl;
  RunSettings settings{
      .as_of = options.as_of, .store = options.store, .evidence = shows_evidence, .threads = options.threads, .progress = {},
      .process_exits_after = true};
  ProgressLine progress("evaluating");
  settings.progress = [&](std::size_t done, std::size_t total) { progress.update(done, "slices of work", total); };
  auto write = [&](std::ostream& out, const EvaluationResult& result, std::size_t table_width) {
    if (options.bom) out << "\xEF\xBB\xBF";  // Excel then reads the CSV as UTF-8
    write_findings(out, result.findings, options.format, table_width);
  };
  auto publish = [&](const EvaluationResult& result) {
    report_errors(result.errors);
    // A write error throws before the run is stored, so the next run still reports these findings as new.
    std::string target = options.output.value_or(kStandardOutput);
    std::size_t table_width = target == kStandardOutput ? terminal_width() : 0;  // a file keeps whole lines
    write_file_atomically(target, [&](std::ostream& out) { write(out, result, table_width); });
  };
  RunOutcome outcome = execute_run(db, inputs, settings, publish);

  // Accepted findings count neither in the headline nor for --fail-on.
  auto findings = open_findings(outcome.result.findings);
  std::string run_name = outcome.run_id ? fmt::format("run {}", *outcome.run_id) : "run (not stored)";
  double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  spdlog::info("{}: {} findings{}, {} accepted, {} new, {} resolved, {} errors in {:.1f} s", run_name, findings.size(),
               severity_counts(findings), accepted_count(outcome.result.findings), outcome.changes.added,
               outcome.changes.resolved, outcome.result.errors.size(), seconds);

  if (options.fail_on &&
      std::any_of(findings.begin(), findings.end(), [&](const Finding* f) { return f->severity >= *options.fail_on; }))
    return kExitFindings;
  return kExitOk;
}

}  // namespace vigil::cli
