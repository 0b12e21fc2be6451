// The grammar of CONTRACT section 2 in Boost.Spirit X3.
//
// Semantic actions build the AST directly. Positions come from `pos`, a
// primitive that skips whitespace and comments and yields the byte offset of
// the next token. Errors come from two places: X3 expectation points (`>`),
// which say what was expected, and SyntaxError thrown from actions for
// mistakes that need their own words (bad dates, unknown severities, `=` for
// `==`, unterminated strings).
#include "dsl/parser.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdlib>
#include <functional>
#include <boost/spirit/home/x3.hpp>

#include "dsl/diagnostic.hpp"
#include "dsl/functions.hpp"
#include "dsl/unicode.hpp"

// An action is described, in "expected ..." messages, by what it wraps.
namespace boost::spirit::x3 {
template <typename Subject, typename Action>
struct get_info<action<Subject, Action>> {
  using result_type = std::string;
  std::string operator()(action<Subject, Action> const& parser) const { return what(parser.subject); }
};
// A sequence is expected as its first element: `']' >> end_pos` is "']'".
template <typename Left, typename Right>
struct get_info<sequence<Left, Right>> {
  using result_type = std::string;
  std::string operator()(sequence<Left, Right> const& parser) const { return what(parser.left); }
};
}  // namespace boost::spirit::x3

namespace vigil {
namespace x3 = boost::spirit::x3;
namespace ascii = boost::spirit::x3::ascii;
using boost::fusion::at_c;

namespace {

using Iterator = std::string::const_iterator;

struct SyntaxError {
  std::uint32_t offset;
  std::string message;
};

struct ParseState {
  Iterator begin;
  int nesting = 0;  // brackets, calls and prefix operators open at this point
};
struct state_tag;

template <typename Context>
std::uint32_t offset_of(Context const& ctx, Iterator it) {
  return static_cast<std::uint32_t>(it - x3::get<state_tag>(ctx).get().begin);
}

bool is_word_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
}
bool is_digit(char c) { return c >= '0' && c <= '9'; }

// ---- primitives -----------------------------------------------------------

// Skips whitespace and comments, then yields the offset of the next token.
struct position_parser : x3::parser<position_parser> {
  using attribute_type = std::uint32_t;
  static bool const has_attribute = true;
  template <typename It, typename Ctx, typename RCtx, typename Attr>
  bool parse(It& first, It const& last, Ctx const& ctx, RCtx&, Attr& attr) const {
    x3::skip_over(first, last, ctx);
    x3::traits::move_to(offset_of(ctx, first), attr);
    return true;
  }
};
position_parser const pos{};

// The offset right after the previous token (no skipping).
struct end_position_parser : x3::parser<end_position_parser> {
  using attribute_type = std::uint32_t;
  static bool const has_attribute = true;
  template <typename It, typename Ctx, typename RCtx, typename Attr>
  bool parse(It& first, It const&, Ctx const& ctx, RCtx&, Attr& attr) const {
    x3::traits::move_to(offset_of(ctx, first), attr);
    return true;
  }
};
end_position_parser const end_pos{};

struct StringToken {
  std::string value;
  std::uint32_t begin = 0, end = 0;
  std::vector<std::uint32_t> offsets;  // source offset of each decoded byte
};

// "text" with \" \\ \n \t escapes, on one line.
struct string_parser : x3::parser<string_parser> {
  using attribute_type = StringToken;
  static bool const has_attribute = true;
  template <typename It, typename Ctx, typename RCtx, typename Attr>
  bool parse(It& first, It const& last, Ctx const& ctx, RCtx&, Attr& attr) const {
    x3::skip_over(first, last, ctx);
    if (first == last || *first != '"') return false;
    StringToken token;
    token.begin = offset_of(ctx, first);
    It it = std::next(first);
    for (;;) {
      if (it == last || *it == '\n' || *it == '\r')
        throw SyntaxError{token.begin, "unterminated string: a string must end with '\"' on the same line"};
      char c = *it;
      if (c == '"') break;
      std::uint32_t at = offset_of(ctx, it);
      if (c == '\\') {
        ++it;
        char escaped = it == last ? '\0' : *it;
        switch (escaped) {
          case '"': c = '"'; break;
          case '\\': c = '\\'; break;
          case 'n': c = '\n'; break;
          case 't': c = '\t'; break;
          default:
            throw SyntaxError{at, "unknown escape in string: use \\\" \\\\ \\n or \\t"};
        }
      }
      token.value += c;
      token.offsets.push_back(at);
      ++it;
    }
    first = std::next(it);
    token.end = offset_of(ctx, first);
    x3::traits::move_to(std::move(token), attr);
    return true;
  }
};
string_parser const string_token{};

ExprPtr make_node(ExprKind kind, std::uint32_t begin, std::uint32_t end) {
  auto node = std::make_shared<Expr>();
  node->kind = kind;
  node->span = {begin, end};
  return node;
}

// Numbers, dates (2026-01-31) and durations (30d 12w 6mo 1y): everything that
// starts with a digit is read as one token and then classified, so `12m` or
// `2026-13-01` get an error of their own instead of a confusing parse.
struct number_like_parser : x3::parser<number_like_parser> {
  using attribute_type = ExprPtr;
  static bool const has_attribute = true;

