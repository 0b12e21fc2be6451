#include <vigil/engine.hpp>

#include <condition_variable>
#include <map>
#include <set>
#include <mutex>
#include <shared_mutex>
#include <thread>

#include "dsl/calendar.hpp"
#include "dsl/rule_set.hpp"
#include "engine/store/database.hpp"
#include "engine/eval/acceptance.hpp"
#include "engine/eval/evaluator.hpp"
#include "engine/eval/overlay_scope.hpp"
#include "engine/facts/import_error.hpp"
#include "engine/facts/portfolio_import.hpp"
#include "engine/store/fact_store.hpp"

namespace vigil {

struct Engine::Impl {
  std::vector<SourcePtr> sources;
  Portfolio portfolio;

  // Built on first evaluation after a change, under `prepare_mutex`.
  mutable std::mutex prepare_mutex;
  mutable std::unique_ptr<RuleSet> rules;
  mutable std::map<Date, std::unique_ptr<Evaluator>> evaluators;  // one per as-of date (constants depend on it)
  // Held shared by every evaluation, exclusively by every change.
  mutable std::shared_mutex state;

  // Overlay copies of the portfolio kept for the next overlays, each used by
  // one overlay at a time and rolled back after it: making a copy copies
  // every column and edge (most of an overlay's time at 100,000 vendors).
  // At most one per core: more overlays at once would only share the cores
  // (and hold a copy of the portfolio each), so they wait for a copy.
  struct OverlayCopy {
    std::unique_ptr<Portfolio> portfolio;
    Portfolio::Mark as_made;
  };
  mutable std::mutex copies_mutex;
  mutable std::condition_variable copy_given_back;
  mutable std::vector<OverlayCopy> idle_copies;
  mutable std::size_t copies_made = 0;
  const std::size_t max_copies = std::max(2u, std::thread::hardware_concurrency());

  // Overlays in flight (holding a copy). One alone has the cores; several at
  // once (a service's concurrent requests) each take one thread, as starting
  // a second only makes them wait for each other.
  unsigned overlay_threads() const {
    std::lock_guard lock(copies_mutex);
    return copies_made - idle_copies.size() > 1 ? 1 : 0;
  }

  OverlayCopy take_copy() const {
    {
      std::unique_lock lock(copies_mutex);
      copy_given_back.wait(lock, [&] { return !idle_copies.empty() || copies_made < max_copies; });
      if (!idle_copies.empty()) {
        OverlayCopy copy = std::move(idle_copies.back());
        idle_copies.pop_back();
        return copy;
      }
      ++copies_made;
    }
    try {
      auto made = std::make_unique<Portfolio>(portfolio.overlay_copy());
      Portfolio::Mark as_made = made->mark();
      return {std::move(made), std::move(as_made)};
    } catch (...) {
      forget_copy();
      throw;
    }
  }

  void give_back(OverlayCopy copy) const {
    try {
      copy.portfolio->roll_back(copy.as_made);
    } catch (...) {  // out of memory: the copy is dropped, not kept half rolled back
      forget_copy();
      return;
    }
    std::lock_guard lock(copies_mutex);
    idle_copies.push_back(std::move(copy));
    copy_given_back.notify_one();
  }

  void forget_copy() const {
    std::lock_guard lock(copies_mutex);
    --copies_made;
    copy_given_back.notify_one();
  }

  // A copy for one overlay, given back however the overlay's evaluation ends.
  class LeasedCopy {
   public:
    explicit LeasedCopy(const Impl& impl) : impl_(impl), copy_(impl.take_copy()) {}
    ~LeasedCopy() { impl_.give_back(std::move(copy_)); }
    LeasedCopy(const LeasedCopy&) = delete;
    LeasedCopy& operator=(const LeasedCopy&) = delete;
    Portfolio& portfolio() { return *copy_.portfolio; }

   private:
    const Impl& impl_;
    OverlayCopy copy_;
  };

  // Changes are refused while evaluations run (the evaluators read the
  // portfolio without locks); the returned lock keeps evaluations out until the change is done.
  std::unique_lock<std::shared_mutex> change() {
    std::unique_lock lock(state, std::try_to_lock);
    if (!lock) throw Error("vigil::Engine: rules and facts cannot change while evaluations run");
    rules.reset();
    evaluators.clear();
    base_results.clear();
    std::lock_guard copies(copies_mutex);
    idle_copies.clear();  // copies of the portfolio as it was (no overlay holds one: they hold `state`)
    copies_made = 0;
    return lock;
  }

