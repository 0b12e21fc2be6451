#include "dsl/diagnostic.hpp"

#include <algorithm>
#include <cctype>

namespace vigil {
namespace {

const char* level_name(DiagnosticLevel level) {
  switch (level) {
    case DiagnosticLevel::error: return "error";
    case DiagnosticLevel::warning: return "warning";
    case DiagnosticLevel::note: return "note";
  }
  return "error";
}

// Spaces under the source line up to the caret; tabs are kept so the caret lines up.
std::string caret_line(std::string_view line, int column) {
  std::string out;
  int current = 1;
  for (char c : line) {
    if (current >= column) break;
    if ((static_cast<unsigned char>(c) & 0xC0) == 0x80) continue;
    out += c == '\t' ? '\t' : ' ';
    ++current;
  }
  while (current++ < column) out += ' ';
  return out + "^";
}

std::size_t edit_distance(const std::string& a, const std::string& b) {
  std::vector<std::size_t> row(b.size() + 1);
  for (std::size_t j = 0; j <= b.size(); ++j) row[j] = j;
  for (std::size_t i = 1; i <= a.size(); ++i) {
    std::size_t diagonal = row[0];
    row[0] = i;
    for (std::size_t j = 1; j <= b.size(); ++j) {
      std::size_t above = row[j];
      std::size_t substitute = diagonal + (std::tolower(a[i - 1]) == std::tolower(b[j - 1]) ? 0 : 1);
      row[j] = std::min({above + 1, row[j - 1] + 1, substitute});
      diagonal = above;
    }
  }
  return row[b.size()];
}

}  // namespace

std::string Diagnostic::location() const {
  if (!source) return "";
  auto where = source->locate(offset);
  return fmt::format("{}:{}:{}", source->path(), where.line, where.column);
}

std::string Diagnostic::format() const {
  if (!source) return fmt::format("{}: {}\n", level_name(level), message);
  auto where = source->locate(offset);
  auto line = source->line_text(where.line);
  return fmt::format("{}: {}: {}\n{}\n{}\n", location(), level_name(level), message, line,
                     caret_line(line, where.column));
}

std::string format_all(const std::vector<Diagnostic>& diagnostics) {
  std::string out;
  for (const auto& d : diagnostics) out += d.format();
  return out;
}

bool has_errors(const std::vector<Diagnostic>& diagnostics) {
  return std::any_of(diagnostics.begin(), diagnostics.end(),
                     [](const Diagnostic& d) { return d.level == DiagnosticLevel::error; });
}

RuleError::RuleError(std::vector<Diagnostic> diagnostics)
    : Error(format_all(diagnostics)), diagnostics_(std::move(diagnostics)) {}

std::string closest_match(const std::string& word, const std::vector<std::string>& candidates) {
  // Suggestions for one- and two-letter words are noise ('n' is not a typo of 'v').
  if (word.size() < 3) return "";
  std::string best;
  std::size_t best_distance = std::max<std::size_t>(1, std::min<std::size_t>(3, word.size() / 3 + 1));
  for (const auto& candidate : candidates) {
    if (candidate.size() < 2) continue;
    std::size_t distance = edit_distance(word, candidate);
    if (distance <= best_distance && (best.empty() || distance < edit_distance(word, best)))
      best = candidate, best_distance = distance;
  }
  return best;
}

std::string did_you_mean(const std::string& word, const std::vector<std::string>& candidates, const std::string& prefix) {
  std::string suggestion = closest_match(word, candidates);
  if (suggestion.empty() || suggestion == word) return "";
  return " (did you mean `" + prefix + suggestion + "`?)";
}

}  // namespace vigil
