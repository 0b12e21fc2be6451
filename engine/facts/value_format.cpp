#include "engine/facts/value_format.hpp"

#include <cmath>

#include <fmt/format.h>

namespace vigil {

std::string format_number(double number) {
  if (number == 0) return "0";  // also -0
  // A whole number below 10^15 prints its digits under %.15g: said without
  // the precision formatting, which took a tenth of an overlay's time
  // (CONC-001's message counts services for a thousand vendors).
  if (std::abs(number) < 1e15 && std::trunc(number) == number) return fmt::format_int(static_cast<long long>(number)).str();
  return fmt::format("{:.15g}", number);
}

std::string display_value(const Value& value, const Portfolio& portfolio) {
  switch (value.type()) {
    case ValueType::missing: return "(missing)";
    case ValueType::boolean: return value.as_bool() ? "true" : "false";
    case ValueType::number: return format_number(value.as_number());
    case ValueType::string: return std::string(value.as_string());
    case ValueType::date: return format_date(value.as_date());
    case ValueType::duration: return format_duration(value.as_duration());
    case ValueType::entity: return portfolio.id(value.as_entity());
    case ValueType::list: {
      std::string out;
      for (const auto& item : value.as_list()) out += (out.empty() ? "" : ", ") + display_value(item, portfolio);
      return out;
    }
    case ValueType::map: {
      std::string out;
      for (const auto& [key, item] : value.as_map().entries)
        out += (out.empty() ? "" : ", ") + key + ": " + display_value(item, portfolio);
      return "{" + out + "}";
    }
  }
  return "";
}

std::string describe_value(const Value& value, const Portfolio& portfolio) {
  switch (value.type()) {
    case ValueType::missing:
    case ValueType::map:
    case ValueType::list: return type_with_article(value.type());
    case ValueType::string: return fmt::format("a string \"{}\"", value.as_string());
    default: return fmt::format("{} {}", type_with_article(value.type()), display_value(value, portfolio));
  }
}

nlohmann::ordered_json value_to_json(const Value& value, const Portfolio& portfolio, std::size_t max_items) {
  switch (value.type()) {
    case ValueType::missing: return nullptr;
    case ValueType::boolean: return value.as_bool();
    case ValueType::number: {
      double n = value.as_number();
      if (std::trunc(n) == n && std::fabs(n) < 9.0e15) return static_cast<std::int64_t>(n);
      return n;
    }
    case ValueType::string: return std::string(value.as_string());
    case ValueType::date: return format_date(value.as_date());
    case ValueType::duration: return format_duration(value.as_duration());
    case ValueType::entity: return portfolio.id(value.as_entity());
    case ValueType::list: {
      auto array = nlohmann::ordered_json::array();
      const auto& items = value.as_list();
      for (std::size_t i = 0; i < items.size() && i < max_items; ++i)
        array.push_back(value_to_json(items[i], portfolio, max_items));
      if (items.size() > max_items) array.push_back(fmt::format("... {} more", items.size() - max_items));
      return array;
    }
    case ValueType::map: {
      auto object = nlohmann::ordered_json::object();
      for (const auto& [key, item] : value.as_map().entries) object[key] = value_to_json(item, portfolio, max_items);
      return object;
    }
  }
  return nullptr;
}

std::string json_text(const nlohmann::ordered_json& json, int indent) {
  return json.dump(indent, ' ', false, nlohmann::ordered_json::error_handler_t::replace);
}

}  // namespace vigil
