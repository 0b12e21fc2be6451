#include "engine/eval/quick_when.hpp"

#include <algorithm>
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

// Ranges: what a part of `when` may be over a block of subjects. Each
// operation allows every value it gives for some pair of values its operands
// allow; undecided wherever the subject by subject evaluation above could
// give unknown. Rounding keeps the bounds: +, -, *, / and round() are
// monotone in each operand, so their results at the bounds bound the rest.
using Range = ValueRange;
using RangeKind = ValueRange::Kind;

Range undecided() { return {.undecided = true}; }
Range only_missing() { return {.may_be_missing = true}; }
Range truth_range(bool may_be_true, bool may_be_false, bool may_be_missing) {
  return {.may_be_missing = may_be_missing, .kind = (may_be_true || may_be_false) ? RangeKind::boolean : RangeKind::none,
          .may_be_true = may_be_true, .may_be_false = may_be_false};
}
Range number_range(double low, double high, bool may_be_missing) {
  if (!std::isfinite(low) || !std::isfinite(high)) return undecided();  // the interpreter fails: out of range
  return {.may_be_missing = may_be_missing, .kind = RangeKind::number, .low = low, .high = high};
}

Range range_of(const Quick& q) {
  switch (q.kind) {
    case Kind::missing: return only_missing();
    case Kind::boolean: return truth_range(q.flag, !q.flag, false);
    case Kind::number: return number_range(q.number, q.number, false);
    case Kind::text: return {.kind = RangeKind::text, .one_text = true, .text = q.text};
    case Kind::date: return {.kind = RangeKind::date, .low = double(q.day), .high = double(q.day)};
    default: return undecided();
  }
}

bool present(const Range& r) { return r.kind != RangeKind::none; }
bool exact(const Range& r) {
  switch (r.kind) {
    case RangeKind::boolean: return r.may_be_true != r.may_be_false;
    case RangeKind::text: return r.one_text;
    default: return r.low == r.high;
  }
}

// Every value of either.
Range either(const Range& a, const Range& b) {
  if (a.undecided || b.undecided) return undecided();
  if (!present(a) || !present(b)) {
    Range r = present(a) ? a : b;
    r.may_be_missing = a.may_be_missing || b.may_be_missing;
    return r;
  }
  if (a.kind != b.kind) return undecided();
  Range r = a;
  r.may_be_missing = a.may_be_missing || b.may_be_missing;
  r.may_be_true = a.may_be_true || b.may_be_true, r.may_be_false = a.may_be_false || b.may_be_false;
  r.low = std::min(a.low, b.low), r.high = std::max(a.high, b.high);
  r.one_text = a.one_text && b.one_text && a.text == b.text;
  return r;
}

// `a OP b` for a comparison of ranges decided: both of one kind (or missing).
Range compare_ranges(Op op, const Range& a, const Range& b) {
  bool missing = a.may_be_missing || b.may_be_missing;
  if (!present(a) || !present(b)) return only_missing();
  if (a.kind != b.kind) return undecided();
  if (op == Op::eq || op == Op::ne) {
    bool may_equal, may_differ;
    if (a.kind == RangeKind::boolean) {
      may_equal = (a.may_be_true && b.may_be_true) || (a.may_be_false && b.may_be_false);
      may_differ = (a.may_be_true && b.may_be_false) || (a.may_be_false && b.may_be_true);
    } else if (a.kind == RangeKind::text) {
      may_equal = !(a.one_text && b.one_text) || a.text == b.text;
      may_differ = !(a.one_text && b.one_text) || a.text != b.text;
    } else {
      may_equal = a.low <= b.high && b.low <= a.high;
      may_differ = !(exact(a) && exact(b) && a.low == b.low);
    }
    return op == Op::eq ? truth_range(may_equal, may_differ, missing) : truth_range(may_differ, may_equal, missing);
  }
  if (a.kind != RangeKind::number && a.kind != RangeKind::date) return undecided();
  switch (op) {
    case Op::lt: return truth_range(a.low < b.high, a.high >= b.low, missing);
    case Op::le: return truth_range(a.low <= b.high, a.high > b.low, missing);
    case Op::gt: return truth_range(a.high > b.low, a.low <= b.high, missing);
    default: return truth_range(a.high >= b.low, a.low < b.high, missing);
  }
}

