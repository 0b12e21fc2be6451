#include "engine/facts/csv_reader.hpp"

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstring>

#include <iconv.h>

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
  CsvParser(const std::string& path, const std::string& text, char delimiter)
      : path_(path), text_(text), delimiter_(delimiter) {
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
      if (text_[pos_] == delimiter_) {
        ++pos_;
        if (pos_ >= text_.size() || at_line_end()) {
          fields.emplace_back();  // a trailing delimiter ends with an empty field
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
    while (pos_ < text_.size() && text_[pos_] != delimiter_ && !at_line_end()) {
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
        if (pos_ < text_.size() && text_[pos_] != delimiter_ && !at_line_end())
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
  char delimiter_;
  std::size_t pos_ = 0;
  std::size_t line_ = 1;
};

// Whether some bytes have the shape of a multi-byte UTF-8 character (a lead
// byte, then as many continuation bytes as it announces).
bool has_utf8_sequence(const std::string& text) {
  for (std::size_t i = 0; i < text.size(); ++i) {
    auto lead = static_cast<unsigned char>(text[i]);
    std::size_t length = lead >= 0xC2 && lead <= 0xDF ? 2 : lead >= 0xE0 && lead <= 0xEF ? 3 : lead >= 0xF0 && lead <= 0xF4 ? 4 : 0;
    if (length == 0 || i + length > text.size()) continue;
    bool continued = true;
    for (std::size_t k = 1; k < length; ++k) continued = continued && (static_cast<unsigned char>(text[i + k]) & 0xC0) == 0x80;
    if (continued) return true;
  }
  return false;
}

// Text that is not UTF-8 and has nothing shaped like it was written in
// Windows-1252; text with UTF-8 characters and a bad byte is broken UTF-8,
// and its error names the line.
TextEncoding detect_encoding(const std::string& text) {
  auto problem = find_text_problem(text);
  bool not_utf8 = problem && problem->message.rfind("invalid UTF-8", 0) == 0;
  return not_utf8 && !has_utf8_sequence(text) ? TextEncoding::windows1252 : TextEncoding::utf8;
}

// Through iconv (glibc's): the five bytes Windows-1252 leaves undefined are an error at their line.
std::string windows1252_to_utf8(const std::string& path, const std::string& bytes) {
  iconv_t converter = iconv_open("UTF-8", "WINDOWS-1252");
  if (converter == reinterpret_cast<iconv_t>(-1)) throw ImportError(path, 0, "this system cannot convert Windows-1252");
  std::string out(bytes.size() * 3 + 1, '\0');  // a byte becomes at most 3 UTF-8 bytes
  char* in = const_cast<char*>(bytes.data());
  std::size_t in_left = bytes.size(), out_left = out.size();
  char* at = out.data();
  std::size_t result = iconv(converter, &in, &in_left, &at, &out_left);
  iconv_close(converter);
  if (result == static_cast<std::size_t>(-1)) {
    auto line = 1 + std::count(bytes.data(), static_cast<const char*>(in), '\n');
    throw ImportError(path, static_cast<std::size_t>(line),
                      fmt::format("byte 0x{:02X} is neither UTF-8 nor Windows-1252 text (give --encoding)",
                                  static_cast<unsigned char>(*in)));
  }
  out.resize(out.size() - out_left);
  return out;
}

}  // namespace

void for_each_csv_row(const std::string& path, const std::string& text,
                      const std::function<void(const std::vector<std::string>&)>& header_of,
                      const std::function<void(const CsvRow&)>& each, const CsvDialect& dialect) {
  validate_bytes(path, text);
  CsvParser parser(path, text, csv_delimiter(text, dialect));
  CsvRow row;
  if (!parser.next(row)) throw ImportError(path, 1, "empty file: expected a header row");
  std::vector<std::string> header = std::move(row.fields);
  header_of(header);
  constexpr std::size_t kRowsPerProgress = 1 << 16;
  std::size_t rows = 0;
  while (parser.next(row)) {
    if (row.fields.size() != header.size())
      throw ImportError(path, row.line, fmt::format("row has {} fields but the header has {}", row.fields.size(),
                                                    header.size()));
    each(row);
    if (++rows % kRowsPerProgress == 0 && dialect.progress) dialect.progress(kRowsPerProgress);
  }
  if (dialect.progress) dialect.progress(rows % kRowsPerProgress);
}

CsvTable parse_csv(const std::string& path, const std::string& text, const CsvDialect& dialect) {
  CsvTable table;
  table.path = path;
  for_each_csv_row(
      path, text, [&](const std::vector<std::string>& header) { table.header = header; },
      [&](const CsvRow& row) { table.rows.push_back(row); }, dialect);
  return table;
}

std::optional<TextEncoding> parse_text_encoding(std::string_view name) {
  std::string lower;
  for (char c : name) lower += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if (lower == "utf-8" || lower == "utf8") return TextEncoding::utf8;
  if (lower == "windows-1252" || lower == "cp1252") return TextEncoding::windows1252;
  return std::nullopt;
}

char csv_delimiter(const std::string& text, const CsvDialect& dialect) {
  if (dialect.delimiter) return *dialect.delimiter;
  // Only the header line is looked at: column names hold no delimiters, while data may.
  std::size_t counts[3] = {0, 0, 0};
  constexpr char kCandidates[3] = {',', ';', '\t'};
  bool quoted = false;
  for (char c : text) {
    if (c == '"') quoted = !quoted;
    if (!quoted && (c == '\n' || c == '\r')) break;
    for (int k = 0; k < 3; ++k)
      if (!quoted && c == kCandidates[k]) ++counts[k];
  }
  int best = 0;
  for (int k = 1; k < 3; ++k)
    if (counts[k] > counts[best]) best = k;
  return kCandidates[best];
}

std::string read_csv_text(const std::string& path, const CsvDialect& dialect) {
  auto text = read_whole_file(path);
  if (!text) throw ImportError(path, 0, fmt::format("cannot read: {}", std::strerror(errno)));
  TextEncoding encoding = dialect.encoding.value_or(detect_encoding(*text));
  if (encoding == TextEncoding::utf8) return std::move(*text);  // validated, with the line of a bad byte, when parsed
  return windows1252_to_utf8(path, *text);
}

CsvTable read_csv_file(const std::string& path, const CsvDialect& dialect) {
  return parse_csv(path, read_csv_text(path, dialect), dialect);
}

}  // namespace vigil
