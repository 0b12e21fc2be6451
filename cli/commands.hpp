// The `vigil` subcommands. Each returns the process exit code:
// 0 success, 1 findings at or above --fail-on (or test/format failures),
// 2 bad usage, bad input or rule errors.
#pragma once

#include <chrono>
#include <functional>
#include <ostream>
#include <string>
#include <vector>

#include "cli/arguments.hpp"
#include "dsl/calendar.hpp"
#include "dsl/rule_set.hpp"
#include "engine/facts/portfolio.hpp"
#include "engine/output/output_file.hpp"

namespace vigil::cli {

constexpr int kExitOk = 0;
constexpr int kExitFindings = 1;
constexpr int kExitError = 2;

using Args = std::vector<std::string>;

int import_command(const Args& args);
int check_command(const Args& args);
int run_command(const Args& args);
int graph_command(const Args& args);
int diff_command(const Args& args);
int report_command(const Args& args);
int explain_command(const Args& args);
int test_command(const Args& args);
int fmt_command(const Args& args);
int serve_command(const Args& args);

// Colour in the logs: "auto" (on a terminal, and not when NO_COLOR is set), "always" or "never".
void set_log_colour(const std::string& when);
// Applies --verbose / --quiet / --color.
void apply_log_options(const Arguments& arguments);
// A progress line on stderr for long imports and runs: at most one every 2 s, and only when stderr is a
// terminal or with --verbose (a log file of a nightly job is not filled with it).
class ProgressLine {
 public:
  explicit ProgressLine(std::string activity);
  // `done` units so far (of `total`, when known): prints "ACTIVITY: 1234567 UNIT (410000/s)" or "ACTIVITY: 5 of 10 UNIT, 50% (2/s)".
  void update(std::size_t done, const char* unit, std::size_t total = 0);
  // A step of the work as it starts ("writing 300000 entities"), printed at once.
  void step(const std::string& what) const;

 private:
  std::string activity_;
  bool enabled_;
  std::chrono::steady_clock::time_point started_, last_;
};

// What `vigil explain` prints for one rule and one entity id (`portfolio` for a portfolio rule, the
// value for a `for each` rule); Error for an unknown rule or entity (vigil serve's /v1/explain too).
std::string explanation_text(const RuleSet& rules, const Portfolio& portfolio, const std::string& rule_id,
                             const std::string& entity_id, Date as_of);

// Prints rule diagnostics (errors and warnings) to stderr.
void print_diagnostics(const std::vector<Diagnostic>& diagnostics);
// --as-of DATE (default: today); a UsageError names the problem.
Date as_of_option(const Arguments& arguments);
// Digits only, at most `max_digits` of them; nullopt otherwise.
std::optional<long long> whole_number(const std::string& text, std::size_t max_digits);

}  // namespace vigil::cli
