#include "engine/store/row_feed.hpp"

#include <algorithm>

#include <fmt/format.h>
#include <SQLiteCpp/Exception.h>

#include "dsl/calendar.hpp"

namespace vigil {
namespace {

constexpr const char* kFeedModule = "vigil_row_feed";

// What the module reads: the rows being inserted.
struct Feed {
  int column_count;
  std::size_t count;
  const RowSource* source;
};

struct FeedTable {
  sqlite3_vtab base{};
  const Feed* feed = nullptr;
};

struct FeedCursor {
  sqlite3_vtab_cursor base{};
  std::size_t row = 0;
};

const Feed& feed_of(sqlite3_vtab_cursor* cursor) { return *reinterpret_cast<FeedTable*>(cursor->pVtab)->feed; }

int feed_connect(sqlite3* db, void* aux, int, const char* const*, sqlite3_vtab** out, char**) {
  const auto* feed = static_cast<const Feed*>(aux);
  std::string declaration = "CREATE TABLE x(";
  for (int c = 0; c < feed->column_count; ++c) declaration += fmt::format("{}c{}", c ? ", " : "", c);
  declaration += ")";
  if (int code = sqlite3_declare_vtab(db, declaration.c_str()); code != SQLITE_OK) return code;
  auto* table = new FeedTable;
  table->feed = feed;
  *out = &table->base;
  return SQLITE_OK;
}

int feed_disconnect(sqlite3_vtab* table) {
  delete reinterpret_cast<FeedTable*>(table);
  return SQLITE_OK;
}

int feed_best_index(sqlite3_vtab* table, sqlite3_index_info* info) {
  auto rows = static_cast<double>(reinterpret_cast<FeedTable*>(table)->feed->count);
  info->estimatedCost = rows;
  info->estimatedRows = static_cast<sqlite3_int64>(rows);
  return SQLITE_OK;
}

int feed_open(sqlite3_vtab*, sqlite3_vtab_cursor** out) {
  *out = &(new FeedCursor)->base;
  return SQLITE_OK;
}

int feed_close(sqlite3_vtab_cursor* cursor) {
  delete reinterpret_cast<FeedCursor*>(cursor);
  return SQLITE_OK;
}

int feed_filter(sqlite3_vtab_cursor* cursor, int, const char*, int, sqlite3_value**) {
  reinterpret_cast<FeedCursor*>(cursor)->row = 0;
  return SQLITE_OK;
}

int feed_next(sqlite3_vtab_cursor* cursor) {
  ++reinterpret_cast<FeedCursor*>(cursor)->row;
  return SQLITE_OK;
}

int feed_eof(sqlite3_vtab_cursor* cursor) { return reinterpret_cast<FeedCursor*>(cursor)->row >= feed_of(cursor).count; }

int feed_column(sqlite3_vtab_cursor* cursor, sqlite3_context* out, int column) {
  (*feed_of(cursor).source)(reinterpret_cast<FeedCursor*>(cursor)->row, column, out);
  return SQLITE_OK;
}

int feed_rowid(sqlite3_vtab_cursor* cursor, sqlite3_int64* rowid) {
  *rowid = static_cast<sqlite3_int64>(reinterpret_cast<FeedCursor*>(cursor)->row);
  return SQLITE_OK;
}

// Eponymous-only (no xCreate): it exists while registered, as `kFeedModule`.
sqlite3_module feed_module() {
  sqlite3_module module{};
  module.xConnect = feed_connect;
  module.xBestIndex = feed_best_index;
  module.xDisconnect = feed_disconnect;
  module.xOpen = feed_open;
  module.xClose = feed_close;
  module.xFilter = feed_filter;
  module.xNext = feed_next;
  module.xEof = feed_eof;
  module.xColumn = feed_column;
  module.xRowid = feed_rowid;
  return module;
}

void check(sqlite3* db, int code) {
  if (code != SQLITE_OK && code != SQLITE_DONE) throw SQLite::Exception(db, code);
}

}  // namespace

void insert_rows(SQLite::Database& sql, std::string_view table, std::string_view columns, std::size_t count,
                 const RowSource& source) {
  static const sqlite3_module module = feed_module();
  sqlite3* db = sql.getHandle();
  int column_count = 1 + static_cast<int>(std::count(columns.begin(), columns.end(), ','));
  Feed feed{column_count, count, &source};
  check(db, sqlite3_create_module_v2(db, kFeedModule, &module, &feed, nullptr));
  std::string selected;
  for (int c = 0; c < column_count; ++c) selected += fmt::format("{}c{}", c ? ", " : "", c);
  // The module is dropped again whatever happens: `feed` lives on this stack.
  struct Unregister {
    sqlite3* db;
    ~Unregister() { sqlite3_create_module_v2(db, kFeedModule, nullptr, nullptr, nullptr); }
  } unregister{db};
  sql.exec(fmt::format("INSERT INTO {} ({}) SELECT {} FROM {}", table, columns, selected, kFeedModule));
}

void put_text(sqlite3_context* out, std::string_view text) {
  sqlite3_result_text(out, text.data(), static_cast<int>(text.size()), SQLITE_STATIC);
}

void put_optional_text(sqlite3_context* out, const std::optional<std::string>& text) {
  if (text) put_text(out, *text);
  else put_null(out);
}

void put_text_copy(sqlite3_context* out, std::string_view text) {
  sqlite3_result_text(out, text.data(), static_cast<int>(text.size()), SQLITE_TRANSIENT);
}

void put_integer(sqlite3_context* out, std::int64_t number) { sqlite3_result_int64(out, number); }

void put_null(sqlite3_context* out) { sqlite3_result_null(out); }

void put_value(sqlite3_context* out, const Value& value) {
  switch (value.type()) {
    case ValueType::number: sqlite3_result_double(out, value.as_number()); break;
    case ValueType::boolean: sqlite3_result_int(out, value.as_bool() ? 1 : 0); break;
    case ValueType::date: put_text_copy(out, format_date(value.as_date())); break;
    case ValueType::string: put_text(out, value.as_string()); break;
    default: sqlite3_result_null(out); break;
  }
}

}  // namespace vigil
