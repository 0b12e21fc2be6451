#include "dsl/checker.hpp"

#include <algorithm>
#include <map>
#include <optional>
#include <set>

#include "dsl/functions.hpp"

namespace vigil {
namespace {

// What the checker knows of a value before evaluation. An unknown type
// (attributes, without a schema) never produces an error: only certain
// mistakes are reported.
struct StaticType {
  std::optional<ValueType> type;
  std::optional<ValueType> element;  // for lists
  std::string kind;                  // for entities and lists of entities, when known

  static StaticType unknown() { return {}; }
  static StaticType of(ValueType type) { return {type, std::nullopt, {}}; }
  static StaticType list_of(StaticType element) {
    return {ValueType::list, element.type, element.kind};
  }
  static StaticType entity(std::string kind) { return {ValueType::entity, std::nullopt, std::move(kind)}; }
  bool is(ValueType t) const { return type && *type == t; }
  bool known() const { return type.has_value(); }
  StaticType element_type() const { return {element, std::nullopt, kind}; }
};

struct Symbol {
  std::string name;
  Binding binding;
  int slot;
  StaticType type;
};

// The value of a condition made of literals only: always true, always false, or not constant.
std::optional<bool> constant_truth(const Expr& e) {
  auto literal_order = [](const Expr& a, const Expr& b) -> std::optional<std::partial_ordering> {
    if (a.kind != b.kind) return std::nullopt;
    switch (a.kind) {
      case ExprKind::number: return a.number_value <=> b.number_value;
      case ExprKind::string: return a.text.compare(b.text) <=> 0;
      case ExprKind::boolean: return a.bool_value <=> b.bool_value;
      case ExprKind::date: return a.date_value <=> b.date_value;
      case ExprKind::duration: return compare(a.duration_value, b.duration_value);
      default: return std::nullopt;
    }
  };
  switch (e.kind) {
    case ExprKind::boolean: return e.bool_value;
    case ExprKind::unary:
      if (e.op == Op::not_)
        if (auto inner = constant_truth(*e.args[0])) return !*inner;
      return std::nullopt;
    case ExprKind::binary: {
      if (e.op == Op::and_ || e.op == Op::or_) {
        bool deciding = e.op == Op::or_;
        auto a = constant_truth(*e.args[0]), b = constant_truth(*e.args[1]);
        if (a == deciding || b == deciding) return deciding;
        if (a && b) return !deciding;
        return std::nullopt;
      }
      auto order = literal_order(*e.args[0], *e.args[1]);
      if (!order) return std::nullopt;
      switch (e.op) {
        case Op::eq: return *order == 0;
        case Op::ne: return *order != 0;
        case Op::lt: return *order < 0;
        case Op::le: return *order <= 0;
        case Op::gt: return *order > 0;
        case Op::ge: return *order >= 0;
        default: return std::nullopt;
      }
    }
    default: return std::nullopt;
  }
}

std::string plural_arguments(int n) { return n == 1 ? "1 argument" : fmt::format("{} arguments", n); }

class Checker {
 public:
  Checker(RuleSet& rules, const Schema* schema) : rules_(rules), schema_(schema) {}

  std::vector<Diagnostic> run() {
    std::map<std::string, std::pair<SourcePtr, std::uint32_t>> seen_rules;
    for (auto& file : rules_.files) {
      source_ = file.source;
      check_constants(file);
      for (auto& rule : file.rules) {
        auto [it, inserted] = seen_rules.emplace(rule.id, std::make_pair(file.source, rule.id_span.begin));
        if (!inserted) {
          error(rule.id_span.begin, fmt::format("duplicate rule id '{}'", rule.id));
          diagnostics_.push_back({DiagnosticLevel::note, it->second.first, it->second.second,
                                  fmt::format("rule '{}' is first defined here", rule.id)});
        }
        check_rule(rule);
      }
    }
    rules_.node_count = next_id_;
    return std::move(diagnostics_);
  }

 private:
  void error(std::uint32_t offset, std::string message) {
    diagnostics_.push_back({DiagnosticLevel::error, source_, offset, std::move(message)});
  }
  void warning(std::uint32_t offset, std::string message) {
    diagnostics_.push_back({DiagnosticLevel::warning, source_, offset, std::move(message)});
  }

