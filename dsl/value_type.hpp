// The types a rule-language value can have, shared by the checker (static
// types) and the engine (runtime values).
#pragma once

#include <optional>
#include <string_view>

namespace vigil {

// map: string keys to values (map literals, and the edge records of links()).
enum class ValueType { missing, boolean, number, string, date, duration, list, entity, map };

// "number", "a number", ...
const char* type_name(ValueType type);
const char* type_with_article(ValueType type);
// Types an attribute can be declared with in the fact store: number, string, bool, date.
std::optional<ValueType> parse_attribute_type(std::string_view name);

}  // namespace vigil