Range arithmetic_ranges(Op op, const Range& a, const Range& b) {
  bool missing = a.may_be_missing || b.may_be_missing;
  if (!present(a) || !present(b)) return only_missing();
  if (a.kind != RangeKind::number || b.kind != RangeKind::number) return undecided();
  auto hull = [&](std::initializer_list<double> corners) {
    return number_range(std::min(corners), std::max(corners), missing);
  };
  switch (op) {
    case Op::add: return number_range(a.low + b.low, a.high + b.high, missing);
    case Op::sub: return number_range(a.low - b.high, a.high - b.low, missing);
    case Op::mul: return hull({a.low * b.low, a.low * b.high, a.high * b.low, a.high * b.high});
    case Op::div:
      if (b.low <= 0 && b.high >= 0) return undecided();  // a division by zero fails
      return hull({a.low / b.low, a.low / b.high, a.high / b.low, a.high / b.high});
    default: return undecided();
  }
}

// `a in LIST` against a file constant's list, as QuickWhen::binary decides it.
Range in_range(const Expr& e, const Range& a, const Context& c) {
  const Expr& list = *e.args[1];
  if (list.kind != ExprKind::variable || list.binding != Binding::constant) return undecided();
  const Value& values = (*c.constants)[static_cast<std::size_t>(list.slot)];
  if (!present(a) || values.is_missing()) return only_missing();
  if (!values.is(ValueType::list)) return undecided();
  bool may_be_found = false, may_be_left_out = !exact(a);
  for (const Value& candidate : values.as_list()) {
    Range q = range_of(quick_of(candidate));
    if (q.undecided) return undecided();
    if (q.kind != a.kind) continue;
    Range same = compare_ranges(Op::eq, a, q);
    may_be_found = may_be_found || same.may_be_true;
  }
  may_be_left_out = may_be_left_out || !may_be_found;
  return e.op == Op::in ? truth_range(may_be_found, may_be_left_out, a.may_be_missing)
                        : truth_range(may_be_left_out, may_be_found, a.may_be_missing);
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

bool QuickWhen::block_quiet(std::size_t block, const ColumnZones& zones, const Context& c) const {
  Range result = range(*when_, block, zones, c, 0);
  return !result.undecided && !result.may_be_true && (!present(result) || result.kind == RangeKind::boolean);
}

Range QuickWhen::range(const Expr& e, std::size_t block, const ColumnZones& zones, const Context& c, int depth) const {
  if (depth > kMaxQuickDepth) return undecided();
  switch (e.kind) {
    case ExprKind::variable: {
      auto slot = static_cast<std::size_t>(e.slot);
      if (e.binding == Binding::local && slot < lets_->size() && (*lets_)[slot])
        return range(*(*lets_)[slot], block, zones, c, depth + 1);
      if (e.binding == Binding::constant) break;
      return undecided();
    }
    case ExprKind::member:
      if (!is_subject(*e.args[0], subject_slot_)) return undecided();
      if (e.builtin == Expr::Builtin::id) return {.kind = RangeKind::text};
      if (e.builtin == Expr::Builtin::kind) return {.kind = RangeKind::text, .one_text = true, .text = portfolio_->kinds()[kind_].name};
      return zones.zone(kind_, column_of(e), block);
    case ExprKind::unary: {
      Range v = range(*e.args[0], block, zones, c, depth + 1);
      if (v.undecided || !present(v)) return v;
      if (e.op == Op::not_) return v.kind == RangeKind::boolean ? truth_range(v.may_be_false, v.may_be_true, v.may_be_missing) : undecided();
      return v.kind == RangeKind::number ? number_range(-v.high, -v.low, v.may_be_missing) : undecided();
    }
    case ExprKind::binary: return range_binary(e, block, zones, c, depth + 1);
    case ExprKind::call: return range_call(e, block, zones, c, depth + 1);
    default: break;
  }
  // Literals, file constants and today: one value, as eval gives it.
  return range_of(eval(e, 0, c, depth));
}

Range QuickWhen::range_binary(const Expr& e, std::size_t block, const ColumnZones& zones, const Context& c, int depth) const {
  auto operand = [&](int i) { return range(*e.args[static_cast<std::size_t>(i)], block, zones, c, depth); };
  if (e.op == Op::and_ || e.op == Op::or_) {
    bool deciding = e.op == Op::or_;
    auto may_be = [](const Range& r, bool value) { return value ? r.may_be_true : r.may_be_false; };
    auto truth_or_missing = [](const Range& r) { return !r.undecided && (!present(r) || r.kind == RangeKind::boolean); };
    Range lhs = operand(0);
    if (!truth_or_missing(lhs)) return undecided();
    if (!lhs.may_be_missing && !may_be(lhs, !deciding)) return lhs;  // the right side is never evaluated
    Range rhs = operand(1);
    if (!truth_or_missing(rhs)) return undecided();
    bool may_decide = may_be(lhs, deciding) || may_be(rhs, deciding);
    bool may_not = may_be(lhs, !deciding) && may_be(rhs, !deciding);
    bool missing = lhs.may_be_missing || rhs.may_be_missing;
    return deciding ? truth_range(may_decide, may_not, missing) : truth_range(may_not, may_decide, missing);
  }
  if (e.op == Op::coalesce) {
    Range lhs = operand(0);
    if (lhs.undecided || !lhs.may_be_missing) return lhs;
    Range rhs = operand(1);
    if (!present(lhs)) return rhs;
    lhs.may_be_missing = false;
    return either(lhs, rhs);
  }
  Range a = operand(0);
  if (a.undecided) return a;
  if (e.op == Op::in || e.op == Op::not_in) return in_range(e, a, c);
  Range b = operand(1);
  if (b.undecided) return b;
  return is_comparison(e.op) ? compare_ranges(e.op, a, b) : arithmetic_ranges(e.op, a, b);
}

Range QuickWhen::range_call(const Expr& e, std::size_t block, const ColumnZones& zones, const Context& c, int depth) const {
  if (e.function < 0 || !e.option_names.empty()) return undecided();
  auto function = static_cast<Function>(e.function);
  if (function == Function::missing || function == Function::present) {
    Range v = range(*e.args[0], block, zones, c, depth);
    if (v.undecided) return v;
    bool is_missing = function == Function::missing;
    return truth_range(is_missing ? v.may_be_missing : present(v), is_missing ? present(v) : v.may_be_missing, false);
  }
  if (function != Function::round) return undecided();
  Range x = range(*e.args[0], block, zones, c, depth);
  Range digits = e.args.size() > 1 ? range(*e.args[1], block, zones, c, depth) : number_range(0, 0, false);
  if (x.undecided || digits.undecided) return undecided();
  if (!present(x) || !present(digits)) return only_missing();
  if (x.kind != RangeKind::number || digits.kind != RangeKind::number || !exact(digits)) return undecided();
  if (digits.low < 0 || digits.low > 15 || std::trunc(digits.low) != digits.low) return undecided();
  return number_range(round_to_digits(x.low, digits.low), round_to_digits(x.high, digits.low),
                      x.may_be_missing || digits.may_be_missing);
}

ColumnZones::ColumnZones(const Portfolio& portfolio) : portfolio_(portfolio) {
  for (const auto& table : portfolio.kinds()) columns_.push_back(std::make_unique<Column[]>(table.columns.size()));
}

const ColumnZones::Zone& ColumnZones::zone(KindId kind, int column, std::size_t block) const {
  static const Zone kNeverPresent = only_missing();  // an attribute the kind has no column for, or a row past the last
  const std::vector<Zone>* zones = this->column(kind, column);
  return zones && block < zones->size() ? (*zones)[block] : kNeverPresent;
}

std::size_t ColumnZones::rows(KindId kind) const {
  return kind < columns_.size() ? portfolio_.kinds()[kind].members.size() : 0;
}

namespace {

// A cell as a range of one value.
Range range_of_cell(const std::vector<Cell>& cells, std::size_t row) {
  return range_of(quick_of(row < cells.size() ? cells[row].value() : Value::missing()));
}

}  // namespace

const std::vector<ColumnZones::Zone>* ColumnZones::column(KindId kind, int column) const {
  const KindTable* table = kind < columns_.size() ? &portfolio_.kinds()[kind] : nullptr;
  auto index = static_cast<std::size_t>(column);
  if (!table || column < 0 || index >= table->columns.size()) return nullptr;
  Column& slot = columns_[kind][index];
  if (const auto* ready = slot.ready.load(std::memory_order_acquire)) return ready;
  std::lock_guard lock(making_);
  if (const auto* ready = slot.ready.load(std::memory_order_relaxed)) return ready;
  const std::vector<Cell>& cells = table->columns[index];
  std::size_t rows = table->members.size();
  for (std::size_t begin = 0; begin < rows; begin += kBlock) {
    Zone zone = range_of_cell(cells, begin);
    for (std::size_t row = begin + 1; row < std::min(begin + kBlock, rows) && !zone.undecided; ++row)
      zone = either(zone, range_of_cell(cells, row));
    slot.zones.push_back(zone);
  }
  slot.ready.store(&slot.zones, std::memory_order_release);
  return &slot.zones;
}

}  // namespace vigil