  const Symbol* lookup(const std::string& name) const {
    for (auto it = scope_.rbegin(); it != scope_.rend(); ++it)
      if (it->name == name) return &*it;
    return nullptr;
  }

  int reserve_slot() {
    int slot = next_slot_++;
    max_slot_ = std::max(max_slot_, next_slot_);
    return slot;
  }

  // Makes a local visible; a name may not hide another one visible at that point.
  void declare_local(const std::string& name, std::uint32_t offset, int slot, StaticType type) {
    if (lookup(name)) error(offset, fmt::format("'{}' is already defined; choose another name", name));
    scope_.push_back({name, Binding::local, slot, std::move(type)});
  }
  int declare_local(const std::string& name, std::uint32_t offset, StaticType type) {
    int slot = reserve_slot();
    declare_local(name, offset, slot, std::move(type));
    return slot;
  }

  void check_constants(RuleFile& file) {
    scope_.clear();
    next_slot_ = 0;
    max_slot_ = 0;
    for (std::size_t i = 0; i < file.constants.size(); ++i) {
      auto& constant = file.constants[i];
      StaticType type = check(*constant.value);
      if (lookup(constant.name))
        error(constant.name_span.begin, fmt::format("'{}' is already defined in this file", constant.name));
      constant.slot = static_cast<int>(i);
      scope_.push_back({constant.name, Binding::constant, constant.slot, type});
    }
    constants_in_scope_ = scope_.size();
    file.constant_slot_count = max_slot_;
  }

  void check_rule(Rule& rule) {
    scope_.resize(constants_in_scope_);
    used_slots_.clear();
    next_slot_ = 0;
    max_slot_ = 0;
    if (rule.each_collection) {
      // The list is evaluated once, in portfolio scope: the name is bound
      // (slot 0, like an entity variable) only for the rest of the rule.
      int slot = reserve_slot();
      StaticType list = check(*rule.each_collection);
      if (list.known() && !list.is(ValueType::list) && !list.is(ValueType::missing))
        error(rule.each_collection->span.begin,
              fmt::format("'for each' needs a list but this is {}", type_with_article(*list.type)));
      declare_local(rule.variable, rule.variable_span.begin, slot, list.element_type());
      used_slots_.insert(slot);
    } else if (!rule.for_portfolio) {
      check_kind(rule.for_kind, rule.for_span.begin);
      declare_local(rule.variable, rule.variable_span.begin, StaticType::entity(rule.for_kind));
    }
    for (auto& let : rule.lets) {
      // The slot is taken before the value is checked, so that variables of
      // aggregates inside the value get slots of their own.
      let.slot = reserve_slot();
      StaticType type = check(*let.value);
      declare_local(let.name, let.name_span.begin, let.slot, type);
    }
    StaticType when = check(*rule.when);
    if (when.known() && !when.is(ValueType::boolean) && !when.is(ValueType::missing))
      error(rule.when->span.begin, fmt::format("'when' needs a true/false condition but this is {}",
                                               type_with_article(*when.type)));
    if (constant_truth(*rule.when) == false)
      warning(rule.when->span.begin, fmt::format("rule {} can never fire: its condition is always false", rule.id));
    check(*rule.message);
    if (rule.severity_expr) check_severity(*rule.severity_expr);
    for (const auto& let : rule.lets)
      if (!used_slots_.count(let.slot))
        warning(let.name_span.begin, fmt::format("'{}' is never used: remove it, or use it in 'when' or 'message'", let.name));
    rule.slot_count = max_slot_;
  }

