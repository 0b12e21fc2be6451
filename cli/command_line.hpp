// The command line, described once: every command with its arguments and
// options (value, default, help). Parsing (cli/arguments.cpp, on
// Boost.Program_options), `vigil --help`, `vigil COMMAND --help`, the man
// page and the bash and zsh completions are all made from this table, so
// they cannot disagree.
#pragma once

#include <string>
#include <vector>

#include "cli/arguments.hpp"

namespace vigil::cli {

using Args = std::vector<std::string>;

struct CommandSpec {
  const char* name;
  int (*run)(const Args&);
  const char* arguments;  // positional arguments as the synopsis shows them: "PORTFOLIO", "[RUN_A RUN_B]"
  const char* summary;    // one line
  const char* details;    // a paragraph for --help and the man page ("" when none)
  std::vector<OptionSpec> options;
  const char* completes = "file";  // what the positionals are, for completion: file, directory, none
};

// Every command, in the order of `vigil --help`.
const std::vector<CommandSpec>& commands();
const CommandSpec* find_command(const std::string& name);
// A command's options, the common ones (--verbose, --quiet, --help) included.
std::vector<OptionSpec> options_of(const std::string& command);

std::string version_text();                               // "vigil 0.2.0"
std::string global_usage();                               // vigil --help
std::string command_help(const CommandSpec& command);     // vigil COMMAND --help
std::string man_page();                                   // roff, section 1
std::string completion_script(const std::string& shell);  // "bash" or "zsh"; "" for another shell

}  // namespace vigil::cli
