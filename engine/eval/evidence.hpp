// What a finding carries as evidence: the facts the rule read, the values of
// its lets, and the chains of edges that made a graph function true.
#pragma once

#include <string>

#include "engine/eval/context.hpp"

namespace vigil {

constexpr std::size_t kMaxEvidenceFacts = 50;
constexpr std::size_t kMaxEvidencePaths = 10;

// Paths requested while evaluating a condition that turns out not true did
// not make the rule fire: they are dropped again.
class PathMark {
 public:
  explicit PathMark(const Context& c) : size_(c.paths.size()), left_out_(c.paths_left_out) {}
  void keep_only_if(Context& c, const Value& condition) const {
    if (condition.is(ValueType::boolean) && condition.as_bool()) return;
    c.paths.resize(size_);
    c.paths_left_out = left_out_;
  }

 private:
  std::size_t size_;
  std::size_t left_out_;
};

// A chain of edges to show as evidence (each at most once, the first 10 kept).
void request_path(Context& c, PathRequest request);

// An element of a graph result counted towards a finding: show how it is connected.
void request_path(Context& c, const GraphOrigin& origin, EntityIndex element);

// An attribute read while deciding (the first 50 distinct reads are kept).
void record_read(Context& c, EntityIndex entity, const std::string& attribute, const Value& value);

// The evidence of a rule that fired, as JSON text.
std::string evidence_json(const Rule& rule, const Context& c);

}  // namespace vigil