  // `severity EXPR` gives one of the five names as a string. A bare unknown
  // name is most likely a misspelt severity: said in those words.
  void check_severity(Expr& expr) {
    static const std::vector<std::string> kNames{"info", "low", "medium", "high", "critical"};
    if (expr.kind == ExprKind::variable && !lookup(expr.text)) {
      error(expr.span.begin, fmt::format("expected a severity (info, low, medium, high, critical) but found '{}'{}",
                                         expr.text, did_you_mean(expr.text, kNames)));
      return;
    }
    StaticType type = check(expr);
    if (type.known() && !type.is(ValueType::string) && !type.is(ValueType::missing))
      error(expr.span.begin, fmt::format("a computed severity must be a string naming one (\"high\"), not {}",
                                         type_with_article(*type.type)));
    if (expr.kind == ExprKind::string && !parse_severity(expr.text))
      error(expr.span.begin, fmt::format("\"{}\" is not a severity (info, low, medium, high, critical){}", expr.text,
                                         did_you_mean(expr.text, kNames)));
  }

  void check_kind(const std::string& kind, std::uint32_t offset) {
    if (!schema_ || schema_->kinds.count(kind)) return;
    std::vector<std::string> kinds;
    for (const auto& [name, attributes] : schema_->kinds) kinds.push_back(name);
    std::string message = fmt::format("the portfolio has no entity of kind '{}'", kind);
    message += did_you_mean(kind, kinds);
    warning(offset, message);
  }

  StaticType check(Expr& node) {
    node.id = next_id_++;
    switch (node.kind) {
      case ExprKind::number: return StaticType::of(ValueType::number);
      case ExprKind::string: return StaticType::of(ValueType::string);
      case ExprKind::boolean: return StaticType::of(ValueType::boolean);
      case ExprKind::date:
      case ExprKind::today: return StaticType::of(ValueType::date);
      case ExprKind::duration: return StaticType::of(ValueType::duration);
      case ExprKind::list: return check_list(node);
      case ExprKind::variable: return check_variable(node);
      case ExprKind::member: return check_member(node);
      case ExprKind::unary: return check_unary(node);
      case ExprKind::binary: return check_binary(node);
      case ExprKind::call: return check_call(node);
      case ExprKind::aggregate: return check_aggregate(node);
      case ExprKind::interpolation:
        for (auto& part : node.args) check(*part);
        return StaticType::of(ValueType::string);
      case ExprKind::conditional: return check_conditional(node);
      case ExprKind::map: return check_map(node);
      case ExprKind::index: return check_index(node);
    }
    return StaticType::unknown();
  }

  StaticType check_list(Expr& node) {
    std::optional<StaticType> common;
    bool mixed = false;
    for (auto& element : node.args) {
      StaticType type = check(*element);
      if (!common) common = type;
      else if (common->type != type.type) mixed = true;
    }
    return mixed || !common ? StaticType::list_of(StaticType::unknown()) : StaticType::list_of(*common);
  }

  // Both branches must be able to have the same type; the result is missing when the condition is.
  StaticType check_conditional(Expr& node) {
    require_bool(check(*node.args[0]), node.args[0]->span.begin, "'if'");
    StaticType then_type = check(*node.args[1]);
    StaticType else_type = check(*node.args[2]);
    if (definitely_different(then_type, else_type)) {
      error(node.span.begin, fmt::format("the branches of this 'if' give different types: {} after 'then', {} after 'else'",
                                         type_with_article(*then_type.type), type_with_article(*else_type.type)));
      return StaticType::unknown();
    }
    if (then_type.is(ValueType::missing)) return else_type;
    return then_type.known() ? then_type : else_type.known() ? StaticType::unknown() : then_type;
  }

  StaticType check_map(Expr& node) {
    std::optional<StaticType> common;
    bool mixed = false;
    for (std::size_t i = 0; i < node.args.size(); ++i) {
      StaticType type = check(*node.args[i]);
      if (i % 2 == 0) continue;  // a key: always a string literal
      if (!common) common = type;
      else if (common->type != type.type) mixed = true;
    }
    StaticType map = StaticType::of(ValueType::map);
    if (common && !mixed) map.element = common->type;
    return map;
  }

