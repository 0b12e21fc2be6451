#include "dsl/value_type.hpp"

namespace vigil {

const char* type_name(ValueType type) {
  switch (type) {
    case ValueType::missing: return "missing";
    case ValueType::boolean: return "bool";
    case ValueType::number: return "number";
    case ValueType::string: return "string";
    case ValueType::date: return "date";
    case ValueType::duration: return "duration";
    case ValueType::list: return "list";
    case ValueType::entity: return "entity";
    case ValueType::map: return "map";
  }
  return "?";
}

const char* type_with_article(ValueType type) {
  switch (type) {
    case ValueType::missing: return "a missing value";
    case ValueType::boolean: return "a bool";
    case ValueType::number: return "a number";
    case ValueType::string: return "a string";
    case ValueType::date: return "a date";
    case ValueType::duration: return "a duration";
    case ValueType::list: return "a list";
    case ValueType::entity: return "an entity";
    case ValueType::map: return "a map";
  }
  return "?";
}

std::optional<ValueType> parse_attribute_type(std::string_view name) {
  if (name == "number") return ValueType::number;
  if (name == "string") return ValueType::string;
  if (name == "bool") return ValueType::boolean;
  if (name == "date") return ValueType::date;
  return std::nullopt;
}

}  // namespace vigil
