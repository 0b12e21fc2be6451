#include "engine/store/fact_store.hpp"

#include <algorithm>
#include <optional>
#include <tuple>

#include <SQLiteCpp/Statement.h>
#include <SQLiteCpp/Transaction.h>
#include <sqlite3.h>

#include "dsl/diagnostic.hpp"
#include "engine/facts/cell_types.hpp"
#include "engine/store/fact_snapshot.hpp"
#include "engine/store/row_feed.hpp"

namespace vigil {
namespace {

const char* stored_type_name(ValueType type) { return type == ValueType::boolean ? "bool" : type_name(type); }

// A stored cell as a value of its declared type, accepting what direct
// writers naturally store (INTEGER 0/1 for bools, numbers as INTEGER or REAL).
std::optional<Value> read_cell(const SQLite::Column& cell, ValueType type) {
  if (cell.isNull()) return Value::missing();
  switch (type) {
    case ValueType::number:
      if (cell.isInteger() || cell.isFloat()) return Value::number(cell.getDouble());
      return cell.isText() ? parse_cell(cell.getText(), type) : std::nullopt;
    case ValueType::boolean:
      if (cell.isInteger() && (cell.getInt64() == 0 || cell.getInt64() == 1)) return Value::boolean(cell.getInt64() == 1);
      return cell.isText() ? parse_cell(cell.getText(), type) : std::nullopt;
    case ValueType::date: return cell.isText() ? parse_cell(cell.getText(), type) : std::nullopt;
    // A view of SQLite's buffer, valid until the next row: set_attribute copies it into the pool.
    case ValueType::string:
      return cell.isBlob() ? std::nullopt
                           : std::optional(Value::string_view(std::string_view(cell.getText(), static_cast<std::size_t>(cell.getBytes()))));
    default: return std::nullopt;
  }
}

ValueType undeclared_type(const SQLite::Column& cell) {
  return cell.isInteger() || cell.isFloat() ? ValueType::number : ValueType::string;
}

}  // namespace

namespace {

void insert_attribute_types(SQLite::Database& sql, const Portfolio& portfolio) {
  SQLite::Statement insert_type(sql, "INSERT INTO attribute_types (kind, name, type) VALUES (?, ?, ?)");
  for (const auto& kind : portfolio.kinds())
    for (std::size_t c = 0; c < kind.attribute_names.size(); ++c) {
      insert_type.bind(1, kind.name);
      insert_type.bind(2, kind.attribute_names[c]);
      insert_type.bind(3, stored_type_name(kind.attribute_types[c]));
      insert_type.exec();
      insert_type.reset();
    }
}

// Entities and attributes in id order, edges in (from, to, kind) order: the
// rows reach the B-trees keyed that way in key order (appends, not random
// inserts). Each table is one INSERT ... SELECT from the rows in memory.
void insert_entities(SQLite::Database& sql, const Portfolio& portfolio, const FactOrder& order) {
  auto entity_row = [&](std::size_t row, int column, sqlite3_context* out) {
    EntityIndex entity = order.entities[row];
    put_text(out, column == 0 ? std::string_view(portfolio.id(entity)) : portfolio.kind_name(entity));
  };
  insert_rows(sql, "entities", "id, kind", order.entities.size(), entity_row);
  // Each kind's columns by name: an entity's attributes in key order.
  std::vector<std::vector<std::size_t>> columns_by_name;
  for (const auto& kind : portfolio.kinds()) {
    auto& columns = columns_by_name.emplace_back(kind.attribute_names.size());
    for (std::size_t c = 0; c < columns.size(); ++c) columns[c] = c;
    std::sort(columns.begin(), columns.end(),
              [&](std::size_t a, std::size_t b) { return kind.attribute_names[a] < kind.attribute_names[b]; });
  }
  struct PresentValue {
    EntityIndex entity;
    std::uint32_t column;
  };
  std::vector<PresentValue> present;  // missing values have no row
  for (EntityIndex entity : order.entities)
    for (std::size_t c : columns_by_name[portfolio.kind_of(entity)])
      if (!portfolio.attribute(entity, static_cast<int>(c)).is_missing())
        present.push_back({entity, static_cast<std::uint32_t>(c)});
  auto value_row = [&](std::size_t row, int column, sqlite3_context* out) {
    auto [entity, c] = present[row];
    if (column == 0) put_text(out, portfolio.id(entity));
    else if (column == 1) put_text(out, portfolio.kinds()[portfolio.kind_of(entity)].attribute_names[c]);
    else put_value(out, portfolio.attribute(entity, static_cast<int>(c)));
  };
  insert_rows(sql, "attributes", "entity_id, name, value", present.size(), value_row);
}

void insert_edges(SQLite::Database& sql, const Portfolio& portfolio, const FactOrder& order) {
  const auto& edges = portfolio.edges();
  insert_rows(sql, "edges", "from_id, to_id, kind, attributes", order.edges.size(),
              [&](std::size_t row, int column, sqlite3_context* out) {
                const Edge& edge = edges[order.edges[row]];
                switch (column) {
                  case 0: put_text(out, portfolio.id(edge.from)); break;
                  case 1: put_text(out, portfolio.id(edge.to)); break;
                  case 2: put_text(out, portfolio.edge_kinds()[edge.kind]); break;
                  default:
                    if (edge.attributes == 0) put_null(out);
                    else put_text(out, portfolio.edge_attributes(edge));
                }
              });
}

void insert_waivers(SQLite::Database& sql, const Portfolio& portfolio) {
  SQLite::Statement insert(sql, "INSERT INTO waivers (rule, entity, owner, reason, expires, approved_by, ticket, source) "
                                "VALUES (?, ?, ?, ?, ?, ?, ?, ?)");
  for (const auto& w : portfolio.waivers) {
    int column = 1;
    for (const std::string* field : {&w.rule, &w.entity, &w.owner, &w.reason, &w.expires, &w.approved_by, &w.ticket, &w.where})
      insert.bindNoCopy(column++, *field);
    insert.exec();
    insert.reset();
  }
}

// Waivers are read whole whatever the rules need: there are few, and every run applies them.
void load_waivers(SQLite::Database& sql, Portfolio& portfolio) {
  // Imported waivers and those accepted in the workbench (which imports do not replace) alike.
  SQLite::Statement query(sql, "SELECT rule, entity, owner, reason, expires, approved_by, ticket, source FROM waivers "
                               "UNION ALL SELECT rule, entity, owner, reason, expires, approved_by, ticket, 'workbench' "
                               "FROM workbench_waivers ORDER BY 1, 2");
  while (query.executeStep()) {
    Waiver w;
    int column = 0;
    for (std::string* field : {&w.rule, &w.entity, &w.owner, &w.reason, &w.expires, &w.approved_by, &w.ticket, &w.where})
      *field = query.getColumn(column++).getString();
    portfolio.waivers.push_back(std::move(w));
  }
}

// Secondary indexes are dropped for the bulk load and built once after it,
// inside the same transaction (SQLite's DDL is transactional).
constexpr const char* kDropFactIndexes = "DROP INDEX IF EXISTS entities_by_kind; DROP INDEX IF EXISTS edges_by_target;";
constexpr const char* kCreateFactIndexes =
    "CREATE INDEX entities_by_kind ON entities(kind); CREATE INDEX edges_by_target ON edges(to_id);";

// Whether the database's journal is now `mode` (false when another connection
// keeps it from changing).
bool set_journal_mode(SQLite::Database& sql, const char* mode) {
  try {
    return sql.execAndGet(fmt::format("PRAGMA journal_mode = {}", mode)).getString() == mode;
  } catch (const SQLite::Exception&) {
    return false;
  }
}

}  // namespace

void save_portfolio(Database& db, const Portfolio& portfolio, const std::function<void(const std::string&)>& step) {
  auto starting = [&](const std::string& what) {
    if (step) step(what);
  };
  auto& sql = db.sql();
  // The facts were validated whole before this point (ids unique, edges to
  // known ids), so the per-row foreign-key checks are skipped for the load;
  // the pragma cannot change inside a transaction, so it is set around it.
  // SQLite may sort for the indexes built after the load on a second thread.
  sql.exec("PRAGMA foreign_keys = OFF; PRAGMA cache_size = -16384; PRAGMA threads = 2");
  // The first import into a database is written with a rollback journal, not
  // the write-ahead log, which would take every page once more and copy it
  // back at the checkpoint (a twelfth of the import at 100,000 vendors).
  // Nobody can be reading facts that are not there yet; a database that has
  // facts keeps its log, so that runs and the service read the old facts
  // while a new import writes.
  bool first_import = sql.execAndGet("SELECT NOT EXISTS (SELECT 1 FROM entities)").getInt() == 1;
  bool journal_switched = first_import && set_journal_mode(sql, "delete");
  auto restore = [&] {
    sql.exec("PRAGMA foreign_keys = ON");
    if (journal_switched) set_journal_mode(sql, "wal");
  };
  try {
    SQLite::Transaction transaction(sql);
    // The snapshot's triggers are off while the import itself writes the
    // tables (every row would fire one), and back on before the commit.
    sql.exec(snapshot_trigger_sql(false));
    sql.exec("DELETE FROM edges; DELETE FROM attributes; DELETE FROM entities; DELETE FROM attribute_types; "
             "DELETE FROM waivers;");
    sql.exec(kDropFactIndexes);
    FactOrder order = fact_order(portfolio);
    insert_attribute_types(sql, portfolio);
    starting(fmt::format("writing {} entities", portfolio.entity_count()));
    insert_entities(sql, portfolio, order);
    starting(fmt::format("writing {} edges", portfolio.edges().size()));
    insert_edges(sql, portfolio, order);
    insert_waivers(sql, portfolio);
    starting("building the indexes");
    sql.exec(kCreateFactIndexes);
    save_fact_snapshot(db, portfolio, order);
    sql.exec(snapshot_trigger_sql(true));
    transaction.commit();
  } catch (...) {
    restore();
    throw;
  }
  restore();
}

Schema load_schema(Database& db) {
  Schema schema;
  SQLite::Statement kinds(db.sql(), "SELECT DISTINCT kind FROM entities");
  while (kinds.executeStep()) schema.kinds[kinds.getColumn(0).getString()];
  schema.edge_kinds.emplace();
  SQLite::Statement edge_kinds(db.sql(), "SELECT DISTINCT kind FROM edges");
  while (edge_kinds.executeStep()) schema.edge_kinds->insert(edge_kinds.getColumn(0).getString());
  SQLite::Statement types(db.sql(), "SELECT kind, name, type FROM attribute_types");
  while (types.executeStep()) {
    auto type = parse_attribute_type(types.getColumn(2).getString());
    schema.kinds[types.getColumn(0).getString()][types.getColumn(1).getString()] = type.value_or(ValueType::string);
  }
  SQLite::Statement undeclared(db.sql(),
                               "SELECT DISTINCT e.kind, a.name FROM attributes a JOIN entities e ON e.id = a.entity_id "
                               "WHERE NOT EXISTS (SELECT 1 FROM attribute_types t WHERE t.kind = e.kind AND t.name = a.name)");
  while (undeclared.executeStep())
    schema.kinds[undeclared.getColumn(0).getString()].emplace(undeclared.getColumn(1).getString(), ValueType::string);
  return schema;
}

Portfolio load_portfolio(Database& db, const FactNeeds* needs, std::string* snapshot_fingerprint) {
  auto& sql = db.sql();
  // One read transaction: the snapshot and the waivers (or the tables) as of one moment.
  // (Inside a caller's transaction, that one.)
  std::optional<SQLite::Transaction> reading;
  if (sqlite3_get_autocommit(sql.getHandle())) reading.emplace(sql, SQLite::TransactionBehavior::DEFERRED);
  if (auto snapshot = load_fact_snapshot(db, needs)) {
    load_waivers(sql, snapshot->portfolio);
    if (snapshot_fingerprint) *snapshot_fingerprint = snapshot->fingerprint;
    return std::move(snapshot->portfolio);
  }
  Portfolio portfolio;
  SQLite::Statement types(sql, "SELECT kind, name, type FROM attribute_types ORDER BY kind, name");
  while (types.executeStep()) {
    std::string type_text = types.getColumn(2).getString();
    auto type = parse_attribute_type(type_text);
    if (!type) throw Error(fmt::format("{}: attribute_types: unknown type '{}'", db.path(), type_text));
    portfolio.declare_attribute(portfolio.declare_kind(types.getColumn(0).getString()), types.getColumn(1).getString(), *type);
  }
  SQLite::Statement entities(sql, "SELECT id, kind FROM entities ORDER BY id");
  while (entities.executeStep())
    portfolio.add_entity(entities.getColumn(0).getString(), portfolio.declare_kind(entities.getColumn(1).getString()));
  load_waivers(sql, portfolio);
  // The needed names go into a temporary table that the query joins: SQLite
  // then skips the other attributes' rows without materialising them.
  std::string query = "SELECT entity_id, name, value FROM attributes";
  if (needs) {
    sql.exec("CREATE TEMP TABLE IF NOT EXISTS needed_attributes (name TEXT PRIMARY KEY) WITHOUT ROWID; "
             "DELETE FROM temp.needed_attributes");
    SQLite::Statement insert(sql, "INSERT INTO temp.needed_attributes VALUES (?)");
    for (const auto& name : needs->attributes) {
      insert.bind(1, name);
      insert.exec();
      insert.reset();
    }
    query += " WHERE name IN (SELECT name FROM temp.needed_attributes)";
  }
  SQLite::Statement attributes(sql, query);
  std::string last_id;  // rows come in primary-key order: an entity's attributes are together
  std::optional<EntityIndex> entity;
  while (attributes.executeStep()) {
    std::string_view id = attributes.getColumn(0).getText();
    std::string_view name = attributes.getColumn(1).getText();
    if (!entity || id != last_id) {
      last_id = id;
      entity = portfolio.find(id);
      if (!entity) throw Error(fmt::format("{}: attributes: entity '{}' does not exist", db.path(), id));
    }
    KindId kind = portfolio.kind_of(*entity);
    SQLite::Column cell = attributes.getColumn(2);
    int column = portfolio.kinds()[kind].column(name);
    if (column < 0) {
      if (cell.isNull()) continue;
      column = portfolio.declare_attribute(kind, name, undeclared_type(cell));
    }
    ValueType type = portfolio.kinds()[kind].attribute_types[static_cast<std::size_t>(column)];
    auto value = read_cell(cell, type);
    if (!value)
      throw Error(fmt::format("{}: attributes: '{}' of {} is declared {} but holds '{}'", db.path(), name, id,
                              type_name(type), cell.getString()));
    portfolio.set_attribute(*entity, column, *value);
  }
  if (needs && !needs->graph) return portfolio;
  SQLite::Statement edges(sql, "SELECT from_id, to_id, kind, attributes FROM edges ORDER BY from_id, to_id, kind");
  std::string last_from;  // in from_id order: a vendor's edges come together, its id is looked up once
  std::optional<EntityIndex> from;
  while (edges.executeStep()) {
    std::string_view from_id = edges.getColumn(0).getText();
    if (!from || from_id != last_from) {
      last_from = from_id;
      from = portfolio.find(from_id);
    }
    auto to = portfolio.find(edges.getColumn(1).getText());
    if (!from || !to)
      throw Error(fmt::format("{}: edges: {} -> {} names an entity that does not exist", db.path(),
                              edges.getColumn(0).getString(), edges.getColumn(1).getString()));
    portfolio.add_edge(*from, *to, edges.getColumn(2).getString(), edges.getColumn(3).getString());
  }
  return portfolio;
}

}  // namespace vigil
