// A runtime value of the rule language. Missing is a state of its own, never
// an empty string or zero. Strings are views: fact strings point into the
// portfolio's string pool, computed strings own their text.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "dsl/calendar.hpp"
#include "dsl/value_type.hpp"

namespace vigil {

using EntityIndex = std::uint32_t;

class Value;
using List = std::vector<Value>;

class Value {
 public:
  Value() = default;  // missing
  static Value missing() { return Value(); }
  static Value boolean(bool b) { return Value(Storage(b)); }
  static Value number(double n) { return Value(Storage(n)); }
  static Value date(Date d) { return Value(Storage(d)); }
  static Value duration(Duration d) { return Value(Storage(d)); }
  static Value entity(EntityIndex e) { return Value(Storage(EntityRef{e})); }
  // A string whose text outlives the value (the fact pool, the rule source).
  static Value string_view(std::string_view text) { return Value(Storage(StringRef{text, nullptr})); }
  static Value string(std::string text);
  static Value list(std::shared_ptr<const List> items) { return Value(Storage(std::move(items))); }
  static Value list(List items) { return list(std::make_shared<const List>(std::move(items))); }

  ValueType type() const { return static_cast<ValueType>(storage_.index()); }
  bool is_missing() const { return storage_.index() == 0; }
  bool is(ValueType t) const { return type() == t; }

  bool as_bool() const { return std::get<bool>(storage_); }
  double as_number() const { return std::get<double>(storage_); }
  std::string_view as_string() const { return std::get<StringRef>(storage_).text; }
  Date as_date() const { return std::get<Date>(storage_); }
  Duration as_duration() const { return std::get<Duration>(storage_); }
  EntityIndex as_entity() const { return std::get<EntityRef>(storage_).index; }
  const List& as_list() const { return *std::get<std::shared_ptr<const List>>(storage_); }

 private:
  struct StringRef {
    std::string_view text;
    std::shared_ptr<const std::string> owner;
  };
  struct EntityRef {
    EntityIndex index;
  };
  // The alternatives follow ValueType's order, so index() is the type.
  using Storage = std::variant<std::monostate, bool, double, StringRef, Date, Duration,
                               std::shared_ptr<const List>, EntityRef>;
  explicit Value(Storage storage) : storage_(std::move(storage)) {}
  Storage storage_;
};

// Equality of two values of the same type (lists element-wise, entities by index).
bool same_value(const Value& a, const Value& b);

}  // namespace vigil
