#include "dsl/formatter.hpp"

#include <algorithm>
#include <optional>

#include <fmt/format.h>

namespace vigil {
namespace {

constexpr std::size_t kMaxWidth = 100;

struct Comment {
  int line;
  std::string text;  // from '#', right-trimmed
  bool trailing;     // code stands before it on its line
  bool used = false;
};

// Every comment of the file: a '#' outside string literals, to the end of
// the line (lines as the source file counts them, so a lone CR ends a
// comment here exactly as it does for the parser).
std::vector<Comment> find_comments(const SourceFile& source) {
  std::vector<Comment> comments;
  for (int line = 1; line <= source.line_count(); ++line) {
    std::string_view text = source.line_text(line);
    bool in_string = false, code_on_line = false;
    for (std::size_t i = 0; i < text.size(); ++i) {
      char c = text[i];
      if (in_string) {
        if (c == '\\') ++i;
        else if (c == '"') in_string = false;
        continue;
      }
      if (c == '"') in_string = true;
      if (c == '#') {
        std::string comment(text.substr(i));
        while (!comment.empty() && (comment.back() == ' ' || comment.back() == '\t')) comment.pop_back();
        comments.push_back({line, comment, code_on_line});
        break;
      }
      if (c != ' ' && c != '\t') code_on_line = true;
    }
  }
  return comments;
}

std::string quote(const std::string& value) {
  std::string out = "\"";
  for (char c : value) {
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\t': out += "\\t"; break;
      default: out += c;
    }
  }
  return out + "\"";
}

std::string source_text(const SourceFile& source, Span span) { return source.text().substr(span.begin, span.end - span.begin); }

int precedence(const Expr& e) {
  if (e.kind == ExprKind::conditional) return 0;  // the loosest form: parenthesised inside anything else
  if (e.kind == ExprKind::unary) return e.op == Op::not_ ? 3 : 8;
  if (e.kind != ExprKind::binary) return 10;
  switch (e.op) {
    case Op::or_: return 1;
    case Op::and_: return 2;
    case Op::coalesce: return 5;
    case Op::add:
    case Op::sub: return 6;
    case Op::mul:
    case Op::div:
    case Op::mod: return 7;
    default: return 4;  // comparisons
  }
}

bool is_logical(const Expr& e) {
  return (e.kind == ExprKind::binary && (e.op == Op::and_ || e.op == Op::or_)) || (e.kind == ExprKind::unary && e.op == Op::not_);
}

std::string print(const Expr& e, const SourceFile& source);

// Whether a child inside a parent of the given precedence is parenthesised.
bool parenthesised(const Expr& e, int minimum, const Expr& parent) {
  bool needs = precedence(e) < minimum;
  // Not needed by precedence, but how people read it: `not (a and b)`, `a and (b ?? c)`, `x > (y ?? 0)`.
  bool readable = e.kind == ExprKind::binary &&
                  ((is_logical(parent) && (e.op == Op::coalesce || parent.op == Op::not_)) ||
                   (e.op == Op::coalesce && parent.kind == ExprKind::binary && parent.op != Op::coalesce));
  return needs || readable;
}

// A child printed inside a parent of the given precedence; `parent` is for readability parentheses.
std::string child(const Expr& e, int minimum, const Expr& parent, const SourceFile& source) {
  std::string text = print(e, source);
  return parenthesised(e, minimum, parent) ? "(" + text + ")" : text;
}

std::string print_list(const std::vector<ExprPtr>& items, const SourceFile& source) {
  std::string out;
  for (const auto& item : items) out += (out.empty() ? "" : ", ") + print(*item, source);
  return out;
}

std::string print(const Expr& e, const SourceFile& source) {
  switch (e.kind) {
    case ExprKind::number:
    case ExprKind::date:
    case ExprKind::duration: return source_text(source, e.span);  // as written: 1e6 stays 1e6
    case ExprKind::string: return quote(e.text);
    case ExprKind::boolean: return e.bool_value ? "true" : "false";
    case ExprKind::today: return "today";
    case ExprKind::list: return "[" + print_list(e.args, source) + "]";
    case ExprKind::variable: return e.text;
    case ExprKind::member: return child(*e.args[0], 9, e, source) + "." + e.text;
    case ExprKind::unary:
      if (e.op == Op::not_) return "not " + child(*e.args[0], 3, e, source);
      return "-" + child(*e.args[0], 8, e, source);
    case ExprKind::binary: {
      int p = precedence(e);
      bool comparison = p == 4;
      return child(*e.args[0], comparison ? 5 : p, e, source) + " " + op_text(e.op) + " " +
             child(*e.args[1], p + 1, e, source);
    }
    case ExprKind::call: {
      std::string arguments;
      for (std::size_t i = 0; i < e.args.size(); ++i) {
        std::size_t option = i - std::min(i, e.positional_count());
        std::string name = i >= e.positional_count() ? e.option_names[option] + ": " : "";
        arguments += (i == 0 ? "" : ", ") + name + print(*e.args[i], source);
      }
      return e.text + "(" + arguments + ")";
    }
    case ExprKind::aggregate: {
      std::string inside;
      if (e.binder.empty()) inside = print(*e.collection, source);
      else if (e.element && !(e.element->kind == ExprKind::variable && e.element->text == e.binder))
        inside = print(*e.element, source) + " for " + e.binder + " in " + print(*e.collection, source);
      else inside = e.binder + " in " + print(*e.collection, source);
      if (e.filter) inside += " where " + print(*e.filter, source);
      return e.text + "(" + inside + ")";
    }
    case ExprKind::interpolation: return source_text(source, e.span);  // the message as written
    case ExprKind::conditional:
      return "if " + print(*e.args[0], source) + " then " + print(*e.args[1], source) + " else " + print(*e.args[2], source);
    case ExprKind::map: {
      std::string entries;
      for (std::size_t i = 0; i + 1 < e.args.size(); i += 2)
        entries += (entries.empty() ? "" : ", ") + print(*e.args[i], source) + ": " + print(*e.args[i + 1], source);
      return "{" + entries + "}";
    }
    case ExprKind::index: return child(*e.args[0], 9, e, source) + "[" + print(*e.args[1], source) + "]";
  }
  return "";
}

using Lines = std::vector<std::string>;

// An expression laid out on lines of at most kMaxWidth columns where it can
// be broken: `and`/`or` chains one operand per line (the operator right-aligned
// before the operands), aggregates before `for` and `where`, calls and lists
// after commas (aligned after the parenthesis or bracket), `if` before `then`
// and `else`. What cannot be broken (a long string) stays long. The first line
// starts with `prefix`, the text before the expression on its line.
class Layout {
 public:
  explicit Layout(const SourceFile& source) : source_(source) {}

