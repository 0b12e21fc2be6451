// A nightly run as a library call: evaluate the rules over the stored facts,
// hand the findings to the caller's output, store the run with its findings,
// and compare it with the run stored before. `vigil run` is argument parsing
// plus these two calls; an embedder that keeps history calls them too.
#pragma once

#include <cstdint>
#include <functional>
#include <future>
#include <optional>
#include <string>
#include <vector>

#include "dsl/rule_set.hpp"
#include "engine/eval/acceptance.hpp"
#include "engine/eval/evaluator.hpp"
#include "engine/store/database.hpp"
#include "engine/store/run_diff.hpp"

namespace vigil {

// The stored facts and the rules compiled against their schema (so that
// rules.warnings names unknown attributes and kinds). Throws RuleError.
// Which rules a run evaluates, and whose a finding is.
struct RunSelection {
  std::vector<std::string> tags;  // only rules carrying one of these (none: every rule)
  std::string owner_attribute = kDefaultOwnerAttribute;
};

struct RunInputs {
  Portfolio portfolio;
  RuleSet rules;  // rules.warnings also names waivers for rules that are not loaded
  std::string owner_attribute;
  // The fingerprint of all stored facts, computed on a connection of its own
  // while the facts load (a full scan, so it runs beside the loading).
  std::shared_future<std::string> facts_hash;
};
RunInputs load_run_inputs(Database& db, const std::vector<std::string>& rule_paths, const RunSelection& selection = {});

struct RunSettings {
  Date as_of;
  bool store = true;
  bool evidence = true;  // off: the findings carry no evidence, unless the run is stored
  unsigned threads = 0;  // 0: one per core
  std::function<void(std::size_t done, std::size_t total)> progress;  // slices of work evaluated
  // The caller's process exits right after the run (the command line): the
  // evaluator's memory (the graph's closures, hundreds of thousands of lists at
  // 100,000 vendors) is left to the operating system instead of being freed
  // one list at a time, which took a tenth of a second on one thread.
  bool process_exits_after = false;
};

struct RunOutcome {
  EvaluationResult result;             // annotated: title, tags, owner, status, waiver
  ChangeCounts changes;                // against each rule's latest stored run
  std::optional<std::int64_t> run_id;  // when stored
};

// Evaluates, calls `publish` with the result (writing the output), and only
// then stores the run: when publishing throws, nothing is stored and the next
// run still sees these findings as new.
RunOutcome execute_run(Database& db, const RunInputs& inputs, const RunSettings& settings,
                       const std::function<void(const EvaluationResult&)>& publish = {});

}  // namespace vigil