  void compile_locked() const {
    if (rules) return;
    Schema schema = portfolio.schema();
    rules = std::make_unique<RuleSet>(compile_rules(sources, &schema));
  }

  static Date date_of(const std::string& as_of) {
    if (as_of.empty()) return local_today();
    auto parsed = parse_iso_date(as_of);
    if (!parsed) throw Error(explain_invalid_date(as_of));
    return *parsed;
  }

  const Evaluator& evaluator(Date date) const {
    std::lock_guard lock(prepare_mutex);
    compile_locked();
    auto& slot = evaluators[date];
    if (!slot) slot = std::make_unique<Evaluator>(*rules, portfolio, date, Evaluator::Overlays::kept);
    return *slot;
  }

  // The whole portfolio's annotated result per date, the reference an overlay is compared with.
  mutable std::map<Date, BaseKeys> base_results;
  const BaseKeys& base_result(Date date) const {
    const Evaluator& ready = evaluator(date);
    std::lock_guard lock(prepare_mutex);
    auto found = base_results.find(date);
    if (found == base_results.end())
      found = base_results.emplace(date, BaseKeys(ready.evaluate_all(0, {}, annotation(date)))).first;
    return found->second;
  }

  // Findings as every output shows them: title, tags, owner, waiver status.
  Evaluator::Finish annotation(Date date) const {
    return [this, date](std::vector<Finding>& findings) {
      annotate_findings(findings, *rules, portfolio, date, owner_attribute);
    };
  }

  std::string owner_attribute = kDefaultOwnerAttribute;

  EntityIndex entity(const std::string& id) const {
    auto found = portfolio.find(id);
    if (!found) throw Error(fmt::format("no entity has the id '{}'", id));
    return *found;
  }