  Lines of(const Expr& e, const std::string& prefix, std::size_t tail = 0) const {
    std::string single = prefix + print(e, source_);
    if (single.size() + tail <= kMaxWidth) return {single};
    switch (e.kind) {
      case ExprKind::binary:
        return e.op == Op::and_ || e.op == Op::or_ ? chain(e, prefix, tail) : operation(e, prefix, tail);
      case ExprKind::aggregate: return aggregate(e, prefix, tail);
      case ExprKind::call: return call(e, prefix, tail);
      case ExprKind::list: return items(e.args, {}, prefix + "[", "]", tail);
      case ExprKind::conditional: return conditional(e, prefix, tail);
      case ExprKind::unary:
        if (e.op == Op::not_) return child_of(*e.args[0], 3, e, prefix + "not ", tail);
        return {single};
      default: return {single};
    }
  }

 private:
  static std::string spaces(std::size_t n) { return std::string(n, ' '); }
  static bool fits(const std::string& line, std::size_t tail = 0) { return line.size() + tail <= kMaxWidth; }
  static void append(Lines& lines, Lines more) { lines.insert(lines.end(), more.begin(), more.end()); }

  Lines child_of(const Expr& e, int minimum, const Expr& parent, const std::string& prefix, std::size_t tail) const {
    if (!parenthesised(e, minimum, parent)) return of(e, prefix, tail);
    Lines lines = of(e, prefix + "(", tail + 1);
    lines.back() += ")";
    return lines;
  }

