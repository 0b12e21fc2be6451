#include "engine/store/run_service.hpp"

#include <chrono>
#include <memory>
#include <mutex>

#include <spdlog/spdlog.h>

#include "engine/store/fact_snapshot.hpp"
#include "engine/store/fact_store.hpp"
#include "engine/store/fingerprint.hpp"
#include "engine/store/run_store.hpp"

namespace vigil {
namespace {

// Keeps `object` until the process exits, without ever freeing it. It stays
// reachable from a global, so leak checkers do not report it.
template <class T>
void leave_to_exit(std::unique_ptr<T> object) {
  static std::mutex guard;
  static auto* kept = new std::vector<std::unique_ptr<T>>;  // never freed, on purpose
  std::lock_guard lock(guard);
  kept->push_back(std::move(object));
}

// Logs how long each phase took, for --verbose.
class PhaseTimer {
 public:
  void done(const char* phase) {
    auto now = std::chrono::steady_clock::now();
    spdlog::debug("{}: {:.2f} s", phase, std::chrono::duration<double>(now - last_).count());
    last_ = now;
  }

 private:
  std::chrono::steady_clock::time_point last_ = std::chrono::steady_clock::now();
};

}  // namespace

RunInputs load_run_inputs(Database& db, const std::vector<std::string>& rule_paths, const RunSelection& selection) {
  PhaseTimer timer;
  // What the rules read decides what is loaded; it is known once they parse
  // (checking needs the facts' schema, so it comes after loading).
  ParsedRules parsed = parse_rules(read_rule_sources(rule_paths));
  if (!parsed.errors.empty()) {
    Schema schema = load_schema(db);  // every file's errors at once, the checker's too
    check_parsed_rules(std::move(parsed), &schema);  // throws: there are syntax errors
  }
  FactNeeds needs = fact_needs(parsed.files);
  needs.attributes.insert(selection.owner_attribute);
  timer.done("read rules");
  // The facts' hash: the snapshot's, or else read from the tables on a second connection (WAL),
  // while the first loads them.
  auto hash_tables = [path = db.path()] {
    return std::async(std::launch::async, [path] {
      Database reader(path, OpenMode::must_exist);
      return facts_fingerprint(reader);
    }).share();
  };
  std::shared_future<std::string> facts_hash;
  if (!has_fact_snapshot(db)) facts_hash = hash_tables();
  std::string snapshot_fingerprint;
  Portfolio portfolio = load_portfolio(db, &needs, &snapshot_fingerprint);
  if (!snapshot_fingerprint.empty()) {
    std::promise<std::string> known;
    known.set_value(snapshot_fingerprint);
    facts_hash = known.get_future().share();
  } else if (!facts_hash.valid()) {  // the snapshot was damaged, or emptied since
    facts_hash = hash_tables();
  }
  RunInputs inputs{std::move(portfolio), {}, selection.owner_attribute, facts_hash};
  timer.done("load facts");
  Schema schema = inputs.portfolio.schema();
  inputs.rules = check_parsed_rules(std::move(parsed), &schema);
  for (auto& warning : waiver_warnings(inputs.portfolio, inputs.rules)) inputs.rules.warnings.push_back(std::move(warning));
  if (!selection.tags.empty()) keep_rules_tagged(inputs.rules, selection.tags);
  spdlog::debug("loaded {} entities ({} attributes{}) and {} rules", inputs.portfolio.entity_count(),
                needs.attributes.size(), needs.graph ? ", edges" : "", inputs.rules.rule_count());
  timer.done("compile rules");
  return inputs;
}

RunOutcome execute_run(Database& db, const RunInputs& inputs, const RunSettings& settings,
                       const std::function<void(const EvaluationResult&)>& publish) {
  PhaseTimer timer;
  RunRecord run;
  run.started_at = utc_timestamp();
  run.as_of = format_date(settings.as_of);
  RunOutcome outcome;
  auto evaluator = std::make_unique<Evaluator>(inputs.rules, inputs.portfolio, settings.as_of);
  evaluator->set_evidence(settings.evidence || settings.store);
  outcome.result = evaluator->evaluate_all(settings.threads, settings.progress, [&](std::vector<Finding>& findings) {
    annotate_findings(findings, inputs.rules, inputs.portfolio, settings.as_of, inputs.owner_attribute);
  });
  timer.done("evaluate");

  std::vector<std::string> ids;
  for (const Rule* rule : inputs.rules.rules()) {
    run.rules.push_back({rule->id, rule_fingerprint(inputs.rules, *rule), rule->title.value_or(""), rule->tags});
    ids.push_back(rule->id);
  }
  RuleHistory history = rule_history(db, ids);
  outcome.changes = count_changes(history, ids, outcome.result.findings);
  run.finished_at = utc_timestamp();
  run.rules_hash = rules_fingerprint(inputs.rules);
  run.facts_hash = inputs.facts_hash.valid() ? inputs.facts_hash.get() : facts_fingerprint(db);
  timer.done("fingerprint the facts and compare with the last run");
  run.entity_count = inputs.portfolio.entity_count();

  if (publish) publish(outcome.result);
  timer.done("write findings");
  if (settings.store) outcome.run_id = store_run(db, run, outcome.result, &history);
  timer.done("store the run");
  if (settings.process_exits_after) leave_to_exit(std::move(evaluator));
  return outcome;
}

}  // namespace vigil
