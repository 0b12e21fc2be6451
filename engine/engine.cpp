#include <vigil/engine.hpp>

#include <map>
#include <mutex>
#include <shared_mutex>

#include "dsl/calendar.hpp"
#include "dsl/rule_set.hpp"
#include "engine/store/database.hpp"
#include "engine/eval/acceptance.hpp"
#include "engine/eval/evaluator.hpp"
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

  // Changes are refused while evaluations run (the evaluators read the
  // portfolio without locks); the returned lock keeps evaluations out until the change is done.
  std::unique_lock<std::shared_mutex> change() {
    std::unique_lock lock(state, std::try_to_lock);
    if (!lock) throw Error("vigil::Engine: rules and facts cannot change while evaluations run");
    rules.reset();
    evaluators.clear();
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
    if (!slot) slot = std::make_unique<Evaluator>(*rules, portfolio, date);
    return *slot;
  }

  // Findings as every output shows them: title, tags, owner, waiver status.
  EvaluationResult annotated(EvaluationResult result, Date date) const {
    annotate_findings(result.findings, *rules, portfolio, date, owner_attribute);
    return result;
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
  return impl_->annotated(impl_->evaluator(date).evaluate_all(), date);
}

EvaluationResult Engine::evaluate_entity(const std::string& id, const std::string& as_of) const {
  std::shared_lock reading(impl_->state);
  EntityIndex entity = impl_->entity(id);
  Date date = Impl::date_of(as_of);
  return impl_->annotated(impl_->evaluator(date).evaluate_entity(entity), date);
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

}  // namespace vigil
