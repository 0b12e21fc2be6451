// The rule language's syntax tree. Every node keeps its source span so that
// diagnostics, `explain` and evidence can point back at the rule text.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <vigil/severity.hpp>

#include "dsl/calendar.hpp"
#include "dsl/source.hpp"

namespace vigil {

struct Span {
  std::uint32_t begin = 0;  // byte offsets into the rule file
  std::uint32_t end = 0;
};


enum class ExprKind {
  number,         // number_value
  string,         // text (escapes already decoded)
  boolean,        // bool_value
  date,           // date_value
  duration,       // duration_value
  today,          // the evaluation date
  list,           // args: the elements
  variable,       // name; resolved to `binding`/`slot` by the checker
  member,         // args[0] . name
  unary,          // op (neg, not_) applied to args[0]
  binary,         // args[0] op args[1]
  call,           // name(args...)
  aggregate,      // name(element for binder in collection where filter)
  interpolation,  // message text: args are string literals and `{expressions}`
  conditional,    // if args[0] then args[1] else args[2]
  map,            // {"k": v, ...}: args are key (string literal), value, key, value...
  index,          // args[0][args[1]]: a list by position, a map by key
};

enum class Op {
  none, neg, not_,
  or_, and_,
  eq, ne, lt, le, gt, ge, in, not_in,
  coalesce,
  add, sub, mul, div, mod,
};
const char* op_text(Op op);

// Where a variable's value lives once names are resolved.
enum class Binding { unresolved, constant, local };

struct Expr;
using ExprPtr = std::shared_ptr<Expr>;

struct Expr {
  ExprKind kind = ExprKind::number;
  Span span;
  std::uint32_t op_offset = 0;  // the operator's offset, for unary/binary diagnostics
  enum class Builtin : std::uint8_t { none, id, kind } builtin = Builtin::none;  // member: `.id` / `.kind`

  double number_value = 0;
  bool bool_value = false;
  Date date_value;
  Duration duration_value;
  std::string text;  // string literal value; variable, attribute, function or aggregate name
  Op op = Op::none;
  std::vector<ExprPtr> args;

  // aggregate: `name(element for binder in collection where filter)`;
  // `name(binder in collection where filter)` has element == binder variable;
  // `name(collection)` has no binder.
  // call: named options (`kind: "ict"`, `depth: 3`) are the last
  // option_names.size() args, after the positional ones.
  std::vector<std::string> option_names;
  std::vector<std::uint32_t> option_offsets;
  std::size_t positional_count() const { return args.size() - option_names.size(); }

  std::string binder;
  std::uint32_t binder_offset = 0;
  ExprPtr collection, element, filter;
  // When `where` starts with `binder.kind == "K"` and elements failing it
  // cannot change the result: only entities of kind K need to be visited.
  std::string only_kind;
  // `count(i in entities("K") where i.A == E and ...)` with E not reading i:
  // only the entities of kind K whose A equals E can pass, so they are found
  // through an index on (K, A) instead of a scan (join_kind, join_attribute, join_key = E).
  std::string join_kind, join_attribute;
  ExprPtr join_key;
  // `where` reads nothing but the element (and constants, literals, today),
  // calls no graph function and holds no aggregate: its value for an entity
  // is the same wherever and however often the aggregate runs, so the
  // evaluator may remember it per entity.
  bool filter_reads_only_element = false;

  // Filled by the checker.
  Binding binding = Binding::unresolved;
  int slot = -1;             // constant index or local slot (variables, aggregate binders)
  int function = -1;         // index into the function table (calls and aggregates)
  std::uint32_t id = 0;      // unique per rule set, for per-node side tables
};

struct LetBinding {
  std::string name;
  Span name_span;
  ExprPtr value;
  int slot = -1;
  std::uint32_t keyword_offset = 0;  // of `let`
};

struct Rule {
  std::string id;
  Span id_span;
  Span span;  // `rule` keyword to closing brace
  std::optional<std::string> title;
  std::optional<Severity> severity;  // `severity high`
  ExprPtr severity_expr;             // `severity EXPR`: a string naming one, computed when the rule fires
  std::vector<std::string> tags;
  bool for_portfolio = false;
  ExprPtr each_collection;  // `for each NAME in EXPR`: NAME is `variable`, bound to each distinct element
  std::string for_kind;   // empty for portfolio rules
  std::string variable;   // the entity variable, empty for portfolio rules
  Span for_span;          // the kind (or `portfolio`)
  Span variable_span;
  bool has_for = false;
  std::vector<LetBinding> lets;
  ExprPtr when;
  ExprPtr message;  // an interpolation node
  int slot_count = 0;  // locals needed to evaluate the rule (filled by the checker)
  // Where each clause's keyword is, for the formatter (comments stay with their clause).
  std::uint32_t severity_offset = 0, tags_offset = 0, for_offset = 0, when_offset = 0, message_offset = 0;
};

struct RuleFile {
  SourcePtr source;
  std::vector<LetBinding> constants;
  int constant_slot_count = 0;  // locals needed by aggregates inside constants
  std::vector<Rule> rules;
};

// Calls visit(Expr&) for each child of `node`: the arguments, then an
// aggregate's collection, element and filter. The one list of where a node's
// children are, for every walk over the tree.
template <typename Visit>
void for_each_child(const Expr& node, Visit&& visit) {
  for (const auto& child : node.args)
    if (child) visit(*child);
  for (const auto* child : {&node.collection, &node.element, &node.filter})
    if (*child) visit(**child);
}

// Calls visit(const ExprPtr&) for the expression of every let, `when`,
// message, severity and `for each` list of a rule; then of a whole file, its
// constants included.
template <typename Visit>
void for_each_expression_root(const Rule& rule, Visit&& visit) {
  for (const auto& let : rule.lets) visit(let.value);
  visit(rule.when);
  visit(rule.message);
  if (rule.severity_expr) visit(rule.severity_expr);
  if (rule.each_collection) visit(rule.each_collection);
}
template <typename Visit>
void for_each_expression_root(const RuleFile& file, Visit&& visit) {
  for (const auto& constant : file.constants) visit(constant.value);
  for (const auto& rule : file.rules) for_each_expression_root(rule, visit);
}

}  // namespace vigil
