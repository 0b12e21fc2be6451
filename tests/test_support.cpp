#include "test_support.hpp"

#include <cstdlib>
#include <fstream>
#include <random>
#include <sstream>

#include <nlohmann/json.hpp>
#include <sys/wait.h>

namespace vigil::test {

SourcePtr source(const std::string& text, const std::string& path) { return std::make_shared<SourceFile>(path, text); }

RuleSet compile(const std::string& text, const Schema* schema) { return compile_rules({source(text)}, schema); }

std::string compile_errors(const std::string& text, const Schema* schema) {
  try {
    compile(text, schema);
    return "";
  } catch (const RuleError& error) {
    return error.what();
  }
}

std::string first_error(const std::string& text, const Schema* schema) {
  try {
    RuleSet rules = compile(text, schema);
    if (rules.warnings.empty()) return "";
    const auto& d = rules.warnings.front();
    auto where = d.source->locate(d.offset);
    return fmt::format("{}:{}: warning: {}", where.line, where.column, d.message);
  } catch (const RuleError& error) {
    const auto& d = error.diagnostics().front();
    auto where = d.source->locate(d.offset);
    return fmt::format("{}:{}: error: {}", where.line, where.column, d.message);
  }
}

Date date(const char* iso) { return *parse_iso_date(iso); }

EntityIndex TestPortfolio::add(const std::string& kind, const std::string& id,
                               std::vector<std::pair<std::string, Value>> attributes) {
  EntityIndex entity = portfolio.add_entity(id, portfolio.declare_kind(kind));
  for (auto& [name, value] : attributes) portfolio.set_attribute(entity, name, value);
  return entity;
}

EvaluationResult evaluate(const std::string& rules, const Portfolio& portfolio, const char* today) {
  RuleSet set = compile(rules);
  Evaluator evaluator(set, portfolio, date(today));
  return evaluator.evaluate_all();
}

std::string value_of(const std::string& expr, const Portfolio& portfolio, const std::string& constants,
                     const std::string& for_clause) {
  std::string rule = constants + "\nrule T {\n  severity low\n  for " + for_clause + "\n  let x = " + expr +
                     "\n  when missing(x) or present(x)\n  message \"m\"\n}\n";
  auto result = evaluate(rule, portfolio);
  if (!result.errors.empty()) return "error: " + result.errors.front().message;
  auto evidence = nlohmann::json::parse(result.findings.at(0).evidence_json);
  return evidence["values"]["x"].dump();
}

std::vector<std::string> fired(const EvaluationResult& result) {
  std::vector<std::string> out;
  for (const auto& f : result.findings) out.push_back(f.rule + ":" + f.entity.value_or("-"));
  return out;
}

TempDir::TempDir() {
  std::random_device random;
  path = std::filesystem::temp_directory_path() / fmt::format("vigil-test-{:08x}{:08x}", random(), random());
  std::filesystem::create_directories(path);
}

TempDir::~TempDir() {
  std::error_code ignored;
  std::filesystem::remove_all(path, ignored);
}

std::filesystem::path TempDir::write(const std::string& relative, const std::string& content) const {
  auto file = path / relative;
  std::filesystem::create_directories(file.parent_path());
  std::ofstream(file, std::ios::binary) << content;
  return file;
}

std::string read_file(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream buffer;
  buffer << in.rdbuf();
  return buffer.str();
}

std::string source_dir() { return VIGIL_SOURCE_DIR; }

namespace {
std::string shell_quote(const std::string& arg) {
  std::string quoted = "'";
  for (char c : arg) quoted += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return quoted + "'";
}
}  // namespace

CommandResult run_vigil(const std::vector<std::string>& args, const std::filesystem::path& directory,
                        const std::string& input, const std::string& environment) {
  TempDir capture;
  // COLUMNS cleared: the caller's terminal width must not change the tables the tests expect.
  std::string command = "cd " + shell_quote(directory.string()) + " && COLUMNS= " + environment + " " + shell_quote(VIGIL_BINARY);
  for (const auto& arg : args) command += " " + shell_quote(arg);
  if (!input.empty()) command += " <" + shell_quote(capture.write("in", input).string());
  command += " >" + shell_quote((capture.path / "out").string()) + " 2>" + shell_quote((capture.path / "err").string());
  int status = std::system(command.c_str());
  int code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return {code, read_file(capture.path / "out"), read_file(capture.path / "err")};
}

std::string random_overlay(std::mt19937& random, int round) {
  auto pick = [&](std::vector<std::string> options) { return options[random() % options.size()]; };
  auto loaded_vendor = [&] { return fmt::format("V{:03}", 1 + random() % 40); };
  nlohmann::json overlay{{"entities", nlohmann::json::array()}, {"edges", nlohmann::json::array()}};
  std::vector<std::string> vendors;
  for (unsigned i = 0, n = random() % 3; i < n; ++i) {
    vendors.push_back(fmt::format("VR{}{}", round, i));
    nlohmann::json attributes{{"name", "Candidate"}, {"category", pick({"cloud", "payments", "hr", "data"})},
                              {"tier", pick({"critical", "high", "low"})}, {"status", pick({"active", "active", "offboarded"})},
                              {"country", pick({"GB", "US", "IN", "CN"})}, {"data_access", pick({"restricted", "none"})}};
    if (random() % 4) attributes["annual_spend"] = random() % 2 ? double(random() % 9000000) : (random() % 1000) + 0.25;
    if (random() % 2) attributes["irp_last_tested"] = pick({"2026-09-01", "2024-01-01"});
    overlay["entities"].push_back({{"id", vendors.back()}, {"kind", "vendor"}, {"attributes", attributes}});
  }
  if (random() % 3 == 0)
    overlay["entities"].push_back({{"id", loaded_vendor()}, {"kind", "vendor"},
                                   {"attributes", {{"name", "Replaced"}, {"status", pick({"active", "offboarded"})}}}});
  auto any_vendor = [&] { return vendors.empty() || random() % 2 ? loaded_vendor() : vendors[random() % vendors.size()]; };
  for (unsigned i = 0, n = random() % 5; i < n; ++i) {
    bool service = random() % 2;
    overlay["edges"].push_back({{"from", service ? fmt::format("S{:02}", 1 + random() % 10) : any_vendor()},
                                {"to", any_vendor()}, {"kind", service ? "depends_on" : "subcontracts"}});
  }
  return overlay.dump();
}

}  // namespace vigil::test
