// The built-in functions and aggregates of the rule language, one row each.
// A row carries everything the checker needs (arity, the types each argument
// may have, the result type); the evaluator has one function per row in an
// array indexed by the same enum (engine/eval/builtins.cpp). Adding a builtin
// is a row here and a function there.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "dsl/ast.hpp"
#include "dsl/value_type.hpp"

namespace vigil {

// Calls first, then aggregates: the evaluator's table covers the calls.
enum class Function {
  missing, present, len, lower, upper, contains, starts_with, days, round, hhi, entities,
  str, number, date, abs, distinct, sort, entity, links, links_in,
  suppliers, suppliers_star, dependents, dependents_star, reaches, path, in_cycle,
  count, any, all, sum, min, max, list,
};
constexpr std::size_t kCallCount = static_cast<std::size_t>(Function::in_cycle) + 1;
constexpr std::size_t kFunctionCount = static_cast<std::size_t>(Function::list) + 1;

// The types an argument may have, as a set; empty means any type.
using TypeSet = std::uint16_t;
constexpr TypeSet type_set(std::initializer_list<ValueType> types) {
  TypeSet set = 0;
  for (auto t : types) set = static_cast<TypeSet>(set | (1u << static_cast<unsigned>(t)));
  return set;
}
constexpr bool type_set_has(TypeSet set, ValueType t) { return set == 0 || (set & (1u << static_cast<unsigned>(t))); }

// What a call gives, as far as the checker can know it.
enum class Returns {
  boolean, number, string, date,
  same_as_first,  // the type of the first argument (abs, distinct, sort)
  entity,         // one entity, of a kind unknown to the checker
  record_list,    // links(): a list of maps (from, to, kind and the edge's attributes)
  entity_list,    // a list of entities (of the kind named by entities("K"), when literal)
  string_list,    // path(): ids
  aggregate,      // decided by the aggregate's own rules (checker: check_aggregate)
};

struct FunctionInfo {
  std::string_view name;
  Function id;
  int min_args;
  int max_args;
  bool aggregate;
  bool graph;
  bool takes_missing;                // sees missing arguments (otherwise a missing argument gives missing)
  std::array<TypeSet, 3> arguments;  // allowed types of argument 1, 2, 3
  Returns returns;
  std::string_view signature;        // for diagnostics: "len(string or list)"
};

// Named options a call takes (CONTRACT section 10): `kind:` (an edge kind or
// a list of them) on the graph functions, `depth:` (most edges followed) on
// the transitive ones.
struct OptionInfo {
  std::string_view name;
  TypeSet types;
};
std::vector<OptionInfo> options_of(Function id);
// The positional argument that names the edge kind, which `kind:` replaces (-1: none).
int positional_kind_index(Function id);

const FunctionInfo* find_function(std::string_view name);
const FunctionInfo& function_info(Function id);
bool is_aggregate_name(std::string_view name);
std::vector<std::string> function_names();

// ---- operators --------------------------------------------------------------

// The one table of what arithmetic accepts and gives, read by the checker
// (certain type errors) and the evaluator (runtime type errors), so the two
// cannot disagree. nullopt: the operator does not apply to these types.
std::optional<ValueType> arithmetic_result(Op op, ValueType lhs, ValueType rhs);
bool is_comparison(Op op);
// Numbers, strings, dates and durations have an order (< <= > >= min max).
bool orderable(ValueType type);

}  // namespace vigil
