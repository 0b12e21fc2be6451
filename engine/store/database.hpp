// The SQLite database that holds the facts and the runs (docs/schema.md).
// Opening checks that the file is a Vigil database before anything is
// written, so a foreign or corrupt file given as --db is never overwritten.
#pragma once

#include <memory>
#include <string>

#include <SQLiteCpp/Database.h>

namespace vigil {

enum class OpenMode {
  create_if_missing,  // `vigil import`: a new file gets the schema
  must_exist,         // every other command
};

class Database {
 public:
  Database(const std::string& path, OpenMode mode);
  SQLite::Database& sql() { return *db_; }
  const std::string& path() const { return path_; }

  static constexpr int kApplicationId = 0x5649474C;  // "VIGL"
  static constexpr int kSchemaVersion = 6;

 private:
  void verify_or_create_schema(bool may_create);
  std::string path_;
  std::unique_ptr<SQLite::Database> db_;
};

}  // namespace vigil
