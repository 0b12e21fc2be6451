// The built-in functions and aggregates of the rule language.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace vigil {

enum class Function {
  missing, present, len, lower, upper, contains, starts_with, days, round, hhi, entities,
  suppliers, suppliers_star, dependents, dependents_star, reaches, path, in_cycle,
  count, any, all, sum, min, max, list,
};

struct FunctionInfo {
  std::string_view name;
  Function id;
  int min_args;
  int max_args;
  bool aggregate;
  bool graph;
  std::string_view signature;  // for diagnostics: "len(string or list)"
};

const FunctionInfo* find_function(std::string_view name);
const FunctionInfo& function_info(Function id);
bool is_aggregate_name(std::string_view name);
std::vector<std::string> function_names();

}  // namespace vigil
