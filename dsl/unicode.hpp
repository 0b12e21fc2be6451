// Text enters Vigil as UTF-8 and is checked at the door (rule files, CSV and
// JSON facts), so that every later stage can rely on it: an invalid byte
// would otherwise surface much later, as a JSON writer failing mid-run.
// Code points and case mapping come from ICU, not from the C locale.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace vigil {

struct TextProblem {
  std::size_t offset;   // byte offset of the offending sequence
  std::string message;  // "invalid UTF-8 (byte 0xC3)", "NUL character"
};

// The first invalid UTF-8 sequence (overlong forms, surrogates and values
// above U+10FFFF included) or NUL character, if any.
std::optional<TextProblem> find_text_problem(std::string_view text);

std::size_t count_code_points(std::string_view text);
// Full Unicode case mapping (root locale): upper("straße") is "STRASSE".
std::string to_upper(std::string_view text);
std::string to_lower(std::string_view text);

}  // namespace vigil