  // a and b and c: one operand per line, aligned.
  Lines chain(const Expr& e, const std::string& prefix, std::size_t tail) const {
    std::vector<const Expr*> operands;
    const Expr* at = &e;
    for (; at->kind == ExprKind::binary && at->op == e.op; at = at->args[0].get()) operands.push_back(at->args[1].get());
    operands.push_back(at);
    std::reverse(operands.begin(), operands.end());
    std::string op = std::string(op_text(e.op)) + " ";
    std::size_t column = std::max(prefix.size(), op.size());
    Lines lines = child_of(*operands[0], precedence(e), e, prefix, 0);
    for (std::size_t i = 1; i < operands.size(); ++i)
      append(lines, child_of(*operands[i], precedence(e) + 1, e, spaces(column - op.size()) + op,
                             i + 1 == operands.size() ? tail : 0));
    return lines;
  }

  // a + b, a < b, a ?? b: the right operand on the line of the left one when
  // it fits, otherwise on a line of its own under the left one.
  Lines operation(const Expr& e, const std::string& prefix, std::size_t tail) const {
    int p = precedence(e);
    std::string op = std::string(op_text(e.op)) + " ";
    Lines lines = child_of(*e.args[0], p == 4 ? 5 : p, e, prefix, 0);
    Lines right = child_of(*e.args[1], p + 1, e, lines.back() + " " + op, tail);
    if (fits(right.front(), right.size() == 1 ? tail : 0)) {
      lines.pop_back();
      append(lines, right);
    } else {
      append(lines, child_of(*e.args[1], p + 1, e, spaces(prefix.size()) + op, tail));
    }
    return lines;
  }

  // `E for x in C` stays as written: broken before `where`, and before `for` when that is not enough.
  Lines aggregate(const Expr& e, const std::string& prefix, std::size_t tail) const {
    std::string head = prefix + e.text + "(";
    if (e.binder.empty()) {
      Lines lines = of(*e.collection, head, tail + 1);
      lines.back() += ")";
      return lines;
    }
    std::string align = spaces(head.size());
    std::size_t source_tail = e.filter ? 0 : tail + 1;
    bool element_form = e.element && !(e.element->kind == ExprKind::variable && e.element->text == e.binder);
    std::string source = e.binder + " in " + print(*e.collection, source_);
    Lines lines;
    if (!element_form) {
      lines = of(*e.collection, head + e.binder + " in ", source_tail);
    } else if (std::string first = head + print(*e.element, source_) + " for " + source; fits(first, source_tail)) {
      lines = {first};
    } else {
      lines = of(*e.element, head);
      append(lines, of(*e.collection, align + "for " + e.binder + " in ", source_tail));
    }
    if (e.filter) append(lines, of(*e.filter, align + "where ", tail + 1));
    lines.back() += ")";
    return lines;
  }

  Lines call(const Expr& e, const std::string& prefix, std::size_t tail) const {
    std::vector<std::string> names(e.positional_count());
    for (const auto& option : e.option_names) names.push_back(option + ": ");
    return items(e.args, names, prefix + e.text + "(", ")", tail);
  }

