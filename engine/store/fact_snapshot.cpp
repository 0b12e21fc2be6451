#include "engine/store/fact_snapshot.hpp"

#include <algorithm>
#include <bit>
#include <cstring>
#include <functional>
#include <limits>
#include <tuple>

#include <SQLiteCpp/Statement.h>
#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "dsl/diagnostic.hpp"
#include "engine/store/fingerprint.hpp"

namespace vigil {
namespace {

// Bumped whenever the layout of a part changes: an older snapshot is then ignored (the tables are read).
constexpr std::uint32_t kSnapshotFormat = 1;
// Numbers are stored in the machine's byte order, so the format names it: a database copied to a
// machine of the other order reads its tables rather than misreading the snapshot.
std::string format_key() {
  return std::to_string(kSnapshotFormat) + (std::endian::native == std::endian::little ? "-le" : "-be");
}
// The largest part written; SQLite's limit for one value is 1 GB.
constexpr std::size_t kMaxPartBytes = std::size_t{512} << 20;
// Dates have no missing state of their own; this day stands for it.
constexpr std::int32_t kMissingDay = std::numeric_limits<std::int32_t>::min();

// The fact tables whose writes make the snapshot stale.
constexpr const char* kFactTables[] = {"entities", "attribute_types", "attributes", "edges"};
constexpr const char* kWriteEvents[] = {"INSERT", "UPDATE", "DELETE"};

// In the machine's byte order (see format_key), unaligned: parts are read with memcpy wherever they sit.
class ByteWriter {
 public:
  template <typename T>
  void put(T value) {
    static_assert(std::is_trivially_copyable_v<T>);
    bytes_.append(reinterpret_cast<const char*>(&value), sizeof value);
  }
  void put_text(std::string_view text) {
    put(static_cast<std::uint32_t>(text.size()));
    bytes_.append(text);
  }
  void put_raw(std::string_view bytes) { bytes_.append(bytes); }
  std::string take() { return std::move(bytes_); }

 private:
  std::string bytes_;
};

struct DamagedSnapshot {
  std::string part;
};

class ByteReader {
 public:
  ByteReader(std::string_view bytes, std::string part) : bytes_(bytes), part_(std::move(part)) {}
  template <typename T>
  T get() {
    T value;
    std::memcpy(&value, take(sizeof value).data(), sizeof value);
    return value;
  }
  std::string_view get_text() { return take(get<std::uint32_t>()); }
  // `count` values of T, bounds-checked once; read them with at().
  std::string_view get_array(std::size_t count, std::size_t size) {
    if (size != 0 && count > bytes_.size() / size) throw DamagedSnapshot{part_};
    return take(count * size);
  }
  template <typename T>
  static T at(std::string_view array, std::size_t i) {
    T value;
    std::memcpy(&value, array.data() + i * sizeof(T), sizeof value);
    return value;
  }
  std::uint32_t get_count(std::size_t limit) {
    auto count = get<std::uint32_t>();
    if (count > limit) throw DamagedSnapshot{part_};
    return count;
  }
  void expect_end() const {
    if (at_ != bytes_.size()) throw DamagedSnapshot{part_};
  }
  [[noreturn]] void damaged() const { throw DamagedSnapshot{part_}; }
  std::size_t offset() const { return at_; }

