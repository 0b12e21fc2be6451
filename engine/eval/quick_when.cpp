#include "engine/eval/quick_when.hpp"

#include <cmath>

#include "dsl/functions.hpp"
#include "engine/eval/builtins.hpp"
#include "engine/eval/context.hpp"

namespace vigil {

namespace {

using Quick = QuickWhen::Quick;
using Kind = Quick::Kind;

// Lets inside lets, and expressions inside each other: past this, the interpreter decides.
constexpr int kMaxQuickDepth = 64;

Quick unknown() { return {}; }
Quick missing() { return {Kind::missing}; }
Quick boolean(bool b) { return {Kind::boolean, b}; }
Quick number(double n) { return {Kind::number, false, n}; }

// A value as the parts decided here hold it; lists, maps, durations and entities are left to the interpreter.
Quick quick_of(const Value& v) {
  switch (v.type()) {
    case ValueType::missing: return missing();
    case ValueType::boolean: return boolean(v.as_bool());
    case ValueType::number: return number(v.as_number());
    case ValueType::string: return {Kind::text, false, 0, v.as_string()};
    case ValueType::date: return {Kind::date, false, 0, {}, v.as_date().days_since_epoch};
    default: return unknown();
  }
}

bool known(const Quick& q) { return q.kind != Kind::unknown; }

// same_value() for the kinds held here (both of the same kind).
bool same(const Quick& a, const Quick& b) {
  switch (a.kind) {
    case Kind::missing: return true;
    case Kind::boolean: return a.flag == b.flag;
    case Kind::number: return a.number == b.number;
    case Kind::text: return a.text == b.text;
    default: return a.day == b.day;
  }
}

// `a OP b` for a comparison, as eval_comparison gives it; unknown where it would fail
// (different types) or where the order is not one decided here (texts are ordered by the interpreter).
Quick compare(Op op, const Quick& a, const Quick& b) {
  if (a.kind == Kind::missing || b.kind == Kind::missing) return missing();
  if (a.kind != b.kind) return unknown();
  if (op == Op::eq) return boolean(same(a, b));
  if (op == Op::ne) return boolean(!same(a, b));
  if (a.kind != Kind::number && a.kind != Kind::date) return unknown();
  double x = a.kind == Kind::number ? a.number : a.day, y = b.kind == Kind::number ? b.number : b.day;
  switch (op) {
    case Op::lt: return boolean(x < y);
    case Op::le: return boolean(x <= y);
    case Op::gt: return boolean(x > y);
    default: return boolean(x >= y);
  }
}

// Number arithmetic as number_arithmetic gives it; unknown for what would fail (division by zero) and for other types.
Quick arithmetic(Op op, const Quick& a, const Quick& b) {
  if (a.kind == Kind::missing || b.kind == Kind::missing) return missing();
  if (a.kind != Kind::number || b.kind != Kind::number) return unknown();
  switch (op) {
    case Op::add: return number(a.number + b.number);
    case Op::sub: return number(a.number - b.number);
    case Op::mul: return number(a.number * b.number);
    case Op::div: return b.number == 0 ? unknown() : number(a.number / b.number);
    default: return unknown();
  }
}

bool is_subject(const Expr& e, int slot) {
  return e.kind == ExprKind::variable && e.binding == Binding::local && e.slot == slot;
}

// The attributes of the subject read by `e` and the lets it uses, each with its column.
void collect_columns(const Expr& e, const std::vector<const Expr*>& lets, const KindTable& table, int subject_slot, int depth,
                     std::vector<std::pair<const Expr*, int>>& columns) {
  if (depth > kMaxQuickDepth) return;
  if (e.kind == ExprKind::member && e.builtin == Expr::Builtin::none && is_subject(*e.args[0], subject_slot))
    columns.emplace_back(&e, table.column(e.text));
  if (e.kind == ExprKind::variable && e.binding == Binding::local && static_cast<std::size_t>(e.slot) < lets.size() &&
      lets[static_cast<std::size_t>(e.slot)])
    collect_columns(*lets[static_cast<std::size_t>(e.slot)], lets, table, subject_slot, depth + 1, columns);
  for_each_child(e, [&](const Expr& child) { collect_columns(child, lets, table, subject_slot, depth + 1, columns); });
}

}  // namespace

std::optional<QuickWhen> QuickWhen::of(const Rule& rule, const std::vector<const Expr*>& lets, const Portfolio& portfolio) {
  const KindTable* table = portfolio.find_kind(rule.for_kind);
  if (rule.for_kind.empty() || rule.each_collection || !table || !rule.when) return std::nullopt;
  // Worth it only when the top of `when` is something decided here.
  switch (rule.when->kind) {
    case ExprKind::binary:
    case ExprKind::unary:
    case ExprKind::member:
    case ExprKind::call: break;
    default: return std::nullopt;
  }
  QuickWhen quick;
  quick.when_ = rule.when.get();
  quick.lets_ = &lets;
  quick.kind_ = static_cast<KindId>(table - portfolio.kinds().data());
  quick.portfolio_ = &portfolio;
  collect_columns(*rule.when, lets, *table, quick.subject_slot_, 0, quick.columns_);
  return quick;
}

int QuickWhen::column_of(const Expr& member) const {
  for (const auto& [node, column] : columns_)
    if (node == &member) return column;
  return portfolio_->kinds()[kind_].column(member.text);  // not reached: every member read is collected
}

bool QuickWhen::surely_quiet(EntityIndex subject, const Context& c) const {
  Quick result = eval(*when_, subject, c, 0);
  return result.kind == Kind::missing || (result.kind == Kind::boolean && !result.flag);
}

Quick QuickWhen::eval(const Expr& e, EntityIndex subject, const Context& c, int depth) const {
  if (depth > kMaxQuickDepth) return unknown();
  switch (e.kind) {
    case ExprKind::number: return number(e.number_value);
    case ExprKind::string: return {Kind::text, false, 0, e.text};
    case ExprKind::boolean: return boolean(e.bool_value);
    case ExprKind::date: return {Kind::date, false, 0, {}, e.date_value.days_since_epoch};
    case ExprKind::today: return {Kind::date, false, 0, {}, c.today.days_since_epoch};
    case ExprKind::variable: {
      if (e.binding == Binding::constant) return quick_of((*c.constants)[static_cast<std::size_t>(e.slot)]);
      auto slot = static_cast<std::size_t>(e.slot);
      if (e.binding == Binding::local && slot < lets_->size() && (*lets_)[slot]) return eval(*(*lets_)[slot], subject, c, depth + 1);
      return unknown();  // the subject itself (an entity), or a variable of an aggregate
    }
    case ExprKind::member: {
      if (!is_subject(*e.args[0], subject_slot_)) return unknown();
      if (e.builtin == Expr::Builtin::id) return {Kind::text, false, 0, portfolio_->id(subject)};
      if (e.builtin == Expr::Builtin::kind) return {Kind::text, false, 0, portfolio_->kind_name(subject)};
      return quick_of(portfolio_->attribute(subject, column_of(e)));
    }
    case ExprKind::unary: {
      Quick v = eval(*e.args[0], subject, c, depth + 1);
      if (v.kind == Kind::missing) return v;
      if (e.op == Op::not_) return v.kind == Kind::boolean ? boolean(!v.flag) : unknown();
      return v.kind == Kind::number ? number(-v.number) : unknown();
    }
    case ExprKind::binary: return binary(e, subject, c, depth + 1);
    case ExprKind::call: return call(e, subject, c, depth + 1);
    default: return unknown();
  }
}

Quick QuickWhen::binary(const Expr& e, EntityIndex subject, const Context& c, int depth) const {
  if (e.op == Op::and_ || e.op == Op::or_) {  // as eval_logic_operands: the left side first, the right only when needed
    bool deciding = e.op == Op::or_;
    Quick lhs = eval(*e.args[0], subject, c, depth);
    if (lhs.kind != Kind::missing && lhs.kind != Kind::boolean) return unknown();  // not decided here, or an error
    if (lhs.kind == Kind::boolean && lhs.flag == deciding) return boolean(deciding);
    Quick rhs = eval(*e.args[1], subject, c, depth);
    if (rhs.kind != Kind::missing && rhs.kind != Kind::boolean) return unknown();
    if (rhs.kind == Kind::boolean && rhs.flag == deciding) return boolean(deciding);
    if (lhs.kind == Kind::missing || rhs.kind == Kind::missing) return missing();
    return boolean(!deciding);
  }
  if (e.op == Op::coalesce) {
    Quick lhs = eval(*e.args[0], subject, c, depth);
    return lhs.kind == Kind::missing ? eval(*e.args[1], subject, c, depth) : lhs;
  }
  Quick a = eval(*e.args[0], subject, c, depth);
  if (!known(a)) return unknown();
  if (e.op == Op::in || e.op == Op::not_in) {  // against a file constant's list
    const Expr& list = *e.args[1];
    if (list.kind != ExprKind::variable || list.binding != Binding::constant) return unknown();
    const Value& values = (*c.constants)[static_cast<std::size_t>(list.slot)];
    if (a.kind == Kind::missing || values.is_missing()) return missing();
    if (!values.is(ValueType::list)) return unknown();
    bool found = false;
    for (const Value& candidate : values.as_list()) {
      Quick q = quick_of(candidate);
      if (!known(q)) return unknown();
      if (q.kind == a.kind && same(a, q)) found = true;
    }
    return boolean(e.op == Op::in ? found : !found);
  }
  Quick b = eval(*e.args[1], subject, c, depth);
  if (!known(b)) return unknown();
  return is_comparison(e.op) ? compare(e.op, a, b) : arithmetic(e.op, a, b);
}

// missing(), present() and round(): as the builtins give them.
Quick QuickWhen::call(const Expr& e, EntityIndex subject, const Context& c, int depth) const {
  if (e.function < 0 || !e.option_names.empty()) return unknown();
  auto function = static_cast<Function>(e.function);
  if (function == Function::missing || function == Function::present) {
    Quick v = eval(*e.args[0], subject, c, depth);
    if (!known(v)) return unknown();
    return boolean((v.kind == Kind::missing) == (function == Function::missing));
  }
  if (function != Function::round) return unknown();
  Quick x = eval(*e.args[0], subject, c, depth);
  Quick digits = e.args.size() > 1 ? eval(*e.args[1], subject, c, depth) : number(0);
  if (!known(x) || !known(digits)) return unknown();
  if (x.kind == Kind::missing || digits.kind == Kind::missing) return missing();
  if (x.kind != Kind::number || digits.kind != Kind::number) return unknown();
  if (digits.number < 0 || digits.number > 15 || std::trunc(digits.number) != digits.number) return unknown();
  return number(round_to_digits(x.number, digits.number));
}

}  // namespace vigil