  void set(const std::string& id, const std::string& attribute, const Value& value) {
    auto lock = change();
    portfolio.set_attribute(entity(id), attribute, value);
  }
};

Engine::Engine() : impl_(std::make_unique<Impl>()) {}
Engine::~Engine() = default;

void Engine::add_rules(const std::string& name, const std::string& text) {
  auto lock = impl_->change();
  impl_->sources.push_back(std::make_shared<SourceFile>(name, text));
}

void Engine::add_rules_from(const std::string& path) {
  auto lock = impl_->change();
  for (const auto& file : expand_rule_paths({path})) impl_->sources.push_back(read_source_file(file));
}

void Engine::replace_rules(const std::vector<std::pair<std::string, std::string>>& sources) {
  auto lock = impl_->change();
  std::vector<SourcePtr> replacement;
  for (const auto& [name, text] : sources) replacement.push_back(std::make_shared<SourceFile>(name, text));
  Schema schema = impl_->portfolio.schema();
  compile_rules(replacement, &schema);  // throws RuleError: the old rules stay
  impl_->sources = std::move(replacement);
}

void Engine::load_facts_json(const std::string& json, const std::string& name) {
  auto lock = impl_->change();
  try {
    impl_->portfolio = parse_portfolio_json(name, json);
  } catch (const ImportError& error) {
    throw Error(error.what());
  }
}

void Engine::load_database(const std::string& path) {
  auto lock = impl_->change();
  Database db(path, OpenMode::must_exist);
  impl_->portfolio = load_portfolio(db);
}

void Engine::add_entity(const std::string& id, const std::string& kind) {
  auto lock = impl_->change();
  impl_->portfolio.add_entity(id, impl_->portfolio.declare_kind(kind));
}

void Engine::set_number(const std::string& entity, const std::string& attribute, double value) {
  impl_->set(entity, attribute, Value::number(value));
}
void Engine::set_string(const std::string& entity, const std::string& attribute, const std::string& value) {
  impl_->set(entity, attribute, Value::string_view(value));  // copied into the portfolio's pool
}
void Engine::set_bool(const std::string& entity, const std::string& attribute, bool value) {
  impl_->set(entity, attribute, Value::boolean(value));
}
void Engine::set_date(const std::string& entity, const std::string& attribute, const std::string& iso_date) {
  auto date = parse_iso_date(iso_date);
  if (!date) throw Error(explain_invalid_date(iso_date));
  impl_->set(entity, attribute, Value::date(*date));
}

void Engine::add_edge(const std::string& from, const std::string& to, const std::string& kind) {
  auto lock = impl_->change();
  impl_->portfolio.add_edge(impl_->entity(from), impl_->entity(to), kind);
}

std::vector<Diagnostic> Engine::check() {
  std::shared_lock reading(impl_->state);
  std::lock_guard lock(impl_->prepare_mutex);
  impl_->compile_locked();
  return impl_->rules->warnings;
}

EvaluationResult Engine::evaluate(const std::string& as_of) const {
  std::shared_lock reading(impl_->state);
  Date date = Impl::date_of(as_of);
  return impl_->evaluator(date).evaluate_all(0, {}, impl_->annotation(date));
}

EvaluationResult Engine::evaluate_entity(const std::string& id, const std::string& as_of) const {
  std::shared_lock reading(impl_->state);
  EntityIndex entity = impl_->entity(id);
  Date date = Impl::date_of(as_of);
  EvaluationResult result = impl_->evaluator(date).evaluate_entity(entity);
  impl_->annotation(date)(result.findings);
  return result;
}

EvaluationResult Engine::evaluate_overlay(const std::string& overlay_json, const std::string& as_of) const {
  std::shared_lock reading(impl_->state);
  Date date = Impl::date_of(as_of);
  const BaseKeys& base = impl_->base_result(date);
  Impl::LeasedCopy copy(*impl_);  // given back after the evaluator that reads it
  Portfolio& overlaid = copy.portfolio();
  std::vector<EntityIndex> overlay_entities;
  try {
    overlay_entities = lay_overlay_json(overlaid, impl_->portfolio, "<overlay>", overlay_json);
  } catch (const ImportError& error) {
    throw Error(error.what());
  }
  std::set<std::string> overlay_ids;
  for (EntityIndex e : overlay_entities) overlay_ids.insert(overlaid.id(e));
  // Only what the overlay can change is evaluated again; the rest is as the
  // base evaluation has it. The overlaid graph answers from the base
  // evaluation's graph wherever the overlay cannot change the answer.
  std::size_t base_edges = impl_->portfolio.edges().size();
  Evaluator evaluator(*impl_->rules, overlaid, date, impl_->evaluator(date), base_edges, overlay_entities);
  auto scopes = overlay_scopes(*impl_->rules, overlaid, overlay_entities, base_edges, evaluator.graph());
  add_waived_subjects(scopes, *impl_->rules, overlaid, impl_->portfolio.waivers.size());
  bool waivers_as_loaded = overlaid.waivers.size() == impl_->portfolio.waivers.size();
  return overlay_answer(evaluator, *impl_->rules, scopes, base, overlay_ids, waivers_as_loaded, impl_->overlay_threads(),
                        [&](std::vector<Finding>& findings) {
    annotate_findings(findings, *impl_->rules, overlaid, date, impl_->owner_attribute);
  });
}

void Engine::add_waiver(const Waiver& waiver) {
  auto lock = impl_->change();
  if (!parse_iso_date(waiver.expires)) throw Error("waiver: " + explain_invalid_date(waiver.expires));
  if (waiver.rule.empty() || waiver.entity.empty() || waiver.owner.empty() || waiver.reason.empty())
    throw Error("waiver: rule, entity, owner and reason are required");
  impl_->portfolio.waivers.push_back(waiver);
}

void Engine::set_owner_attribute(const std::string& name) {
  auto lock = impl_->change();
  impl_->owner_attribute = name;
}

std::size_t Engine::entity_count() const {
  std::shared_lock reading(impl_->state);
  return impl_->portfolio.entity_count();
}

std::size_t Engine::rule_count() const {
  std::shared_lock reading(impl_->state);
  std::lock_guard lock(impl_->prepare_mutex);
  impl_->compile_locked();
  return impl_->rules->rule_count();
}

std::vector<RuleInfo> Engine::rules() const {
  std::shared_lock reading(impl_->state);
  std::lock_guard lock(impl_->prepare_mutex);
  impl_->compile_locked();
  std::vector<RuleInfo> out;
  for (const Rule* rule : impl_->rules->rules())
    out.push_back({rule->id, rule->title.value_or(""), rule->severity ? severity_name(*rule->severity) : "computed",
                   rule->tags, impl_->rules->file_of(*rule).source->path()});
  return out;
}

}  // namespace vigil
