#include "dsl/functions.hpp"

namespace vigil {
namespace {

using T = ValueType;
constexpr TypeSet kAny = 0;
constexpr TypeSet kString = type_set({T::string});
constexpr TypeSet kNumber = type_set({T::number});
constexpr TypeSet kEntity = type_set({T::entity});
constexpr TypeSet kList = type_set({T::list});
constexpr TypeSet kStringOrList = type_set({T::string, T::list});
constexpr TypeSet kDuration = type_set({T::duration});
constexpr TypeSet kStringOrNumber = type_set({T::string, T::number});
constexpr TypeSet kStringOrDate = type_set({T::string, T::date});
constexpr TypeSet kNumberOrDuration = type_set({T::number, T::duration});

constexpr std::array<FunctionInfo, kFunctionCount> kFunctions{{
    {"missing", Function::missing, 1, 1, false, false, true, {kAny}, Returns::boolean, "missing(value)"},
    {"present", Function::present, 1, 1, false, false, true, {kAny}, Returns::boolean, "present(value)"},
    {"len", Function::len, 1, 1, false, false, false, {kStringOrList}, Returns::number, "len(string or list)"},
    {"lower", Function::lower, 1, 1, false, false, false, {kString}, Returns::string, "lower(string)"},
    {"upper", Function::upper, 1, 1, false, false, false, {kString}, Returns::string, "upper(string)"},
    {"contains", Function::contains, 2, 2, false, false, false, {kStringOrList, kAny}, Returns::boolean,
     "contains(string or list, value)"},
    {"starts_with", Function::starts_with, 2, 2, false, false, false, {kString, kString}, Returns::boolean,
     "starts_with(string, prefix)"},
    {"days", Function::days, 1, 1, false, false, false, {kDuration}, Returns::number, "days(duration)"},
    {"round", Function::round, 1, 2, false, false, false, {kNumber, kNumber}, Returns::number, "round(number, digits)"},
    {"hhi", Function::hhi, 1, 1, false, false, true, {kList}, Returns::number, "hhi(list of numbers)"},
    {"entities", Function::entities, 1, 1, false, false, false, {kString}, Returns::entity_list, "entities(\"kind\")"},
    {"str", Function::str, 1, 1, false, false, false, {kAny}, Returns::string, "str(value)"},
    {"number", Function::number, 1, 1, false, false, false, {kStringOrNumber}, Returns::number, "number(string)"},
    {"date", Function::date, 1, 1, false, false, false, {kStringOrDate}, Returns::date, "date(string)"},
    {"abs", Function::abs, 1, 1, false, false, false, {kNumberOrDuration}, Returns::same_as_first,
     "abs(number or duration)"},
    {"distinct", Function::distinct, 1, 1, false, false, false, {kList}, Returns::same_as_first, "distinct(list)"},
    {"sort", Function::sort, 1, 1, false, false, false, {kList}, Returns::same_as_first, "sort(list)"},
    {"entity", Function::entity, 1, 1, false, false, false, {kString}, Returns::entity, "entity(id)"},
    {"links", Function::links, 1, 1, false, true, false, {kEntity}, Returns::record_list, "links(entity)"},
    {"links_in", Function::links_in, 1, 1, false, true, false, {kEntity}, Returns::record_list, "links_in(entity)"},
    {"suppliers", Function::suppliers, 1, 2, false, true, false, {kEntity, kString}, Returns::entity_list,
     "suppliers(entity, \"edge kind\")"},
    {"suppliers*", Function::suppliers_star, 1, 2, false, true, false, {kEntity, kString}, Returns::entity_list,
     "suppliers*(entity, \"edge kind\")"},
    {"dependents", Function::dependents, 1, 2, false, true, false, {kEntity, kString}, Returns::entity_list,
     "dependents(entity, \"edge kind\")"},
    {"dependents*", Function::dependents_star, 1, 2, false, true, false, {kEntity, kString}, Returns::entity_list,
     "dependents*(entity, \"edge kind\")"},
    {"reaches", Function::reaches, 2, 3, false, true, false, {kEntity, kEntity, kString}, Returns::boolean,
     "reaches(entity, entity, \"edge kind\")"},
    {"path", Function::path, 2, 3, false, true, false, {kEntity, kEntity, kString}, Returns::string_list,
     "path(entity, entity, \"edge kind\")"},
    {"in_cycle", Function::in_cycle, 1, 2, false, true, false, {kEntity, kString}, Returns::boolean,
     "in_cycle(entity, \"edge kind\")"},
    {"count", Function::count, 1, 1, true, false, false, {}, Returns::aggregate, "count(x in C where P)"},
    {"any", Function::any, 1, 1, true, false, false, {}, Returns::aggregate, "any(x in C where P)"},
    {"all", Function::all, 1, 1, true, false, false, {}, Returns::aggregate, "all(x in C where P)"},
    {"sum", Function::sum, 1, 1, true, false, false, {}, Returns::aggregate, "sum(E for x in C where P)"},
    {"min", Function::min, 1, 1, true, false, false, {}, Returns::aggregate, "min(E for x in C where P)"},
    {"max", Function::max, 1, 1, true, false, false, {}, Returns::aggregate, "max(E for x in C where P)"},
    {"list", Function::list, 1, 1, true, false, false, {}, Returns::aggregate, "list(E for x in C where P)"},
}};

// Rows are found by enum value: the table must list them in enum order.
constexpr bool rows_in_enum_order() {
  for (std::size_t i = 0; i < kFunctions.size(); ++i)
    if (static_cast<std::size_t>(kFunctions[i].id) != i) return false;
  return true;
}
static_assert(rows_in_enum_order(), "kFunctions must list the functions in the order of enum Function");

struct ArithmeticRow {
  Op op;
  ValueType lhs, rhs, result;
};

constexpr ArithmeticRow kArithmetic[] = {
    {Op::add, T::number, T::number, T::number},       {Op::add, T::string, T::string, T::string},
    {Op::add, T::date, T::duration, T::date},         {Op::add, T::duration, T::date, T::date},
    {Op::add, T::duration, T::duration, T::duration}, {Op::sub, T::number, T::number, T::number},
    {Op::sub, T::date, T::duration, T::date},         {Op::sub, T::date, T::date, T::duration},
    {Op::sub, T::duration, T::duration, T::duration}, {Op::mul, T::number, T::number, T::number},
    {Op::mul, T::duration, T::number, T::duration},   {Op::mul, T::number, T::duration, T::duration},
    {Op::div, T::number, T::number, T::number},       {Op::mod, T::number, T::number, T::number},
};

constexpr OptionInfo kKindOption{"kind", type_set({T::string, T::list})};
constexpr OptionInfo kDepthOption{"depth", kNumber};

}  // namespace

std::vector<OptionInfo> options_of(Function id) {
  switch (id) {
    case Function::suppliers:
    case Function::dependents:
    case Function::in_cycle: return {kKindOption};
    case Function::suppliers_star:
    case Function::dependents_star:
    case Function::reaches:
    case Function::path: return {kKindOption, kDepthOption};
    default: return {};
  }
}

int positional_kind_index(Function id) { return options_of(id).empty() ? -1 : function_info(id).max_args - 1; }

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

std::optional<ValueType> arithmetic_result(Op op, ValueType lhs, ValueType rhs) {
  for (const auto& row : kArithmetic)
    if (row.op == op && row.lhs == lhs && row.rhs == rhs) return row.result;
  return std::nullopt;
}

bool is_comparison(Op op) {
  return op == Op::eq || op == Op::ne || op == Op::lt || op == Op::le || op == Op::gt || op == Op::ge;
}

bool orderable(ValueType t) {
  return t == ValueType::number || t == ValueType::string || t == ValueType::date || t == ValueType::duration;
}

}  // namespace vigil
