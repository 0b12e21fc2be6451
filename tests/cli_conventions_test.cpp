// The command line's conventions (issue 16): per-command help from the one
// command table, the man page and completions made from it, --version, `-` as
// standard input and output, colour and NO_COLOR, CSV for spreadsheets.
#include <catch2/catch.hpp>

#include <cstdlib>
#include <filesystem>
#include <tuple>

#include <vigil/version.hpp>

#include "engine/output/text_wrap.hpp"
#include "test_support.hpp"

using vigil::test::run_vigil;
using vigil::test::TempDir;

namespace {

const char* kRule = R"(rule LOW-1 {
  severity low
  for vendor v
  when v.tier == "low"
  message "{v.name} is low"
}
)";

const char* kPortfolio = R"({"entities": [{"id": "V1", "kind": "vendor", "attributes": {"name": "=2+5", "tier": "low"}}]})";

bool contains(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

// rules/ with `rules` (kRule by default) and kPortfolio imported into v.db.
void imported(const TempDir& dir, const char* rules = kRule) {
  dir.write("rules/low.vigil", rules);
  dir.write("p.json", kPortfolio);
  REQUIRE(run_vigil({"import", "p.json", "--db", "v.db"}, dir.path).exit_code == 0);
}

}  // namespace

TEST_CASE("vigil --version prints the project's one version", "[cli][conventions]") {
  std::string expected = std::string("vigil ") + VIGIL_VERSION_STRING + "\n";
  CHECK(run_vigil({"--version"}).out == expected);
  CHECK(run_vigil({"-V"}).out == expected);
}

TEST_CASE("each command's --help lists every option with its default", "[cli][conventions]") {
  const std::vector<std::pair<std::string, std::vector<std::string>>> expected{
      {"import", {"usage: vigil import PORTFOLIO --db DB", "--decimal-comma", "--from FORM", "(default: vigil)"}},
      {"check", {"usage: vigil check RULES...", "--db DB"}},
      {"run", {"usage: vigil run --db DB --rules RULES...", "--threads N", "evaluation threads (default: one per core)",
               "--format FORMAT          table, json, jsonl or csv (default: table)", "--bom"}},
      {"fmt", {"usage: vigil fmt RULES...", "--check"}},
      {"diff", {"usage: vigil diff", "--format FORMAT"}},
      {"explain", {"usage: vigil explain", "--rules RULES..."}},
      {"test", {"usage: vigil test TESTS..."}},
      {"graph", {"usage: vigil graph", "--depth N"}},
      {"serve", {"usage: vigil serve", "--token-file FILE", "(default: 127.0.0.1)"}},
      {"report", {"usage: vigil report", "--output FILE"}},
  };
  for (const auto& [command, parts] : expected) {
    auto help = run_vigil({command, "--help"});
    CHECK(help.exit_code == 0);
    for (const auto& part : parts) {
      INFO(command << " --help:\n" << help.out);
      CHECK(contains(help.out, part));
    }
    CHECK(contains(help.out, "  -v, --verbose"));
    CHECK(contains(help.out, "--color WHEN"));
    CHECK(run_vigil({"help", command}).out == help.out);
  }
  CHECK(run_vigil({"help", "nosuch"}).exit_code == 2);
}

TEST_CASE("the man page and the completions name every command", "[cli][conventions]") {
  auto man = run_vigil({"help", "--man"});
  CHECK(man.out.rfind(std::string(".TH VIGIL 1 \"\" \"vigil ") + VIGIL_VERSION_STRING + "\"", 0) == 0);
  auto bash = run_vigil({"completion", "bash"});
  auto zsh = run_vigil({"completion", "zsh"});
  CHECK(zsh.out.rfind("#compdef vigil\n", 0) == 0);
  CHECK(contains(bash.out, "complete -F _vigil vigil"));
  CHECK(contains(bash.out, "run:--format) COMPREPLY=($(compgen -W \"table json jsonl csv\" -- \"$cur\")); return ;;"));
  for (const char* command : {"import", "check", "run", "fmt", "diff", "explain", "test", "graph", "serve", "report"}) {
    INFO(command);
    CHECK(contains(man.out, std::string(".SS \"vigil ") + command));
    CHECK(contains(bash.out, "    " + std::string(command) + ") COMPREPLY"));
    CHECK(contains(zsh.out, std::string(command) + ")"));
  }
  TempDir dir;
  dir.write("vigil.bash", bash.out);
  CHECK(std::system(("bash -n " + (dir.path / "vigil.bash").string()).c_str()) == 0);
  auto fish = run_vigil({"completion", "fish"});
  CHECK(fish.exit_code == 2);
  CHECK(fish.err == "vigil completion: give the shell: bash or zsh\n");
}

