#include "engine/store/fingerprint.hpp"

#include <fmt/format.h>

#include "engine/facts/value_format.hpp"

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

std::string facts_fingerprint(const Portfolio& portfolio) {
  Fnv1a hash;
  for (EntityIndex e : portfolio.entities_sorted_by_id()) {
    hash.add(portfolio.id(e));
    hash.add(portfolio.kind_name(e));
    const auto& kind = portfolio.kinds()[portfolio.kind_of(e)];
    for (std::size_t c = 0; c < kind.attribute_names.size(); ++c) {
      Value value = portfolio.attribute(e, static_cast<int>(c));
      if (value.is_missing()) continue;
      hash.add(kind.attribute_names[c]);
      hash.add_raw(value.type());
      switch (value.type()) {
        case ValueType::number: hash.add_raw(value.as_number()); break;
        case ValueType::boolean: hash.add_raw(value.as_bool()); break;
        case ValueType::date: hash.add_raw(value.as_date().days_since_epoch); break;
        default: hash.add(display_value(value, portfolio)); break;
      }
    }
  }
  for (const auto& edge : portfolio.edges()) {
    hash.add(portfolio.id(edge.from));
    hash.add(portfolio.id(edge.to));
    hash.add(portfolio.edge_kinds()[edge.kind]);
    hash.add(edge.attributes_json);
  }
  return hash.hex();
}

}  // namespace vigil
