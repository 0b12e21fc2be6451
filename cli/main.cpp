// vigil: the command-line front end. Findings go to stdout; logs and
// diagnostics go to stderr, so that `vigil run --format json | jq` just works.
#include <array>
#include <iostream>

#include <SQLiteCpp/Exception.h>
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

#include "cli/commands.hpp"

namespace {

using namespace vigil::cli;

// Every command: its name, its entry point, and its lines in the usage text.
// Usage, dispatch and the did-you-mean for unknown commands all come from here.
struct Command {
  const char* name;
  int (*run)(const Args&);
  const char* synopsis;
};

constexpr std::array kCommands{
    Command{"import", import_command,
            "  import PORTFOLIO --db DB             import a portfolio: a CSV directory, a JSON file or an\n"
            "                                       .xlsx workbook; --from dora-roi DIR: a DORA register\n"
            "      [--delimiter ,|;|tab] [--encoding utf-8|windows-1252] [--date-format %d/%m/%Y]\n"
            "      [--decimal-comma]                (CSV; detected from the header and bytes when not given)\n"},
    Command{"check", check_command, "  check RULES... [--db DB]             parse and check rule files or directories\n"},
    Command{"run", run_command,
            "  run --db DB --rules RULES...         evaluate the rules; store the run; print findings\n"
            "      [--as-of DATE] [--format table|json|jsonl|csv] [--output FILE]\n"
            "      [--fail-on SEVERITY] [--no-store] [--tag TAG]... [--owner-attribute NAME]\n"},
    Command{"fmt", fmt_command,
            "  fmt [--check] RULES...               rewrite rule files in canonical form (comments kept);\n"
            "                                       --check lists the files that would change and exits 1\n"},
    Command{"diff", diff_command,
            "  diff --db DB [RUN_A RUN_B] [--format table|json]\n"
            "                                       findings new, resolved, changed, accepted, reopened, still\n"
            "                                       open or accepted between two runs (default: the last two);\n"
            "                                       rules evaluated in one run only are not compared\n"},
    Command{"explain", explain_command,
            "  explain --db DB --rules RULES... RULE_ID ENTITY_ID [--as-of DATE]\n"
            "                                       why a rule fires or not for one entity: every value\n"},
    Command{"test", test_command, "  test TESTS...                        run rule unit tests (*.test.json files or directories)\n"},
    Command{"graph", graph_command,
            "  graph --db DB [--focus ID] [--depth N] [--format dot]\n"
            "                                       the dependency graph as Graphviz DOT, coloured by the last run\n"},
    Command{"serve", serve_command,
            "  serve --db DB --rules RULES... [--bind 127.0.0.1] [--port 8181] [--token-file F]\n"
            "      [--max-body BYTES]               the engine as an HTTP/1.1 JSON service (docs/embedding.md)\n"},
    Command{"report", report_command,
            "  report --db DB [--run N] --format html|md [--output FILE]\n"
            "                                       a board-ready summary of a run (default: the latest)\n"},
};

std::string usage() {
  std::string text = "usage: vigil COMMAND [OPTIONS]\n\ncommands:\n";
  for (const auto& command : kCommands) text += command.synopsis;
  return text + "\noptions for every command: --verbose (-v), --quiet (-q), --help (-h)\n"
                "exit codes: 0 success; 1 findings at or above --fail-on; 2 bad usage, bad input or rule errors\n";
}

const Command* find_command(const std::string& name) {
  for (const auto& command : kCommands)
    if (name == command.name) return &command;
  return nullptr;
}

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
    std::cout << usage();
    return args.empty() ? kExitError : kExitOk;
  }
  if (args[0] == "--version") {
    std::cout << "vigil 0.1.0\n";
    return kExitOk;
  }
  std::string command = args[0];
  args.erase(args.begin());
  if (std::find(args.begin(), args.end(), "--help") != args.end() || std::find(args.begin(), args.end(), "-h") != args.end()) {
    std::cout << usage();
    return kExitOk;
  }
  try {
    const Command* found = find_command(command);
    if (!found) {
      std::vector<std::string> names;
      for (const auto& c : kCommands) names.push_back(c.name);
      std::cerr << "vigil: unknown command '" << command << "'" << vigil::did_you_mean(command, names)
                << "\nrun 'vigil --help' for the commands\n";
      return kExitError;
    }
    return found->run(args);
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
