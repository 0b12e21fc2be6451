// Diagnostics: `file:line:col: error: message`, the source line and a caret.
#pragma once

#include <cstddef>
#include <stdexcept>
#include <string>
#include <vector>

#include <vigil/source.hpp>

namespace vigil {

enum class DiagnosticLevel { error, warning, note };

struct Diagnostic {
  DiagnosticLevel level = DiagnosticLevel::error;
  SourcePtr source;        // may be null for diagnostics that have no file
  std::size_t offset = 0;  // byte offset in source
  std::string message;

  // "path:line:col: error: message\n<source line>\n<caret>\n"
  std::string format() const;
  // "path:line:col" (or "" without a source)
  std::string location() const;
};

std::string format_all(const std::vector<Diagnostic>& diagnostics);
bool has_errors(const std::vector<Diagnostic>& diagnostics);

// Base of every error Vigil reports to users: what() is the complete, printable text.
class Error : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// Errors in rule sources; carries every diagnostic found (not only the first).
class RuleError : public Error {
 public:
  explicit RuleError(std::vector<Diagnostic> diagnostics);
  const std::vector<Diagnostic>& diagnostics() const { return diagnostics_; }

 private:
  std::vector<Diagnostic> diagnostics_;
};

// The closest candidate within a small edit distance, for "did you mean" hints.
std::string closest_match(const std::string& word, const std::vector<std::string>& candidates);
// " (did you mean `PREFIX+match`?)" for the closest candidate, or "" when none
// is close: every suggestion in Vigil is worded by this one function.
std::string did_you_mean(const std::string& word, const std::vector<std::string>& candidates,
                         const std::string& prefix = "");

}  // namespace vigil