  // l[i] on lists (a number), m[k] on maps (a string); missing when out of range or absent.
  StaticType check_index(Expr& node) {
    StaticType base = check(*node.args[0]);
    StaticType key = check(*node.args[1]);
    if (!base.known() || base.is(ValueType::missing)) return StaticType::unknown();
    ValueType wanted = base.is(ValueType::list) ? ValueType::number : ValueType::string;
    if (!base.is(ValueType::list) && !base.is(ValueType::map)) {
      error(node.op_offset, fmt::format("cannot index {}: only lists (by position) and maps (by key) can be indexed",
                                        type_with_article(*base.type)));
      return StaticType::unknown();
    }
    if (key.known() && !key.is(ValueType::missing) && !key.is(wanted))
      error(node.args[1]->span.begin, fmt::format("{} is indexed by {} but this is {}", type_with_article(*base.type),
                                                   type_with_article(wanted), type_with_article(*key.type)));
    return base.element_type();
  }

  StaticType check_variable(Expr& node) {
    const Symbol* symbol = lookup(node.text);
    if (!symbol) {
      std::vector<std::string> names;
      for (const auto& s : scope_) names.push_back(s.name);
      std::string message = fmt::format("unknown name '{}'", node.text);
      if (find_function(node.text))
        message += fmt::format(" ('{}' is a function: call it as {}(...))", node.text, node.text);
      else
        message += did_you_mean(node.text, names);
      error(node.span.begin, message);
      return StaticType::unknown();
    }
    node.binding = symbol->binding;
    node.slot = symbol->slot;
    if (symbol->binding == Binding::local) used_slots_.insert(symbol->slot);
    return symbol->type;
  }

  StaticType check_member(Expr& node) {
    StaticType base = check(*node.args[0]);
    if (base.is(ValueType::map)) return base.element_type();  // a record's field: links(x) give records
    if (base.known() && !base.is(ValueType::entity) && !base.is(ValueType::missing)) {
      error(node.op_offset, fmt::format("cannot read attribute '{}' of {}: only entities have attributes",
                                        node.text, type_with_article(*base.type)));
      return StaticType::unknown();
    }
    if (node.text == "id" || node.text == "kind") return StaticType::of(ValueType::string);
    if (!schema_ || base.kind.empty()) return StaticType::unknown();
    auto kind = schema_->kinds.find(base.kind);
    if (kind == schema_->kinds.end()) return StaticType::unknown();
    auto attribute = kind->second.find(node.text);
    if (attribute != kind->second.end()) return StaticType::of(attribute->second);
    std::vector<std::string> names{"id", "kind"};
    for (const auto& [name, type] : kind->second) names.push_back(name);
    std::string message = fmt::format("no entity of kind '{}' has an attribute '{}'", base.kind, node.text);
    message += did_you_mean(node.text, names);
    warning(node.op_offset + 1, message);
    return StaticType::unknown();
  }

  StaticType check_unary(Expr& node) {
    StaticType operand = check(*node.args[0]);
    if (node.op == Op::not_) {
      require_bool(operand, node.op_offset, "'not'");
      return StaticType::of(ValueType::boolean);
    }
    if (operand.known() && !operand.is(ValueType::number) && !operand.is(ValueType::duration) &&
        !operand.is(ValueType::missing)) {
      error(node.op_offset, fmt::format("cannot negate {}", type_with_article(*operand.type)));
      return StaticType::unknown();
    }
    return operand;
  }

  void require_bool(const StaticType& type, std::uint32_t offset, const char* what) {
    if (type.known() && !type.is(ValueType::boolean) && !type.is(ValueType::missing))
      error(offset, fmt::format("{} needs true/false values but was given {}", what, type_with_article(*type.type)));
  }

  static bool definitely_different(const StaticType& a, const StaticType& b) {
    return a.known() && b.known() && !a.is(ValueType::missing) && !b.is(ValueType::missing) && *a.type != *b.type;
  }

