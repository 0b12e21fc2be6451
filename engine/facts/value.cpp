#include "engine/facts/value.hpp"

#include <algorithm>

namespace vigil {

Value Value::string(std::string text) {
  auto owner = std::make_shared<const std::string>(std::move(text));
  std::string_view view = *owner;
  Value value(ValueType::string, std::move(owner));
  value.payload_.text = view;
  return value;
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
    case ValueType::map: {
      const auto& x = a.as_map().entries;
      const auto& y = b.as_map().entries;
      if (x.size() != y.size()) return false;
      for (std::size_t i = 0; i < x.size(); ++i)
        if (x[i].first != y[i].first || !same_value(x[i].second, y[i].second)) return false;
      return true;
    }
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

Value MapData::find(std::string_view key) const {
  auto it = std::lower_bound(entries.begin(), entries.end(), key,
                             [](const auto& entry, std::string_view k) { return entry.first < k; });
  return it != entries.end() && it->first == key ? it->second : Value::missing();
}

Value make_map(std::vector<std::pair<std::string, Value>> entries) {
  std::stable_sort(entries.begin(), entries.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
  auto data = std::make_shared<MapData>();
  for (auto& entry : entries) {
    if (!data->entries.empty() && data->entries.back().first == entry.first) data->entries.back() = std::move(entry);
    else data->entries.push_back(std::move(entry));
  }
  return Value::map(std::move(data));
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
