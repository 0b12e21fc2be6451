// One Engine used from many threads at once (built and run under ThreadSanitizer in CI).
#define CATCH_CONFIG_MAIN
#include <catch2/catch.hpp>

#include <atomic>
#include <thread>

#include <fmt/format.h>
#include <vigil/vigil.hpp>

namespace {

void portfolio(vigil::Engine& engine, int vendors) {
  engine.add_rules("r.vigil", R"(rule OLD {
  severity high
  for vendor v
  when v.tested < today - 1y
  message "{v.id} {v.tested}"
}
rule CONC {
  severity medium
  for vendor v
  let n = count(s in dependents*(v) where s.kind == "service")
  when n >= 3
  message "{n}"
}
rule SERVICE {
  severity low
  for service s
  when any(v in suppliers*(s) where v.tested < today - 2y)
  message "{s.id}"
}
)");
  for (int i = 0; i < vendors; ++i) {
    auto id = fmt::format("V{:04}", i);
    engine.add_entity(id, "vendor");
    engine.set_date(id, "tested", fmt::format("20{:02}-01-01", 20 + i % 7));
    if (i > 0) engine.add_edge(id, fmt::format("V{:04}", i / 3), "subcontracts");
  }
  for (int i = 0; i < vendors / 2; ++i) {
    auto id = fmt::format("S{:04}", i);
    engine.add_entity(id, "service");
    engine.add_edge(id, fmt::format("V{:04}", (i * 7) % vendors), "depends_on");
  }
}

std::string fingerprint(const vigil::EvaluationResult& result) {
  std::string out;
  for (const auto& f : result.findings) out += f.rule + "/" + f.entity.value_or("-") + "/" + f.message + "/" + f.evidence_json + "\n";
  return out;
}

}  // namespace

TEST_CASE("8 threads evaluating one engine get the same results as one", "[threads]") {
  vigil::Engine engine;
  portfolio(engine, 300);
  const std::string expected_all = fingerprint(engine.evaluate("2026-06-30"));
  std::vector<std::string> expected_one;
  for (int i = 0; i < 300; i += 7) expected_one.push_back(fingerprint(engine.evaluate_entity(fmt::format("V{:04}", i), "2026-06-30")));
  vigil::Engine fresh;  // first use from many threads at once: rules compiled and the graph built concurrently
  portfolio(fresh, 300);
  std::atomic<int> mismatches{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 8; ++t)
    threads.emplace_back([&, t] {
      for (int round = 0; round < 5; ++round) {
        for (int i = t % 7, k = 0; i < 300; i += 7, ++k)
          if (i % 7 == 0 && fingerprint(fresh.evaluate_entity(fmt::format("V{:04}", i), "2026-06-30")) != expected_one[static_cast<std::size_t>(i / 7)])
            ++mismatches;
        if (t % 4 == round % 4 && fingerprint(fresh.evaluate("2026-06-30")) != expected_all) ++mismatches;
        fresh.evaluate_entity("S0001", round % 2 ? "2026-06-30" : "2025-06-30");  // several as-of dates at once
      }
    });
  for (auto& thread : threads) thread.join();
  CHECK(mismatches == 0);
}

// A whole evaluation computes closures on every thread at once, each claiming the ones it needs
// (2,000 vendors); one entity at a time computes them on one thread.
TEST_CASE("threads evaluating the whole portfolio find what one entity at a time finds", "[threads]") {
  vigil::Engine engine;
  portfolio(engine, 2000);
  std::string whole;
  for (const auto& f : engine.evaluate("2026-06-30").findings)
    if (f.rule == "CONC" || f.rule == "SERVICE") whole += f.rule + "/" + f.entity.value_or("-") + "/" + f.message + "\n";
  vigil::Engine single;
  portfolio(single, 2000);
  std::string one_by_one;
  for (const char* prefix : {"V", "S"})
    for (int i = 0; i < (*prefix == 'V' ? 2000 : 1000); ++i)
      for (const auto& f : single.evaluate_entity(fmt::format("{}{:04}", prefix, i), "2026-06-30").findings)
        if (f.rule == "CONC" || f.rule == "SERVICE") one_by_one += f.rule + "/" + f.entity.value_or("-") + "/" + f.message + "\n";
  CHECK(whole.size() > 1000);
  CHECK(whole == one_by_one);
}

TEST_CASE("changing the engine while evaluations run is refused", "[threads]") {
  vigil::Engine engine;
  portfolio(engine, 2000);
  std::atomic<bool> done{false};
  std::thread evaluating([&] {
    for (int i = 0; i < 20; ++i) engine.evaluate("2026-06-30");
    done = true;
  });
  int refused = 0, attempts = 0;
  std::string message;
  while (!done) {
    try {
      engine.add_entity(fmt::format("X{}", attempts++), "vendor");
    } catch (const vigil::Error& error) {
      message = error.what();
      ++refused;
    }
  }
  CHECK(message == "vigil::Engine: rules and facts cannot change while evaluations run");
  evaluating.join();
  CHECK(refused > 0);
  CHECK_NOTHROW(engine.add_entity("after", "vendor"));  // allowed again once evaluations are done
}