  StaticType check_binary(Expr& node) {
    StaticType lhs = check(*node.args[0]);
    StaticType rhs = check(*node.args[1]);
    const std::uint32_t at = node.op_offset;
    if (is_comparison(node.op))
      if (auto always = constant_truth(node))
        warning(at, fmt::format("this compares two constants: it is always {}", *always ? "true" : "false"));
    switch (node.op) {
      case Op::or_:
      case Op::and_:
        require_bool(lhs, node.args[0]->span.begin, node.op == Op::or_ ? "'or'" : "'and'");
        require_bool(rhs, node.args[1]->span.begin, node.op == Op::or_ ? "'or'" : "'and'");
        return StaticType::of(ValueType::boolean);
      case Op::eq:
      case Op::ne:
        if (definitely_different(lhs, rhs))
          error(at, fmt::format("cannot compare {} with {}", type_with_article(*lhs.type), type_with_article(*rhs.type)));
        return StaticType::of(ValueType::boolean);
      case Op::lt:
      case Op::le:
      case Op::gt:
      case Op::ge:
        if (definitely_different(lhs, rhs))
          error(at, fmt::format("cannot compare {} with {}", type_with_article(*lhs.type), type_with_article(*rhs.type)));
        else if (lhs.known() && !lhs.is(ValueType::missing) && !orderable(*lhs.type))
          error(at, fmt::format("'{}' cannot order {}: only numbers, strings, dates and durations have an order",
                                op_text(node.op), type_with_article(*lhs.type)));
        return StaticType::of(ValueType::boolean);
      case Op::in:
      case Op::not_in:
        if (rhs.known() && !rhs.is(ValueType::list) && !rhs.is(ValueType::missing))
          error(at, fmt::format("'{}' needs a list on its right but was given {}", op_text(node.op),
                                type_with_article(*rhs.type)));
        else if (rhs.element && definitely_different(lhs, rhs.element_type()))
          error(at, fmt::format("'{}' looks for {} in a list of {} values", op_text(node.op),
                                type_with_article(*lhs.type), type_name(*rhs.element)));
        return StaticType::of(ValueType::boolean);
      case Op::coalesce:
        // A default of another type is fine (`v.tested ?? "never"` in a message);
        // the result's type is then only known at run time.
        if (definitely_different(lhs, rhs)) return StaticType::unknown();
        return lhs.known() && !lhs.is(ValueType::missing) ? lhs : rhs;
      default:
        return check_arithmetic(node.op, lhs, rhs, at);
    }
  }

  StaticType check_arithmetic(Op op, const StaticType& lhs, const StaticType& rhs, std::uint32_t at) {
    if (!lhs.known() || !rhs.known() || lhs.is(ValueType::missing) || rhs.is(ValueType::missing)) {
      // Partial knowledge still fixes some results: date + ? is a date.
      if (op == Op::add && (lhs.is(ValueType::date) || rhs.is(ValueType::date))) return StaticType::of(ValueType::date);
      if ((op == Op::add || op == Op::sub) && lhs.is(ValueType::number)) return lhs;
      return StaticType::unknown();
    }
    auto result = arithmetic_result(op, *lhs.type, *rhs.type);
    if (!result) {
      error(at, fmt::format("cannot apply '{}' to {} and {}", op_text(op), type_with_article(*lhs.type),
                            type_with_article(*rhs.type)));
      return StaticType::unknown();
    }
    return StaticType::of(*result);
  }

 private:
  // `where x.kind == "K" and ...` (or `"K" == x.kind`): the kind K, when
  // elements of other kinds cannot matter (they can for all(), where a false
  // element makes the result false).
  static std::string kind_restriction(const Expr& node, const FunctionInfo* info) {
    if (!info || info->id == Function::all || !node.filter || node.binder.empty()) return {};
    const Expr* first = node.filter.get();
    while (first->kind == ExprKind::binary && first->op == Op::and_) first = first->args[0].get();
    if (first->kind != ExprKind::binary || first->op != Op::eq) return {};
    for (int side = 0; side < 2; ++side) {
      const Expr& member = *first->args[static_cast<std::size_t>(side)];
      const Expr& literal = *first->args[static_cast<std::size_t>(1 - side)];
      if (member.kind == ExprKind::member && member.builtin == Expr::Builtin::kind &&
          member.args[0]->kind == ExprKind::variable && member.args[0]->slot == node.slot &&
          member.args[0]->binding == Binding::local && literal.kind == ExprKind::string)
        return literal.text;
    }
    return {};
  }

