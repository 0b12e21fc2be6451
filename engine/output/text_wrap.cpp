#include "engine/output/text_wrap.hpp"

#include <sys/ioctl.h>
#include <unistd.h>

#include <cstdlib>

#include "dsl/unicode.hpp"

namespace vigil {
namespace {

// The byte length of the first `count` code points of `text` (UTF-8 continuation bytes follow their lead).
std::size_t bytes_of_code_points(std::string_view text, std::size_t count) {
  std::size_t i = 0;
  for (std::size_t seen = 0; i < text.size(); ++i) {
    bool lead = (static_cast<unsigned char>(text[i]) & 0xC0) != 0x80;
    if (lead && seen++ == count) break;
  }
  return i;
}

}  // namespace

std::vector<std::string> wrap_words(std::string_view text, std::size_t width) {
  if (width == 0 || count_code_points(text) <= width) return {std::string(text)};
  std::vector<std::string> lines;
  std::string line;
  std::size_t line_width = 0;
  auto flush = [&] {
    lines.push_back(std::move(line));
    line.clear();
    line_width = 0;
  };
  std::size_t start = 0;
  while (start <= text.size()) {
    std::size_t end = text.find(' ', start);
    if (end == std::string_view::npos) end = text.size();
    std::string_view word = text.substr(start, end - start);
    std::size_t word_width = count_code_points(word);
    if (line_width > 0 && line_width + 1 + word_width > width) flush();
    while (word_width > width) {  // no space to break at: break the word (the line before it was flushed above)
      std::size_t cut = bytes_of_code_points(word, width);
      lines.emplace_back(word.substr(0, cut));
      word.remove_prefix(cut);
      word_width -= width;
    }
    if (line_width > 0) {
      line += ' ';
      ++line_width;
    }
    line += word;
    line_width += word_width;
    start = end + 1;
  }
  if (!line.empty()) flush();
  return lines;
}

std::size_t terminal_width() {
  if (const char* columns = std::getenv("COLUMNS")) {
    char* end = nullptr;
    long value = std::strtol(columns, &end, 10);
    if (end != columns && *end == '\0' && value > 0 && value < 10000) return static_cast<std::size_t>(value);
  }
  winsize size{};
  if (isatty(STDOUT_FILENO) && ioctl(STDOUT_FILENO, TIOCGWINSZ, &size) == 0 && size.ws_col > 0) return size.ws_col;
  return 0;
}

}  // namespace vigil
