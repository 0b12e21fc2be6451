// Helpers shared by the tests: rule sources from strings, small portfolios,
// evaluating one expression, temporary directories and running the binary.
#pragma once

#include <filesystem>
#include <random>
#include <string>
#include <vector>

#include "dsl/rule_set.hpp"
#include "engine/eval/evaluator.hpp"
#include "engine/facts/portfolio.hpp"

namespace vigil::test {

SourcePtr source(const std::string& text, const std::string& path = "test.vigil");
RuleSet compile(const std::string& text, const Schema* schema = nullptr);
// The formatted diagnostics of a rule text that must fail to compile ("" if it compiles).
std::string compile_errors(const std::string& text, const Schema* schema = nullptr);
// The first diagnostic's "line:col: level: message" (no file, no source line).
std::string first_error(const std::string& text, const Schema* schema = nullptr);

Date date(const char* iso);

// A portfolio of vendors V1..: each row is "id" plus attribute values.
struct TestPortfolio {
  Portfolio portfolio;
  EntityIndex add(const std::string& kind, const std::string& id, std::vector<std::pair<std::string, Value>> attributes = {});
};

// Evaluates EXPR as a `let` of a rule `for FOR_CLAUSE` (as of 2026-06-30)
// and returns its value, for the first entity, as JSON text, or "error: ..."
// for an evaluation error.
std::string value_of(const std::string& expr, const Portfolio& portfolio = Portfolio{}, const std::string& constants = "",
                     const std::string& for_clause = "portfolio");

EvaluationResult evaluate(const std::string& rules, const Portfolio& portfolio, const char* today = "2026-06-30");
std::vector<std::string> fired(const EvaluationResult& result);  // "RULE:ENTITY" for each finding

// A random overlay over samples/portfolio (JSON): up to two candidate vendors
// with random attributes (whole and fractional spends among them), maybe a
// replaced loaded vendor, up to four edges from services and vendors.
std::string random_overlay(std::mt19937& random, int round);

struct TempDir {
  TempDir();
  ~TempDir();
  std::filesystem::path path;
  std::filesystem::path write(const std::string& relative, const std::string& content) const;
};

struct CommandResult {
  int exit_code;
  std::string out;
  std::string err;
};
// Runs the vigil binary with the arguments (shell-quoted), in `directory`; `input` (when not empty)
// is its standard input, and `environment` ("NAME=value ...", shell words) is set for it alone.
CommandResult run_vigil(const std::vector<std::string>& args, const std::filesystem::path& directory = ".",
                        const std::string& input = "", const std::string& environment = "");

std::string read_file(const std::filesystem::path& path);
std::string source_dir();

}  // namespace vigil::test