  // See Expr::filter_reads_only_element.
  static bool reads_only_element(const Expr& e, int slot) {
    if (e.kind == ExprKind::aggregate) return false;
    if (e.kind == ExprKind::variable && !(e.binding == Binding::constant || (e.binding == Binding::local && e.slot == slot)))
      return false;
    if (e.kind == ExprKind::call && (e.function < 0 || function_info(static_cast<Function>(e.function)).graph)) return false;
    bool only = true;
    for_each_child(const_cast<Expr&>(e), [&](Expr& child) { only = only && reads_only_element(child, slot); });
    return only;
  }

  static bool reads_slot(const Expr& e, int slot) {
    if (e.kind == ExprKind::variable && e.binding == Binding::local && e.slot == slot) return true;
    bool found = false;
    for_each_child(const_cast<Expr&>(e), [&](Expr& child) { found = found || reads_slot(child, slot); });
    return found;
  }

  // An equality join (see Expr::join_key): one conjunct of `where`'s
  // top-level `and`s, `x.attr == KEY` with KEY not reading x. A key computed
  // from elsewhere (`v.country == country`) is preferred to a literal one
  // (`v.status == "active"`): it usually picks far fewer candidates. Not for
  // any()/all(), where an element whose condition is missing changes the result.
  static void find_join(Expr& node, const FunctionInfo* info) {
    if (!info || info->id == Function::any || info->id == Function::all || !node.filter || node.binder.empty()) return;
    const Expr& source = *node.collection;
    if (source.kind != ExprKind::call || source.function != static_cast<int>(Function::entities) ||
        source.args.size() != 1 || source.args[0]->kind != ExprKind::string)
      return;
    std::vector<Expr*> conjuncts;
    collect_conjuncts(*node.filter, conjuncts);
    const Expr* chosen_member = nullptr;
    const ExprPtr* chosen_key = nullptr;
    for (Expr* conjunct : conjuncts) {
      if (conjunct->kind != ExprKind::binary || conjunct->op != Op::eq) continue;
      for (std::size_t side = 0; side < 2; ++side) {
        const Expr& member = *conjunct->args[side];
        const ExprPtr& key = conjunct->args[1 - side];
        bool joins = member.kind == ExprKind::member && member.builtin == Expr::Builtin::none &&
                     member.args[0]->kind == ExprKind::variable && member.args[0]->binding == Binding::local &&
                     member.args[0]->slot == node.slot && !reads_slot(*key, node.slot);
        if (joins && (!chosen_key || (is_literal_key(**chosen_key) && !is_literal_key(*key))))
          chosen_member = &member, chosen_key = &key;
      }
    }
    if (!chosen_key) return;
    node.join_kind = source.args[0]->text;
    node.join_attribute = chosen_member->text;
    node.join_key = *chosen_key;
  }

  static bool is_literal_key(const Expr& key) {
    return key.kind == ExprKind::string || key.kind == ExprKind::number || key.kind == ExprKind::boolean;
  }

  static void collect_conjuncts(Expr& node, std::vector<Expr*>& out) {
    if (node.kind == ExprKind::binary && node.op == Op::and_) {
      for (auto& operand : node.args) collect_conjuncts(*operand, out);
      return;
    }
    out.push_back(&node);
  }

  const FunctionInfo* resolve_function(Expr& node) {
    const FunctionInfo* info = find_function(node.text);
    if (!info) {
      std::string message = fmt::format("unknown function '{}'", node.text);
      message += did_you_mean(node.text, function_names());
      error(node.span.begin, message);
      return nullptr;
    }
    node.function = static_cast<int>(info->id);
    return info;
  }

  // Argument `index` of a call must have one of the row's types for it.
  void expect_argument(const Expr& call, std::size_t index, const StaticType& type, TypeSet allowed) {
    if (allowed == 0 || !type.known() || type.is(ValueType::missing) || type_set_has(allowed, *type.type)) return;
    std::string names;
    for (auto t : {ValueType::boolean, ValueType::number, ValueType::string, ValueType::date, ValueType::duration,
                   ValueType::list, ValueType::entity})
      if (type_set_has(allowed, t)) names += (names.empty() ? "" : " or ") + std::string(type_with_article(t));
    error(call.args[index]->span.begin, fmt::format("argument {} of {}() must be {} but is {}", index + 1,
                                                    call.text, names, type_with_article(*type.type)));
  }

