#include "dsl/source.hpp"

#include <atomic>
#include <iostream>

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstring>
#include <fstream>

#include "dsl/diagnostic.hpp"
#include "dsl/unicode.hpp"

namespace vigil {

SourceFile::SourceFile(std::string path, std::string text)
    : path_(std::move(path)), text_(std::move(text)) {
  line_starts_.push_back(0);
  for (std::size_t i = 0; i < text_.size(); ++i) {
    bool lone_cr = text_[i] == '\r' && (i + 1 == text_.size() || text_[i + 1] != '\n');
    if (text_[i] == '\n' || lone_cr) line_starts_.push_back(i + 1);
  }
}

LineColumn SourceFile::locate(std::size_t offset) const {
  offset = std::min(offset, text_.size());
  auto next = std::upper_bound(line_starts_.begin(), line_starts_.end(), offset);
  auto line_index = static_cast<std::size_t>(next - line_starts_.begin()) - 1;
  std::size_t line_start = line_starts_[line_index];
  auto column = count_code_points(std::string_view(text_).substr(line_start, offset - line_start));
  return {static_cast<int>(line_index) + 1, static_cast<int>(column) + 1};
}

std::string_view SourceFile::line_text(int line) const {
  if (line < 1 || static_cast<std::size_t>(line) > line_starts_.size()) return {};
  std::size_t begin = line_starts_[static_cast<std::size_t>(line) - 1];
  std::size_t end = text_.find_first_of("\r\n", begin);
  if (end == std::string::npos) end = text_.size();
  return std::string_view(text_).substr(begin, end - begin);
}

std::optional<std::string> read_whole_file(const std::string& path, std::size_t max_bytes) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return std::nullopt;
  std::string text;
  std::array<char, 1 << 16> chunk;
  while (in.read(chunk.data(), chunk.size()) || in.gcount() > 0) {
    text.append(chunk.data(), static_cast<std::size_t>(in.gcount()));
    if (text.size() > max_bytes) break;  // /dev/zero ends here too
  }
  if (in.bad()) return std::nullopt;
  return text;
}

std::optional<std::string> read_standard_input(std::size_t max_bytes) {
  // Standard input can be read once; a second `-` would silently read nothing.
  static std::atomic<bool> taken{false};
  if (taken.exchange(true)) throw Error("-: standard input can be read only once");
  std::string text;
  std::vector<char> chunk(1 << 16);
  while (std::cin.read(chunk.data(), static_cast<std::streamsize>(chunk.size())) || std::cin.gcount() > 0) {
    text.append(chunk.data(), static_cast<std::size_t>(std::cin.gcount()));
    if (text.size() > max_bytes) break;
  }
  if (std::cin.bad()) return std::nullopt;
  return text;
}

SourcePtr read_source_file(const std::string& path) {
  bool standard_input = path == kStandardInput;
  auto text = standard_input ? read_standard_input(kMaxRuleFileBytes) : read_whole_file(path, kMaxRuleFileBytes);
  if (!text) throw Error(fmt::format("{}: cannot read: {}", path, std::strerror(errno)));
  if (text->size() > kMaxRuleFileBytes)
    throw Error(fmt::format("{}: larger than {} MiB: rule files are text written by people", path,
                            kMaxRuleFileBytes >> 20));
  return std::make_shared<SourceFile>(standard_input ? "<stdin>" : path, std::move(*text));
}

}  // namespace vigil
