// The portfolio in memory: entities grouped by kind, with one typed column
// per attribute, and the edges between entities. Built by the importers or
// the fact store, then read (concurrently) by the evaluator.
#pragma once

#include <deque>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include <vigil/finding.hpp>

#include "dsl/schema.hpp"
#include "engine/facts/id_index.hpp"
#include "engine/facts/value.hpp"

namespace vigil {

using KindId = std::uint32_t;

// Lets maps keyed by std::string be searched with a string_view, without a temporary string.
struct StringHash {
  using is_transparent = void;
  std::size_t operator()(std::string_view text) const { return std::hash<std::string_view>{}(text); }
};
template <typename T>
using StringMap = std::unordered_map<std::string, T, StringHash, std::equal_to<>>;

// An attribute's value as its column keeps it: 16 bytes, where a Value takes
// 40 (the standard pack reads 41 attributes of 110,000 entities). Attributes
// are numbers, strings, booleans and dates; strings view text the portfolio
// keeps (its pool, or the snapshot part it adopted), so a cell owns nothing.
class Cell {
 public:
  Cell() = default;  // missing
  explicit Cell(const Value& value);  // see refuse_as_attribute
  Value value() const;
  // Throws vigil::Error for the types no attribute holds.
  static void refuse_as_attribute(ValueType type);

 private:
  union {
    double number_ = 0;
    std::int32_t day_;
    bool flag_;
    const char* text_;
    std::int32_t months_and_days_[2];
  };
  std::uint32_t length_ = 0;  // of a string
  ValueType type_ = ValueType::missing;
};

struct KindTable {
  std::string name;
  std::vector<std::string> attribute_names;
  std::vector<ValueType> attribute_types;
  // columns[c][row]; a column no value was given for (or that a run did not load) is empty.
  std::vector<std::vector<Cell>> columns;
  std::vector<EntityIndex> members;         // row -> entity
  StringMap<int> column_of;

  int column(std::string_view attribute) const;  // -1 when the kind has no such attribute
};

struct Edge {
  EntityIndex from;
  EntityIndex to;
  std::uint32_t kind;        // index into Portfolio::edge_kinds()
  std::uint32_t attributes;  // 0 for none, otherwise 1 + its index into the portfolio's edge attribute texts
};

class Portfolio {
 public:
  Portfolio() = default;
  Portfolio(Portfolio&&) = default;
  Portfolio& operator=(Portfolio&&) = default;

  // Building. Throws vigil::Error on misuse (duplicate id, unknown entity, type clash).
  KindId declare_kind(std::string_view name);
  int declare_attribute(KindId kind, std::string_view name, ValueType type);
  EntityIndex add_entity(std::string_view id, KindId kind);
  void set_attribute(EntityIndex entity, int column, const Value& value);
  void set_attribute(EntityIndex entity, std::string_view name, const Value& value);
  // `attributes_json`: the extra columns of edges.csv, as a JSON object ("" when none).
  void add_edge(EntityIndex from, EntityIndex to, std::string_view kind, std::string_view attributes_json = {});
  // Whole columns and edge lists at once (the fact snapshot), replacing what was there. String
  // values must view text that the portfolio keeps (intern, adopt).
  void set_column(KindId kind, int column, std::vector<Cell> cells);
  // Edges' `attributes` index `attribute_texts` (from 1), which must view text the portfolio keeps.
  void set_edges(std::vector<std::string> kinds, std::vector<Edge> edges, std::vector<std::string_view> attribute_texts = {});
  void reserve_entities(std::size_t count);
  // Keeps a copy of `text` for as long as the portfolio lives.
  std::string_view intern(std::string_view text);
  // Keeps `bytes` for as long as the portfolio lives, without looking it up:
  // string values may then view parts of it.
  std::string_view adopt(std::string bytes);
  // Every attribute of the entity made missing (an overlay replaces an entity entirely).
  void clear_attributes(EntityIndex entity);
  // A copy to lay an overlay over, for one evaluation: the facts, not the
  // caches built on demand. It finds this portfolio's ids and strings here
  // (a copy of the id index cost more than the rest of an overlay), and its
  // text values point into this portfolio's strings: this portfolio must
  // outlive the copy, unchanged.
  Portfolio overlay_copy() const;
  // What the portfolio holds, to roll back to once an overlay laid over it
  // (added entities, attributes, kinds, edges, waivers, and the attributes
  // of entities it replaced) has been evaluated: an overlay copy is kept for
  // the next overlay instead of made again, which copies every column and
  // edge. Only the changes an overlay makes are rolled back.
  struct Mark {
    struct Kind {
      std::size_t members, attributes;
      std::vector<std::size_t> column_sizes;
    };
    std::size_t entities = 0, edges = 0, edge_kinds = 0, edge_texts = 0, waivers = 0, pool = 0;
    std::vector<Kind> kinds;
  };
  Mark mark() const;
  void roll_back(const Mark& mark);

