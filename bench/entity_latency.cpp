// Single-entity evaluation latency through the public API (vigil::Engine),
// against a baseline measured in the same run: one SQLite point query reading
// the same entity's attributes.
//
// usage: entity_latency DB RULES [SAMPLES]
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <random>
#include <string>
#include <vector>

#include <SQLiteCpp/SQLiteCpp.h>
#include <vigil/vigil.hpp>

#include "latency.hpp"

using bench::Clock;
using bench::micros;
using bench::percentile;

int main(int argc, char** argv) {
  if (argc < 3) {
    std::fprintf(stderr, "usage: entity_latency DB RULES [SAMPLES]\n");
    return 2;
  }
  std::string db = argv[1], rules = argv[2];
  std::size_t samples = argc > 3 ? std::stoul(argv[3]) : 2000;

  SQLite::Database sql(db, SQLite::OPEN_READONLY);
  std::vector<std::string> vendors;
  SQLite::Statement ids(sql, "SELECT id FROM entities WHERE kind = 'vendor' ORDER BY id");
  while (ids.executeStep()) vendors.push_back(ids.getColumn(0).getString());
  std::mt19937 random(7);
  std::shuffle(vendors.begin(), vendors.end(), random);
  vendors.resize(std::min(samples, vendors.size()));

  vigil::Engine engine;
  auto loading = Clock::now();
  engine.load_database(db);
  engine.add_rules_from(rules);
  engine.check();
  double load_s = std::chrono::duration<double>(Clock::now() - loading).count();
  for (const auto& id : vendors) engine.evaluate_entity(id, "2026-11-01");  // graph precomputation, excluded

  std::vector<double> evaluate, baseline;
  std::size_t findings = 0;
  SQLite::Statement point(sql, "SELECT name, value FROM attributes WHERE entity_id = ?");
  for (const auto& id : vendors) {
    auto start = Clock::now();
    findings += engine.evaluate_entity(id, "2026-11-01").findings.size();
    evaluate.push_back(micros(Clock::now() - start));
    start = Clock::now();
    point.bind(1, id);
    std::size_t values = 0;
    while (point.executeStep()) ++values;
    point.reset();
    baseline.push_back(micros(Clock::now() - start));
    if (values == 0) std::fprintf(stderr, "no attributes for %s\n", id.c_str());
  }
  double median = percentile(evaluate, 0.5), base = percentile(baseline, 0.5);
  std::printf("single-entity evaluation, %zu vendors sampled of a %zu-entity portfolio, %zu rules (engine built in %.1f s)\n",
              vendors.size(), engine.entity_count(), engine.rule_count(), load_s);
  std::printf("| measure | median | p90 | p99 | max |\n|---|---|---|---|---|\n");
  std::printf("| SQLite point query of the vendor's attributes (baseline) | %.1f us | %.1f us | %.1f us | %.1f us |\n", base,
              percentile(baseline, 0.9), percentile(baseline, 0.99), percentile(baseline, 1.0));
  std::printf("| vigil::Engine::evaluate_entity, standard pack | %.1f us | %.1f us | %.1f us | %.1f us |\n", median,
              percentile(evaluate, 0.9), percentile(evaluate, 0.99), percentile(evaluate, 1.0));
  std::printf("median ratio to the baseline: %.1fx; findings: %zu\n", median / base, findings);
  return 0;
}