  template <typename It, typename Ctx, typename RCtx, typename Attr>
  bool parse(It& first, It const& last, Ctx const& ctx, RCtx&, Attr& attr) const {
    x3::skip_over(first, last, ctx);
    if (first == last || !is_digit(*first)) return false;
    It it = first;
    auto digits = [&] { while (it != last && is_digit(*it)) ++it; };
    digits();
    bool date_shape = false;
    if (it - first == 4 && it != last && *it == '-' && std::next(it) != last && is_digit(*std::next(it))) {
      It probe = std::next(it);
      while (probe != last && is_digit(*probe)) ++probe;
      if (probe != last && *probe == '-' && std::next(probe) != last && is_digit(*std::next(probe))) {
        it = std::next(probe);
        digits();
        date_shape = true;
      }
    }
    bool plain_number = !date_shape;
    if (!date_shape) {
      if (it != last && *it == '.' && std::next(it) != last && is_digit(*std::next(it))) {
        ++it;
        digits();
      }
      if (it != last && (*it == 'e' || *it == 'E')) {
        It probe = std::next(it);
        if (probe != last && (*probe == '+' || *probe == '-')) ++probe;
        if (probe != last && is_digit(*probe)) {
          it = probe;
          digits();
        }
      }
    }
    It number_end = it;
    while (it != last && (is_word_char(*it) || *it == '.')) ++it;
    std::uint32_t begin = offset_of(ctx, first), end = offset_of(ctx, it);
    std::string text(first, it);
    std::string suffix(number_end, it);
    attr = classify(text, suffix, plain_number && std::all_of(first, number_end, is_digit), date_shape,
                    begin, end);
    first = it;
    return true;
  }

  static ExprPtr classify(const std::string& text, const std::string& suffix, bool integer, bool date_shape,
                          std::uint32_t begin, std::uint32_t end) {
    if (date_shape && suffix.empty()) {
      auto date = parse_iso_date(text);
      if (!date) throw SyntaxError{begin, explain_invalid_date(text)};
      auto node = make_node(ExprKind::date, begin, end);
      node->date_value = *date;
      return node;
    }
    if (suffix.empty()) {
      auto node = make_node(ExprKind::number, begin, end);
      node->number_value = std::strtod(text.c_str(), nullptr);
      if (!std::isfinite(node->number_value))
        throw SyntaxError{begin, fmt::format("number '{}' is too large (at most about 1.8e308)", text)};
      return node;
    }
    if (integer) {
      if (auto duration = parse_duration(text)) {
        auto node = make_node(ExprKind::duration, begin, end);
        node->duration_value = *duration;
        return node;
      }
      if (suffix == "d" || suffix == "w" || suffix == "mo" || suffix == "y")
        throw SyntaxError{begin, fmt::format("duration '{}' is out of range (at most 10000 years)", text)};
      if (std::all_of(suffix.begin(), suffix.end(), [](char c) { return std::isalpha(static_cast<unsigned char>(c)); }))
        throw SyntaxError{begin, fmt::format("invalid duration '{}': the units are d (days), w (weeks), "
                                             "mo (months) and y (years), as in 30d, 12w, 6mo, 1y", text)};
    }
    throw SyntaxError{begin, fmt::format("invalid number '{}'", text)};
  }
};
number_like_parser const number_like{};

// Every bracket, call and prefix operator nests the recursive descent one
// level deeper; ten thousand '(' would overflow the stack. The limit is far
// beyond any rule a person writes and well within the stack of a thread.
constexpr int kMaxNesting = 100;

template <typename Subject>
struct nesting_guard : x3::unary_parser<Subject, nesting_guard<Subject>> {
  using base_type = x3::unary_parser<Subject, nesting_guard<Subject>>;
  static bool const is_pass_through_unary = true;
  constexpr nesting_guard(Subject const& wrapped) : base_type(wrapped) {}

