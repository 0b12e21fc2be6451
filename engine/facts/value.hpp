// A runtime value of the rule language. Missing is a state of its own, never
// an empty string or zero. Strings are views: fact strings point into the
// portfolio's string pool, computed strings own their text.
#pragma once

#include <algorithm>
#include <compare>
#include <concepts>
#include <cstdint>
#include <iterator>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <stdexcept>
#include <vector>

#include "dsl/calendar.hpp"
#include "dsl/value_type.hpp"

namespace vigil {

using EntityIndex = std::uint32_t;

class Value;
class ListData;
struct MapData;
using List = std::vector<Value>;  // for building lists of any values

class Value {
 public:
  Value() = default;  // missing
  static Value missing() { return Value(); }
  static Value boolean(bool b) { return Value(ValueType::boolean, [&](Payload& p) { p.boolean = b; }); }
  static Value number(double n) { return Value(ValueType::number, [&](Payload& p) { p.number = n; }); }
  static Value date(Date d) { return Value(ValueType::date, [&](Payload& p) { p.date = d; }); }
  static Value duration(Duration d) { return Value(ValueType::duration, [&](Payload& p) { p.duration = d; }); }
  static Value entity(EntityIndex e) { return Value(ValueType::entity, [&](Payload& p) { p.entity = e; }); }
  // A string whose text outlives the value (the fact pool, the rule source).
  static Value string_view(std::string_view text) { return Value(ValueType::string, [&](Payload& p) { p.text = text; }); }
  static Value string(std::string text);
  static Value list(std::shared_ptr<const ListData> items) { return Value(ValueType::list, std::move(items)); }
  static Value list(List items);
  static Value map(std::shared_ptr<const MapData> entries) { return Value(ValueType::map, std::move(entries)); }

  ValueType type() const { return type_; }
  bool is_missing() const { return type_ == ValueType::missing; }
  bool is(ValueType t) const { return type_ == t; }

  bool as_bool() const { return checked(ValueType::boolean).boolean; }
  double as_number() const { return checked(ValueType::number).number; }
  std::string_view as_string() const { return checked(ValueType::string).text; }
  Date as_date() const { return checked(ValueType::date).date; }
  Duration as_duration() const { return checked(ValueType::duration).duration; }
  EntityIndex as_entity() const { return checked(ValueType::entity).entity; }
  const ListData& as_list() const {
    checked(ValueType::list);
    return *static_cast<const ListData*>(owner_.get());
  }
  const MapData& as_map() const {
    checked(ValueType::map);
    return *static_cast<const MapData*>(owner_.get());
  }

 private:
  // A tag, the scalar or string view, and the owner of what the value points
  // into (a computed string's text, a list, a map), instead of a
  // std::variant: values are made and dropped for every node an evaluation
  // visits, and destroying a variant with shared pointers among its
  // alternatives is an indirect call each time; here it is one null test.
  union Payload {
    bool boolean;
    double number;
    std::string_view text;
    Date date;
    Duration duration;
    EntityIndex entity;
    Payload() : number(0) {}
  };
  template <class Set>
    requires std::invocable<Set, Payload&>
  Value(ValueType type, Set&& set) : type_(type) {
    set(payload_);
  }
  Value(ValueType type, std::shared_ptr<const void> owner) : type_(type), owner_(std::move(owner)) {}
  const Payload& checked(ValueType wanted) const {
    if (type_ != wanted) throw std::logic_error("a value of another type");  // a bug: callers test the type first
    return payload_;
  }

  ValueType type_ = ValueType::missing;
  Payload payload_;
  std::shared_ptr<const void> owner_;
};

// Where a list of entities came from, so that evidence can show the chain
// of edges behind each element (suppliers/dependents, direct or transitive).
struct GraphOrigin {
  EntityIndex entity;
  bool towards_suppliers;  // suppliers(x) and suppliers*(x); otherwise dependents
  int edge_kind;           // index into Portfolio::edge_kinds(), or -1 for every kind
};

// A list value: either any values, or entity indices only (graph results and
// entities("kind"), which can be large and are shared, never copied).
// Entities ordered by kind, then id, with where each kind's run begins.
struct KindRun {
  std::uint32_t kind;  // KindId
  std::size_t begin, end;
};

// Entities that a list adds to a shared one (see ListData's constructor):
// each at its position in the merged order, both in increasing order.
struct AddedEntities {
  std::vector<EntityIndex> entities;
  std::vector<std::size_t> at;
};

class ListData {
 public:
  using Entities = std::shared_ptr<const std::vector<EntityIndex>>;
  using KindRuns = std::shared_ptr<const std::vector<KindRun>>;
  using Added = std::shared_ptr<const AddedEntities>;
  static constexpr std::size_t kSkipNone = static_cast<std::size_t>(-1);

