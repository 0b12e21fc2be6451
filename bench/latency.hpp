// Timing helpers shared by the latency benchmarks (entity_latency, overlay_latency).
#pragma once

#include <algorithm>
#include <chrono>
#include <vector>

namespace bench {

using Clock = std::chrono::steady_clock;

inline double micros(Clock::duration d) { return std::chrono::duration<double, std::micro>(d).count(); }
inline double millis(Clock::duration d) { return std::chrono::duration<double, std::milli>(d).count(); }

// The value below which a fraction `p` of `values` lies (p = 0.5: the median).
inline double percentile(std::vector<double> values, double p) {
  std::sort(values.begin(), values.end());
  return values[static_cast<std::size_t>(p * static_cast<double>(values.size() - 1))];
}

}  // namespace bench