  template <typename It, typename Ctx, typename RCtx, typename Attr>
  bool parse(It& first, It const& last, Ctx const& ctx, RCtx& rctx, Attr& attr) const {
    auto& state = x3::get<state_tag>(ctx).get();
    if (state.nesting >= kMaxNesting) {
      x3::skip_over(first, last, ctx);
      throw SyntaxError{offset_of(ctx, first), fmt::format("expression nested too deeply (more than {} levels of "
                                                           "brackets, calls or prefix operators): split it with 'let'",
                                                           kMaxNesting)};
    }
    ++state.nesting;
    bool parsed = this->subject.parse(first, last, ctx, rctx, attr);
    --state.nesting;
    return parsed;
  }
};
struct nesting_guard_gen {
  template <typename Subject>
  constexpr nesting_guard<typename x3::extension::as_parser<Subject>::value_type> operator[](Subject const& subject) const {
    return {x3::as_parser(subject)};
  }
};
constexpr nesting_guard_gen nested{};

// ---- tokens -----------------------------------------------------------------

auto const word_char = ascii::alnum | x3::char_('_');
auto const word = x3::rule<class word_tag, std::string>{"a name"} =
    x3::lexeme[(ascii::alpha | x3::char_('_')) >> *word_char];

auto keyword(char const* text) { return x3::lexeme[x3::lit(text) >> !word_char]; }

auto const kw_and = keyword("and");
auto const kw_or = keyword("or");
auto const kw_not = keyword("not");
auto const kw_in = x3::rule<class kw_in_tag>{"'in'"} = keyword("in");
auto const kw_for = keyword("for");
auto const kw_where = keyword("where");
auto const kw_true = keyword("true");
auto const kw_false = keyword("false");
auto const kw_today = keyword("today");
auto const kw_let = keyword("let");
auto const kw_rule = keyword("rule");
auto const kw_severity = keyword("severity");
auto const kw_tags = keyword("tags");
auto const kw_when = keyword("when");
auto const kw_message = keyword("message");
auto const kw_portfolio = keyword("portfolio");
auto const kw_if = keyword("if");
auto const kw_then = x3::rule<class kw_then_tag>{"'then'"} = keyword("then");
auto const kw_else = x3::rule<class kw_else_tag>{"'else'"} = keyword("else");

// Clause keywords are reserved too, so that an unfinished expression
// (`when a +` at the end of a line) is reported there, not one clause later.
constexpr std::array kReservedWords{"and",  "or",  "not",  "in",       "where", "for",  "true",    "false",
                                    "today", "let", "rule", "severity", "tags",  "when", "message", "if",
                                    "then",  "else"};

x3::rule<class identifier_tag, std::string> const identifier = "a name";
auto const identifier_def = word[([](auto& ctx) {
  if (is_reserved_word(x3::_attr(ctx)))
    x3::_pass(ctx) = false;
  else
    x3::_val(ctx) = x3::_attr(ctx);
})];
BOOST_SPIRIT_DEFINE(identifier)

auto const attribute_name = x3::rule<class attribute_name_tag, std::string>{"an attribute name"} = word;
auto const rule_id = x3::rule<class rule_id_tag, std::string>{"a rule id (a letter, then letters, digits, '_', '.' or '-')"} =
    x3::lexeme[ascii::alpha >> *(ascii::alnum | x3::char_("_.-"))];
auto const kind_word = x3::rule<class kind_word_tag, std::string>{
    "an entity kind (a lower-case word such as vendor) or 'portfolio'"} =
    x3::lexeme[ascii::lower >> *(ascii::lower | ascii::digit | x3::char_('_')) >> !word_char];
auto const string_literal = x3::rule<class string_literal_tag, StringToken>{"a string"} = string_token;
auto const tag_list = x3::rule<class tag_list_tag, std::vector<StringToken>>{"a list of strings"} =
    '[' > -(string_literal % ',') > -x3::lit(',') > ']';

struct comparison_ops_ : x3::symbols<Op> {
  comparison_ops_() { add("==", Op::eq)("!=", Op::ne)("<=", Op::le)(">=", Op::ge)("<", Op::lt)(">", Op::gt); }
} const comparison_symbols;
struct additive_ops_ : x3::symbols<Op> {
  additive_ops_() { add("+", Op::add)("-", Op::sub); }
} const additive_ops;
struct multiplicative_ops_ : x3::symbols<Op> {
  multiplicative_ops_() { add("*", Op::mul)("/", Op::div)("%", Op::mod); }
} const multiplicative_ops;

auto const comparison_op = x3::rule<class comparison_op_tag, Op>{"a comparison"} =
    comparison_symbols | (kw_in >> x3::attr(Op::in)) | (kw_not >> kw_in >> x3::attr(Op::not_in));
auto const lone_equals = x3::lit('=') >> !x3::lit('=');
auto const call_name = x3::rule<class call_name_tag, std::string>{"a function name"} =
    x3::lexeme[x3::string("suppliers*") | x3::string("dependents*")] | word;

// ---- actions ------------------------------------------------------------------

auto const assign = [](auto& ctx) { x3::_val(ctx) = x3::_attr(ctx); };

ExprPtr make_binary(Op op, std::uint32_t op_offset, ExprPtr lhs, ExprPtr rhs) {
  auto node = make_node(ExprKind::binary, lhs->span.begin, rhs->span.end);
  node->op = op;
  node->op_offset = op_offset;
  node->args = {std::move(lhs), std::move(rhs)};
  return node;
}

// `*( (pos >> op > operand)[fold] )`: left-associative chains.
auto const fold_with_symbol = [](auto& ctx) {
  auto& a = x3::_attr(ctx);
  x3::_val(ctx) = make_binary(at_c<1>(a), at_c<0>(a), x3::_val(ctx), at_c<2>(a));
};
auto fold_with(Op op) {
  return [op](auto& ctx) {
    auto& a = x3::_attr(ctx);
    x3::_val(ctx) = make_binary(op, at_c<0>(a), x3::_val(ctx), at_c<1>(a));
  };
}

auto unary_with(Op op) {
  return [op](auto& ctx) {
    auto& a = x3::_attr(ctx);
    auto operand = at_c<1>(a);
    auto node = make_node(ExprKind::unary, at_c<0>(a), operand->span.end);
    node->op = op;
    node->op_offset = at_c<0>(a);
    node->args = {operand};
    x3::_val(ctx) = node;
  };
}

auto const make_conditional = [](auto& ctx) {
  auto& a = x3::_attr(ctx);
  auto node = make_node(ExprKind::conditional, at_c<0>(a), at_c<3>(a)->span.end);
  node->args = {at_c<1>(a), at_c<2>(a), at_c<3>(a)};
  x3::_val(ctx) = node;
};

auto const make_index = [](auto& ctx) {
  auto& a = x3::_attr(ctx);
  auto node = make_node(ExprKind::index, x3::_val(ctx)->span.begin, at_c<2>(a));
  node->op_offset = at_c<0>(a);
  node->args = {x3::_val(ctx), at_c<1>(a)};
  x3::_val(ctx) = node;
};

auto const start_map = [](auto& ctx) { x3::_val(ctx) = make_node(ExprKind::map, x3::_attr(ctx), x3::_attr(ctx)); };
auto const add_map_entry = [](auto& ctx) {
  auto& a = x3::_attr(ctx);
  auto& node = *x3::_val(ctx);
  auto key = make_string_node(at_c<0>(a));
  for (std::size_t i = 0; i < node.args.size(); i += 2)
    if (node.args[i]->text == key->text)
      throw SyntaxError{key->span.begin, fmt::format("key \"{}\" appears twice in this map", key->text)};
  node.args.push_back(key);
  node.args.push_back(at_c<1>(a));
};

auto const chained_comparison = [](auto& ctx) {
  throw SyntaxError{x3::_attr(ctx), "comparisons cannot be chained: combine them with 'and'"};
};
auto const equals_for_comparison = [](auto& ctx) {
  throw SyntaxError{x3::_attr(ctx), "expected '==' to compare values but found '='"};
};

auto const make_member = [](auto& ctx) {
  auto& a = x3::_attr(ctx);
  auto node = make_node(ExprKind::member, x3::_val(ctx)->span.begin, at_c<2>(a));
  node->text = at_c<1>(a);
  node->op_offset = at_c<0>(a);
  node->builtin = node->text == "id" ? Expr::Builtin::id : node->text == "kind" ? Expr::Builtin::kind : Expr::Builtin::none;
  node->args = {x3::_val(ctx)};
  x3::_val(ctx) = node;
};

auto const make_variable = [](auto& ctx) {
  auto& a = x3::_attr(ctx);
  auto node = make_node(ExprKind::variable, at_c<0>(a), at_c<2>(a));
  node->text = at_c<1>(a);
  x3::_val(ctx) = node;
};

auto literal_action(ExprKind kind, bool value = false) {
  return [kind, value](auto& ctx) {
    auto& a = x3::_attr(ctx);
    auto node = make_node(kind, at_c<0>(a), at_c<1>(a));
    node->bool_value = value;
    x3::_val(ctx) = node;
  };
}

ExprPtr make_string_node(const StringToken& token) {
  auto node = make_node(ExprKind::string, token.begin, token.end);
  node->text = token.value;
  return node;
}
auto const make_string = [](auto& ctx) { x3::_val(ctx) = make_string_node(x3::_attr(ctx)); };

auto const start_list = [](auto& ctx) {
  x3::_val(ctx) = make_node(ExprKind::list, x3::_attr(ctx), x3::_attr(ctx));
};
auto const add_element = [](auto& ctx) { x3::_val(ctx)->args.push_back(x3::_attr(ctx)); };
auto const set_end = [](auto& ctx) { x3::_val(ctx)->span.end = x3::_attr(ctx); };

auto const add_argument = [](auto& ctx) {
  auto& node = *x3::_val(ctx);
  if (!node.option_names.empty())
    throw SyntaxError{x3::_attr(ctx)->span.begin, "a positional argument cannot follow a named option (kind:, depth:)"};
  node.args.push_back(x3::_attr(ctx));
};
auto const add_option = [](auto& ctx) {
  auto& a = x3::_attr(ctx);
  auto& node = *x3::_val(ctx);
  for (const auto& name : node.option_names)
    if (name == at_c<1>(a)) throw SyntaxError{at_c<0>(a), fmt::format("option '{}:' is given twice", name)};
  node.option_names.push_back(at_c<1>(a));
  node.option_offsets.push_back(at_c<0>(a));
  node.args.push_back(at_c<2>(a));
};

auto const start_call = [](auto& ctx) {
  auto& a = x3::_attr(ctx);
  auto node = make_node(ExprKind::call, at_c<0>(a), at_c<0>(a));
  node->text = at_c<1>(a);
  x3::_val(ctx) = node;
};
auto const set_comprehension = [](auto& ctx) {
  auto& a = x3::_attr(ctx);
  auto& node = *x3::_val(ctx);
  node.binder_offset = at_c<0>(a);
  node.binder = at_c<1>(a);
  node.collection = at_c<2>(a);
};
auto const set_filter = [](auto& ctx) {
  auto& a = x3::_attr(ctx);
  auto& node = *x3::_val(ctx);
  if (node.filter) throw SyntaxError{at_c<0>(a), "an aggregate takes one 'where'"};
  node.op_offset = at_c<0>(a);
  node.filter = at_c<1>(a);
};

// Turns `name(args)` with `for`/`where`/`x in C` into an aggregate node, or
// rejects those forms outside aggregates.
void finish_call(Expr& node, std::uint32_t end) {
  node.span.end = end;
  bool aggregate = is_aggregate_name(node.text);
  bool comprehension = !node.binder.empty() || node.filter;
  if (!aggregate) {
    if (comprehension)
      throw SyntaxError{node.binder.empty() ? node.op_offset : node.binder_offset,
                        fmt::format("'for' and 'where' can only be used in aggregates "
                                    "(count, any, all, sum, min, max, list), not in {}()", node.text)};
    return;
  }
  node.kind = ExprKind::aggregate;
  if (node.args.size() != 1)
    throw SyntaxError{node.span.begin, fmt::format("{}() takes one argument: {}(x in C where P), "
                                                   "{}(E for x in C where P) or {}(C)",
                                                   node.text, node.text, node.text, node.text)};
  ExprPtr first = node.args[0];
  node.args.clear();
  if (!node.binder.empty()) {  // name(E for x in C ...)
    node.element = first;
    return;
  }
  if (first->kind == ExprKind::binary && first->op == Op::in && first->args[0]->kind == ExprKind::variable) {
    node.binder = first->args[0]->text;  // name(x in C ...)
    node.binder_offset = first->args[0]->span.begin;
    node.collection = first->args[1];
    node.element = first->args[0];
    return;
  }
  if (node.filter)
    throw SyntaxError{node.op_offset, fmt::format("'where' needs a variable to bind: write {}(x in C where P)",
                                                  node.text)};
  node.collection = first;  // name(C)
}
auto const end_call = [](auto& ctx) { finish_call(*x3::_val(ctx), x3::_attr(ctx)); };

// ---- expressions --------------------------------------------------------------

x3::rule<class expression_tag, ExprPtr> const expression = "an expression";
x3::rule<class or_tag, ExprPtr> const or_expression = "an expression";
x3::rule<class map_tag, ExprPtr> const map_literal = "a map";
x3::rule<class and_tag, ExprPtr> const and_expression = "an expression";
x3::rule<class not_tag, ExprPtr> const not_expression = "an expression";
x3::rule<class comparison_tag, ExprPtr> const comparison = "an expression";
x3::rule<class coalesce_tag, ExprPtr> const coalesce = "an expression";
x3::rule<class additive_tag, ExprPtr> const additive = "an expression";
x3::rule<class multiplicative_tag, ExprPtr> const multiplicative = "an expression";
x3::rule<class unary_tag, ExprPtr> const unary = "an expression";
x3::rule<class postfix_tag, ExprPtr> const postfix = "an expression";
x3::rule<class primary_tag, ExprPtr> const primary = "an expression";
x3::rule<class list_tag, ExprPtr> const list_literal = "a list";
x3::rule<class call_tag, ExprPtr> const call = "a function call";
x3::rule<class variable_tag, ExprPtr> const variable = "a name";

// `if` is the loosest form: `if C then A else if D then B else E`.
auto const expression_def =
    (pos >> kw_if > nested[expression] > kw_then > nested[expression] > kw_else > nested[expression])[make_conditional] |
    or_expression[assign];
auto const or_expression_def = and_expression[assign] >> *((pos >> kw_or > and_expression)[fold_with(Op::or_)]);
auto const and_expression_def = not_expression[assign] >> *((pos >> kw_and > not_expression)[fold_with(Op::and_)]);
auto const not_expression_def = (pos >> kw_not > nested[not_expression])[unary_with(Op::not_)] | comparison[assign];
auto const comparison_def = coalesce[assign] >>
                            -((pos >> comparison_op > coalesce)[fold_with_symbol] >>
                              -(pos >> &comparison_op)[chained_comparison]) >>
                            -(pos >> &lone_equals)[equals_for_comparison];
auto const coalesce_def = additive[assign] >> *((pos >> "??" > additive)[fold_with(Op::coalesce)]);
auto const additive_def = multiplicative[assign] >> *((pos >> additive_ops > multiplicative)[fold_with_symbol]);
auto const multiplicative_def = unary[assign] >> *((pos >> multiplicative_ops > unary)[fold_with_symbol]);
auto const unary_def = (pos >> '-' > nested[unary])[unary_with(Op::neg)] | postfix[assign];
auto const postfix_def = primary[assign] >> *((pos >> '.' > attribute_name > end_pos)[make_member] |
                                               (pos >> '[' > nested[expression] > (']' >> end_pos))[make_index]);
auto const primary_def = number_like[assign] | string_token[make_string] | list_literal[assign] | map_literal[assign] |
                         ('(' > nested[expression] > ')')[assign] |
                         (pos >> kw_true >> end_pos)[literal_action(ExprKind::boolean, true)] |
                         (pos >> kw_false >> end_pos)[literal_action(ExprKind::boolean, false)] |
                         (pos >> kw_today >> end_pos)[literal_action(ExprKind::today)] | call[assign] |
                         variable[assign];
auto const list_literal_def = (pos >> '[')[start_list] > nested[-(expression[add_element] % ',')] > -x3::lit(',') >
                              (']' >> end_pos)[set_end];
auto const map_literal_def = (pos >> '{')[start_map] >
                             nested[-((string_literal > ':' > expression)[add_map_entry] % ',')] > -x3::lit(',') >
                             ('}' >> end_pos)[set_end];
auto const call_def = (pos >> call_name >> '(')[start_call] >
                      nested[-(expression[add_element] >>
                        -((pos >> kw_for > identifier > kw_in > expression)[set_comprehension]) >>
                        -((pos >> kw_where > expression)[set_filter]) >>
                        *(',' > ((pos >> word >> ':' > expression)[add_option] | expression[add_argument])))] >
                      (')' >> end_pos)[end_call];
auto const variable_def = (pos >> identifier >> end_pos)[make_variable];

BOOST_SPIRIT_DEFINE(expression, or_expression, map_literal, and_expression, not_expression, comparison, coalesce, additive, multiplicative,
                    unary, postfix, primary, list_literal, call, variable)

// ---- skipping and running the parser -------------------------------------------

auto const skipper = ascii::space | x3::lexeme['#' >> *(x3::char_ - x3::eol)];

std::uint32_t skip_blanks(const std::string& text, std::uint32_t offset) {
  while (offset < text.size()) {
    char c = text[offset];
    if (c == '#') {
      while (offset < text.size() && text[offset] != '\n' && text[offset] != '\r') ++offset;
    } else if (c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\f' || c == '\v') {
      ++offset;
    } else {
      break;
    }
  }
  return offset;
}

std::string describe_token_at(const std::string& text, std::uint32_t offset, const char* end_name) {
  if (offset >= text.size()) return end_name;
  char c = text[offset];
  std::size_t end = offset + 1;
  if (is_word_char(c)) {
    while (end < text.size() && (is_word_char(text[end]) || text[end] == '.' || text[end] == '-')) ++end;
    // A word ends at '.'/'-' unless it is a number, date or rule id; keep words readable.
    if (!is_digit(c)) {
      end = offset;
      while (end < text.size() && is_word_char(text[end])) ++end;
    }
  } else if (c == '"') {
    end = text.find_first_of("\"\n", offset + 1);
    end = end == std::string::npos || text[end] == '\n' ? std::min<std::size_t>(text.size(), offset + 20) : end + 1;
    if (end - offset > 24) return fmt::format("'{}...'", text.substr(offset, 20));
  } else {
    static constexpr std::array two_char_ops{"==", "!=", "<=", ">=", "??"};
    for (auto op : two_char_ops)
      if (text.compare(offset, 2, op) == 0) end = offset + 2;
  }
  return fmt::format("'{}'", text.substr(offset, end - offset));
}

std::string readable_expectation(std::string which) {
  // An unnamed compound parser reports its C++ type name; all such places
  // (a call's next argument or option) expect an expression.
  if (which.find("boost") != std::string::npos) return "an expression";
  if (which.size() >= 2 && which.front() == '"' && which.back() == '"')
    which = "'" + which.substr(1, which.size() - 2) + "'";
  return which;
}

// Words quoted in an expectation ("'severity', 'tags'") double as did-you-mean candidates.
std::vector<std::string> quoted_words(const std::string& which) {
  std::vector<std::string> words;
  std::size_t start = 0;
  while ((start = which.find('\'', start)) != std::string::npos) {
    std::size_t end = which.find('\'', start + 1);
    if (end == std::string::npos) break;
    words.push_back(which.substr(start + 1, end - start - 1));
    start = end + 1;
  }
  for (auto* name : {"severity", "tags", "for", "let", "when", "message", "rule"})
    if (which.find(name) != std::string::npos) words.push_back(name);
  return words;
}

std::string expectation_message(const std::string& text, std::uint32_t offset, const std::string& which,
                                const char* end_name) {
  std::string expected = readable_expectation(which);
  std::string found = describe_token_at(text, offset, end_name);
  std::string message = fmt::format("expected {} but found {}", expected, found);
  if (offset < text.size() && is_word_char(text[offset]) && !is_digit(text[offset])) {
    std::string found_word = found.substr(1, found.size() - 2);
    message += did_you_mean(found_word, quoted_words(expected));
  }
  if (found == "'='" && expected.find("'}'") != std::string::npos)
    message += " (compare with '==')";
  return message;
}

template <typename Grammar, typename Attribute>
void run_parser(const SourcePtr& source, const std::string& text, const Grammar& grammar, Attribute& attribute,
                const std::function<std::uint32_t(std::uint32_t)>& to_source_offset,
                const char* end_name = "end of file") {
  ParseState state{text.begin()};
  Iterator first = text.begin();
  try {
    if (!x3::phrase_parse(first, text.cend(), x3::with<state_tag>(std::ref(state))[grammar], skipper, attribute)) {
      // The grammar failed at its first token, before any expectation point:
      // `{)}` in a message cannot start an expression.
      auto offset = skip_blanks(text, static_cast<std::uint32_t>(first - text.begin()));
      throw SyntaxError{offset, fmt::format("expected an expression but found {}", describe_token_at(text, offset, end_name))};
    }
  } catch (const x3::expectation_failure<Iterator>& failure) {
    auto offset = skip_blanks(text, static_cast<std::uint32_t>(failure.where() - text.begin()));
    throw RuleError({Diagnostic{DiagnosticLevel::error, source, to_source_offset(offset),
                                expectation_message(text, offset, failure.which(), end_name)}});
  } catch (const SyntaxError& error) {
    throw RuleError({Diagnostic{DiagnosticLevel::error, source, to_source_offset(error.offset), error.message}});
  }
}

// ---- messages: "text {expression} text" ----------------------------------------

void remap_spans(Expr& node, const std::vector<std::uint32_t>& offsets, std::uint32_t close_offset) {
  // An end offset is where the next decoded character starts (an escape like
  // \" takes two source bytes), or the closing brace.
  auto map = [&](std::uint32_t at) { return at < offsets.size() ? offsets[at] : close_offset; };
  node.span = {map(node.span.begin), map(node.span.end)};
  node.op_offset = map(node.op_offset);
  node.binder_offset = map(node.binder_offset);
  for_each_child(node, [&](Expr& child) { remap_spans(child, offsets, close_offset); });
}

auto const interpolated_expression =
    expression > (x3::rule<class interpolation_end_tag>{"'}' to close the interpolation"} = x3::eoi);

ExprPtr parse_interpolation(const SourcePtr& source, const StringToken& token) {
  auto node = make_node(ExprKind::interpolation, token.begin, token.end);
  const std::string& text = token.value;
  std::string literal;
  auto flush_literal = [&](std::uint32_t at) {
    if (literal.empty()) return;
    auto part = make_node(ExprKind::string, at, at);
    part->text = std::move(literal);
    literal.clear();
    node->args.push_back(part);
  };
  for (std::size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if ((c == '{' || c == '}') && i + 1 < text.size() && text[i + 1] == c) {
      literal += c;
      ++i;
      continue;
    }
    if (c == '}')
      throw RuleError({Diagnostic{DiagnosticLevel::error, source, token.offsets[i],
                                  "unmatched '}' in message: write '}}' for a literal brace"}});
    if (c != '{') {
      literal += c;
      continue;
    }
    std::size_t close = text.find('}', i + 1);
    if (close == std::string::npos)
      throw RuleError({Diagnostic{DiagnosticLevel::error, source, token.offsets[i],
                                  "unclosed '{' in message: write '{{' for a literal brace"}});
    flush_literal(token.offsets[i]);
    std::string inner = text.substr(i + 1, close - i - 1);
    std::vector<std::uint32_t> offsets(token.offsets.begin() + static_cast<long>(i) + 1,
                                       token.offsets.begin() + static_cast<long>(close));
    std::uint32_t close_offset = token.offsets[close];
    if (inner.find_first_not_of(" \t") == std::string::npos)
      throw RuleError({Diagnostic{DiagnosticLevel::error, source, token.offsets[i],
                                  "empty '{}' in message: put an expression inside, or write '{{' for a brace"}});
    ExprPtr inner_expression;
    run_parser(source, inner, interpolated_expression, inner_expression,
               [&](std::uint32_t at) { return at < offsets.size() ? offsets[at] : close_offset; }, "'}'");
    remap_spans(*inner_expression, offsets, close_offset);
    node->args.push_back(inner_expression);
    i = close;
  }
  flush_literal(token.end);
  return node;
}

// ---- rules and files ------------------------------------------------------------------

struct FileBuilder {
  SourcePtr source;
  RuleFile file;
};
struct builder_tag;

template <typename Context>
const SourcePtr& source_of(Context const& ctx) {
  return x3::get<builder_tag>(ctx).get().source;
}

void reject_duplicate(bool already, std::uint32_t at, const char* clause) {
  if (already) throw SyntaxError{at, fmt::format("duplicate '{}' clause: a rule has at most one", clause)};
}

auto const begin_rule = [](auto& ctx) {
  auto& a = x3::_attr(ctx);
  auto& rule = x3::_val(ctx);
  rule.span.begin = at_c<0>(a);
  rule.id_span = {at_c<1>(a), at_c<1>(a) + static_cast<std::uint32_t>(at_c<2>(a).size())};
  rule.id = at_c<2>(a);
};
auto const set_title = [](auto& ctx) { x3::_val(ctx).title = x3::_attr(ctx).value; };
// `severity high` is a literal; anything else (`severity if s > 8 then
// "critical" else "high"`, `severity level`) an expression. A bare name that
// is no severity is left to the checker, which knows the rule's lets.
auto const set_severity = [](auto& ctx) {
  auto& a = x3::_attr(ctx);
  auto& rule = x3::_val(ctx);
  reject_duplicate(rule.severity.has_value() || rule.severity_expr, at_c<0>(a), "severity");
  rule.severity_offset = at_c<0>(a);
  const ExprPtr& value = at_c<1>(a);
  if (value->kind == ExprKind::variable)
    if (auto severity = parse_severity(value->text)) {
      rule.severity = severity;
      return;
    }
  rule.severity_expr = value;
};
auto const set_tags = [](auto& ctx) {
  auto& a = x3::_attr(ctx);
  auto& rule = x3::_val(ctx);
  reject_duplicate(!rule.tags.empty(), at_c<0>(a), "tags");
  rule.tags_offset = at_c<0>(a);
  for (auto& tag : at_c<1>(a)) rule.tags.push_back(tag.value);
};
// Every form of `for` (a kind, portfolio, each): once per rule.
void begin_for_clause(Rule& rule, std::uint32_t at) {
  reject_duplicate(rule.has_for, at, "for");
  rule.has_for = true;
  rule.for_offset = at;
}
auto const set_for_portfolio = [](auto& ctx) {
  auto& rule = x3::_val(ctx);
  begin_for_clause(rule, x3::_attr(ctx));
  rule.for_portfolio = true;
  rule.for_span = {x3::_attr(ctx), x3::_attr(ctx) + 3};
};
auto const set_for_each = [](auto& ctx) {
  auto& a = x3::_attr(ctx);
  auto& rule = x3::_val(ctx);
  begin_for_clause(rule, at_c<0>(a));
  rule.for_span = {at_c<0>(a), at_c<1>(a)};
  rule.variable_span = {at_c<1>(a), at_c<1>(a) + static_cast<std::uint32_t>(at_c<2>(a).size())};
  rule.variable = at_c<2>(a);
  rule.each_collection = at_c<3>(a);
};
auto const set_for_kind = [](auto& ctx) {
  auto& a = x3::_attr(ctx);
  auto& rule = x3::_val(ctx);
  begin_for_clause(rule, at_c<0>(a));
  rule.for_span = {at_c<1>(a), at_c<1>(a) + static_cast<std::uint32_t>(at_c<2>(a).size())};
  rule.for_kind = at_c<2>(a);
  rule.variable_span = {at_c<3>(a), at_c<3>(a) + static_cast<std::uint32_t>(at_c<4>(a).size())};
  rule.variable = at_c<4>(a);
};
LetBinding make_let(std::uint32_t keyword, std::uint32_t at, const std::string& name, ExprPtr value) {
  return LetBinding{name, {at, at + static_cast<std::uint32_t>(name.size())}, std::move(value), -1, keyword};
}
auto const add_rule_let = [](auto& ctx) {
  auto& a = x3::_attr(ctx);
  x3::_val(ctx).lets.push_back(make_let(at_c<0>(a), at_c<1>(a), at_c<2>(a), at_c<3>(a)));
};
auto const set_when = [](auto& ctx) {
  auto& a = x3::_attr(ctx);
  reject_duplicate(x3::_val(ctx).when != nullptr, at_c<0>(a), "when");
  x3::_val(ctx).when_offset = at_c<0>(a);
  x3::_val(ctx).when = at_c<1>(a);
};
auto const set_message = [](auto& ctx) {
  auto& a = x3::_attr(ctx);
  reject_duplicate(x3::_val(ctx).message != nullptr, at_c<0>(a), "message");
  x3::_val(ctx).message_offset = at_c<0>(a);
  x3::_val(ctx).message = parse_interpolation(source_of(ctx), at_c<1>(a));
};
// `severity NAME` with a name that is neither a severity nor one of the
// rule's lets is a misspelt severity, said as early as a syntax error.
void reject_unknown_severity_word(const Rule& rule) {
  const Expr* value = rule.severity_expr.get();
  if (!value || value->kind != ExprKind::variable) return;
  if (std::any_of(rule.lets.begin(), rule.lets.end(), [&](const LetBinding& let) { return let.name == value->text; }))
    return;
  throw SyntaxError{value->span.begin,
                    fmt::format("expected a severity (info, low, medium, high, critical) but found '{}'{}", value->text,
                                did_you_mean(value->text, {"info", "low", "medium", "high", "critical"}))};
}

auto const finish_rule = [](auto& ctx) {
  auto& rule = x3::_val(ctx);
  std::uint32_t at = x3::_attr(ctx);
  rule.span.end = at + 1;
  reject_unknown_severity_word(rule);
  auto require = [&](bool present, const char* clause) {
    if (!present) throw SyntaxError{at, fmt::format("rule {} has no '{}' clause", rule.id, clause)};
  };
  require(rule.severity.has_value() || rule.severity_expr, "severity");
  require(rule.has_for, "for");
  require(rule.when != nullptr, "when");
  require(rule.message != nullptr, "message");
};

auto const clause_or_end = x3::rule<class clause_or_end_tag, std::uint32_t>{
    "a clause ('severity', 'tags', 'for', 'let', 'when', 'message') or '}'"} = pos >> '}';

auto const severity_value = x3::rule<class severity_value_tag, ExprPtr>{
    "a severity (info, low, medium, high, critical) or an expression giving one"} = expression;
auto const clause = (pos >> kw_severity > severity_value)[set_severity] |
                    (pos >> kw_tags > tag_list)[set_tags] |
                    (pos >> kw_for >> kw_portfolio)[set_for_portfolio] |
                    (pos >> kw_for >> keyword("each") >> pos >> identifier >> kw_in > expression)[set_for_each] |
                    (pos >> kw_for > pos > kind_word > pos > identifier)[set_for_kind] |
                    (pos >> kw_let > pos > identifier > '=' > expression)[add_rule_let] |
                    (pos >> kw_when > expression)[set_when] |
                    (pos >> kw_message > string_literal)[set_message];

x3::rule<class rule_tag, Rule> const rule_declaration = "a rule";
auto const rule_declaration_def = (pos >> kw_rule > pos > rule_id)[begin_rule] > -string_token[set_title] > '{' >
                                  *clause > clause_or_end[finish_rule];
BOOST_SPIRIT_DEFINE(rule_declaration)

auto const add_constant = [](auto& ctx) {
  auto& a = x3::_attr(ctx);
  x3::get<builder_tag>(ctx).get().file.constants.push_back(make_let(at_c<0>(a), at_c<1>(a), at_c<2>(a), at_c<3>(a)));
};
auto const add_rule = [](auto& ctx) { x3::get<builder_tag>(ctx).get().file.rules.push_back(x3::_attr(ctx)); };

auto const end_of_file = x3::rule<class end_of_file_tag>{"'rule', 'let' or end of file"} = x3::eoi;
auto const rule_file_grammar =
    *((pos >> kw_let > pos > identifier > '=' > expression)[add_constant] | rule_declaration[add_rule]) > end_of_file;

auto const single_expression =
    expression > (x3::rule<class expression_end_tag>{"an operator or end of expression"} = x3::eoi);

// The checker, evaluator, formatter and explain walk expressions recursively.
// A long `and` chain parses without recursion but nests one level per
// operand, so the tree's depth is bounded too (SQLite caps it at 1000; a
// worker thread's stack with sanitizers fits 256 comfortably).
constexpr int kMaxExpressionDepth = 256;

// The first node deeper than the limit, without recursing past the limit.
const Expr* too_deep(const Expr& node, int depth) {
  if (depth > kMaxExpressionDepth) return &node;
  const Expr* deep = nullptr;
  for_each_child(node, [&](const Expr& child) {
    if (!deep) deep = too_deep(child, depth + 1);
  });
  return deep;
}

void reject_deep_expression(const SourcePtr& source, const ExprPtr& root) {
  if (!root) return;
  if (const Expr* deep = too_deep(*root, 1))
    throw RuleError({Diagnostic{DiagnosticLevel::error, source, deep->span.begin,
                                fmt::format("expression nested too deeply (more than {} operators inside each "
                                            "other): split it with 'let'",
                                            kMaxExpressionDepth)}});
}

void reject_deep_expressions(const RuleFile& file) {
  for_each_expression_root(file, [&](const ExprPtr& root) { reject_deep_expression(file.source, root); });
}

}  // namespace

