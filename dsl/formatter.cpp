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

// A child printed inside a parent of the given precedence; `parent` is for readability parentheses.
std::string child(const Expr& e, int minimum, const Expr& parent, const SourceFile& source) {
  std::string text = print(e, source);
  bool needs = precedence(e) < minimum;
  // Not needed by precedence, but how people read it: `not (a and b)`, `a and (b ?? c)`, `x > (y ?? 0)`.
  bool readable = e.kind == ExprKind::binary &&
                  ((is_logical(parent) && (e.op == Op::coalesce || parent.op == Op::not_)) ||
                   (e.op == Op::coalesce && parent.kind == ExprKind::binary && parent.op != Op::coalesce));
  return needs || readable ? "(" + text + ")" : text;
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

  // An aggregate too long for one line breaks before `for` and `where`,
  // aligned after its opening parenthesis.
  std::vector<std::string> let_lines(const LetBinding& let, const std::string& indent) {
    std::string head = indent + "let " + let.name + " = ";
    std::string single = head + print(*let.value, source_);
    const Expr& e = *let.value;
    if (single.size() <= kMaxWidth || e.kind != ExprKind::aggregate || e.binder.empty()) return {single};
    std::string align(head.size() + e.text.size() + 1, ' ');
    bool element_form = e.element && !(e.element->kind == ExprKind::variable && e.element->text == e.binder);
    std::vector<std::string> lines;
    if (element_form) {
      lines.push_back(head + e.text + "(" + print(*e.element, source_));
      lines.push_back(align + "for " + e.binder + " in " + print(*e.collection, source_));
    } else {
      lines.push_back(head + e.text + "(" + e.binder + " in " + print(*e.collection, source_));
    }
    if (e.filter) lines.push_back(align + "where " + print(*e.filter, source_));
    lines.back() += ")";
    return lines;
  }

  Block let_block(const LetBinding& let, const std::string& indent) {
    Block block{line_of(let.keyword_offset), line_of(let.value->span.end), {}};
    block.lines = comments_within(block.first_line, block.last_line);
    for (auto& line : block.lines) line = indent + line;
    auto lines = let_lines(let, indent);
    lines.back() += trailing_on(block.last_line);
    block.lines.insert(block.lines.end(), lines.begin(), lines.end());
    return block;
  }

  // `when`, broken before each top-level and/or when it does not fit on one line.
  std::vector<std::string> when_lines(const Expr& when) {
    std::string single = "  when " + print(when, source_);
    if (single.size() <= kMaxWidth || when.kind != ExprKind::binary || (when.op != Op::and_ && when.op != Op::or_))
      return {single};
    std::vector<const Expr*> operands;
    const Expr* at = &when;
    while (at->kind == ExprKind::binary && at->op == when.op) {
      operands.push_back(at->args[1].get());
      at = at->args[0].get();
    }
    operands.push_back(at);
    std::reverse(operands.begin(), operands.end());
    std::vector<std::string> lines{"  when " + child(*operands[0], precedence(when), when, source_)};
    for (std::size_t i = 1; i < operands.size(); ++i)
      lines.push_back(std::string("   ") + op_text(when.op) + " " + child(*operands[i], precedence(when) + 1, when, source_));
    return lines;
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
    clauses.push_back(clause(rule.severity_offset, rule.severity_offset,
                             {"  severity " + (rule.severity ? std::string(severity_name(*rule.severity))
                                                             : print(*rule.severity_expr, source_))}));
    if (!rule.tags.empty()) {
      std::string tags;
      for (const auto& tag : rule.tags) tags += (tags.empty() ? "" : ", ") + quote(tag);
      auto close = static_cast<std::uint32_t>(source_.text().find(']', rule.tags_offset));
      clauses.push_back(clause(rule.tags_offset, close, {"  tags [" + tags + "]"}));
    }
    if (rule.each_collection)
      clauses.push_back(clause(rule.for_offset, rule.each_collection->span.end,
                               {"  for each " + rule.variable + " in " + print(*rule.each_collection, source_)}));
    else clauses.push_back(rule.for_portfolio
                          ? clause(rule.for_offset, rule.for_span.end, {"  for portfolio"})
                          : clause(rule.for_offset, rule.variable_span.end, {"  for " + rule.for_kind + " " + rule.variable}));
    for (const auto& let : rule.lets) clauses.push_back(let_block(let, "  "));
    clauses.push_back(clause(rule.when_offset, rule.when->span.end, when_lines(*rule.when)));
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
