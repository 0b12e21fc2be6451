#include <sstream>
#include <iostream>
#include <set>

#include "cli/command_line.hpp"
#include "cli/commands.hpp"
#include "dsl/functions.hpp"
#include "dsl/rule_set.hpp"
#include "engine/eval/evaluator.hpp"
#include "engine/store/fact_store.hpp"
#include "engine/facts/value_format.hpp"

namespace vigil::cli {
namespace {

constexpr std::size_t kTextWidth = 56;

std::string source_text(const RuleFile& file, const Expr& node) {
  std::string text = file.source->text().substr(node.span.begin, node.span.end - node.span.begin);
  for (auto& c : text)
    if (c == '\n' || c == '\r') c = ' ';
  std::string squeezed;  // multi-line expressions on one line
  for (char c : text)
    if (!(c == ' ' && !squeezed.empty() && squeezed.back() == ' ')) squeezed += c;
  return squeezed.size() > kTextWidth ? squeezed.substr(0, kTextWidth - 3) + "..." : squeezed;
}

std::string shown(const Value& value, const Portfolio& portfolio) {
  return value.is_missing() ? "missing" : json_text(value_to_json(value, portfolio, 10));
}

bool is_literal(const Expr& node) {
  switch (node.kind) {
    case ExprKind::number:
    case ExprKind::string:
    case ExprKind::boolean:
    case ExprKind::date:
    case ExprKind::duration:
    case ExprKind::interpolation: return true;
    default: return false;
  }
}

using Values = std::vector<Evaluator::NodeValue>;

constexpr std::size_t kDecidingShown = 10;

// How the elements that decided an aggregate are introduced, by function.
struct DecidingWords {
  Function function;
  std::string_view some;  // elements decided it
  std::string_view none;  // no element did
};
constexpr DecidingWords kDecidingWords[] = {
    {Function::count, "counted", "none passed `where`"},
    {Function::sum, "summed", "none passed `where`"},
    {Function::list, "listed", "none passed `where`"},
    {Function::min, "the smallest", "none passed `where`"},
    {Function::max, "the largest", "none passed `where`"},
    {Function::any, "true because of", "no element matched"},
    {Function::all, "false because of", "every element matched"},
};

// "S01, S02" or, when the element is an expression of the item,
// "V001: 1200000, V002: 800000"; at most kDecidingShown, then how many more.
std::string deciding_line(const Evaluator::NodeValue& v, const Portfolio& portfolio) {
  auto function = static_cast<Function>(v.node->function);
  auto words = std::find_if(std::begin(kDecidingWords), std::end(kDecidingWords),
                            [&](const auto& w) { return w.function == function; });
  if (words == std::end(kDecidingWords)) return {};
  if (v.deciding.empty()) return std::string(words->none);
  std::string items;
  for (std::size_t i = 0; i < std::min(v.deciding.size(), kDecidingShown); ++i) {
    const auto& [item, element] = v.deciding[i];
    items += (i ? ", " : "") + display_value(item, portfolio);
    if (v.node->element && !same_value(element, item)) items += ": " + shown(element, portfolio);
  }
  if (v.deciding.size() > kDecidingShown) items += fmt::format(" and {} more", v.deciding.size() - kDecidingShown);
  return fmt::format("{} ({}): {}", words->some, v.deciding.size(), items);
}

const Evaluator::NodeValue* value_of(const Values& values, const Expr& node) {
  for (const auto& v : values)
    if (v.node == &node) return &v;
  return nullptr;
}

// The sub-condition that decided a false `when`: the first false operand of an `and`, recursively.
const Expr& deciding_condition(const Values& values, const Expr& node) {
  if (node.kind == ExprKind::binary && node.op == Op::and_)
    for (const auto& operand : node.args)
      if (auto v = value_of(values, *operand); v && v->value.is(ValueType::boolean) && !v->value.as_bool())
        return deciding_condition(values, *operand);
  return node;
}

std::string verdict(const Evaluator::Explanation& x, const Rule& rule, const RuleFile& file, const Portfolio& p) {
  if (!x.result.errors.empty()) {
    const auto& e = x.result.errors.front();
    return fmt::format("EVALUATION ERROR: {}{} ({})", e.message, e.attribute.empty() ? "" : " [attribute " + e.attribute + "]",
                       e.location);
  }
  if (!x.result.findings.empty()) return "FIRES: " + x.result.findings.front().message;
  auto when = value_of(x.values, *rule.when);
  if (when && when->value.is_missing()) {
    std::set<std::string> missing;
    for (const auto& v : x.values)
      if (v.node->kind == ExprKind::member && v.value.is_missing()) missing.insert(source_text(file, *v.node));
    std::string names;
    for (const auto& name : missing) names += (names.empty() ? "" : ", ") + name;
    return "DOES NOT FIRE: the condition is missing (unknown), because of missing values" +
           (names.empty() ? std::string() : ": " + names);
  }
  const Expr& decided = deciding_condition(x.values, *rule.when);
  return fmt::format("DOES NOT FIRE: `{}` is false", source_text(file, decided));
  (void)p;
}

}  // namespace

// What `vigil explain` prints for one rule and one entity (or `portfolio`, or a `for each` value).
std::string explanation_text(const RuleSet& rules, const Portfolio& portfolio, const std::string& rule_id,
                             const std::string& entity_id, Date as_of) {
  const Rule* rule = rules.find_rule(rule_id);
  if (!rule) {
    std::vector<std::string> ids;
    for (const Rule* r : rules.rules()) ids.push_back(r->id);
    throw Error(fmt::format("no rule '{}' in the given rules{}", rule_id, did_you_mean(rule_id, ids)));
  }
  Evaluator evaluator(rules, portfolio, as_of);
  std::optional<EntityIndex> entity;
  std::optional<std::string_view> each_subject;
  if (rule->each_collection) {
    auto subjects = evaluator.each_subjects(*rule);
    if (std::find(subjects.begin(), subjects.end(), entity_id) == subjects.end())
      throw Error(fmt::format("rule {} goes over each value of its list; '{}' is not one of them{}", rule_id, entity_id,
                              did_you_mean(entity_id, subjects)));
    each_subject = entity_id;
  } else if (rule->for_portfolio) {
    if (entity_id != "portfolio" && entity_id != "-")
      throw Error(fmt::format("rule {} is a portfolio rule: give 'portfolio' (or '-') as the entity", rule_id));
  } else {
    entity = portfolio.find(entity_id);
    if (!entity) throw Error(fmt::format("no entity has the id '{}'", entity_id));
    if (portfolio.kind_name(*entity) != rule->for_kind)
      throw Error(fmt::format("rule {} is for {} entities, but {} is a {}", rule_id, rule->for_kind, entity_id,
                              portfolio.kind_name(*entity)));
  }
  auto explanation = evaluator.explain(*rule, entity, each_subject);
  const RuleFile& file = rules.file_of(*rule);

  std::ostringstream out;
  Value name = entity ? portfolio.attribute(*entity, "name") : Value();
  std::string subject = entity         ? rule->for_kind + " " + entity_id
                        : each_subject ? rule->variable + " " + entity_id
                                       : "the portfolio";
  out << fmt::format("{}{} for {}{}, as of {}\n", rule->id, rule->title ? " \"" + *rule->title + "\"" : "", subject,
                     name.is(ValueType::string) ? " (" + std::string(name.as_string()) + ")" : "", format_date(as_of));
  out << verdict(explanation, *rule, file, portfolio) << "\n\n";
  auto where = file.source->locate(rule->span.begin);
  auto last = file.source->locate(rule->span.end);
  for (int line = where.line; line <= last.line; ++line)
    out << fmt::format("{:>5} | {}\n", line, file.source->line_text(line));
  out << "\nvalues:\n";
  for (const auto& v : explanation.values) {
    bool entity_variable = v.node->kind == ExprKind::variable && v.value.is(ValueType::entity);
    if (is_literal(*v.node) || entity_variable) continue;
    std::string times = v.times > 1 ? fmt::format("   (evaluated {} times, for each element; the last shown)", v.times) : "";
    out << fmt::format("  {:<{}}  {}{}\n", source_text(file, *v.node), kTextWidth, shown(v.value, portfolio), times);
    if (v.node->kind == ExprKind::aggregate && v.times > 0)
      if (auto line = deciding_line(v, portfolio); !line.empty()) out << fmt::format("  {:<{}}    {}\n", "", kTextWidth, line);
  }
  for (const auto& let : rule->lets)
    if (!value_of(explanation.values, *let.value))
      out << fmt::format("  {:<{}}  not evaluated: the decision did not need it\n", "let " + let.name, kTextWidth);
  return out.str();
}

// vigil explain --db DB --rules RULES... RULE_ID ENTITY_ID [--as-of DATE]
int explain_command(const Args& args) {
  Arguments arguments(args, options_of("explain"));
  apply_log_options(arguments);
  // `--rules RULES... RULE_ID ENTITY_ID`: the last two values after --rules
  // are the rule and the entity, unless they were given before the options.
  auto rule_paths = arguments.values("rules");
  auto positionals = arguments.positionals();
  while (positionals.size() < 2 && rule_paths.size() > 1) {
    positionals.insert(positionals.begin(), rule_paths.back());
    rule_paths.pop_back();
  }
  if (rule_paths.empty()) throw UsageError("missing required option '--rules'");
  if (positionals.size() != 2) throw UsageError("explain takes a RULE_ID and an ENTITY_ID");
  const std::string rule_id = positionals[0];
  const std::string entity_id = positionals[1];
  Date as_of = as_of_option(arguments);
  Database db(arguments.required("db"), OpenMode::must_exist);
  Portfolio portfolio = load_portfolio(db);
  Schema schema = portfolio.schema();
  RuleSet rules = load_rules(rule_paths, &schema);
  std::cout << explanation_text(rules, portfolio, rule_id, entity_id, as_of);
  return kExitOk;
}

}  // namespace vigil::cli
