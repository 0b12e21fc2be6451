#include "cli/command_line.hpp"

#include <sstream>

#include <vigil/version.hpp>

#include "cli/commands.hpp"

namespace vigil::cli {
namespace {

OptionSpec db_option(const char* help) { return {"db", Arity::one, 0, "DB", "", help, {}, true}; }
OptionSpec rules_option() {
  return {"rules", Arity::many, 0, "RULES...", "", "rule files or directories (every *.vigil below them, except in a pack of its own)", {}, true};
}
OptionSpec as_of_option_spec() { return {"as-of", Arity::one, 0, "DATE", "today", "the date rules evaluate as (YYYY-MM-DD)"}; }
OptionSpec output_option() {
  return {"output", Arity::one, 'o', "FILE", "stdout", "write to FILE (replaced whole, atomically); - is stdout"};
}

const std::vector<OptionSpec> kCommon{
    {"verbose", Arity::flag, 'v', "", "", "print debug logs, timings and progress"},
    {"quiet", Arity::flag, 'q', "", "", "print errors only"},
    {"color", Arity::one, 0, "WHEN", "auto", "colour in the logs: auto (on a terminal, unless NO_COLOR is set), always or never", {"auto", "always", "never"}},
    {"help", Arity::flag, 'h', "", "", "show this help"},
};

const std::vector<CommandSpec> kCommands{
    {"import", import_command, "PORTFOLIO", "import a portfolio: a CSV directory, a JSON file or an .xlsx workbook",
     "Replaces the facts in DB in one transaction; bad input is an error naming the file and line (or sheet and cell) "
     "and changes nothing. CSV separators and encodings are detected unless given (docs/inputs.md). With --from "
     "dora-roi, PORTFOLIO is a DORA Register of Information (docs/dora.md).",
     {db_option("the database to write (created when missing)"),
      {"from", Arity::one, 0, "FORM", "vigil", "what PORTFOLIO is: vigil (a directory, .json or .xlsx) or dora-roi", {"vigil", "dora-roi"}},
      {"delimiter", Arity::one, 0, "D", "detected", "CSV field separator: , ; tab or |", {",", ";", "tab", "|"}},
      {"encoding", Arity::one, 0, "E", "detected", "CSV encoding: utf-8 or windows-1252", {"utf-8", "windows-1252"}},
      {"date-format", Arity::one, 0, "FORMAT", "ISO dates only", "how CSV dates are written, as strptime reads them: %d/%m/%Y"},
      {"decimal-comma", Arity::flag, 0, "", "", "CSV numbers are written 1.200.000,50"}},
     "file"},
    {"check", check_command, "RULES...", "parse and check rule files or directories",
     "Syntax, names and types, with file:line:col errors; with --db, warnings for kinds and attributes the facts do not have.",
     {{"db", Arity::one, 0, "DB", "", "check names against this database's facts (warnings)"}}},
    {"run", run_command, "", "evaluate the rules; store the run; print the findings",
     "Exit 1 when a finding is at or above --fail-on. The summary line and logs go to stderr.",
     {db_option("the database to read (and to store the run in)"),
      rules_option(),
      as_of_option_spec(),
      {"format", Arity::one, 0, "FORMAT", "table", "table, json, jsonl or csv", {"table", "json", "jsonl", "csv"}},
      output_option(),
      {"fail-on", Arity::one, 0, "SEVERITY", "never", "exit 1 on a finding at or above it", {"info", "low", "medium", "high", "critical"}},
      {"no-store", Arity::flag, 0, "", "", "evaluate without storing the run"},
      {"threads", Arity::one, 0, "N", "one per core", "evaluation threads"},
      {"tag", Arity::repeated, 0, "TAG", "every rule", "only the rules carrying TAG (repeat for several)"},
      {"owner-attribute", Arity::one, 0, "NAME", "risk_owner", "the entity attribute that names a finding's owner"},
      {"bom", Arity::flag, 0, "", "", "start CSV output with a byte-order mark (for Excel)"}},
     "none"},
    {"fmt", fmt_command, "RULES...", "rewrite rule files in canonical form (comments kept)", "",
     {{"check", Arity::flag, 0, "", "", "list the files that would change and exit 1; change nothing"}}},
    {"diff", diff_command, "[RUN_A RUN_B]", "findings new, resolved, changed, accepted, reopened between two runs",
     "The default is the last two runs; rules evaluated in one run only are not compared.",
     {db_option("the database holding the runs"),
      {"format", Arity::one, 0, "FORMAT", "table", "table or json", {"table", "json"}}},
     "none"},
    {"explain", explain_command, "RULE_ID ENTITY_ID", "why a rule fires or not for one entity: every value",
     "ENTITY_ID is 'portfolio' (or -) for a portfolio rule, and an element for a `for each` rule.",
     {db_option("the database to read"), rules_option(), as_of_option_spec()},
     "none"},
    {"test", test_command, "TESTS...", "run rule unit tests (*.test.json files or directories)", "", {}},
    {"graph", graph_command, "", "the dependency graph as Graphviz DOT, coloured by the last run", "",
     {db_option("the database to read"),
      {"focus", Arity::one, 0, "ID", "the whole graph", "only the entities within --depth edges of ID"},
      {"depth", Arity::one, 0, "N", "2", "how far from --focus"},
      {"format", Arity::one, 0, "FORMAT", "dot", "dot", {"dot"}}},
     "none"},
    {"serve", serve_command, "", "the engine as an HTTP/1.1 JSON service (docs/embedding.md)", "",
     {db_option("the database to serve"), rules_option(),
      {"bind", Arity::one, 0, "ADDRESS", "127.0.0.1", "the address to listen on"},
      {"port", Arity::one, 0, "PORT", "8181", "the port (0: any free one)"},
      {"token-file", Arity::one, 0, "FILE", "no token", "require `Authorization: Bearer` with the token in FILE"},
      {"max-body", Arity::one, 0, "BYTES", "16777216", "the largest request body"}},
     "none"},
    {"report", report_command, "", "a board-ready summary of a run", "",
     {db_option("the database to read"),
      {"run", Arity::one, 0, "N", "the latest", "the run to report"},
      {"format", Arity::one, 0, "FORMAT", "", "html or md", {"html", "md"}, true},
      output_option()},
     "none"},
};

// "--db DB" / "[--as-of DATE]" for the synopsis.
std::string synopsis_of(const OptionSpec& option) {
  std::string text = "--" + option.name + (option.value_name.empty() ? "" : " " + option.value_name);
  if (option.arity == Arity::repeated) text += "...";
  return option.required ? text : "[" + text + "]";
}

std::string synopsis(const CommandSpec& command) {
  std::string text = fmt::format("vigil {}", command.name);
  if (*command.arguments) text += std::string(" ") + command.arguments;
  for (const auto& option : command.options) text += " " + synopsis_of(option);
  return text;
}

// The option's help and what applies without it: "... (required)" or "... (default: X)".
std::string help_with_default(const OptionSpec& option) {
  if (option.required) return option.help + " (required)";
  if (!option.default_text.empty()) return fmt::format("{} (default: {})", option.help, option.default_text);
  return option.help;
}

std::string option_line(const OptionSpec& option) {
  std::string names = (option.short_name ? fmt::format("-{}, ", option.short_name) : std::string("    ")) + "--" + option.name;
  if (!option.value_name.empty()) names += " " + option.value_name;
  return fmt::format("  {:<28} {}\n", names, help_with_default(option));
}

// Escapes text for roff: a leading dot or quote, and backslashes and dashes.
std::string roff(const std::string& text) {
  std::string out;
  for (char c : text) {
    if (c == '\\') out += "\\e";
    else if (c == '-') out += "\\-";
    else out += c;
  }
  if (!out.empty() && (out[0] == '.' || out[0] == '\'')) out.insert(0, "\\&");
  return out;
}

std::string option_words(const CommandSpec& command) {
  std::string words;
  for (const auto& option : options_of(command.name)) {
    words += " --" + option.name;
    if (option.short_name) words += fmt::format(" -{}", option.short_name);
  }
  return words.substr(words.empty() ? 0 : 1);
}

// Options whose value is a file or directory, which completion offers; a number, a date or a name has nothing to offer.
bool names_a_path(const OptionSpec& option) {
  return option.value_name == "DB" || option.value_name == "FILE" || option.value_name == "RULES...";
}

std::string bash_completion() {
  std::string commands;
  for (const auto& command : kCommands) commands += std::string(commands.empty() ? "" : " ") + command.name;
  std::string text = fmt::format(R"(# bash completion for vigil (generated by `vigil completion bash`)
_vigil() {{
  local cur prev command
  cur="${{COMP_WORDS[COMP_CWORD]}}"
  prev="${{COMP_WORDS[COMP_CWORD-1]}}"
  command="${{COMP_WORDS[1]}}"
  if [[ $COMP_CWORD -eq 1 ]]; then
    COMPREPLY=($(compgen -W "{} help completion --help --version" -- "$cur"))
    return
  fi
  case "$command:$prev" in
)", commands);
  for (const auto& command : kCommands)
    for (const auto& option : options_of(command.name)) {
      if (option.arity == Arity::flag) continue;
      std::string pattern = fmt::format("{}:--{}", command.name, option.name);
      if (option.short_name) pattern += fmt::format("|{}:-{}", command.name, option.short_name);
      std::string choices;
      for (const auto& choice : option.choices) choices += (choices.empty() ? "" : " ") + choice;
      if (!choices.empty()) text += fmt::format("    {}) COMPREPLY=($(compgen -W \"{}\" -- \"$cur\")); return ;;\n", pattern, choices);
      else if (names_a_path(option)) text += fmt::format("    {}) COMPREPLY=($(compgen -f -- \"$cur\")); return ;;\n", pattern);
      else text += fmt::format("    {}) COMPREPLY=(); return ;;\n", pattern);  // a number, a date, a name: nothing to offer
    }
  text += "  esac\n  case \"$command\" in\n";
  for (const auto& command : kCommands)
    text += fmt::format("    {}) COMPREPLY=($(compgen -W \"{}\" -- \"$cur\")); {};;\n", command.name, option_words(command),
                        std::string(command.completes) == "none" ? "" : "[[ $cur != -* ]] && COMPREPLY+=($(compgen -f -- \"$cur\")) ");
  text += "    completion) COMPREPLY=($(compgen -W \"bash zsh\" -- \"$cur\")) ;;\n"
          "    help) COMPREPLY=($(compgen -W \"" + commands + "\" -- \"$cur\")) ;;\n"
          "  esac\n}\ncomplete -F _vigil vigil\n";
  return text;
}

std::string zsh_completion() {
  std::string text = "#compdef vigil\n# zsh completion for vigil (generated by `vigil completion zsh`)\n\n_vigil() {\n"
                     "  local -a commands\n  commands=(\n";
  for (const auto& command : kCommands) text += fmt::format("    '{}:{}'\n", command.name, command.summary);
  text += "    'help:show the help of a command'\n    'completion:print a shell completion script'\n  )\n"
          "  if (( CURRENT == 2 )); then\n    _describe 'command' commands\n    return\n  fi\n"
          "  local command=${words[2]}\n  shift words; (( CURRENT-- ))\n  case $command in\n";
  for (const auto& command : kCommands) {
    text += fmt::format("    {})\n      _arguments \\\n", command.name);
    for (const auto& option : options_of(command.name)) {
      std::string help = option.help;
      for (auto& c : help)
        if (c == '\'' || c == '[' || c == ']' || c == ':') c = ' ';
      std::string action;
      if (option.arity != Arity::flag) {
        std::string choices;
        for (const auto& choice : option.choices) choices += (choices.empty() ? "" : " ") + (choice == ";" || choice == "|" ? "\\" + choice : choice);
        action = ":" + (option.value_name.empty() ? std::string("value") : option.value_name) + ":" +
                 (!choices.empty() ? "(" + choices + ")" : names_a_path(option) ? std::string("_files") : std::string(" "));
      }
      std::string repeat = option.arity == Arity::repeated || option.arity == Arity::many ? "*" : "";
      if (option.short_name)
        text += fmt::format("        '{}'{{-{},--{}}}'[{}]{}' \\\n", repeat.empty() ? "(-" + std::string(1, option.short_name) + " --" + option.name + ")" : repeat,
                            option.short_name, option.name, help, action);
      else
        text += fmt::format("        '{}--{}[{}]{}' \\\n", repeat, option.name, help, action);
    }
    text += std::string("        '*:argument:") + (std::string(command.completes) == "none" ? " " : "_files") + "'\n      ;;\n";
  }
  text += "  esac\n}\n\n_vigil \"$@\"\n";
  return text;
}

}  // namespace

const std::vector<CommandSpec>& commands() { return kCommands; }

const CommandSpec* find_command(const std::string& name) {
  for (const auto& command : kCommands)
    if (name == command.name) return &command;
  return nullptr;
}

std::vector<OptionSpec> options_of(const std::string& name) {
  const CommandSpec* command = find_command(name);
  std::vector<OptionSpec> options = command ? command->options : std::vector<OptionSpec>{};
  options.insert(options.end(), kCommon.begin(), kCommon.end());
  return options;
}

std::string version_text() { return fmt::format("vigil {}", VIGIL_VERSION_STRING); }

std::string global_usage() {
  std::string text = "usage: vigil COMMAND [ARGUMENTS] [OPTIONS]\n\ncommands:\n";
  for (const auto& command : kCommands) text += fmt::format("  {:<10} {}\n", command.name, command.summary);
  text += fmt::format("  {:<10} {}\n  {:<10} {}\n", "help", "the help of a command (vigil help run, or vigil run --help)",
                      "completion", "print the bash or zsh completion script");
  return text + "\noptions of every command: -v, --verbose; -q, --quiet; --color WHEN; -h, --help. vigil --version prints the version.\n"
                "exit codes: 0 success; 1 findings at or above --fail-on (or failed tests); 2 bad usage, bad input or rule errors\n";
}

std::string command_help(const CommandSpec& command) {
  std::string text = "usage: " + synopsis(command) + "\n\n" + command.summary + ".\n";
  if (*command.details) text += std::string(command.details) + "\n";
  text += "\noptions:\n";
  for (const auto& option : options_of(command.name)) text += option_line(option);
  return text;
}

std::string man_page() {
  std::ostringstream out;
  out << ".TH VIGIL 1 \"\" \"vigil " << VIGIL_VERSION_STRING << "\" \"User Commands\"\n"
      << ".SH NAME\nvigil \\- rules engine for vendor and third\\-party risk\n"
      << ".SH SYNOPSIS\n.B vigil\n.I COMMAND\n[\\fIARGUMENTS\\fR] [\\fIOPTIONS\\fR]\n"
      << ".SH DESCRIPTION\nVigil evaluates risk rules written in its rule language over vendor due\\-diligence facts and "
         "the vendor dependency graph, stores each run, and tells what is new, resolved, changed and accepted.\n"
      << ".SH COMMANDS\n";
  for (const auto& command : kCommands) {
    out << ".SS \"" << roff(synopsis(command)) << "\"\n" << roff(command.summary) << ".\n";
    if (*command.details) out << roff(command.details) << "\n";
    for (const auto& option : command.options) {
      out << ".TP\n.B \\-\\-" << roff(option.name);
      if (!option.value_name.empty()) out << " \\fI" << roff(option.value_name) << "\\fR";
      out << "\n" << roff(help_with_default(option)) << ".\n";
    }
  }
  out << ".SH OPTIONS OF EVERY COMMAND\n";
  for (const auto& option : kCommon) {
    out << ".TP\n.B ";
    if (option.short_name) out << "\\-" << option.short_name << ", ";
    out << "\\-\\-" << roff(option.name) << "\n" << roff(option.help) << ".\n";
  }
  out << ".SH ENVIRONMENT\n.TP\n.B NO_COLOR\nWhen set (to anything), no colour in the logs, as with \\-\\-color never.\n"
      << ".SH EXIT STATUS\n0 success; 1 findings at or above \\-\\-fail\\-on, failed rule tests or files fmt \\-\\-check "
         "would change; 2 bad usage, bad input or rule errors.\n"
      << ".SH SEE ALSO\nThe README and docs/ of the Vigil sources: the rule language (docs/language.md), inputs "
         "(docs/inputs.md), the DORA register (docs/dora.md), embedding (docs/embedding.md).\n";
  return out.str();
}

std::string completion_script(const std::string& shell) {
  if (shell == "bash") return bash_completion();
  if (shell == "zsh") return zsh_completion();
  return "";
}

}  // namespace vigil::cli