TEST_CASE("a dash reads rules and JSON portfolios from standard input", "[cli][conventions]") {
  TempDir dir;
  dir.write("rules/low.vigil", kRule);
  CHECK(run_vigil({"check", "-"}, dir.path, kRule).exit_code == 0);
  auto bad = run_vigil({"check", "-"}, dir.path, "rule X {\n  severity loud\n}\n");
  CHECK(bad.exit_code == 2);
  CHECK(contains(bad.err, "<stdin>:2:"));
  auto imported = run_vigil({"import", "-", "--db", "v.db"}, dir.path, kPortfolio);
  CHECK(imported.exit_code == 0);
  auto from_stdin = run_vigil({"run", "--db", "v.db", "--rules", "-", "--no-store", "--as-of", "2026-06-30"}, dir.path, kRule);
  CHECK(from_stdin.exit_code == 0);
  CHECK(from_stdin.out ==
        "SEVERITY   RULE   ENTITY  MESSAGE\n"
        "low        LOW-1  V1      =2+5 is low\n");
  auto twice = run_vigil({"check", "-", "-"}, dir.path, kRule);
  CHECK(twice.exit_code == 2);
  CHECK(contains(twice.err, "-: standard input can be read only once"));
  auto formatted = run_vigil({"fmt", "-"}, dir.path, "rule   LOW-1 { severity low for vendor v when v.tier == \"low\" message \"{v.name} is low\" }\n");
  CHECK(formatted.exit_code == 0);
  CHECK(formatted.out == kRule);
  CHECK_FALSE(std::filesystem::exists(dir.path / "-"));
}

TEST_CASE("run and report: --output - is standard output, never a file named -", "[cli][conventions]") {
  TempDir dir;
  imported(dir);
  auto run = run_vigil({"run", "--db", "v.db", "--rules", "rules", "--format", "jsonl", "--output", "-"}, dir.path);
  CHECK(run.exit_code == 0);
  CHECK(contains(run.out, R"("rule":"LOW-1","entity":"V1")"));
  auto report = run_vigil({"report", "--db", "v.db", "--format", "md", "--output", "-"}, dir.path);
  CHECK(report.exit_code == 0);
  CHECK(report.out.rfind("# Third-party risk report\n", 0) == 0);
  CHECK_FALSE(std::filesystem::exists(dir.path / "-"));
}

TEST_CASE("CSV for spreadsheets: formulas neutralised, --bom", "[cli][conventions]") {
  TempDir dir;
  imported(dir);
  std::vector<std::string> run{"run", "--db", "v.db", "--rules", "rules", "--no-store", "--format", "csv"};
  const std::string rows = "rule,entity,kind,severity,message,status,title,owner\r\n"
                           "LOW-1,V1,vendor,low,\"'=2+5 is low\",open,,\r\n";
  CHECK(run_vigil(run, dir.path).out == rows);
  run.push_back("--bom");
  CHECK(run_vigil(run, dir.path).out == "\xEF\xBB\xBF" + rows);
  auto json_bom = run_vigil({"run", "--db", "v.db", "--rules", "rules", "--no-store", "--format", "json", "--bom"}, dir.path);
  CHECK(json_bom.exit_code == 2);
  CHECK(contains(json_bom.err, "vigil run: --bom is for --format csv"));
}