  StaticType check_call(Expr& node) {
    // An unknown function's arguments are not checked: their errors would
    // only echo the first one (`countt(x in C)` has no binder x).
    const FunctionInfo* info = resolve_function(node);
    if (!info) return StaticType::unknown();
    std::vector<StaticType> types;
    for (auto& arg : node.args) types.push_back(check(*arg));
    check_options(node, *info, types);
    check_edge_kinds(node, *info);
    types.resize(node.positional_count());
    int count = static_cast<int>(node.positional_count());
    if (count < info->min_args || count > info->max_args) {
      std::string expected = info->min_args == info->max_args
                                 ? plural_arguments(info->min_args)
                                 : fmt::format("{} or {} arguments", info->min_args, info->max_args);
      error(node.span.begin, fmt::format("{}() takes {} but was given {}: {}", node.text, expected, count,
                                         info->signature));
      return StaticType::unknown();
    }
    for (std::size_t i = 0; i < types.size(); ++i) expect_argument(node, i, types[i], info->arguments[i]);
    return call_result(node, *info, types);
  }

  // Each option is known to the function, has a value of its type, and does
  // not repeat what a positional argument already says. Errors point at the option's name.
  void check_options(const Expr& node, const FunctionInfo& info, const std::vector<StaticType>& types) {
    auto allowed = options_of(info.id);
    std::vector<std::string> names;
    for (const auto& option : allowed) names.emplace_back(option.name);
    for (std::size_t i = 0; i < node.option_names.size(); ++i) {
      const std::string& name = node.option_names[i];
      std::uint32_t at = node.option_offsets[i];
      const StaticType& type = types[node.positional_count() + i];
      auto option = std::find_if(allowed.begin(), allowed.end(), [&](const OptionInfo& o) { return o.name == name; });
      if (option == allowed.end()) {
        if (allowed.empty()) error(at, fmt::format("{}() takes no named options", node.text));
        else if (name == "depth")
          error(at, fmt::format("{}() takes kind: but not depth: (it follows one edge; {}*() follows more)", node.text,
                                node.text));
        else
          error(at, fmt::format("unknown option '{}:' for {}(){}", name, node.text, did_you_mean(name, names)));
        continue;
      }
      if (type.known() && !type.is(ValueType::missing) && !type_set_has(option->types, *type.type))
        error(at, fmt::format("option '{}:' of {}() takes {} but is given {}", name, node.text,
                              name == "depth" ? "a number of edges" : "an edge kind (a string) or a list of them",
                              type_with_article(*type.type)));
      if (name == "kind" && static_cast<int>(node.positional_count()) > positional_kind_index(info.id))
        error(at, fmt::format("the edge kind is given twice to {}(): as an argument and as kind:", node.text));
    }
  }

  // `suppliers(x, "subcontract")`, `kind: ["ict"]`: string literals naming an
  // edge kind that no edge of the portfolio has (a warning, with a suggestion).
  void check_edge_kinds(const Expr& node, const FunctionInfo& info) {
    if (!schema_ || !schema_->edge_kinds) return;
    int positional = positional_kind_index(info.id);
    std::vector<const Expr*> named;
    auto add = [&](const Expr& value) {
      if (value.kind == ExprKind::string) named.push_back(&value);
      if (value.kind == ExprKind::list)
        for (const auto& item : value.args)
          if (item->kind == ExprKind::string) named.push_back(item.get());
    };
    if (positional >= 0 && static_cast<int>(node.positional_count()) > positional) add(*node.args[static_cast<std::size_t>(positional)]);
    for (std::size_t i = 0; i < node.option_names.size(); ++i)
      if (node.option_names[i] == "kind") add(*node.args[node.positional_count() + i]);
    std::vector<std::string> known(schema_->edge_kinds->begin(), schema_->edge_kinds->end());
    for (const Expr* kind : named)
      if (!schema_->edge_kinds->count(kind->text))
        warning(kind->span.begin, fmt::format("no edge of the portfolio has the kind '{}'{}", kind->text,
                                              did_you_mean(kind->text, known)));
  }

