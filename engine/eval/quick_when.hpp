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

#include <atomic>
#include <memory>
#include <mutex>
#include <optional>
#include <string_view>
#include <vector>

#include "dsl/ast.hpp"
#include "engine/facts/portfolio.hpp"

namespace vigil {

struct Context;
class ColumnZones;

// What a part of `when` may be over a block of subjects, or what a column
// holds over a block of rows: whether it may be missing, the one kind of
// its present values, and their bounds. Conservative: it may allow more
// than occurs, never less.
struct ValueRange {
  enum class Kind : std::uint8_t { none, boolean, number, text, date };
  bool undecided = false;  // may be something not decided here (another type, a failure): nothing follows
  bool may_be_missing = false;
  Kind kind = Kind::none;  // none: never present
  bool may_be_true = false, may_be_false = false;  // booleans
  double low = 0, high = 0;                        // numbers, or days for dates
  bool one_text = false;                           // texts: all `text`, or any
  std::string_view text{};
};

class QuickWhen {
 public:
  // For a rule over entities of a kind; nullopt when its `when` has no part this can decide.
  static std::optional<QuickWhen> of(const Rule& rule, const std::vector<const Expr*>& lets, const Portfolio& portfolio);

  // True only when evaluating the rule for `subject` gives no finding and no
  // error: `when` is false or missing, decided by parts that cannot fail.
  // False when it fires, or when this cannot tell (the interpreter decides).
  bool surely_quiet(EntityIndex subject, const Context& c) const;

  // True only when the rule gives no finding and no error for any subject in
  // block `block` of the kind's rows (ColumnZones::kBlock rows from block *
  // kBlock), the rows being as `zones` saw them: `when` evaluated over the
  // ranges of values the block's columns hold says it cannot be true.
  bool block_quiet(std::size_t block, const ColumnZones& zones, const Context& c) const;
  KindId kind() const { return kind_; }

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
  using Range = ValueRange;
  Range range(const Expr& e, std::size_t block, const ColumnZones& zones, const Context& c, int depth) const;
  Range range_binary(const Expr& e, std::size_t block, const ColumnZones& zones, const Context& c, int depth) const;
  Range range_call(const Expr& e, std::size_t block, const ColumnZones& zones, const Context& c, int depth) const;

  const Expr* when_ = nullptr;
  // The subject's attributes `when` and its lets read, with their columns
  // (found once: a lookup by name for every subject was a third of the time).
  std::vector<std::pair<const Expr*, int>> columns_;
  const std::vector<const Expr*>* lets_ = nullptr;  // per local slot: the let's expression, or null
  int subject_slot_ = 0;
  KindId kind_ = 0;
  const Portfolio* portfolio_ = nullptr;
};

// What each column of a portfolio holds over blocks of kBlock rows (its
// zones): the kinds of value, the least and greatest number or date, the one
// text if there is only one. Built per column on first use, thread-safe.
//
// Why: an overlay that changes a file constant (`active_spend`) makes a rule
// such as SPEND-001 run for every vendor again, though almost none can fire;
// a block whose greatest spend is far below 15% of the total is passed over
// whole (QuickWhen::block_quiet). Kept with the loaded portfolio's evaluator:
// an overlay copy's rows are the loaded ones but for those it adds or replaces.
class ColumnZones {
 public:
  static constexpr std::size_t kBlock = 64;
  explicit ColumnZones(const Portfolio& portfolio);
  using Zone = ValueRange;
  const Zone& zone(KindId kind, int column, std::size_t block) const;
  // The rows of the kind the zones cover (the portfolio's, not an overlay's).
  std::size_t rows(KindId kind) const;

 private:
  // One column's zones, made by the first to ask and then read without a
  // lock (every block of every rule asks).
  struct Column {
    std::atomic<const std::vector<Zone>*> ready{nullptr};
    std::vector<Zone> zones;
  };
  const std::vector<Zone>* column(KindId kind, int column) const;
  const Portfolio& portfolio_;
  std::vector<std::unique_ptr<Column[]>> columns_;  // per kind, per column
  mutable std::mutex making_;
};

}  // namespace vigil
