// Entity ids to entity indices, for a portfolio that keeps the ids itself.
//
// Import resolves two ids per edge (two million lookups at 100,000 vendors)
// and loading builds the index for every entity. A node-based hash map took
// three or four cache misses a lookup (bucket, node, key); this table is one
// array of slots holding the entity's index and a tag of its hash, probed
// linearly, and compares the id itself only when the tags agree.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace vigil {

class IdIndex {
 public:
  using Entity = std::uint32_t;

  // Ids are the portfolio's: `ids[entity]` is the id of entity `entity`.
  std::optional<Entity> find(std::string_view id, const std::vector<std::string>& ids) const;
  // False, and nothing added, when the id is there already.
  bool insert(Entity entity, const std::vector<std::string>& ids);
  // Removes the id of `entity` (an overlay's entities when it is rolled back).
  void erase(Entity entity, const std::vector<std::string>& ids);
  void reserve(std::size_t count, const std::vector<std::string>& ids);
  std::size_t size() const { return size_; }

 private:
  static constexpr Entity kEmpty = UINT32_MAX;
  struct Slot {
    Entity entity = kEmpty;
    std::uint32_t tag = 0;  // the hash's high bits
  };
  std::size_t home(std::size_t hash) const { return hash & (slots_.size() - 1); }
  void grow(std::size_t capacity, const std::vector<std::string>& ids);

  std::vector<Slot> slots_;  // a power of two, at most half full
  std::size_t size_ = 0;
};

}  // namespace vigil
