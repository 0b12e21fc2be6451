// A rule source file held in memory, with offset -> line:column mapping.
#pragma once

#include <cstddef>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace vigil {

struct LineColumn {
  int line = 1;    // 1-based
  int column = 1;  // 1-based, counted in characters (UTF-8 code points)
};

// A line ends at LF, CRLF or a lone CR, the same for the parser, the
// positions in diagnostics and the formatter.
class SourceFile {
 public:
  SourceFile(std::string path, std::string text);

  const std::string& path() const { return path_; }
  const std::string& text() const { return text_; }
  LineColumn locate(std::size_t offset) const;
  std::string_view line_text(int line) const;  // without the line break
  int line_count() const { return static_cast<int>(line_starts_.size()); }

 private:
  std::string path_;
  std::string text_;
  std::vector<std::size_t> line_starts_;
};

using SourcePtr = std::shared_ptr<const SourceFile>;

// Reads a file; throws vigil::Error with "PATH: cannot read: ..." on failure.
// `-` reads standard input (once per process), named "<stdin>" in diagnostics.
constexpr const char* kStandardInput = "-";
SourcePtr read_source_file(const std::string& path);

}  // namespace vigil
