// Bulk inserts that SQLite reads straight from memory.
//
// A prepared INSERT stepped once per row costs about as much again as the
// insertion itself (the statement starts, binds, checks and resets each
// time): 1,000,000 edges took 0.95 s that way, and 0.43 s as one
// INSERT ... SELECT. insert_rows() is that one statement, selecting from an
// eponymous virtual table whose rows the caller produces on demand.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include <SQLiteCpp/Database.h>
#include <sqlite3.h>

#include "engine/facts/value.hpp"

namespace vigil {

// The cell of `row` and `column` (0-based), given to SQLite through `out`
// with the put_* helpers below.
using RowSource = std::function<void(std::size_t row, int column, sqlite3_context* out)>;

// INSERT INTO `table` (`columns`, comma-separated) the `count` rows of
// `source`, in row order, as one statement of the caller's transaction.
// Throws SQLite::Exception.
void insert_rows(SQLite::Database& sql, std::string_view table, std::string_view columns, std::size_t count,
                 const RowSource& source);

// Texts must outlive the statement (the portfolio's ids, names and pool do).
void put_text(sqlite3_context* out, std::string_view text);
// None as NULL.
void put_optional_text(sqlite3_context* out, const std::optional<std::string>& text);
// A text made for this cell only: SQLite copies it.
void put_text_copy(sqlite3_context* out, std::string_view text);
void put_integer(sqlite3_context* out, std::int64_t number);
// As the tables store values: numbers as REAL, booleans as 0/1, dates as
// YYYY-MM-DD text, strings as text, missing as NULL.
void put_value(sqlite3_context* out, const Value& value);
void put_null(sqlite3_context* out);

}  // namespace vigil
