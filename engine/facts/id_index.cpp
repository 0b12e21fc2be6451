#include "engine/facts/id_index.hpp"

#include <bit>
#include <functional>

namespace vigil {
namespace {

std::size_t hash_of(std::string_view id) { return std::hash<std::string_view>{}(id); }
std::uint32_t tag_of(std::size_t hash) { return static_cast<std::uint32_t>(hash >> 32); }

}  // namespace

std::optional<IdIndex::Entity> IdIndex::find(std::string_view id, const std::vector<std::string>& ids) const {
  if (slots_.empty()) return std::nullopt;
  std::size_t hash = hash_of(id);
  std::uint32_t tag = tag_of(hash);
  for (std::size_t at = home(hash);; at = (at + 1) & (slots_.size() - 1)) {
    const Slot& slot = slots_[at];
    if (slot.entity == kEmpty) return std::nullopt;
    if (slot.tag == tag && ids[slot.entity] == id) return slot.entity;
  }
}

bool IdIndex::insert(Entity entity, const std::vector<std::string>& ids) {
  if ((size_ + 1) * 2 > slots_.size()) grow(std::max<std::size_t>(16, slots_.size() * 2), ids);
  std::size_t hash = hash_of(ids[entity]);
  std::uint32_t tag = tag_of(hash);
  std::size_t at = home(hash);
  for (; slots_[at].entity != kEmpty; at = (at + 1) & (slots_.size() - 1))
    if (slots_[at].tag == tag && ids[slots_[at].entity] == ids[entity]) return false;
  slots_[at] = {entity, tag};
  ++size_;
  return true;
}

// Backward-shift deletion: the entries after the hole that may live in it
// move back, so that no lookup stops early at the hole (no tombstones).
void IdIndex::erase(Entity entity, const std::vector<std::string>& ids) {
  if (slots_.empty()) return;
  std::size_t mask = slots_.size() - 1;
  std::size_t hole = home(hash_of(ids[entity]));
  while (slots_[hole].entity != entity) {
    if (slots_[hole].entity == kEmpty) return;
    hole = (hole + 1) & mask;
  }
  for (std::size_t next = (hole + 1) & mask; slots_[next].entity != kEmpty; next = (next + 1) & mask) {
    std::size_t wanted = home(hash_of(ids[slots_[next].entity]));
    // The entry at `next` may move back to the hole unless its home lies after the hole (cyclically).
    bool home_after_hole = hole <= next ? (hole < wanted && wanted <= next) : (hole < wanted || wanted <= next);
    if (home_after_hole) continue;
    slots_[hole] = slots_[next];
    hole = next;
  }
  slots_[hole] = Slot{};
  --size_;
}

void IdIndex::reserve(std::size_t count, const std::vector<std::string>& ids) {
  if (count * 2 > slots_.size()) grow(std::bit_ceil(std::max<std::size_t>(16, count * 2)), ids);
}

void IdIndex::grow(std::size_t capacity, const std::vector<std::string>& ids) {
  std::vector<Slot> old = std::move(slots_);
  slots_.assign(capacity, Slot{});
  for (const Slot& slot : old) {
    if (slot.entity == kEmpty) continue;
    std::size_t at = home(hash_of(ids[slot.entity]));
    while (slots_[at].entity != kEmpty) at = (at + 1) & (capacity - 1);
    slots_[at] = slot;
  }
}

}  // namespace vigil