TEST_CASE("colour: never with --color never or NO_COLOR, always when asked", "[cli][conventions]") {
  TempDir dir;
  dir.write("p.json", kPortfolio);
  std::vector<std::string> import{"import", "p.json", "--db", "v.db"};
  auto with = [&](std::vector<std::string> args, const std::string& option, const std::string& value) {
    args.push_back(option);
    args.push_back(value);
    return args;
  };
  auto always = run_vigil(with(import, "--color", "always"), dir.path, "", "NO_COLOR=1");
  CHECK(contains(always.err, "\x1b["));
  CHECK(contains(always.err, "imported"));
  CHECK_FALSE(contains(run_vigil(import, dir.path).err, "\x1b["));  // not a terminal
  auto bad = run_vigil(with(import, "--color", "sometimes"), dir.path);
  CHECK(bad.exit_code == 2);
  CHECK(contains(bad.err, "vigil import: --color 'sometimes': use auto, always or never"));
  // On a terminal (script(1) gives one): coloured unless NO_COLOR or --color never.
  auto on_terminal = [&](const std::string& environment, const std::string& option) {
    std::string command = "cd " + dir.path.string() + " && " + environment + " script -qec '" + VIGIL_BINARY +
                          " import p.json --db v.db " + option + "' /dev/null > terminal.txt 2>&1";
    (void)std::system(command.c_str());
    return vigil::test::read_file(dir.path / "terminal.txt");
  };
  CHECK(contains(on_terminal("", ""), "\x1b["));
  CHECK_FALSE(contains(on_terminal("NO_COLOR=1", ""), "\x1b["));
  CHECK_FALSE(contains(on_terminal("", "--color never"), "\x1b["));
  CHECK(contains(on_terminal("", "--color never"), "imported"));
}

TEST_CASE("wrap_words breaks at spaces, and inside a word only when nothing else fits", "[cli][conventions]") {
  using Lines = std::vector<std::string>;
  const std::vector<std::tuple<std::string, std::size_t, Lines>> cases{
      {"short", 10, {"short"}},
      {"one two three four", 0, {"one two three four"}},
      {"one two three four", 9, {"one two", "three", "four"}},
      {"one two three four", 7, {"one two", "three", "four"}},
      {"abcdefghij klm", 4, {"abcd", "efgh", "ij", "klm"}},
      {"Zürich Genève Köln", 6, {"Zürich", "Genève", "Köln"}},
      {"ab cdefgh", 3, {"ab", "cde", "fgh"}},
  };
  for (const auto& [text, width, lines] : cases) {
    INFO(text << " at " << width);
    CHECK(vigil::wrap_words(text, width) == lines);
  }
}

TEST_CASE("the findings table fits $COLUMNS, wrapping messages at word boundaries", "[cli][conventions]") {
  TempDir dir;
  imported(dir, R"(rule LOW-1 {
  severity low
  for vendor v
  when v.tier == "low"
  message "{v.name} is a low tier vendor whose assessment is due again soon"
}
)");
  std::vector<std::string> run{"run", "--db", "v.db", "--rules", "rules", "--no-store"};
  CHECK(run_vigil(run, dir.path, "", "COLUMNS=60").out ==
        "SEVERITY   RULE   ENTITY  MESSAGE\n"
        "low        LOW-1  V1      =2+5 is a low tier vendor whose\n"
        "                          assessment is due again soon\n");
  // Not a terminal and no COLUMNS: whole lines, for grep.
  CHECK(run_vigil(run, dir.path, "", "COLUMNS=").out ==
        "SEVERITY   RULE   ENTITY  MESSAGE\n"
        "low        LOW-1  V1      =2+5 is a low tier vendor whose assessment is due again soon\n");
}

TEST_CASE("import -v tells each step of a long import", "[cli][conventions]") {
  TempDir dir;
  dir.write("p.json", kPortfolio);
  auto verbose = run_vigil({"import", "p.json", "--db", "v.db", "-v"}, dir.path);
  CHECK(contains(verbose.err, "info: importing: writing 1 entities\ninfo: importing: writing 0 edges\n"
                              "info: importing: building the indexes\n"));
  CHECK_FALSE(contains(run_vigil({"import", "p.json", "--db", "v.db"}, dir.path).err, "importing:"));
}
