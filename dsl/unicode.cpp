#include "dsl/unicode.hpp"

#include <fmt/format.h>
#include <unicode/locid.h>
#include <unicode/unistr.h>
#include <unicode/utf8.h>

namespace vigil {

std::optional<TextProblem> find_text_problem(std::string_view text) {
  const auto* bytes = reinterpret_cast<const std::uint8_t*>(text.data());
  auto length = static_cast<std::int32_t>(text.size());
  for (std::int32_t i = 0; i < length;) {
    std::int32_t start = i;
    UChar32 c;
    U8_NEXT(bytes, i, length, c);
    if (c < 0)
      return TextProblem{static_cast<std::size_t>(start),
                         fmt::format("invalid UTF-8 (byte 0x{:02X}): save the file as UTF-8", bytes[start])};
    if (c == 0) return TextProblem{static_cast<std::size_t>(start), "NUL character: text may not contain NUL"};
  }
  return std::nullopt;
}

std::size_t count_code_points(std::string_view text) {
  std::size_t count = 0;
  for (char c : text)
    if ((static_cast<unsigned char>(c) & 0xC0) != 0x80) ++count;
  return count;
}

namespace {
template <typename Map>
std::string case_mapped(std::string_view text, Map map) {
  auto unicode = icu::UnicodeString::fromUTF8(icu::StringPiece(text.data(), static_cast<std::int32_t>(text.size())));
  map(unicode);
  std::string out;
  unicode.toUTF8String(out);
  return out;
}
}  // namespace

std::string to_upper(std::string_view text) {
  return case_mapped(text, [](icu::UnicodeString& s) { s.toUpper(icu::Locale::getRoot()); });
}

std::string to_lower(std::string_view text) {
  return case_mapped(text, [](icu::UnicodeString& s) { s.toLower(icu::Locale::getRoot()); });
}

}  // namespace vigil
