#include "engine/eval/rule_tests.hpp"

#include <algorithm>
#include <filesystem>
#include <set>

#include <nlohmann/json.hpp>

#include "dsl/rule_set.hpp"
#include "dsl/source.hpp"
#include "engine/eval/evaluator.hpp"
#include "engine/facts/import_error.hpp"
#include "engine/facts/portfolio_import.hpp"

namespace vigil {
namespace fs = std::filesystem;
namespace {

using Json = nlohmann::ordered_json;

std::string read_text(const std::string& path) {
  auto text = read_whole_file(path);
  if (!text) throw Error(fmt::format("{}: cannot read", path));
  return std::move(*text);
}

std::string describe(const std::string& rule, const std::optional<std::string>& entity, const std::string& message) {
  std::string text = rule + " " + entity.value_or("portfolio");
  return message.empty() ? text : text + ": " + message;
}

// The entity of an expected finding: a string, or null/absent for portfolio findings.
std::optional<std::string> expected_entity(const Json& item) {
  auto it = item.find("entity");
  if (it == item.end() || !it->is_string()) return std::nullopt;
  return it->get<std::string>();
}

std::vector<std::string> expected_findings(const Json& expect, const std::string& path, const std::string& name) {
  if (!expect.is_array()) throw Error(fmt::format("{}: case \"{}\": \"expect\" must be a list of findings", path, name));
  std::vector<std::string> findings;
  for (const auto& item : expect) {
    if (!item.is_object() || !item.contains("rule") || !item["rule"].is_string())
      throw Error(fmt::format("{}: case \"{}\": each expected finding needs a \"rule\"", path, name));
    std::optional<std::string> entity = expected_entity(item);
    std::string message = item.contains("message") && item["message"].is_string() ? item["message"].get<std::string>() : "";
    findings.push_back(describe(item["rule"].get<std::string>(), entity, message));
  }
  std::sort(findings.begin(), findings.end());
  return findings;
}

RuleTestCase run_case(const std::string& path, const Json& test, const RuleSet& rules, Date as_of) {
  RuleTestCase result;
  result.file = path;
  result.name = test.value("name", std::string("(unnamed)"));
  Json expect = test.value("expect", Json::array());
  result.expected = expected_findings(expect, path, result.name);
  // A finding's message is compared where the test gives one for that rule and entity.
  std::set<std::string> with_message;
  for (const auto& item : expect)
    if (item.contains("message"))
      with_message.insert(describe(item["rule"].get<std::string>(), expected_entity(item), ""));
  try {
    Json portfolio{{"entities", test.value("entities", Json::array())}, {"edges", test.value("edges", Json::array())}};
    Portfolio facts = parse_portfolio_json(fmt::format("{} (case \"{}\")", path, result.name), portfolio.dump(2));
    Evaluator evaluator(rules, facts, as_of);
    EvaluationResult outcome = evaluator.evaluate_all(1);
    if (!outcome.errors.empty()) {
      const auto& e = outcome.errors.front();
      result.error = fmt::format("evaluation error: rule {}, entity {}: {} ({})", e.rule, e.entity.value_or("-"), e.message,
                                 e.location);
    }
    for (const auto& f : outcome.findings) {
      std::string key = describe(f.rule, f.entity, "");
      result.actual.push_back(describe(f.rule, f.entity, with_message.count(key) ? f.message : ""));
    }
    std::sort(result.actual.begin(), result.actual.end());
  } catch (const Error& error) {
    result.error = error.what();
  }
  result.passed = result.error.empty() && result.actual == result.expected;
  return result;
}

// nlohmann's words without its prefix: "[json.exception.type_error.302] type must be string" -> "type must be string".
std::string json_message(const std::string& what) {
  auto at = what.find("at line ");
  if (at != std::string::npos) return what.substr(at);
  auto bracket = what.find("] ");
  return bracket == std::string::npos ? what : what.substr(bracket + 2);
}

std::vector<RuleTestCase> run_parsed_rule_tests(const std::string& path, const Json& test) {
  if (!test.is_object() || !test.contains("rules") || !test.contains("cases"))
    throw Error(fmt::format("{}: a rule test is an object with \"rules\", \"as_of\" and \"cases\"", path));
  auto as_of = parse_iso_date(test.value("as_of", std::string()));
  if (!as_of) throw Error(fmt::format("{}: \"as_of\" must be a date (YYYY-MM-DD)", path));
  std::vector<std::string> rule_paths;
  fs::path base = fs::path(path).parent_path();
  for (const auto& rule : test["rules"]) {
    if (!rule.is_string()) throw Error(fmt::format("{}: \"rules\" is a list of rule files or directories", path));
    rule_paths.push_back((base / rule.get<std::string>()).lexically_normal().string());
  }
  RuleSet rules = load_rules(rule_paths);
  std::vector<RuleTestCase> results;
  if (!test["cases"].is_array()) throw Error(fmt::format("{}: \"cases\" must be a list", path));
  for (const auto& c : test["cases"]) results.push_back(run_case(path, c, rules, *as_of));
  return results;
}

}  // namespace

std::vector<std::string> expand_test_paths(const std::vector<std::string>& paths) {
  return expand_paths(paths, ".test.json", ".test.json files");
}

std::vector<RuleTestCase> run_rule_tests(const std::string& path) {
  std::string text = read_text(path);
  // A malformed test file of any shape (a field of the wrong type, a number
  // such as 1e400) is an error naming the file, never an internal error.
  try {
    return run_parsed_rule_tests(path, Json::parse(text));
  } catch (const nlohmann::json::exception& error) {
    throw Error(fmt::format("{}: {}", path, json_message(error.what())));
  }
}

}  // namespace vigil
