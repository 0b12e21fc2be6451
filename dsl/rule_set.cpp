#include "dsl/rule_set.hpp"

#include <algorithm>
#include <filesystem>
#include <set>

#include <fmt/format.h>

#include "dsl/checker.hpp"
#include "dsl/functions.hpp"
#include "dsl/parser.hpp"

namespace vigil {

namespace fs = std::filesystem;

std::vector<const Rule*> RuleSet::rules() const {
  std::vector<const Rule*> all;
  for (const auto& file : files)
    for (const auto& rule : file.rules) all.push_back(&rule);
  std::sort(all.begin(), all.end(), [](const Rule* a, const Rule* b) { return a->id < b->id; });
  return all;
}

const Rule* RuleSet::find_rule(std::string_view id) const {
  for (const auto& file : files)
    for (const auto& rule : file.rules)
      if (rule.id == id) return &rule;
  return nullptr;
}

const RuleFile& RuleSet::file_of(const Rule& rule) const {
  for (const auto& file : files)
    for (const auto& candidate : file.rules)
      if (&candidate == &rule) return file;
  throw std::logic_error("rule does not belong to this rule set");
}

std::size_t RuleSet::rule_count() const {
  std::size_t count = 0;
  for (const auto& file : files) count += file.rules.size();
  return count;
}

void keep_rules_tagged(RuleSet& rules, const std::vector<std::string>& tags) {
  std::set<std::string> carried;
  for (const Rule* rule : rules.rules()) carried.insert(rule->tags.begin(), rule->tags.end());
  for (const auto& tag : tags)
    if (!carried.count(tag))
      throw Error(fmt::format("--tag: no rule carries the tag '{}'{}", tag,
                              did_you_mean(tag, std::vector<std::string>(carried.begin(), carried.end()))));
  std::set<std::string> wanted(tags.begin(), tags.end());
  for (auto& file : rules.files)
    std::erase_if(file.rules, [&](const Rule& rule) {
      return std::none_of(rule.tags.begin(), rule.tags.end(), [&](const std::string& t) { return wanted.count(t) > 0; });
    });
}

std::vector<std::string> expand_paths(const std::vector<std::string>& paths, std::string_view suffix, std::string_view what) {
  std::vector<std::string> files;
  for (const auto& path : paths) {
    std::error_code error;
    if (path == kStandardInput) {  // read by read_source_file
      files.push_back(path);
    } else if (fs::is_directory(path, error)) {
      std::vector<std::string> found;
      for (auto entry = fs::recursive_directory_iterator(path); entry != fs::recursive_directory_iterator(); ++entry) {
        // A folder holding pack.json is a pack of its own (rules/dora): read
        // when named, not as part of the folder around it.
        if (entry->is_directory() && fs::exists(entry->path() / kPackMarker, error)) {
          entry.disable_recursion_pending();
          continue;
        }
        std::string name = entry->path().filename().string();
        if (entry->is_regular_file() && name.size() > suffix.size() && name.ends_with(suffix)) found.push_back(entry->path().string());
      }
      if (found.empty()) throw Error(fmt::format("{}: no {} in this directory", path, what));
      std::sort(found.begin(), found.end());
      files.insert(files.end(), found.begin(), found.end());
    } else if (fs::exists(path, error)) {
      files.push_back(path);
    } else {
      throw Error(fmt::format("{}: no such file or directory", path));
    }
  }
  return files;
}

std::vector<std::string> expand_rule_paths(const std::vector<std::string>& paths) {
  return expand_paths(paths, ".vigil", ".vigil rule files");
}

ParsedRules parse_rules(const std::vector<SourcePtr>& sources) {
  ParsedRules parsed;
  for (const auto& source : sources) {
    try {
      parsed.files.push_back(parse_rule_file(source));
    } catch (const RuleError& error) {
      parsed.errors.insert(parsed.errors.end(), error.diagnostics().begin(), error.diagnostics().end());
    }
  }
  return parsed;
}

RuleSet check_parsed_rules(ParsedRules parsed, const Schema* schema) {
  RuleSet set;
  set.files = std::move(parsed.files);
  std::vector<Diagnostic> errors = std::move(parsed.errors);
  auto diagnostics = check_rules(set, schema);
  for (auto& d : diagnostics) (d.level == DiagnosticLevel::warning ? set.warnings : errors).push_back(std::move(d));
  if (!errors.empty()) throw RuleError(std::move(errors));
  return set;
}

RuleSet compile_rules(const std::vector<SourcePtr>& sources, const Schema* schema) {
  return check_parsed_rules(parse_rules(sources), schema);
}

std::vector<SourcePtr> read_rule_sources(const std::vector<std::string>& paths) {
  std::vector<SourcePtr> sources;
  for (const auto& path : expand_rule_paths(paths)) sources.push_back(read_source_file(path));
  return sources;
}

RuleSet load_rules(const std::vector<std::string>& paths, const Schema* schema) {
  return compile_rules(read_rule_sources(paths), schema);
}

namespace {

void collect_needs(const Expr& node, FactNeeds& needs) {
  if (node.kind == ExprKind::member && node.builtin == Expr::Builtin::none) needs.attributes.insert(node.text);
  if (node.kind == ExprKind::call)
    if (const FunctionInfo* info = find_function(node.text); info && info->graph) needs.graph = true;
  for_each_child(node, [&](const Expr& child) { collect_needs(child, needs); });
}

}  // namespace

FactNeeds fact_needs(const std::vector<RuleFile>& files) {
  FactNeeds needs;
  for (const auto& file : files)
    for_each_expression_root(file, [&](const ExprPtr& root) { collect_needs(*root, needs); });
  return needs;
}

}  // namespace vigil
