#include "engine/facts/value.hpp"

namespace vigil {

Value Value::string(std::string text) {
  auto owner = std::make_shared<const std::string>(std::move(text));
  std::string_view view = *owner;
  return Value(Storage(StringRef{view, std::move(owner)}));
}

Value Value::list(List items) { return list(std::make_shared<const ListData>(std::move(items))); }

bool same_value(const Value& a, const Value& b) {
  if (a.type() != b.type()) return false;
  switch (a.type()) {
    case ValueType::missing: return true;
    case ValueType::boolean: return a.as_bool() == b.as_bool();
    case ValueType::number: return a.as_number() == b.as_number();
    case ValueType::string: return a.as_string() == b.as_string();
    case ValueType::date: return a.as_date() == b.as_date();
    case ValueType::duration: return compare(a.as_duration(), b.as_duration()) == 0;
    case ValueType::entity: return a.as_entity() == b.as_entity();
    case ValueType::list: {
      const auto& x = a.as_list();
      const auto& y = b.as_list();
      if (x.size() != y.size()) return false;
      for (std::size_t i = 0; i < x.size(); ++i)
        if (!same_value(x[i], y[i])) return false;
      return true;
    }
  }
  return false;
}

std::partial_ordering order_values(const Value& a, const Value& b) {
  if (a.type() != b.type()) return std::partial_ordering::unordered;
  switch (a.type()) {
    case ValueType::number: return a.as_number() <=> b.as_number();
    case ValueType::string: return a.as_string().compare(b.as_string()) <=> 0;
    case ValueType::date: return a.as_date() <=> b.as_date();
    case ValueType::duration: return compare(a.as_duration(), b.as_duration());
    default: return std::partial_ordering::unordered;
  }
}

}  // namespace vigil
