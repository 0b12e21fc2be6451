// vigil: the command-line front end. Findings go to stdout; logs and
// diagnostics go to stderr, so that `vigil run --format json | jq` just works.
#include <array>
#include <iostream>

#include <SQLiteCpp/Exception.h>
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

#include "cli/command_line.hpp"
#include "cli/commands.hpp"

namespace {

using namespace vigil::cli;

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
  set_log_colour("auto");
}

// vigil help [COMMAND]
int help_command(const std::vector<std::string>& args) {
  if (args.empty()) {
    std::cout << global_usage();
    return kExitOk;
  }
  if (args[0] == "--man") {  // the man page, for the build (see cli/CMakeLists.txt)
    std::cout << man_page();
    return kExitOk;
  }
  const CommandSpec* found = find_command(args[0]);
  if (!found) {
    std::cerr << "vigil help: unknown command '" << args[0] << "'\n";
    return kExitError;
  }
  std::cout << command_help(*found);
  return kExitOk;
}

// vigil completion bash|zsh
int completion_command(const std::vector<std::string>& args) {
  std::string script = args.size() == 1 ? completion_script(args[0]) : "";
  if (script.empty()) {
    std::cerr << "vigil completion: give the shell: bash or zsh\n";
    return kExitError;
  }
  std::cout << script;
  return kExitOk;
}

}  // namespace

int main(int argc, char** argv) {
  setup_logging();
  std::vector<std::string> args(argv + 1, argv + argc);
  if (args.empty() || args[0] == "--help" || args[0] == "-h") {
    std::cout << global_usage();
    return args.empty() ? kExitError : kExitOk;
  }
  if (args[0] == "--version" || args[0] == "-V") {
    std::cout << version_text() << "\n";
    return kExitOk;
  }
  std::string command = args[0];
  args.erase(args.begin());
  if (command == "help") return help_command(args);
  if (command == "completion") return completion_command(args);
  if (std::find(args.begin(), args.end(), "--help") != args.end() || std::find(args.begin(), args.end(), "-h") != args.end()) {
    const CommandSpec* found = find_command(command);
    std::cout << (found ? command_help(*found) : global_usage());
    return kExitOk;
  }
  try {
    const CommandSpec* found = find_command(command);
    if (!found) {
      std::vector<std::string> names{"help", "completion"};
      for (const auto& c : commands()) names.push_back(c.name);
      std::cerr << "vigil: unknown command '" << command << "'" << vigil::did_you_mean(command, names)
                << "\nrun 'vigil --help' for the commands\n";
      return kExitError;
    }
    return found->run(args);
  } catch (const UsageError& error) {
    std::cerr << "vigil " << command << ": " << error.what() << "\nrun 'vigil " << command << " --help' for usage\n";
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
