#include "engine/facts/portfolio.hpp"

#include <cstring>

#include <algorithm>
#include <limits>

#include <fmt/format.h>

#include "dsl/diagnostic.hpp"

namespace vigil {

Cell::Cell(const Value& value) : type_(value.type()) {
  switch (type_) {
    case ValueType::missing: break;
    case ValueType::boolean: flag_ = value.as_bool(); break;
    case ValueType::number: number_ = value.as_number(); break;
    case ValueType::date: day_ = value.as_date().days_since_epoch; break;
    case ValueType::duration:
      months_and_days_[0] = value.as_duration().months;
      months_and_days_[1] = value.as_duration().days;
      break;
    case ValueType::string: {
      std::string_view text = value.as_string();
      if (text.size() > std::numeric_limits<std::uint32_t>::max()) throw Error("an attribute's text is over 4 GiB");
      text_ = text.data();
      length_ = static_cast<std::uint32_t>(text.size());
      break;
    }
    default: refuse_as_attribute(type_);
  }
}

void Cell::refuse_as_attribute(ValueType type) {
  if (type == ValueType::list || type == ValueType::map || type == ValueType::entity)
    throw Error(fmt::format("an attribute cannot hold {}", type_with_article(type)));
}

Value Cell::value() const {
  switch (type_) {
    case ValueType::boolean: return Value::boolean(flag_);
    case ValueType::number: return Value::number(number_);
    case ValueType::date: return Value::date(Date{day_});
    case ValueType::duration: return Value::duration(Duration{months_and_days_[0], months_and_days_[1]});
    case ValueType::string: return Value::string_view(std::string_view(text_, length_));
    default: return Value::missing();
  }
}

int KindTable::column(std::string_view attribute) const {
  auto it = column_of.find(attribute);
  return it == column_of.end() ? -1 : it->second;
}

KindId Portfolio::declare_kind(std::string_view name) {
  for (KindId k = 0; k < kinds_.size(); ++k)
    if (kinds_[k].name == name) return k;
  kinds_.push_back(KindTable{std::string(name), {}, {}, {}, {}, {}});
  return static_cast<KindId>(kinds_.size() - 1);
}

int Portfolio::declare_attribute(KindId kind, std::string_view name, ValueType type) {
  auto& table = kinds_.at(kind);
  if (int existing = table.column(name); existing >= 0) {
    if (table.attribute_types[static_cast<std::size_t>(existing)] != type)
      throw Error(fmt::format("attribute '{}' of kind {} is declared both as {} and as {}", name, table.name,
                              type_name(table.attribute_types[static_cast<std::size_t>(existing)]),
                              type_name(type)));
    return existing;
  }
  table.attribute_names.emplace_back(name);
  table.attribute_types.push_back(type);
  table.columns.emplace_back();  // sized on the first value: an attribute a run does not read costs nothing
  int column = static_cast<int>(table.attribute_names.size() - 1);
  table.column_of.emplace(std::string(name), column);
  return column;
}

EntityIndex Portfolio::add_entity(std::string_view id, KindId kind) {
  auto index = static_cast<EntityIndex>(ids_.size());
  if (copied_from_ && copied_from_->find(id)) throw Error(fmt::format("duplicate entity id '{}'", id));
  ids_.emplace_back(id);
  if (!index_of_.insert(index, ids_)) {
    ids_.pop_back();
    throw Error(fmt::format("duplicate entity id '{}'", id));
  }
  kind_of_.push_back(kind);
  auto& table = kinds_.at(kind);
  row_of_.push_back(static_cast<std::uint32_t>(table.members.size()));
  table.members.push_back(index);
  if (!kind_lists_.empty()) kind_lists_.clear();
  return index;
}

void Portfolio::set_attribute(EntityIndex entity, int column, const Value& value) {
  auto& table = kinds_[kind_of_[entity]];
  auto expected = table.attribute_types.at(static_cast<std::size_t>(column));
  if (!value.is_missing() && value.type() != expected)
    throw Error(fmt::format("attribute '{}' of {} must be {} but was given {}",
                            table.attribute_names[static_cast<std::size_t>(column)], ids_[entity],
                            type_with_article(expected), type_with_article(value.type())));
  Cell stored(value.is(ValueType::string) ? Value::string_view(intern(value.as_string())) : value);
  auto& cells = table.columns[static_cast<std::size_t>(column)];
  if (cells.size() < table.members.size()) cells.resize(table.members.size());
  cells[row_of_[entity]] = stored;
}

void Portfolio::set_column(KindId kind, int column, std::vector<Cell> cells) {
  auto& table = kinds_.at(kind);
  if (cells.size() != table.members.size())
    throw Error(fmt::format("attribute '{}' of kind {}: {} values for {} entities",
                            table.attribute_names.at(static_cast<std::size_t>(column)), table.name, cells.size(),
                            table.members.size()));
  table.columns.at(static_cast<std::size_t>(column)) = std::move(cells);
}

void Portfolio::set_edges(std::vector<std::string> kinds, std::vector<Edge> edges, std::vector<std::string_view> attribute_texts) {
  for (const Edge& edge : edges)
    if (edge.from >= ids_.size() || edge.to >= ids_.size() || edge.kind >= kinds.size() || edge.attributes > attribute_texts.size())
      throw Error("edge between unknown entities");
  edge_kinds_ = std::move(kinds);
  edges_ = std::move(edges);
  edge_attribute_texts_ = std::move(attribute_texts);
  edge_index_.reset();
}

void Portfolio::set_attribute(EntityIndex entity, std::string_view name, const Value& value) {
  int column = kinds_[kind_of_[entity]].column(name);
  if (column < 0) {
    if (value.is_missing()) return;
    Cell::refuse_as_attribute(value.type());  // before declaring it: a refused value changes nothing
    column = declare_attribute(kind_of_[entity], name, value.type());
  }
  set_attribute(entity, column, value);
}

void Portfolio::add_edge(EntityIndex from, EntityIndex to, std::string_view kind, std::string_view attributes_json) {
  if (from >= ids_.size() || to >= ids_.size()) throw Error("edge between unknown entities");
  auto it = std::find(edge_kinds_.begin(), edge_kinds_.end(), kind);
  auto kind_index = static_cast<std::uint32_t>(it - edge_kinds_.begin());
  if (it == edge_kinds_.end()) edge_kinds_.emplace_back(kind);
  std::uint32_t attributes = 0;
  if (!attributes_json.empty()) {
    edge_attribute_texts_.push_back(intern(attributes_json));
    attributes = static_cast<std::uint32_t>(edge_attribute_texts_.size());
  }
  edges_.push_back(Edge{from, to, kind_index, attributes});
}

void Portfolio::clear_attributes(EntityIndex entity) {
  auto& table = kinds_[kind_of_[entity]];
  if (copied_from_) {
    replaced_.push_back(entity);
    auto& row = cleared_rows_.emplace_back();
    for (auto& column : table.columns) row.push_back(row_of_[entity] < column.size() ? column[row_of_[entity]] : Cell());
  }
  for (auto& column : table.columns)
    if (row_of_[entity] < column.size()) column[row_of_[entity]] = Cell();
}

Portfolio::Mark Portfolio::mark() const {
  Mark mark{ids_.size(), edges_.size(), edge_kinds_.size(), edge_attribute_texts_.size(), waivers.size(), pool_.size(), {}};
  for (const auto& table : kinds_) {
    auto& kind = mark.kinds.emplace_back(Mark::Kind{table.members.size(), table.attribute_names.size(), {}});
    for (const auto& column : table.columns) kind.column_sizes.push_back(column.size());
  }
  return mark;
}

template <class T>
void truncate(std::vector<T>& items, std::size_t size) {
  items.erase(items.begin() + static_cast<std::ptrdiff_t>(std::min(size, items.size())), items.end());
}

void Portfolio::roll_back(const Mark& mark) {
  for (EntityIndex e = static_cast<EntityIndex>(mark.entities); e < ids_.size(); ++e) index_of_.erase(e, ids_);
  truncate(ids_, mark.entities);
  truncate(kind_of_, mark.entities);
  truncate(row_of_, mark.entities);
  truncate(kinds_, mark.kinds.size());
  for (std::size_t k = 0; k < kinds_.size(); ++k) {
    auto& table = kinds_[k];
    const auto& kind = mark.kinds[k];
    truncate(table.members, kind.members);
    truncate(table.attribute_names, kind.attributes);
    truncate(table.attribute_types, kind.attributes);
    truncate(table.columns, kind.attributes);
    std::erase_if(table.column_of, [&](const auto& entry) { return static_cast<std::size_t>(entry.second) >= kind.attributes; });
    for (std::size_t c = 0; c < table.columns.size(); ++c) table.columns[c].resize(kind.column_sizes[c]);
  }
  for (std::size_t r = 0; r < replaced_.size(); ++r) {  // the replaced entities' attributes, as they were
    auto& table = kinds_[kind_of_[replaced_[r]]];
    for (std::size_t c = 0; c < table.columns.size() && c < cleared_rows_[r].size(); ++c)
      if (row_of_[replaced_[r]] < table.columns[c].size()) table.columns[c][row_of_[replaced_[r]]] = cleared_rows_[r][c];
  }
  replaced_.clear();
  cleared_rows_.clear();
  truncate(edges_, mark.edges);
  truncate(edge_kinds_, mark.edge_kinds);
  truncate(edge_attribute_texts_, mark.edge_texts);
  truncate(waivers, mark.waivers);
  while (pool_.size() > mark.pool) {
    pool_index_.erase(pool_.back());
    pool_.pop_back();
  }
  std::lock_guard lock(*kind_lists_mutex_);
  kind_lists_.clear();
  join_indexes_.clear();
  edge_index_.reset();
}

Portfolio Portfolio::overlay_copy() const {
  Portfolio copy;
  copy.ids_ = ids_;
  copy.kind_of_ = kind_of_;
  copy.row_of_ = row_of_;
  copy.copied_from_ = this;  // finds the ids and strings it has from this portfolio here, without copies
  copy.kinds_ = kinds_;
  copy.edges_ = edges_;
  copy.edge_kinds_ = edge_kinds_;
  copy.edge_attribute_texts_ = edge_attribute_texts_;
  copy.waivers = waivers;
  return copy;
}

std::string_view Portfolio::adopt(std::string bytes) { return pool_.emplace_back(std::move(bytes)); }

void Portfolio::reserve_entities(std::size_t count) {
  ids_.reserve(count);
  kind_of_.reserve(count);
  row_of_.reserve(count);
  index_of_.reserve(count, ids_);
}

std::string_view Portfolio::intern(std::string_view text) {
  if (auto it = pool_index_.find(text); it != pool_index_.end()) return *it;
  if (copied_from_)
    if (auto it = copied_from_->pool_index_.find(text); it != copied_from_->pool_index_.end()) return *it;
  std::string_view stored = pool_.emplace_back(text);
  pool_index_.insert(stored);
  return stored;
}

std::optional<EntityIndex> Portfolio::find(std::string_view id) const {
  if (auto found = index_of_.find(id, ids_)) return found;
  return copied_from_ ? copied_from_->find(id) : std::nullopt;
}

const KindTable* Portfolio::find_kind(std::string_view name) const {
  for (const auto& table : kinds_)
    if (table.name == name) return &table;
  return nullptr;
}

Value Portfolio::attribute(EntityIndex entity, int column) const {
  if (column < 0) return Value::missing();
  const auto& cells = kinds_[kind_of_[entity]].columns[static_cast<std::size_t>(column)];
  return row_of_[entity] < cells.size() ? cells[row_of_[entity]].value() : Value::missing();
}

Value Portfolio::attribute(EntityIndex entity, std::string_view name) const {
  if (name == "id") return Value::string_view(ids_[entity]);
  if (name == "kind") return Value::string_view(kinds_[kind_of_[entity]].name);
  return attribute(entity, kinds_[kind_of_[entity]].column(name));
}

std::shared_ptr<const ListData> Portfolio::entities_of_kind(std::string_view kind) const {
  std::lock_guard lock(*kind_lists_mutex_);
  auto cached = kind_lists_.find(std::string(kind));
  if (cached != kind_lists_.end()) return cached->second;
  const KindTable* table = find_kind(kind);
  auto by_id = this->by_id();
  auto loaded_list = copied_from_ && copied_from_->find_kind(kind) ? copied_from_->entities_of_kind(kind) : nullptr;
  std::shared_ptr<const ListData> shared;
  if (loaded_list && !loaded_list->added()) {
    // An overlay copy: the loaded portfolio's list, shared, with the
    // overlay's new entities (its rows after the loaded ones) merged in
    // (sorting 100,000 ids again cost more than the rest of an overlay's evaluation).
    std::size_t loaded_rows = copied_from_->find_kind(kind)->members.size();
    std::vector<EntityIndex> members(table->members.begin() + static_cast<std::ptrdiff_t>(loaded_rows), table->members.end());
    std::sort(members.begin(), members.end(), by_id);
    const auto& loaded = loaded_list->shared_entities();
    auto added = std::make_shared<AddedEntities>();
    for (std::size_t i = 0; i < members.size(); ++i) {
      auto before = std::lower_bound(loaded->begin(), loaded->end(), members[i], by_id) - loaded->begin();
      added->at.push_back(static_cast<std::size_t>(before) + i);
    }
    added->entities = std::move(members);
    shared = std::make_shared<const ListData>(loaded, std::move(added), std::nullopt, nullptr);
  } else {
    std::vector<EntityIndex> members;
    if (table) members = table->members;
    std::sort(members.begin(), members.end(), by_id);
    shared = std::make_shared<const ListData>(std::move(members));
  }
  kind_lists_.emplace(std::string(kind), shared);
  return shared;
}

std::shared_ptr<const Portfolio::EdgeIndex> Portfolio::edge_index() const {
  std::lock_guard lock(*kind_lists_mutex_);
  if (edge_index_) return edge_index_;
  auto index = std::make_shared<EdgeIndex>();
  index->outgoing.resize(ids_.size());
  index->incoming.resize(ids_.size());
  for (std::uint32_t i = 0; i < edges_.size(); ++i) {
    index->outgoing[edges_[i].from].push_back(i);
    index->incoming[edges_[i].to].push_back(i);
  }
  edge_index_ = index;
  return edge_index_;
}

std::string Portfolio::join_key(const Value& value) {
  switch (value.type()) {
    case ValueType::string: return "s" + std::string(value.as_string());
    case ValueType::number: {
      double n = value.as_number() == 0 ? 0.0 : value.as_number();  // -0 == 0
      std::uint64_t bits;
      std::memcpy(&bits, &n, sizeof bits);
      return "n" + std::to_string(bits);
    }
    case ValueType::boolean: return value.as_bool() ? "b1" : "b0";
    case ValueType::date: return "d" + std::to_string(value.as_date().days_since_epoch);
    case ValueType::entity: return "e" + std::to_string(value.as_entity());
    default: return "";  // missing, lists, maps, durations: never joined on
  }
}

std::shared_ptr<const Portfolio::JoinIndex> Portfolio::join_index(std::string_view kind, std::string_view name) const {
  auto members = entities_of_kind(kind);  // in id order; takes the lock itself
  std::lock_guard lock(*kind_lists_mutex_);
  std::string slot = std::string(kind) + '\0' + std::string(name);
  if (auto cached = join_indexes_.find(slot); cached != join_indexes_.end()) return cached->second;
  auto index = std::make_shared<JoinIndex>();
  for (const Value& member : *members) {
    std::string key = join_key(attribute(member.as_entity(), name));
    if (!key.empty()) (*index)[key].push_back(member.as_entity());
  }
  join_indexes_.emplace(slot, index);
  return index;
}

std::shared_ptr<const std::vector<EntityIndex>> Portfolio::join_group(std::string_view kind, std::string_view name,
                                                                     const Value& value) const {
  static const auto kNone = std::make_shared<const std::vector<EntityIndex>>();
  std::string key = join_key(value);
  if (key.empty()) return kNone;
  const KindTable* table = find_kind(kind);
  if (copied_from_ && table && copied_from_->find_kind(kind)) {
    // An overlay copy: the loaded portfolio's group (its index is built
    // once, not for every overlay), without the entities the overlay
    // replaced, with the overlay's own entities that have the key.
    auto loaded = copied_from_->join_group(kind, name, value);
    std::vector<EntityIndex> own;
    KindId kind_id = static_cast<KindId>(table - kinds_.data());
    for (EntityIndex e : replaced_)
      if (kind_of_[e] == kind_id) own.push_back(e);
    for (auto e = table->members.rbegin(); e != table->members.rend() && *e >= copied_from_->entity_count(); ++e) own.push_back(*e);
    if (own.empty()) return loaded;
    auto group = std::make_shared<std::vector<EntityIndex>>(*loaded);
    std::erase_if(*group, [&](EntityIndex e) { return std::find(replaced_.begin(), replaced_.end(), e) != replaced_.end(); });
    for (EntityIndex e : own)
      if (join_key(attribute(e, name)) == key) group->insert(std::lower_bound(group->begin(), group->end(), e, by_id()), e);
    return group;
  }
  auto index = join_index(kind, name);
  auto found = index->find(key);
  if (found == index->end()) return kNone;
  return {index, &found->second};  // shares the index
}

std::vector<EntityIndex> Portfolio::entities_sorted_by_id() const {
  std::vector<EntityIndex> all(ids_.size());
  for (EntityIndex e = 0; e < all.size(); ++e) all[e] = e;
  std::sort(all.begin(), all.end(), by_id());
  return all;
}

Schema Portfolio::schema() const {
  Schema schema;
  for (const auto& table : kinds_) {
    auto& attributes = schema.kinds[table.name];
    for (std::size_t c = 0; c < table.attribute_names.size(); ++c)
      attributes[table.attribute_names[c]] = table.attribute_types[c];
  }
  schema.edge_kinds.emplace(edge_kinds_.begin(), edge_kinds_.end());
  return schema;
}

}  // namespace vigil
