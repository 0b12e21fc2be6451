// A checked set of rule files: what the engine evaluates.
#pragma once

#include <set>
#include <string>
#include <vector>

#include "dsl/ast.hpp"
#include "dsl/diagnostic.hpp"
#include "dsl/schema.hpp"

namespace vigil {

struct RuleSet {
  std::vector<RuleFile> files;
  std::vector<Diagnostic> warnings;
  std::uint32_t node_count = 0;  // expression nodes, numbered 0..node_count-1

  std::vector<const Rule*> rules() const;  // every rule, sorted by id
  const Rule* find_rule(std::string_view id) const;
  const RuleFile& file_of(const Rule& rule) const;
  std::size_t rule_count() const;
};

// Files ending in `suffix`: directories are searched recursively, in sorted
// order, except subdirectories holding a pack.json (a separate rule pack,
// read only when named); other paths are taken as they are. Throws
// vigil::Error when a path does not exist, or a directory holds no such file
// ("no {what} in this directory").
constexpr const char* kPackMarker = "pack.json";
std::vector<std::string> expand_paths(const std::vector<std::string>& paths, std::string_view suffix, std::string_view what);
// `*.vigil` files.
std::vector<std::string> expand_rule_paths(const std::vector<std::string>& paths);

// Parses and checks. Throws RuleError with every error found in every file;
// warnings (only with a schema) are returned in RuleSet::warnings.
RuleSet compile_rules(const std::vector<SourcePtr>& sources, const Schema* schema = nullptr);
// compile_rules in its two steps, for a caller that needs the parsed files
// before it has the schema (a run decides what to load from them).
struct ParsedRules {
  std::vector<RuleFile> files;     // the files that parsed
  std::vector<Diagnostic> errors;  // every other file's syntax errors
};
ParsedRules parse_rules(const std::vector<SourcePtr>& sources);
RuleSet check_parsed_rules(ParsedRules parsed, const Schema* schema = nullptr);
RuleSet load_rules(const std::vector<std::string>& paths, const Schema* schema = nullptr);
std::vector<SourcePtr> read_rule_sources(const std::vector<std::string>& paths);

// Keeps only the rules carrying at least one of `tags` (`vigil run --tag`).
// Throws vigil::Error for a tag that no rule carries, with a did-you-mean:
// a misspelt tag in a nightly job must not evaluate nothing, quietly.
void keep_rules_tagged(RuleSet& rules, const std::vector<std::string>& tags);

// What a rule set reads of the facts, so that a run loads only that: the
// attribute names it reads (of any entity) and whether it follows edges.
struct FactNeeds {
  std::set<std::string> attributes;
  bool graph = false;
};
FactNeeds fact_needs(const std::vector<RuleFile>& files);  // parsed, not necessarily checked

}  // namespace vigil
