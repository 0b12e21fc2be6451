#include "engine/facts/csv_reader.hpp"

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "dsl/source.hpp"
#include "dsl/unicode.hpp"
#include "engine/facts/import_error.hpp"

namespace vigil {
namespace {

// Surrogates, overlong forms and code points above U+10FFFF are refused
// here: stored, they would break every later JSON output of the value.
void validate_bytes(const std::string& path, const std::string& text) {
  if (auto problem = find_text_problem(text)) {
    auto line = 1 + std::count(text.begin(), text.begin() + static_cast<long>(problem->offset), '\n');
    throw ImportError(path, static_cast<std::size_t>(line), problem->message);
  }
}

class CsvParser {
 public:
  CsvParser(const std::string& path, const std::string& text) : path_(path), text_(text) {
    if (text_.compare(0, 3, "\xEF\xBB\xBF") == 0) pos_ = 3;  // byte-order mark
  }

  // Next non-blank record, or false at the end of the input.
  bool next(CsvRow& row) {
    while (pos_ < text_.size()) {
      row.line = line_;
      row.fields.clear();
      if (at_line_end()) {  // blank line
        consume_line_end();
        continue;
      }
      read_record(row.fields);
      return true;
    }
    return false;
  }

 private:
  bool at_line_end() const { return text_[pos_] == '\n' || (text_[pos_] == '\r' && peek(1) == '\n'); }
  char peek(std::size_t ahead) const { return pos_ + ahead < text_.size() ? text_[pos_ + ahead] : '\0'; }
  void consume_line_end() {
    pos_ += text_[pos_] == '\r' ? 2 : 1;
    ++line_;
  }

  void read_record(std::vector<std::string>& fields) {
    for (;;) {
      fields.push_back(text_[pos_] == '"' ? read_quoted() : read_plain());
      if (pos_ >= text_.size()) return;
      if (text_[pos_] == ',') {
        ++pos_;
        if (pos_ >= text_.size() || at_line_end()) {
          fields.emplace_back();  // a trailing comma ends with an empty field
          if (pos_ < text_.size()) consume_line_end();
          return;
        }
        continue;
      }
      consume_line_end();
      return;
    }
  }

  std::string read_plain() {
    std::size_t begin = pos_;
    while (pos_ < text_.size() && text_[pos_] != ',' && !at_line_end()) {
      if (text_[pos_] == '"')
        throw ImportError(path_, line_, "quote inside an unquoted field: put the whole field in quotes and double the quote (\"\")");
      if (text_[pos_] == '\r') throw ImportError(path_, line_, "carriage return without a line feed");
      ++pos_;
    }
    return text_.substr(begin, pos_ - begin);
  }

  std::string read_quoted() {
    std::size_t opened_at = line_;
    std::string value;
    ++pos_;
    for (;;) {
      if (pos_ >= text_.size())
        throw ImportError(path_, opened_at, "unterminated quoted field: the quote opened here is never closed");
      char c = text_[pos_];
      if (c == '"') {
        if (peek(1) == '"') {
          value += '"';
          pos_ += 2;
          continue;
        }
        ++pos_;
        if (pos_ < text_.size() && text_[pos_] != ',' && !at_line_end())
          throw ImportError(path_, line_, "unexpected text after a closing quote (a quote inside a quoted field is written \"\")");
        return value;
      }
      if (c == '\n') ++line_;
      value += c;
      ++pos_;
    }
  }

  const std::string& path_;
  const std::string& text_;
  std::size_t pos_ = 0;
  std::size_t line_ = 1;
};

}  // namespace

void for_each_csv_row(const std::string& path, const std::string& text,
                      const std::function<void(const std::vector<std::string>&)>& header_of,
                      const std::function<void(const CsvRow&)>& each) {
  validate_bytes(path, text);
  CsvParser parser(path, text);
  CsvRow row;
  if (!parser.next(row)) throw ImportError(path, 1, "empty file: expected a header row");
  std::vector<std::string> header = std::move(row.fields);
  header_of(header);
  while (parser.next(row)) {
    if (row.fields.size() != header.size())
      throw ImportError(path, row.line, fmt::format("row has {} fields but the header has {}", row.fields.size(),
                                                    header.size()));
    each(row);
  }
}

CsvTable parse_csv(const std::string& path, const std::string& text) {
  CsvTable table;
  table.path = path;
  for_each_csv_row(
      path, text, [&](const std::vector<std::string>& header) { table.header = header; },
      [&](const CsvRow& row) { table.rows.push_back(row); });
  return table;
}

std::string read_csv_text(const std::string& path) {
  auto text = read_whole_file(path);
  if (!text) throw ImportError(path, 0, fmt::format("cannot read: {}", std::strerror(errno)));
  return std::move(*text);
}

CsvTable read_csv_file(const std::string& path) { return parse_csv(path, read_csv_text(path)); }

}  // namespace vigil
