// Issue 14's in-process overlay figure through the C++ API (vigil::Engine),
// without a binding in between: one candidate vendor with 5 edges laid over
// the loaded portfolio, against the baseline of evaluating one loaded vendor
// (evaluate_entity) in the same run. The reference evaluation an overlay is
// compared with is made once per date, before the timed calls.
//
// usage: overlay_latency DB RULES [CALLS]
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <string>
#include <vector>

#include <vigil/vigil.hpp>

#include "latency.hpp"

namespace {

using bench::Clock;
using bench::millis;
using bench::percentile;

// The same candidate as bench/embedding: relied on by three services, subcontracting to two vendors.
const char* kCandidate = R"({"entities": [{"id": "VNEW", "kind": "vendor", "attributes": {"name": "Candidate",
  "tier": "critical", "status": "active", "data_access": "restricted", "annual_spend": 100000}}],
  "edges": [{"from": "S000000", "to": "VNEW", "kind": "depends_on"}, {"from": "S000001", "to": "VNEW", "kind": "depends_on"},
            {"from": "S000002", "to": "VNEW", "kind": "depends_on"}, {"from": "VNEW", "to": "V0000000", "kind": "subcontracts"},
            {"from": "VNEW", "to": "V0000001", "kind": "subcontracts"}]})";

}  // namespace

int main(int argc, char** argv) {
  if (argc < 3) {
    std::fprintf(stderr, "usage: overlay_latency DB RULES [CALLS]\n");
    return 2;
  }
  std::string db = argv[1], rules = argv[2];
  std::size_t calls = argc > 3 ? std::stoul(argv[3]) : 20;
  const char* as_of = "2026-11-01";

  vigil::Engine engine;
  engine.load_database(db);
  engine.add_rules_from(rules);
  auto reference = Clock::now();
  std::size_t findings = engine.evaluate_overlay(kCandidate, as_of).findings.size();
  double reference_s = millis(Clock::now() - reference) / 1000;

  std::vector<double> overlay, baseline;
  for (std::size_t i = 0; i < calls; ++i) {
    auto start = Clock::now();
    engine.evaluate_overlay(kCandidate, as_of);
    overlay.push_back(millis(Clock::now() - start));
    start = Clock::now();
    engine.evaluate_entity("V0000100", as_of);
    baseline.push_back(millis(Clock::now() - start));
  }
  double median = percentile(overlay, 0.5), base = percentile(baseline, 0.5);
  std::printf("overlay of one vendor with 5 edges, %zu calls, %zu-entity portfolio, %zu rules (reference evaluation %.1f s)\n",
              calls, engine.entity_count(), engine.rule_count(), reference_s);
  std::printf("| measure | median | p90 | max |\n|---|---|---|---|\n");
  std::printf("| evaluate_entity of one loaded vendor (baseline) | %.3f ms | %.3f ms | %.3f ms |\n", base,
              percentile(baseline, 0.9), percentile(baseline, 1.0));
  std::printf("| evaluate_overlay | %.3f ms | %.3f ms | %.3f ms |\n", median, percentile(overlay, 0.9),
              percentile(overlay, 1.0));
  std::printf("median ratio to the baseline: %.1fx; findings: %zu\n", median / base, findings);
  return 0;
}