bool is_reserved_word(std::string_view word) {
  return std::find(kReservedWords.begin(), kReservedWords.end(), word) != kReservedWords.end();
}

RuleFile parse_rule_file(SourcePtr source) {
  if (source->text().size() > kMaxRuleFileBytes)
    throw RuleError({Diagnostic{DiagnosticLevel::error, source, 0,
                                fmt::format("larger than {} MiB: rule files are text written by people",
                                            kMaxRuleFileBytes >> 20)}});
  if (auto problem = find_text_problem(source->text()))
    throw RuleError({Diagnostic{DiagnosticLevel::error, source, static_cast<std::uint32_t>(problem->offset),
                                problem->message}});
  FileBuilder builder{source, RuleFile{source, {}, 0, {}}};
  x3::unused_type unused;
  auto identity = [](std::uint32_t at) { return at; };
  run_parser(source, source->text(), x3::with<builder_tag>(std::ref(builder))[rule_file_grammar], unused, identity);
  reject_deep_expressions(builder.file);
  return std::move(builder.file);
}

ExprPtr parse_expression(SourcePtr source) {
  ExprPtr result;
  run_parser(source, source->text(), single_expression, result, [](std::uint32_t at) { return at; });
  reject_deep_expression(source, result);
  return result;
}

}  // namespace vigil
