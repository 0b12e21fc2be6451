// The behaviour of each builtin function (not the aggregates): one function a
// row of dsl/functions.cpp, in an array indexed by the same enum.
#pragma once

#include <optional>
#include <span>
#include <vector>

#include "dsl/functions.hpp"
#include "engine/eval/context.hpp"

namespace vigil {

// Arguments are evaluated by the caller; a missing argument has already given
// missing unless the function's row says it takes missing values.
Value call_builtin(const Expr& call, std::span<const Value> args, Context& c);

// round(value, digits) for digits a whole number from 0 to 15 (round() checks them).
double round_to_digits(double value, double digits);

// The Herfindahl-Hirschman index in points (0..10000) of the non-negative
// sizes `for_each_size(f)` gives f, in order (it is called twice, for the
// total and for the shares); nullopt when they add up to 0.
template <class ForEachSize>
std::optional<double> hhi_points(ForEachSize&& for_each_size) {
  double total = 0;
  for_each_size([&](double size) { total += size; });
  if (total == 0) return std::nullopt;
  double index = 0;
  for_each_size([&](double size) { index += (100 * size / total) * (100 * size / total); });
  return index;
}

// The list without repeated values (as same_value() compares), first occurrences in order.
List distinct_values(const ListData& items);

}  // namespace vigil