 private:
  std::string_view take(std::size_t size) {
    if (size > bytes_.size() - at_) throw DamagedSnapshot{part_};
    std::string_view piece = bytes_.substr(at_, size);
    at_ += size;
    return piece;
  }
  std::string_view bytes_;
  std::string part_;
  std::size_t at_ = 0;
};

// A list of strings as their end offsets, then their bytes: decoding is one pass, no per-string length.
template <typename Texts>
void put_texts(ByteWriter& out, const Texts& texts) {
  std::uint32_t end = 0;
  for (std::string_view text : texts) out.put(end += static_cast<std::uint32_t>(text.size()));
  for (std::string_view text : texts) out.put_raw(text);
}

// Views of the strings written by put_texts; they point into the reader's bytes.
std::vector<std::string_view> get_texts(ByteReader& in, std::size_t count) {
  std::string_view ends = in.get_array(count, sizeof(std::uint32_t));
  std::uint32_t total = count == 0 ? 0 : ByteReader::at<std::uint32_t>(ends, count - 1);
  std::string_view bytes = in.get_array(total, 1);
  std::vector<std::string_view> texts(count);
  std::uint32_t begin = 0;
  for (std::size_t i = 0; i < count; ++i) {
    auto end = ByteReader::at<std::uint32_t>(ends, i);
    if (end < begin || end > total) in.damaged();
    texts[i] = bytes.substr(begin, end - begin);
    begin = end;
  }
  return texts;
}

// The attribute types a snapshot stores, one byte each.
constexpr ValueType kStoredTypes[] = {ValueType::number, ValueType::string, ValueType::boolean, ValueType::date};

std::uint8_t type_code(ValueType type) {
  for (std::uint8_t code = 0; code < std::size(kStoredTypes); ++code)
    if (kStoredTypes[code] == type) return code;
  throw Error(fmt::format("an attribute of type {} cannot be stored", type_name(type)));
}

ValueType type_of_code(ByteReader& in) {
  auto code = in.get<std::uint8_t>();
  if (code >= std::size(kStoredTypes)) in.damaged();
  return kStoredTypes[code];
}

// ---- The canonical layout ----

// Kinds and columns in the order in which load_portfolio declares them from
// the tables: kinds with attribute types by name (attribute_types is read
// ORDER BY kind, name), then the others as their first entity comes in id
// order; each kind's attributes by name.
struct Layout {
  std::vector<KindId> kinds;                        // snapshot kind -> portfolio kind
  std::vector<std::vector<std::size_t>> columns;    // per snapshot kind: its columns by name
  std::vector<std::uint32_t> position;              // portfolio entity -> position in id order
  std::vector<std::uint32_t> edge_kind_rank;        // portfolio edge kind -> snapshot edge kind
  std::vector<std::uint32_t> edge_kinds;            // snapshot edge kind -> portfolio edge kind
};

Layout canonical_layout(const Portfolio& portfolio, const FactOrder& order) {
  Layout layout;
  const auto& kinds = portfolio.kinds();
  std::vector<KindId> with_attributes;
  for (KindId k = 0; k < kinds.size(); ++k)
    if (!kinds[k].attribute_names.empty()) with_attributes.push_back(k);
  std::sort(with_attributes.begin(), with_attributes.end(), [&](KindId a, KindId b) { return kinds[a].name < kinds[b].name; });
  std::vector<bool> placed(kinds.size(), false);
  for (KindId k : with_attributes) {
    layout.kinds.push_back(k);
    placed[k] = true;
  }
  layout.position.resize(portfolio.entity_count());
  for (std::uint32_t at = 0; at < order.entities.size(); ++at) {
    EntityIndex entity = order.entities[at];
    layout.position[entity] = at;
    if (!placed[portfolio.kind_of(entity)]) {
      layout.kinds.push_back(portfolio.kind_of(entity));
      placed[portfolio.kind_of(entity)] = true;
    }
  }
  for (KindId k : layout.kinds) {
    auto& columns = layout.columns.emplace_back(kinds[k].attribute_names.size());
    for (std::size_t c = 0; c < columns.size(); ++c) columns[c] = c;
    std::sort(columns.begin(), columns.end(),
              [&](std::size_t a, std::size_t b) { return kinds[k].attribute_names[a] < kinds[k].attribute_names[b]; });
  }
  layout.edge_kind_rank.assign(portfolio.edge_kinds().size(), std::numeric_limits<std::uint32_t>::max());
  for (std::size_t i : order.edges) {
    std::uint32_t kind = portfolio.edges()[i].kind;
    if (layout.edge_kind_rank[kind] != std::numeric_limits<std::uint32_t>::max()) continue;
    layout.edge_kind_rank[kind] = static_cast<std::uint32_t>(layout.edge_kinds.size());
    layout.edge_kinds.push_back(kind);
  }
  return layout;
}

// ---- Encoding ----

struct Part {
  std::string part, kind, name, data;
};

std::string encode_meta(const Portfolio& portfolio, const Layout& layout) {
  ByteWriter out;
  out.put(kSnapshotFormat);
  out.put(static_cast<std::uint32_t>(portfolio.entity_count()));
  out.put(static_cast<std::uint32_t>(layout.kinds.size()));
  for (std::size_t s = 0; s < layout.kinds.size(); ++s) {
    const KindTable& kind = portfolio.kinds()[layout.kinds[s]];
    out.put_text(kind.name);
    out.put(static_cast<std::uint32_t>(layout.columns[s].size()));
    for (std::size_t c : layout.columns[s]) {
      out.put_text(kind.attribute_names[c]);
      out.put(type_code(kind.attribute_types[c]));
    }
  }
  out.put(static_cast<std::uint32_t>(layout.edge_kinds.size()));
  for (std::uint32_t kind : layout.edge_kinds) out.put_text(portfolio.edge_kinds()[kind]);
  return out.take();
}

std::string encode_entities(const Portfolio& portfolio, const Layout& layout, const FactOrder& order) {
  std::vector<std::uint32_t> snapshot_kind(portfolio.kinds().size());
  for (std::uint32_t s = 0; s < layout.kinds.size(); ++s) snapshot_kind[layout.kinds[s]] = s;
  ByteWriter out;
  out.put(static_cast<std::uint32_t>(order.entities.size()));
  for (EntityIndex entity : order.entities) out.put(snapshot_kind[portfolio.kind_of(entity)]);
  std::vector<std::string_view> ids;
  ids.reserve(order.entities.size());
  for (EntityIndex entity : order.entities) ids.push_back(portfolio.id(entity));
  put_texts(out, ids);
  return out.take();
}

// One attribute of one kind, its members in id order. A missing value is a
// flag (numbers, strings), a third state (bools) or a reserved day (dates).
std::string encode_column(const Portfolio& portfolio, const std::vector<EntityIndex>& members, int column, ValueType type) {
  ByteWriter out;
  out.put(type_code(type));
  out.put(static_cast<std::uint32_t>(members.size()));
  auto value_of = [&](EntityIndex entity) { return portfolio.attribute(entity, column); };
  switch (type) {
    case ValueType::number:
      for (EntityIndex e : members) out.put<std::uint8_t>(value_of(e).is_missing() ? 0 : 1);
      for (EntityIndex e : members) out.put(value_of(e).is_missing() ? 0.0 : value_of(e).as_number());
      break;
    case ValueType::boolean:
      for (EntityIndex e : members) {
        Value value = value_of(e);
        out.put<std::uint8_t>(value.is_missing() ? 2 : value.as_bool() ? 1 : 0);
      }
      break;
    case ValueType::date:
      for (EntityIndex e : members) out.put(value_of(e).is_missing() ? kMissingDay : value_of(e).as_date().days_since_epoch);
      break;
    default: {  // string
      std::vector<std::string_view> texts;
      texts.reserve(members.size());
      for (EntityIndex e : members) {
        Value value = value_of(e);
        out.put<std::uint8_t>(value.is_missing() ? 0 : 1);
        texts.push_back(value.is_missing() ? std::string_view() : value.as_string());
      }
      put_texts(out, texts);
    }
  }
  return out.take();
}

std::string encode_edges(const Portfolio& portfolio, const Layout& layout, const FactOrder& order) {
  const auto& edges = portfolio.edges();
  ByteWriter out;
  out.put(static_cast<std::uint32_t>(order.edges.size()));
  for (std::size_t i : order.edges) out.put(layout.position[edges[i].from]);
  for (std::size_t i : order.edges) out.put(layout.position[edges[i].to]);
  for (std::size_t i : order.edges) out.put(layout.edge_kind_rank[edges[i].kind]);
  bool with_attributes = std::any_of(edges.begin(), edges.end(), [](const Edge& e) { return e.attributes != 0; });
  out.put<std::uint8_t>(with_attributes ? 1 : 0);
  if (with_attributes) {
    std::vector<std::string_view> texts;
    texts.reserve(order.edges.size());
    for (std::size_t i : order.edges) texts.push_back(portfolio.edge_attributes(edges[i]));
    put_texts(out, texts);
  }
  return out.take();
}

// Each part in turn, handed to `write` as soon as it is encoded (only one is in memory at a
// time); the meta part, which names the others' fingerprint, last.
void encode_parts(const Portfolio& portfolio, const FactOrder& order, const std::function<void(Part&)>& write) {
  Layout layout = canonical_layout(portfolio, order);
  Part meta{"meta", "", "", encode_meta(portfolio, layout)};
  Part entities{"entities", "", "", encode_entities(portfolio, layout, order)};
  write(entities);
  std::vector<std::vector<EntityIndex>> members(portfolio.kinds().size());
  for (EntityIndex entity : order.entities) members[portfolio.kind_of(entity)].push_back(entity);
  for (std::size_t s = 0; s < layout.kinds.size(); ++s) {
    const KindTable& kind = portfolio.kinds()[layout.kinds[s]];
    for (std::size_t c : layout.columns[s]) {
      Part column{"attribute", kind.name, kind.attribute_names[c],
                  encode_column(portfolio, members[layout.kinds[s]], static_cast<int>(c), kind.attribute_types[c])};
      write(column);
    }
  }
  Part edges{"edges", "", "", encode_edges(portfolio, layout, order)};
  write(edges);
  write(meta);
}

// ---- Decoding ----

// The meta part declares the kinds and attributes; the entities part adds the entities in id order.
// Returns the number of entities, which the entities part must have.
std::uint32_t decode_meta(Portfolio& portfolio, std::string_view bytes, std::vector<std::string>& edge_kinds) {
  ByteReader in(bytes, "meta");
  in.get<std::uint32_t>();  // the format, checked by the query
  std::size_t limit = bytes.size();
  auto entities = in.get<std::uint32_t>();
  auto kinds = in.get_count(limit);
  for (std::uint32_t k = 0; k < kinds; ++k) {
    KindId kind = portfolio.declare_kind(in.get_text());
    auto attributes = in.get_count(limit);
    for (std::uint32_t a = 0; a < attributes; ++a) {
      std::string_view name = in.get_text();
      portfolio.declare_attribute(kind, name, type_of_code(in));
    }
  }
  auto count = in.get_count(limit);
  for (std::uint32_t k = 0; k < count; ++k) edge_kinds.emplace_back(in.get_text());
  in.expect_end();
  return entities;
}

void decode_entities(Portfolio& portfolio, std::string_view bytes, std::uint32_t expected) {
  ByteReader in(bytes, "entities");
  auto count = in.get_count(bytes.size());
  if (count != expected) in.damaged();
  std::string_view kinds = in.get_array(count, sizeof(std::uint32_t));
  std::vector<std::string_view> ids = get_texts(in, count);
  in.expect_end();
  portfolio.reserve_entities(count);
  for (std::uint32_t i = 0; i < count; ++i) {
    auto kind = ByteReader::at<std::uint32_t>(kinds, i);
    if (kind >= portfolio.kinds().size()) in.damaged();
    portfolio.add_entity(ids[i], kind);
  }
}

// Members of a kind come in id order, as the snapshot wrote them.
std::vector<Cell> decode_column(Portfolio& portfolio, std::string bytes, const std::string& name, ValueType declared,
                                 std::size_t members) {
  std::string_view kept = declared == ValueType::string ? portfolio.adopt(std::move(bytes)) : std::string_view(bytes);
  ByteReader in(kept, "attribute " + name);
  if (type_of_code(in) != declared) in.damaged();
  if (in.get<std::uint32_t>() != members) in.damaged();
  std::vector<Cell> values(members);
  switch (declared) {
    case ValueType::number: {
      std::string_view present = in.get_array(members, 1), numbers = in.get_array(members, sizeof(double));
      for (std::size_t i = 0; i < members; ++i)
        if (present[i]) values[i] = Cell(Value::number(ByteReader::at<double>(numbers, i)));
      break;
    }
    case ValueType::boolean: {
      std::string_view states = in.get_array(members, 1);
      for (std::size_t i = 0; i < members; ++i) {
        if (states[i] > 2) in.damaged();
        if (states[i] != 2) values[i] = Cell(Value::boolean(states[i] == 1));
      }
      break;
    }
    case ValueType::date: {
      std::string_view days = in.get_array(members, sizeof(std::int32_t));
      for (std::size_t i = 0; i < members; ++i)
        if (auto day = ByteReader::at<std::int32_t>(days, i); day != kMissingDay) values[i] = Cell(Value::date(Date{day}));
      break;
    }
    default: {  // string: views into the adopted part
      std::string_view present = in.get_array(members, 1);
      std::vector<std::string_view> texts = get_texts(in, members);
      for (std::size_t i = 0; i < members; ++i)
        if (present[i]) values[i] = Cell(Value::string_view(texts[i]));
    }
  }
  in.expect_end();
  return values;
}

void decode_edges(Portfolio& portfolio, std::string_view bytes, std::vector<std::string> edge_kinds) {
  ByteReader in(bytes, "edges");
  auto count = in.get_count(bytes.size());
  std::string_view from = in.get_array(count, 4), to = in.get_array(count, 4), kind = in.get_array(count, 4);
  bool with_attributes = in.get<std::uint8_t>() == 1;
  std::vector<std::string_view> attributes = with_attributes ? get_texts(in, count) : std::vector<std::string_view>();
  in.expect_end();
  std::vector<Edge> edges(count);
  std::vector<std::string_view> kept;  // the texts, kept by the portfolio (the part itself is not)
  for (std::uint32_t i = 0; i < count; ++i) {
    edges[i].from = ByteReader::at<std::uint32_t>(from, i);
    edges[i].to = ByteReader::at<std::uint32_t>(to, i);
    edges[i].kind = ByteReader::at<std::uint32_t>(kind, i);
    if (with_attributes && !attributes[i].empty()) {
      kept.push_back(portfolio.intern(attributes[i]));
      edges[i].attributes = static_cast<std::uint32_t>(kept.size());
    }
  }
  portfolio.set_edges(std::move(edge_kinds), std::move(edges), std::move(kept));
}

std::string blob_of(const SQLite::Statement& query, int column) {
  const SQLite::Column cell = query.getColumn(column);
  return std::string(static_cast<const char*>(cell.getBlob()), static_cast<std::size_t>(cell.getBytes()));
}

std::optional<SnapshotFacts> decode_snapshot(Database& db, const FactNeeds* needs) {
  auto& sql = db.sql();
  SQLite::Statement meta(sql, "SELECT data, name FROM fact_snapshot WHERE part = 'meta' AND kind = ?");
  meta.bind(1, format_key());
  if (!meta.executeStep()) return std::nullopt;  // none, or one of another format
  SnapshotFacts facts;
  facts.fingerprint = meta.getColumn(1).getString();
  std::vector<std::string> edge_kinds;
  std::uint32_t entity_count = decode_meta(facts.portfolio, blob_of(meta, 0), edge_kinds);
  SQLite::Statement entities(sql, "SELECT data FROM fact_snapshot WHERE part = 'entities'");
  if (!entities.executeStep()) throw DamagedSnapshot{"entities"};
  decode_entities(facts.portfolio, blob_of(entities, 0), entity_count);

  SQLite::Statement columns(sql, "SELECT kind, name, data FROM fact_snapshot WHERE part = 'attribute'");
  while (columns.executeStep()) {
    std::string name = columns.getColumn(1).getString();
    if (needs && !needs->attributes.count(name)) continue;
    const KindTable* table = facts.portfolio.find_kind(columns.getColumn(0).getString());
    int column = table ? table->column(name) : -1;
    if (column < 0) throw DamagedSnapshot{"attribute " + name};
    auto kind = static_cast<KindId>(table - facts.portfolio.kinds().data());
    auto values = decode_column(facts.portfolio, blob_of(columns, 2), name,
                                table->attribute_types[static_cast<std::size_t>(column)], table->members.size());
    facts.portfolio.set_column(kind, column, std::move(values));
  }
  if (needs && !needs->graph) return facts;
  SQLite::Statement edges(sql, "SELECT data FROM fact_snapshot WHERE part = 'edges'");
  if (!edges.executeStep()) throw DamagedSnapshot{"edges"};
  decode_edges(facts.portfolio, blob_of(edges, 0), std::move(edge_kinds));
  return facts;
}

}  // namespace

FactOrder fact_order(const Portfolio& portfolio) {
  FactOrder order;
  order.entities = portfolio.entities_sorted_by_id();
  // Integers stand for the strings: positions in id order, and edge kinds ranked by name.
  std::vector<std::uint32_t> position(order.entities.size());
  for (std::uint32_t at = 0; at < order.entities.size(); ++at) position[order.entities[at]] = at;
  const auto& kinds = portfolio.edge_kinds();
  std::vector<std::uint32_t> kind_rank(kinds.size());
  for (std::uint32_t k = 0; k < kinds.size(); ++k)
    kind_rank[k] = static_cast<std::uint32_t>(std::count_if(kinds.begin(), kinds.end(), [&](const std::string& other) { return other < kinds[k]; }));
  const auto& edges = portfolio.edges();
  std::vector<std::pair<std::uint64_t, std::uint64_t>> keyed(edges.size());  // (from, to) and (kind, position)
  for (std::size_t i = 0; i < edges.size(); ++i)
    keyed[i] = {std::uint64_t{position[edges[i].from]} << 32 | position[edges[i].to], std::uint64_t{kind_rank[edges[i].kind]} << 32 | i};
  std::sort(keyed.begin(), keyed.end());
  order.edges.resize(edges.size());
  for (std::size_t i = 0; i < edges.size(); ++i) order.edges[i] = static_cast<std::size_t>(keyed[i].second & 0xffffffffu);
  return order;
}

void save_fact_snapshot(Database& db, const Portfolio& portfolio, const FactOrder& order) {
  auto& sql = db.sql();
  sql.exec("DELETE FROM fact_snapshot");
  SQLite::Statement insert(sql, "INSERT INTO fact_snapshot (part, kind, name, data) VALUES (?, ?, ?, ?)");
  std::vector<std::string> part_hashes;  // the facts' fingerprint is the hash of these
  bool too_large = false;
  encode_parts(portfolio, order, [&](Part& part) {
    // SQLite keeps a value under 1 GB: a portfolio with a part that large is read from the tables.
    if (too_large || part.data.size() > kMaxPartBytes) {
      too_large = true;
      return;
    }
    if (part.part == "meta") {
      std::vector<std::string_view> hashes(part_hashes.begin(), part_hashes.end());
      hashes.push_back(part.data);
      // The format is the meta part's kind, so that a reader finds only a snapshot it can read.
      part.kind = format_key();
      part.name = bytes_fingerprint(hashes);
    } else {
      part_hashes.push_back(part.part + '\0' + part.kind + '\0' + part.name + '\0' + bytes_fingerprint({part.data}));
    }
    insert.bindNoCopy(1, part.part);
    insert.bindNoCopy(2, part.kind);
    insert.bindNoCopy(3, part.name);
    insert.bindNoCopy(4, static_cast<const void*>(part.data.data()), static_cast<int>(part.data.size()));
    insert.exec();
    insert.reset();
  });
  if (too_large) sql.exec("DELETE FROM fact_snapshot");
}

std::optional<SnapshotFacts> load_fact_snapshot(Database& db, const FactNeeds* needs) {
  try {
    return decode_snapshot(db, needs);
  } catch (const DamagedSnapshot& damaged) {
    // A cache, not the truth: the tables are read instead, and the next import writes a new one.
    spdlog::warn("{}: the fact snapshot's {} part is damaged; reading the fact tables instead", db.path(), damaged.part);
    return std::nullopt;
  } catch (const Error& error) {
    spdlog::warn("{}: the fact snapshot cannot be read ({}); reading the fact tables instead", db.path(), error.what());
    return std::nullopt;
  }
}

bool has_fact_snapshot(Database& db) {
  SQLite::Statement meta(db.sql(), "SELECT 1 FROM fact_snapshot WHERE part = 'meta' AND kind = ?");
  meta.bind(1, format_key());
  return meta.executeStep();
}

std::string snapshot_trigger_sql(bool create) {
  std::string sql;
  for (const char* table : kFactTables)
    for (const char* event : kWriteEvents) {
      std::string name = fmt::format("fact_snapshot_stale_on_{}_{}", table, event);
      if (create)
        sql += fmt::format("CREATE TRIGGER IF NOT EXISTS {} AFTER {} ON {} BEGIN DELETE FROM fact_snapshot; END;\n", name,
                           event, table);
      else
        sql += fmt::format("DROP TRIGGER IF EXISTS {};\n", name);
    }
  return sql;
}

}  // namespace vigil
