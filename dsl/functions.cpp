#include "dsl/functions.hpp"

#include <array>

namespace vigil {
namespace {

constexpr std::array<FunctionInfo, 25> kFunctions{{
    {"missing", Function::missing, 1, 1, false, false, "missing(value)"},
    {"present", Function::present, 1, 1, false, false, "present(value)"},
    {"len", Function::len, 1, 1, false, false, "len(string or list)"},
    {"lower", Function::lower, 1, 1, false, false, "lower(string)"},
    {"upper", Function::upper, 1, 1, false, false, "upper(string)"},
    {"contains", Function::contains, 2, 2, false, false, "contains(string or list, value)"},
    {"starts_with", Function::starts_with, 2, 2, false, false, "starts_with(string, prefix)"},
    {"days", Function::days, 1, 1, false, false, "days(duration)"},
    {"round", Function::round, 1, 2, false, false, "round(number, digits)"},
    {"hhi", Function::hhi, 1, 1, false, false, "hhi(list of numbers)"},
    {"entities", Function::entities, 1, 1, false, false, "entities(\"kind\")"},
    {"suppliers", Function::suppliers, 1, 2, false, true, "suppliers(entity, \"edge kind\")"},
    {"suppliers*", Function::suppliers_star, 1, 2, false, true, "suppliers*(entity, \"edge kind\")"},
    {"dependents", Function::dependents, 1, 2, false, true, "dependents(entity, \"edge kind\")"},
    {"dependents*", Function::dependents_star, 1, 2, false, true, "dependents*(entity, \"edge kind\")"},
    {"reaches", Function::reaches, 2, 3, false, true, "reaches(entity, entity, \"edge kind\")"},
    {"path", Function::path, 2, 3, false, true, "path(entity, entity, \"edge kind\")"},
    {"in_cycle", Function::in_cycle, 1, 2, false, true, "in_cycle(entity, \"edge kind\")"},
    {"count", Function::count, 1, 1, true, false, "count(x in C where P)"},
    {"any", Function::any, 1, 1, true, false, "any(x in C where P)"},
    {"all", Function::all, 1, 1, true, false, "all(x in C where P)"},
    {"sum", Function::sum, 1, 1, true, false, "sum(E for x in C where P)"},
    {"min", Function::min, 1, 1, true, false, "min(E for x in C where P)"},
    {"max", Function::max, 1, 1, true, false, "max(E for x in C where P)"},
    {"list", Function::list, 1, 1, true, false, "list(E for x in C where P)"},
}};

}  // namespace

const FunctionInfo* find_function(std::string_view name) {
  for (const auto& info : kFunctions)
    if (info.name == name) return &info;
  return nullptr;
}

const FunctionInfo& function_info(Function id) { return kFunctions[static_cast<std::size_t>(id)]; }

bool is_aggregate_name(std::string_view name) {
  auto info = find_function(name);
  return info && info->aggregate;
}

std::vector<std::string> function_names() {
  std::vector<std::string> names;
  for (const auto& info : kFunctions) names.emplace_back(info.name);
  return names;
}

}  // namespace vigil