  explicit ListData(List values) : values_(std::move(values)) {}
  explicit ListData(std::vector<EntityIndex> entities, std::optional<GraphOrigin> origin = std::nullopt)
      : ListData(std::make_shared<const std::vector<EntityIndex>>(std::move(entities)), origin) {}
  // Shares `entities`, leaving out the one at position `skip` (the entity
  // itself, when a member of a cycle asks for its closure).
  ListData(Entities entities, std::optional<GraphOrigin> origin, std::size_t skip = kSkipNone, KindRuns runs = nullptr)
      : entities_(std::move(entities)), runs_(std::move(runs)), skip_(skip), entity_list_(true), origin_(origin) {}
  // Shares `entities` and adds `added` to them, merged in order. Transitive
  // closures are mostly made of the same big closure further down the chain
  // plus a few entities of their own: they share it instead of copying it.
  // Leaving out the one at position `skip` of the merged order, as above.
  ListData(Entities entities, Added added, std::optional<GraphOrigin> origin, KindRuns runs, std::size_t skip = kSkipNone)
      : entities_(std::move(entities)), added_(std::move(added)), runs_(std::move(runs)), skip_(skip), entity_list_(true),
        origin_(origin) {}

  std::size_t size() const {
    if (!entity_list_) return values_.size();
    return entities_->size() + (added_ ? added_->entities.size() : 0) - (skip_ == kSkipNone ? 0 : 1);
  }
  bool empty() const { return size() == 0; }
  Value operator[](std::size_t i) const {
    if (!entity_list_) return values_[i];
    return Value::entity(merged(skip_ != kSkipNone && i >= skip_ ? i + 1 : i));
  }
  const std::optional<GraphOrigin>& origin() const { return origin_; }
  // The shared entities of an entity list, the skipped one included, the
  // added ones not (null for other lists).
  const std::vector<EntityIndex>* entities() const { return entity_list_ ? entities_.get() : nullptr; }
  const Entities& shared_entities() const { return entities_; }
  const AddedEntities* added() const { return added_.get(); }
  // The position of the one left out, in the shared and added entities merged; kSkipNone for none.
  std::size_t skipped() const { return skip_; }
  EntityIndex skipped_entity() const { return merged(skip_); }
  // Positions [begin, end) of the entities of one kind, when the list knows
  // its kinds (graph results); nullopt otherwise.
  std::optional<std::pair<std::size_t, std::size_t>> kind_range(std::uint32_t kind) const {
    if (!runs_) return std::nullopt;
    for (const auto& run : *runs_)
      if (run.kind == kind) {
        auto shift = [&](std::size_t at) { return skip_ != kSkipNone && at > skip_ ? at - 1 : at; };
        return std::make_pair(shift(run.begin), shift(run.end));
      }
    return std::make_pair(std::size_t{0}, std::size_t{0});
  }

  // f(entity) for positions [first, last) of an entity list, in order,
  // without making a value of each (the shared and the added ones merged).
  template <class F>
  void for_each_entity(std::size_t first, std::size_t last, F&& f) const {
    const auto& shared = *entities_;
    if (!added_) {
      for (std::size_t i = first; i < last; ++i) f(shared[skip_ != kSkipNone && i >= skip_ ? i + 1 : i]);
      return;
    }
    if (skip_ != kSkipNone) {  // positions in the merged order, the skipped one passed over
      first += first >= skip_;
      last += last > skip_;
    }
    const auto& at = added_->at;
    auto next_added = static_cast<std::size_t>(std::lower_bound(at.begin(), at.end(), first) - at.begin());
    std::size_t next_shared = first - next_added;
    for (std::size_t i = first; i < last; ++i) {
      EntityIndex e = next_added < at.size() && at[next_added] == i ? added_->entities[next_added++] : shared[next_shared++];
      if (i != skip_) f(e);
    }
  }

  // The entity at position i of the shared and added entities merged, none skipped.
  EntityIndex merged(std::size_t i) const {
    if (!added_) return (*entities_)[i];
    auto at = std::lower_bound(added_->at.begin(), added_->at.end(), i);
    auto before = static_cast<std::size_t>(at - added_->at.begin());  // added entities before position i
    return at != added_->at.end() && *at == i ? added_->entities[before] : (*entities_)[i - before];
  }

  class iterator {
   public:
    using iterator_category = std::input_iterator_tag;
    using value_type = Value;
    using difference_type = std::ptrdiff_t;
    using pointer = void;
    using reference = Value;
    iterator(const ListData* list, std::size_t index) : list_(list), index_(index) {}
    Value operator*() const { return (*list_)[index_]; }
    iterator& operator++() {
      ++index_;
      return *this;
    }
    iterator operator++(int) {
      auto copy = *this;
      ++index_;
      return copy;
    }
    bool operator==(const iterator& other) const { return index_ == other.index_; }
    bool operator!=(const iterator& other) const { return index_ != other.index_; }

   private:
    const ListData* list_;
    std::size_t index_;
  };
  iterator begin() const { return {this, 0}; }
  iterator end() const { return {this, size()}; }

 private:
  List values_;
  Entities entities_;
  Added added_;
  KindRuns runs_;
  std::size_t skip_ = kSkipNone;
  bool entity_list_ = false;
  std::optional<GraphOrigin> origin_;
};

// Equality of two values of the same type (lists element-wise, entities by index).
// String keys to values, in key order (map literals; edge records).
struct MapData {
  std::vector<std::pair<std::string, Value>> entries;  // sorted by key, keys unique
  // The value of `key`, missing when absent.
  Value find(std::string_view key) const;
};
Value make_map(std::vector<std::pair<std::string, Value>> entries);  // sorts; a later duplicate key wins

bool same_value(const Value& a, const Value& b);
// The order of two values of the same orderable type (number, string, date,
// duration); unordered for anything else.
std::partial_ordering order_values(const Value& a, const Value& b);

}  // namespace vigil
