// vigil::Engine: rules and a portfolio, evaluated on demand, from any thread.
//
// Build it (rules from strings or files; facts from a Vigil database or added
// through the API), then evaluate everything or one entity. Evaluation is
// const and safe from many threads at once. Changing rules or facts while an
// evaluation runs is not allowed: the engine checks, and throws vigil::Error.
// Errors are exceptions carrying the same diagnostics as the vigil command.
#pragma once

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include <vigil/diagnostic.hpp>
#include <vigil/finding.hpp>

namespace vigil {

// A loaded rule, as `vigil serve`'s /v1/rules lists it.
struct RuleInfo {
  std::string id;
  std::string title;     // "" when the rule has none
  std::string severity;  // "info" ... "critical", or "computed" for `severity EXPR`
  std::vector<std::string> tags;
  std::string file;      // the name its text was given (a path, or add_rules' name)
};

class Engine {
 public:
  Engine();
  ~Engine();
  Engine(const Engine&) = delete;
  Engine& operator=(const Engine&) = delete;

  // Rules. `name` names the text in diagnostics (`name:line:col: error: ...`).
  void add_rules(const std::string& name, const std::string& text);
  void add_rules_from(const std::string& path);  // a .vigil file, or a directory of them
  // Every rule replaced at once by these (name, text) sources. They are
  // compiled first: with an error, RuleError is thrown and the old rules stay.
  void replace_rules(const std::vector<std::pair<std::string, std::string>>& sources);

  // Facts: a database written by `vigil import` (or by a procurement system, docs/schema.md)
  // replaces the portfolio; the calls below add to it. Attribute types are fixed by their first value.
  void load_database(const std::string& path);
  // A portfolio JSON document (CONTRACT section 1) replaces the portfolio; bad
  // input throws Error naming `name:line`, and the portfolio stays as it was.
  void load_facts_json(const std::string& json, const std::string& name = "<facts>");
  void add_entity(const std::string& id, const std::string& kind);
  void set_number(const std::string& entity, const std::string& attribute, double value);
  void set_string(const std::string& entity, const std::string& attribute, const std::string& value);
  void set_bool(const std::string& entity, const std::string& attribute, bool value);
  void set_date(const std::string& entity, const std::string& attribute, const std::string& iso_date);
  void add_edge(const std::string& from, const std::string& to, const std::string& kind);
  // Risk acceptances (a database brings its own). Throws Error when a required field is empty or `expires` is no date.
  void add_waiver(const Waiver& waiver);
  // The entity attribute whose value is each finding's "owner" (default `risk_owner`).
  void set_owner_attribute(const std::string& name);

  // Checks the rules against the portfolio (throws RuleError with every
  // error) and returns the warnings. Evaluation does this when needed.
  std::vector<Diagnostic> check();

  // `as_of` is YYYY-MM-DD; empty means today. Results are sorted by rule id, then entity id;
  // findings carry their rule's title and tags, their owner, and a status (accepted under a current waiver).
  EvaluationResult evaluate(const std::string& as_of = "") const;
  // The rules for that entity's kind, for that entity only (throws Error for an unknown id).
  EvaluationResult evaluate_entity(const std::string& id, const std::string& as_of = "") const;
  // The portfolio with `overlay_json` (a portfolio JSON document: a candidate
  // vendor and its edges, say) laid over it, for this call only; the engine
  // does not change. An overlay entity replaces a loaded entity of the same id
  // entirely; an edge already loaded is ignored. Returns the findings of the
  // overlay's entities, plus every finding of other entities or portfolio
  // rules that the overlay adds or changes (and the errors of the same).
  // Overlays run side by side, at most one per core (the engine keeps a copy
  // of the portfolio for each to lay it over); more wait for one to end.
  EvaluationResult evaluate_overlay(const std::string& overlay_json, const std::string& as_of = "") const;

  std::size_t entity_count() const;
  std::size_t rule_count() const;
  // Every rule, sorted by id (compiles the rules: throws RuleError).
  std::vector<RuleInfo> rules() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace vigil