  // Call arguments or list items: as many on a line as fit, the others on
  // lines of their own, aligned after `open`.
  Lines items(const std::vector<ExprPtr>& args, const std::vector<std::string>& names, const std::string& open,
              const std::string& close, std::size_t tail) const {
    auto name = [&](std::size_t i) { return i < names.size() ? names[i] : std::string(); };
    std::string align = spaces(open.size());
    Lines lines{open};
    for (std::size_t i = 0; i < args.size(); ++i) {
      std::string separator = i == 0 ? "" : ", ";
      std::string text = name(i) + print(*args[i], source_);
      std::size_t after = i + 1 == args.size() ? close.size() + tail : 1;
      if (fits(lines.back() + separator + text, after)) {
        lines.back() += separator + text;
        continue;
      }
      bool at_open = i == 0;
      if (!at_open) lines.back() += ",";
      Lines item = of(*args[i], (at_open ? lines.back() : align) + name(i), after);
      if (at_open) lines.pop_back();
      append(lines, item);
    }
    lines.back() += close;
    return lines;
  }

  Lines conditional(const Expr& e, const std::string& prefix, std::size_t tail) const {
    std::string align = spaces(prefix.size());
    Lines lines = of(*e.args[0], prefix + "if ");
    append(lines, of(*e.args[1], align + "then "));
    append(lines, of(*e.args[2], align + "else ", tail));
    return lines;
  }

  const SourceFile& source_;
};

// A clause or a top-level item: its printed lines and the source lines it covers.
struct Block {
  int first_line, last_line;
  std::vector<std::string> lines;
};

class Printer {
 public:
  explicit Printer(const RuleFile& file) : file_(file), source_(*file.source), comments_(find_comments(*file.source)) {}

  std::string run() {
    struct Item {
      std::uint32_t offset;
      const LetBinding* constant;
      const Rule* rule;
    };
    std::vector<Item> items;
    for (const auto& c : file_.constants) items.push_back({c.keyword_offset, &c, nullptr});
    for (const auto& r : file_.rules) items.push_back({r.span.begin, nullptr, &r});
    std::sort(items.begin(), items.end(), [](const Item& a, const Item& b) { return a.offset < b.offset; });
    int previous_line = 0;
    bool previous_was_rule = false;
    for (const auto& item : items) {
      Block block = item.rule ? rule_block(*item.rule) : let_block(*item.constant, "");
      bool rule = item.rule != nullptr;
      emit_leading_comments(block.first_line, previous_line, rule || previous_was_rule);
      for (const auto& line : block.lines) out_.push_back(line);
      previous_line = block.last_line;
      previous_was_rule = rule;
    }
    emit_leading_comments(1 << 30, previous_line, false);
    std::string text;
    for (const auto& line : out_) text += line + "\n";
    return text;
  }

 private:
  int line_of(std::uint32_t offset) const { return source_.locate(offset).line; }

  // Comments above a line that no block claimed, with the blank lines of the source (at most one).
  void emit_leading_comments(int before_line, int previous_line, bool blank_before) {
    bool first = true;
    for (auto& c : comments_) {
      if (c.used || c.line >= before_line || c.trailing) continue;
      c.used = true;
      separate(first ? (blank_before || c.line > previous_line + 1) : c.line > previous_line + 1);
      out_.push_back(c.text);
      previous_line = c.line;
      first = false;
    }
    if (before_line != (1 << 30)) separate(first ? (blank_before || before_line > previous_line + 1) : before_line > previous_line + 1);
  }

  void separate(bool blank) {
    if (blank && !out_.empty() && !out_.back().empty()) out_.push_back("");
  }

  // The trailing comment on a line, if any (claimed).
  std::string trailing_on(int line) {
    for (auto& c : comments_)
      if (!c.used && c.trailing && c.line == line) {
        c.used = true;
        return "  " + c.text;
      }
    return "";
  }

  // Comments inside [first, last] other than a trailing one on `last`: they move above the clause.
  std::vector<std::string> comments_within(int first, int last) {
    std::vector<std::string> lines;
    for (auto& c : comments_)
      if (!c.used && c.line >= first && c.line <= last && !(c.trailing && c.line == last)) {
        c.used = true;
        lines.push_back(c.text);
      }
    return lines;
  }