  // Reading.
  std::size_t entity_count() const { return ids_.size(); }
  const std::string& id(EntityIndex entity) const { return ids_[entity]; }
  // Orders entities by id (the order of entities("K") and of join groups).
  auto by_id() const {
    return [this](EntityIndex a, EntityIndex b) { return ids_[a] < ids_[b]; };
  }
  KindId kind_of(EntityIndex entity) const { return kind_of_[entity]; }
  std::size_t row(EntityIndex entity) const { return row_of_[entity]; }  // in its kind's table
  const std::string& kind_name(EntityIndex entity) const { return kinds_[kind_of_[entity]].name; }
  std::optional<EntityIndex> find(std::string_view id) const;
  const std::vector<KindTable>& kinds() const { return kinds_; }
  const KindTable* find_kind(std::string_view name) const;
  Value attribute(EntityIndex entity, int column) const;
  Value attribute(EntityIndex entity, std::string_view name) const;
  const std::vector<Edge>& edges() const { return edges_; }
  const std::vector<std::string>& edge_kinds() const { return edge_kinds_; }
  // An edge's extra columns as a JSON object, "" when none. Kept beside the
  // edges, which most portfolios have a million of and few have columns for.
  std::string_view edge_attributes(const Edge& edge) const {
    return edge.attributes == 0 ? std::string_view() : edge_attribute_texts_[edge.attributes - 1];
  }
  // Every entity of a kind, sorted by id (shared, built on first use).
  std::shared_ptr<const ListData> entities_of_kind(std::string_view kind) const;
  std::vector<EntityIndex> entities_sorted_by_id() const;
  // Each entity's edges (positions in edges()), outgoing and incoming, in
  // input order; built on first use, shared, thread-safe.
  struct EdgeIndex {
    std::vector<std::vector<std::uint32_t>> outgoing, incoming;
  };
  std::shared_ptr<const EdgeIndex> edge_index() const;
  // The entities of `kind` by the value of one attribute (join_key of the
  // value), each group in id order; built on first use, shared, thread-safe.
  using JoinIndex = std::unordered_map<std::string, std::vector<EntityIndex>>;
  std::shared_ptr<const JoinIndex> join_index(std::string_view kind, std::string_view name) const;
  // One group of that index: the entities of `kind` whose attribute `name`
  // has the join key of `value`, in id order (shared, thread-safe).
  std::shared_ptr<const std::vector<EntityIndex>> join_group(std::string_view kind, std::string_view name, const Value& value) const;
  // Equal values (same_value) have equal keys; missing has none ("").
  static std::string join_key(const Value& value);
  Schema schema() const;

  // Risk acceptances that came with the facts (waivers.csv, "waivers"), in input order.
  std::vector<Waiver> waivers;

 private:
  std::vector<std::string> ids_;
  std::vector<KindId> kind_of_;
  std::vector<std::uint32_t> row_of_;
  IdIndex index_of_;  // positions in ids_
  std::vector<KindTable> kinds_;
  std::vector<Edge> edges_;
  std::vector<std::string> edge_kinds_;
  std::vector<std::string_view> edge_attribute_texts_;  // views of pool_
  std::deque<std::string> pool_;
  std::unordered_set<std::string_view> pool_index_;
  const Portfolio* copied_from_ = nullptr;  // an overlay copy's portfolio, for ids and interned strings it has
  std::vector<EntityIndex> replaced_;       // an overlay copy's loaded entities whose attributes it cleared
  std::vector<std::vector<Cell>> cleared_rows_;  // and what they held, per replaced_ entity, for roll_back
  mutable std::unordered_map<std::string, std::shared_ptr<const ListData>> kind_lists_;
  mutable std::shared_ptr<const EdgeIndex> edge_index_;  // guarded by kind_lists_mutex_
  mutable std::unordered_map<std::string, std::shared_ptr<const JoinIndex>> join_indexes_;  // likewise
  mutable std::unique_ptr<std::mutex> kind_lists_mutex_ = std::make_unique<std::mutex>();
};

}  // namespace vigil
