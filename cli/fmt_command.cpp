#include <iostream>

#include "cli/command_line.hpp"
#include "cli/commands.hpp"
#include "dsl/formatter.hpp"
#include "dsl/parser.hpp"
#include "dsl/rule_set.hpp"
#include "vigil/source.hpp"

namespace vigil::cli {

// vigil fmt [--check] RULES...: rewrites files in canonical form; with --check,
// lists the files that would change and exits 1 (nothing is written). `-` reads
// standard input and always writes the formatted text to standard output (`-` there too), as gofmt does.
int fmt_command(const Args& args) {
  Arguments arguments(args, options_of("fmt"));
  apply_log_options(arguments);
  if (arguments.positionals().empty()) throw UsageError("fmt needs at least one rule file or directory");
  bool check = arguments.flag("check");
  std::vector<std::pair<std::string, std::string>> changes;  // path, formatted text
  std::vector<Diagnostic> errors;
  for (const auto& path : expand_rule_paths(arguments.positionals())) {
    SourcePtr source = read_source_file(path);
    try {
      std::string formatted = format_rule_file(parse_rule_file(source));
      bool piped = path == kStandardInput && !check;
      if (piped || formatted != source->text()) changes.emplace_back(path, std::move(formatted));
    } catch (const RuleError& error) {  // a file that does not parse is left alone
      errors.insert(errors.end(), error.diagnostics().begin(), error.diagnostics().end());
    }
  }
  if (!errors.empty()) {
    print_diagnostics(errors);
    return kExitError;
  }
  for (const auto& change : changes) {  // not a structured binding: clang 14 cannot capture one
    if (check) std::cout << change.first << "\n";
    else write_file_atomically(change.first, [&](std::ostream& out) { out << change.second; });
  }
  return check && !changes.empty() ? kExitFindings : kExitOk;
}

}  // namespace vigil::cli
