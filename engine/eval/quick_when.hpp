// Deciding, without the interpreter, that a rule does not fire for a
// subject. Internal to engine/eval.
//
// Why: a rule such as SPEND-001 (`when v.status == "active" and share > 15`)
// runs for 100,000 vendors whenever an overlay changes `active_spend`, and the
// interpreter's cost per vendor (values, lazy lets, evidence bookkeeping) was
// half of an overlay's time. Most subjects do not fire; the parts of `when`
// that read only the subject's own attributes, file constants, literals and
// arithmetic on them say so with a few loads and compares.
#pragma once

#include <optional>
#include <string_view>
#include <vector>

#include "dsl/ast.hpp"
#include "engine/facts/portfolio.hpp"

namespace vigil {

struct Context;

class QuickWhen {
 public:
  // For a rule over entities of a kind; nullopt when its `when` has no part this can decide.
  static std::optional<QuickWhen> of(const Rule& rule, const std::vector<const Expr*>& lets, const Portfolio& portfolio);

  // True only when evaluating the rule for `subject` gives no finding and no
  // error: `when` is false or missing, decided by parts that cannot fail.
  // False when it fires, or when this cannot tell (the interpreter decides).
  bool surely_quiet(EntityIndex subject, const Context& c) const;

  // A value of the parts this evaluates; `unknown` for anything else (a
  // part it does not evaluate, or one that would fail: the interpreter says how).
  struct Quick {
    enum class Kind : std::uint8_t { unknown, missing, boolean, number, text, date } kind = Kind::unknown;
    bool flag = false;
    double number = 0;
    std::string_view text{};
    std::int32_t day = 0;
  };

 private:
  Quick eval(const Expr& e, EntityIndex subject, const Context& c, int depth) const;
  Quick binary(const Expr& e, EntityIndex subject, const Context& c, int depth) const;
  Quick call(const Expr& e, EntityIndex subject, const Context& c, int depth) const;

  int column_of(const Expr& member) const;

  const Expr* when_ = nullptr;
  // The subject's attributes `when` and its lets read, with their columns
  // (found once: a lookup by name for every subject was a third of the time).
  std::vector<std::pair<const Expr*, int>> columns_;
  const std::vector<const Expr*>* lets_ = nullptr;  // per local slot: the let's expression, or null
  int subject_slot_ = 0;
  KindId kind_ = 0;
  const Portfolio* portfolio_ = nullptr;
};

}  // namespace vigil
