#include "engine/store/fingerprint.hpp"

#include <fmt/format.h>

#include <memory>

#include <SQLiteCpp/Database.h>
#include <SQLiteCpp/Exception.h>
#include <sqlite3.h>

namespace vigil {
namespace {

// 64-bit FNV-1a: stable across platforms and runs (std::hash is not).
class Fnv1a {
 public:
  void add(std::string_view bytes) {
    for (unsigned char c : bytes) hash_ = (hash_ ^ c) * 0x100000001b3ULL;
    hash_ = (hash_ ^ 0xff) * 0x100000001b3ULL;  // separator, so ("ab","c") != ("a","bc")
  }
  template <typename T>
  void add_raw(const T& value) {  // the bytes of a number, date or flag: no formatting on the way
    add(std::string_view(reinterpret_cast<const char*>(&value), sizeof value));
  }
  std::string hex() const { return fmt::format("{:016x}", hash_); }

 private:
  std::uint64_t hash_ = 0xcbf29ce484222325ULL;
};

}  // namespace

std::string rules_fingerprint(const RuleSet& rules) {
  Fnv1a hash;
  for (const auto& file : rules.files) hash.add(file.source->text());
  return hash.hex();
}

std::string rule_fingerprint(const RuleSet& rules, const Rule& rule) {
  Fnv1a hash;
  std::string_view text = rules.file_of(rule).source->text();
  hash.add(text.substr(rule.span.begin, rule.span.end - rule.span.begin));
  return hash.hex();
}

namespace {

// The facts are hashed eight bytes at a time (FNV-1a's byte loop would cost
// more than reading them): a multiply-rotate mix of little-endian words,
// stable across platforms and runs.
class WordHash {
 public:
  void add(const unsigned char* bytes, std::size_t size, int type) {
    mix(static_cast<std::uint64_t>(size) << 8 | static_cast<std::uint64_t>(type));  // length and type separate cells
    std::size_t i = 0;
    for (; i + 8 <= size; i += 8) mix(load(bytes + i, 8));
    if (i < size) mix(load(bytes + i, size - i));
  }
  std::string hex() const { return fmt::format("{:016x}", hash_); }

 private:
  static std::uint64_t load(const unsigned char* p, std::size_t n) {
    std::uint64_t word = 0;
    for (std::size_t k = 0; k < n; ++k) word |= std::uint64_t{p[k]} << (8 * k);
    return word;
  }
  void mix(std::uint64_t word) { hash_ = (((hash_ << 5) | (hash_ >> 59)) ^ word) * 0x517cc1b727220a95ULL; }
  std::uint64_t hash_ = 0xcbf29ce484222325ULL;
};

}  // namespace

std::string bytes_fingerprint(const std::vector<std::string_view>& parts) {
  WordHash hash;
  for (std::string_view part : parts) hash.add(reinterpret_cast<const unsigned char*>(part.data()), part.size(), SQLITE_BLOB);
  return hash.hex();
}

std::string facts_fingerprint(Database& db) {
  WordHash hash;
  for (const char* query : {"SELECT id, kind FROM entities ORDER BY id",
                            "SELECT entity_id, name, value FROM attributes ORDER BY entity_id, name",
                            "SELECT from_id, to_id, kind, attributes FROM edges ORDER BY from_id, to_id, kind"}) {
    // The C API directly: SQLiteCpp's Column objects cost more than the hashing.
    sqlite3_stmt* raw = nullptr;
    if (sqlite3_prepare_v2(db.sql().getHandle(), query, -1, &raw, nullptr) != SQLITE_OK)
      throw SQLite::Exception(db.sql().getHandle(), sqlite3_errcode(db.sql().getHandle()));
    std::unique_ptr<sqlite3_stmt, int (*)(sqlite3_stmt*)> statement(raw, sqlite3_finalize);
    int columns = sqlite3_column_count(raw);
    int step;
    while ((step = sqlite3_step(raw)) == SQLITE_ROW)
      for (int c = 0; c < columns; ++c) {
        int type = sqlite3_column_type(raw, c);  // 1 is not "1"
        const auto* bytes = static_cast<const unsigned char*>(sqlite3_column_blob(raw, c));
        hash.add(bytes, static_cast<std::size_t>(sqlite3_column_bytes(raw, c)), type);
      }
    if (step != SQLITE_DONE) throw SQLite::Exception(db.sql().getHandle(), step);
  }
  return hash.hex();
}

}  // namespace vigil
