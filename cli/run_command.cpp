#include <chrono>
#include <iostream>

#include <spdlog/spdlog.h>

#include "cli/commands.hpp"
#include "engine/eval/evaluator.hpp"
#include "engine/store/fact_store.hpp"
#include "engine/output/finding_output.hpp"
#include "engine/store/fingerprint.hpp"
#include "engine/store/run_diff.hpp"
#include "engine/store/run_store.hpp"

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
  unsigned threads = 0;  // one per core
};

RunOptions parse_run_options(const Args& args) {
  Arguments arguments(args, with_common_options({{"db", Arity::one},
                                                 {"rules", Arity::many},
                                                 {"as-of", Arity::one},
                                                 {"format", Arity::one},
                                                 {"output", Arity::one, 'o'},
                                                 {"fail-on", Arity::one},
                                                 {"no-store", Arity::flag},
                                                 {"threads", Arity::one}}));
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
  if (auto threads = arguments.value("threads")) {
    auto count = whole_number(*threads, 3);
    if (!count || *count < 1) throw UsageError(fmt::format("--threads: '{}' is not a number of threads (1-999)", *threads));
    options.threads = static_cast<unsigned>(*count);
  }
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

// Logs how long each phase took, for --verbose.
class PhaseTimer {
 public:
  void done(const char* phase) {
    auto now = std::chrono::steady_clock::now();
    spdlog::debug("{}: {:.2f} s", phase, std::chrono::duration<double>(now - last_).count());
    last_ = now;
  }

 private:
  std::chrono::steady_clock::time_point last_ = std::chrono::steady_clock::now();
};

std::string severity_counts(const std::vector<Finding>& findings) {
  std::string summary = severity_summary(count_by_severity(findings));
  return summary.empty() ? "" : " (" + summary + ")";
}

}  // namespace

// vigil run --db DB --rules RULES... [--as-of DATE] [--format F] [--output FILE] [--fail-on S] [--no-store]
int run_command(const Args& args) {
  RunOptions options = parse_run_options(args);
  auto started = std::chrono::steady_clock::now();
  RunRecord run;
  run.started_at = utc_timestamp();
  run.as_of = format_date(options.as_of);

  PhaseTimer timer;
  Database db(options.db, OpenMode::must_exist);
  Portfolio portfolio = load_portfolio(db);
  timer.done("load facts");
  Schema schema = portfolio.schema();
  RuleSet rules;
  try {
    rules = load_rules(options.rules, &schema);
  } catch (const RuleError& error) {
    print_diagnostics(error.diagnostics());
    return kExitError;
  }
  print_diagnostics(rules.warnings);
  spdlog::debug("loaded {} entities and {} rules", portfolio.entity_count(), rules.rule_count());
  timer.done("compile rules");

  Evaluator evaluator(rules, portfolio, options.as_of);
  auto last_report = std::chrono::steady_clock::now();
  auto progress = [&](std::size_t done, std::size_t total) {  // for long runs: a line every 2 s
    auto now = std::chrono::steady_clock::now();
    if (now - last_report < std::chrono::seconds(2)) return;
    last_report = now;
    spdlog::info("evaluating: {}% ({} of {} slices of work)", done * 100 / total, done, total);
  };
  EvaluationResult result = evaluator.evaluate_all(options.threads, progress);
  report_errors(result.errors);
  timer.done("evaluate");

  FindingsOfRun previous;  // on a first run, every finding is new
  if (auto latest = latest_run(db)) previous = findings_of_run(db, *latest);
  ChangeCounts changes = count_changes(previous, result.findings);
  run.finished_at = utc_timestamp();
  run.rules_hash = rules_fingerprint(rules);
  run.facts_hash = facts_fingerprint(portfolio);
  timer.done("fingerprint the facts and compare with the last run");
  run.rule_count = rules.rule_count();
  for (const Rule* rule : rules.rules()) run.rule_titles[rule->id] = rule->title.value_or("");
  run.entity_count = portfolio.entity_count();
  // The findings are written before the run is stored: when the output
  // cannot be written (a full disk), nothing is stored and the next run still
  // sees these findings as new.
  if (options.output) {
    write_file_atomically(*options.output, [&](std::ostream& out) { write_findings(out, result.findings, options.format); });
  } else {
    write_findings(std::cout, result.findings, options.format);
    std::cout.flush();
    if (!std::cout) throw Error("cannot write the findings to standard output; the run was not stored");
  }
  timer.done("write findings");
  std::string run_name = "run (not stored)";
  if (options.store) run_name = fmt::format("run {}", store_run(db, run, result, &previous));
  timer.done("store the run");

  double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  spdlog::info("{}: {} findings{}, {} new, {} resolved, {} errors in {:.1f} s", run_name, result.findings.size(),
               severity_counts(result.findings), changes.added, changes.resolved, result.errors.size(), seconds);

  if (options.fail_on && std::any_of(result.findings.begin(), result.findings.end(),
                                     [&](const Finding& f) { return f.severity >= *options.fail_on; }))
    return kExitFindings;
  return kExitOk;
}

}  // namespace vigil::cli