  Block let_block(const LetBinding& let, const std::string& indent) {
    Block block{line_of(let.keyword_offset), line_of(let.value->span.end), {}};
    block.lines = comments_within(block.first_line, block.last_line);
    for (auto& line : block.lines) line = indent + line;
    auto lines = Layout(source_).of(*let.value, indent + "let " + let.name + " = ");
    lines.back() += trailing_on(block.last_line);
    block.lines.insert(block.lines.end(), lines.begin(), lines.end());
    return block;
  }

  Block clause(std::uint32_t start, std::uint32_t end, std::vector<std::string> lines) {
    Block block{line_of(start), line_of(end), comments_within(line_of(start), line_of(end))};
    for (auto& c : block.lines) c = "  " + c;
    std::string trailing = trailing_on(block.last_line);
    lines.back() += trailing;
    block.lines.insert(block.lines.end(), lines.begin(), lines.end());
    return block;
  }

  Block rule_block(const Rule& rule) {
    Block block{line_of(rule.span.begin), line_of(rule.span.end - 1), {}};
    std::string header = "rule " + rule.id + (rule.title ? " " + quote(*rule.title) : "") + " {";
    header += trailing_on(block.first_line);
    std::vector<Block> clauses;
    clauses.push_back(clause(rule.severity_offset, rule.severity_expr ? rule.severity_expr->span.end : rule.severity_offset,
                             rule.severity ? Lines{"  severity " + std::string(severity_name(*rule.severity))}
                                           : Layout(source_).of(*rule.severity_expr, "  severity ")));
    if (!rule.tags.empty()) {
      std::string tags;
      for (const auto& tag : rule.tags) tags += (tags.empty() ? "" : ", ") + quote(tag);
      auto close = static_cast<std::uint32_t>(source_.text().find(']', rule.tags_offset));
      clauses.push_back(clause(rule.tags_offset, close, {"  tags [" + tags + "]"}));
    }
    if (rule.each_collection)
      clauses.push_back(clause(rule.for_offset, rule.each_collection->span.end,
                               Layout(source_).of(*rule.each_collection, "  for each " + rule.variable + " in ")));
    else clauses.push_back(rule.for_portfolio
                          ? clause(rule.for_offset, rule.for_span.end, {"  for portfolio"})
                          : clause(rule.for_offset, rule.variable_span.end, {"  for " + rule.for_kind + " " + rule.variable}));
    for (const auto& let : rule.lets) clauses.push_back(let_block(let, "  "));
    clauses.push_back(clause(rule.when_offset, rule.when->span.end, Layout(source_).of(*rule.when, "  when ")));
    clauses.push_back(clause(rule.message_offset, rule.message->span.end, {"  message " + print(*rule.message, source_)}));
    // A comment between clauses goes with the clause that follows it in the
    // source, wherever the canonical order puts that clause.
    std::vector<std::vector<std::string>> above(clauses.size() + 1);  // the last: before the closing brace
    for (auto& c : comments_) {
      if (c.used || c.trailing || c.line <= block.first_line || c.line >= block.last_line) continue;
      std::size_t target = clauses.size();
      for (std::size_t i = 0; i < clauses.size(); ++i)
        if (clauses[i].first_line > c.line && (target == clauses.size() || clauses[i].first_line < clauses[target].first_line))
          target = i;
      c.used = true;
      above[target].push_back("  " + c.text);
    }
    block.lines.push_back(header);
    for (std::size_t i = 0; i < clauses.size(); ++i) {
      block.lines.insert(block.lines.end(), above[i].begin(), above[i].end());
      block.lines.insert(block.lines.end(), clauses[i].lines.begin(), clauses[i].lines.end());
    }
    block.lines.insert(block.lines.end(), above.back().begin(), above.back().end());
    block.lines.push_back("}" + trailing_on(block.last_line));
    return block;
  }

  const RuleFile& file_;
  const SourceFile& source_;
  std::vector<Comment> comments_;
  std::vector<std::string> out_;
};

}  // namespace

std::string format_expression(const Expr& expr, const SourceFile& source) { return print(expr, source); }

std::string format_rule_file(const RuleFile& file) { return Printer(file).run(); }

}  // namespace vigil
