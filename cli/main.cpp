// vigil: the command-line front end. Findings go to stdout; logs and
// diagnostics go to stderr, so that `vigil run --format json | jq` just works.
#include <iostream>
#include <map>

#include <SQLiteCpp/Exception.h>
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

#include "cli/commands.hpp"

namespace {

using namespace vigil::cli;

constexpr const char* kUsage = R"(usage: vigil COMMAND [OPTIONS]

commands:
  import PORTFOLIO --db DB             import a portfolio directory or JSON file
  check RULES... [--db DB]             parse and check rule files or directories
  run --db DB --rules RULES...         evaluate the rules; store the run; print findings
      [--as-of DATE] [--format table|json|jsonl|csv] [--output FILE]
      [--fail-on SEVERITY] [--no-store]
  fmt [--check] RULES...               rewrite rule files in canonical form (comments kept);
                                       --check lists the files that would change and exits 1
  diff --db DB [RUN_A RUN_B] [--format table|json]
                                       findings new, resolved and still open between two runs
                                       (default: the last two), with how long each has been open
  explain --db DB --rules RULES... RULE_ID ENTITY_ID [--as-of DATE]
                                       why a rule fires or not for one entity: every value
  test TESTS...                        run rule unit tests (*.test.json files or directories)
  graph --db DB [--focus ID] [--depth N] [--format dot]
                                       the dependency graph as Graphviz DOT, coloured by the last run
  report --db DB [--run N] --format html|md [--output FILE]
                                       a board-ready summary of a run (default: the latest)

options for every command: --verbose (-v), --quiet (-q), --help (-h)
exit codes: 0 success; 1 findings at or above --fail-on; 2 bad usage, bad input or rule errors
)";

// The value of --db, to name the file in database errors.
std::string database_argument(const std::vector<std::string>& args) {
  for (std::size_t i = 0; i < args.size(); ++i) {
    if (args[i] == "--db" && i + 1 < args.size()) return args[i + 1];
    if (args[i].rfind("--db=", 0) == 0) return args[i].substr(5);
  }
  return "the database";
}

void setup_logging() {
  auto logger = spdlog::stderr_color_mt("vigil");
  logger->set_pattern("%^%l%$: %v");
  spdlog::set_default_logger(logger);
  spdlog::set_level(spdlog::level::info);
}

}  // namespace

int main(int argc, char** argv) {
  setup_logging();
  std::vector<std::string> args(argv + 1, argv + argc);
  if (args.empty() || args[0] == "--help" || args[0] == "-h" || args[0] == "help") {
    std::cout << kUsage;
    return args.empty() ? kExitError : kExitOk;
  }
  if (args[0] == "--version") {
    std::cout << "vigil 0.1.0\n";
    return kExitOk;
  }
  const std::map<std::string, int (*)(const Args&)> commands{
      {"import", import_command}, {"check", check_command}, {"run", run_command}, {"graph", graph_command}, {"diff", diff_command}, {"report", report_command}, {"explain", explain_command},
      {"test", test_command}, {"fmt", fmt_command}};
  std::string command = args[0];
  args.erase(args.begin());
  if (std::find(args.begin(), args.end(), "--help") != args.end() || std::find(args.begin(), args.end(), "-h") != args.end()) {
    std::cout << kUsage;
    return kExitOk;
  }
  auto it = commands.find(command);
  try {
    if (it == commands.end()) {
      std::vector<std::string> names{"import", "check", "run", "fmt", "diff", "explain", "test", "graph", "report"};
      std::string message = "vigil: unknown command '" + command + "'";
      if (auto suggestion = vigil::closest_match(command, names); !suggestion.empty())
        message += " (did you mean `" + suggestion + "`?)";
      std::cerr << message << "\nrun 'vigil --help' for the commands\n";
      return kExitError;
    }
    return it->second(args);
  } catch (const UsageError& error) {
    std::cerr << "vigil " << command << ": " << error.what() << "\nrun 'vigil --help' for usage\n";
    return kExitError;
  } catch (const vigil::RuleError& error) {
    print_diagnostics(error.diagnostics());
    return kExitError;
  } catch (const vigil::Error& error) {
    std::cerr << "vigil " << command << ": " << error.what() << "\n";
    return kExitError;
  } catch (const SQLite::Exception& error) {  // a damaged file, a full disk, a lock held too long
    std::cerr << "vigil " << command << ": " << database_argument(args) << ": database error: " << error.what() << "\n";
    return kExitError;
  } catch (const std::exception& error) {
    std::cerr << "vigil " << command << ": internal error: " << error.what() << "\n";
    return kExitError;
  }
}
