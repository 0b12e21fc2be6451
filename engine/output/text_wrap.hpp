// Text for a terminal: lines wrapped at word boundaries to a width in characters.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace vigil {

// `text` as lines of at most `width` characters (UTF-8 code points), broken at spaces; a word longer
// than the width is broken inside it, as nothing else fits. A width of 0 means one line, unwrapped.
std::vector<std::string> wrap_words(std::string_view text, std::size_t width);

// The width the terminal table should fit: $COLUMNS when it is a number, else the width of standard
// output when it is a terminal, else 0 (not wrapped: a pipe or a file keeps whole lines for grep).
std::size_t terminal_width();

}  // namespace vigil