  StaticType call_result(const Expr& node, const FunctionInfo& info, const std::vector<StaticType>& arguments) {
    using T = ValueType;
    switch (info.returns) {
      case Returns::boolean: return StaticType::of(T::boolean);
      case Returns::number: return StaticType::of(T::number);
      case Returns::string: return StaticType::of(T::string);
      case Returns::date: return StaticType::of(T::date);
      case Returns::same_as_first: return arguments.empty() ? StaticType::unknown() : arguments[0];
      case Returns::entity: return StaticType::entity("");
      case Returns::record_list: return StaticType::list_of(StaticType::of(T::map));
      case Returns::string_list: return StaticType::list_of(StaticType::of(T::string));
      case Returns::entity_list: {
        if (info.id != Function::entities) return StaticType::list_of(StaticType::entity(""));
        // entities("K"): a list of K, and a warning when no entity is a K.
        std::string kind = node.args[0]->kind == ExprKind::string ? node.args[0]->text : "";
        if (!kind.empty()) check_kind(kind, node.args[0]->span.begin);
        return StaticType::list_of(StaticType::entity(kind));
      }
      case Returns::aggregate: break;
    }
    return StaticType::unknown();
  }

  StaticType check_aggregate(Expr& node) {
    const FunctionInfo* info = resolve_function(node);
    StaticType collection = check(*node.collection);
    if (collection.known() && !collection.is(ValueType::list) && !collection.is(ValueType::missing))
      error(node.collection->span.begin, fmt::format("{}() needs a list to go over but was given {}", node.text,
                                                     type_with_article(*collection.type)));
    std::size_t scope_size = scope_.size();
    StaticType element = collection.element_type();
    if (!node.binder.empty()) node.slot = declare_local(node.binder, node.binder_offset, collection.element_type());
    if (node.element && node.element != node.collection) element = check(*node.element);
    if (node.filter) require_bool(check(*node.filter), node.filter->span.begin, "'where'");
    node.only_kind = kind_restriction(node, info);
    find_join(node, info);
    node.filter_reads_only_element = node.filter && !node.binder.empty() && reads_only_element(*node.filter, node.slot);
    // The variable goes out of scope, but its slot is not reused: `let`s are
    // evaluated lazily, in any order, so every binding needs a slot of its own.
    scope_.resize(scope_size);
    if (!info) return StaticType::unknown();
    using T = ValueType;
    switch (info->id) {
      case Function::count: return StaticType::of(T::number);
      case Function::any:
      case Function::all:
        if (!node.filter) require_bool(element, node.span.begin, fmt::format("{}()", node.text).c_str());
        return StaticType::of(T::boolean);
      case Function::sum:
        if (element.known() && !element.is(T::number) && !element.is(T::duration) && !element.is(T::missing))
          error(node.span.begin, fmt::format("sum() adds numbers or durations, not {} values", type_name(*element.type)));
        return element.is(T::duration) ? element : StaticType::of(T::number);
      case Function::min:
      case Function::max:
        if (element.known() && !element.is(T::missing) && !orderable(*element.type))
          error(node.span.begin, fmt::format("{}() needs values with an order, not {} values", node.text,
                                             type_name(*element.type)));
        return element;
      case Function::list: return StaticType::list_of(element);
      default: return StaticType::unknown();
    }
  }

  RuleSet& rules_;
  const Schema* schema_;
  SourcePtr source_;
  std::vector<Symbol> scope_;
  std::size_t constants_in_scope_ = 0;
  int next_slot_ = 0;
  int max_slot_ = 0;
  std::uint32_t next_id_ = 0;
  std::set<int> used_slots_;  // locals of the current rule that are read somewhere
  std::vector<Diagnostic> diagnostics_;
};

}  // namespace

std::vector<Diagnostic> check_rules(RuleSet& rules, const Schema* schema) { return Checker(rules, schema).run(); }

}  // namespace vigil
