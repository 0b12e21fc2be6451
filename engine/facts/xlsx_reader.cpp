#include "engine/facts/xlsx_reader.hpp"

#include <cmath>
#include <cstring>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string_view>

#include <expat.h>
#include <fmt/format.h>
#include <zip.h>

#include "dsl/calendar.hpp"
#include "dsl/unicode.hpp"
#include "engine/facts/import_error.hpp"

namespace vigil {
namespace {

// A part bigger than this once inflated is refused: a zip bomb must not fill memory.
constexpr zip_uint64_t kMaxPartBytes = 2ull << 30;
constexpr std::size_t kMaxColumns = 16384;  // Excel's own limit (XFD)
constexpr std::size_t kMaxRows = 1048576;

// ---- the zip container (libzip) ----------------------------------------------------

class Package {
 public:
  explicit Package(const std::string& path) : path_(path) {
    int error = 0;
    archive_ = zip_open(path.c_str(), ZIP_RDONLY, &error);
    if (!archive_) {
      zip_error_t why;
      zip_error_init_with_code(&why, error);
      std::string message = zip_error_strerror(&why);
      zip_error_fini(&why);
      throw ImportError(path, 0, fmt::format("not an .xlsx workbook (a zip file): {}", message));
    }
  }
  ~Package() { zip_discard(archive_); }
  Package(const Package&) = delete;
  Package& operator=(const Package&) = delete;

  bool has(const std::string& name) const { return zip_name_locate(archive_, name.c_str(), 0) >= 0; }

  // Streams the part's bytes to `consume` in chunks.
  void read(const std::string& name, const std::function<void(const char*, std::size_t, bool last)>& consume) const {
    zip_stat_t stat;
    if (zip_stat(archive_, name.c_str(), 0, &stat) != 0) throw ImportError(path_, 0, fmt::format("no part {} in the workbook", name));
    if ((stat.valid & ZIP_STAT_SIZE) && stat.size > kMaxPartBytes)
      throw ImportError(path_, 0, fmt::format("part {} inflates to more than 2 GiB", name));
    std::unique_ptr<zip_file_t, int (*)(zip_file_t*)> file(zip_fopen(archive_, name.c_str(), 0), zip_fclose);
    if (!file) throw ImportError(path_, 0, fmt::format("cannot open part {}: {}", name, zip_strerror(archive_)));
    std::vector<char> buffer(1 << 16);
    zip_uint64_t total = 0;
    for (;;) {
      zip_int64_t got = zip_fread(file.get(), buffer.data(), buffer.size());
      if (got < 0) throw ImportError(path_, 0, fmt::format("cannot read part {}: {}", name, zip_file_strerror(file.get())));
      total += static_cast<zip_uint64_t>(got);
      if (total > kMaxPartBytes) throw ImportError(path_, 0, fmt::format("part {} inflates to more than 2 GiB", name));
      consume(buffer.data(), static_cast<std::size_t>(got), got == 0);
      if (got == 0) return;
    }
  }

 private:
  std::string path_;
  zip_t* archive_ = nullptr;
};

// ---- XML (expat) --------------------------------------------------------------------

// The local part of a qualified name ("r:id" -> "id").
std::string_view local_name(const char* name) {
  const char* colon = std::strrchr(name, ':');
  return colon ? colon + 1 : name;
}

// Element callbacks by local name (namespace prefixes dropped), with the text inside.
class XmlWalk {
 public:
  // An element's attributes as expat gives them (name, value, ..., null),
  // looked up by local name: a sheet has millions of cells, and a map of
  // copied strings per element was most of the time of reading one.
  class Attributes {
   public:
    explicit Attributes(const char** pairs) : pairs_(pairs) {}
    // The value of the last attribute with this local name, or "".
    std::string_view operator[](std::string_view name) const {
      std::string_view found;
      for (int i = 0; pairs_[i]; i += 2)
        if (local_name(pairs_[i]) == name) found = pairs_[i + 1];
      return found;
    }

   private:
    const char** pairs_;
  };
  std::function<void(std::string_view name, const Attributes&)> open;
  std::function<void(std::string_view name)> close;
  std::function<void(const char*, int)> text;

  void parse(const Package& package, const std::string& part, const std::string& book) {
    std::unique_ptr<std::remove_pointer_t<XML_Parser>, void (*)(XML_Parser)> parser(XML_ParserCreate("UTF-8"), XML_ParserFree);
    XML_SetUserData(parser.get(), this);
    XML_SetElementHandler(parser.get(), &XmlWalk::on_open, &XmlWalk::on_close);
    XML_SetCharacterDataHandler(parser.get(), &XmlWalk::on_text);
    package.read(part, [&](const char* bytes, std::size_t size, bool last) {
      if (XML_Parse(parser.get(), bytes, static_cast<int>(size), last) == XML_STATUS_ERROR)
        throw ImportError(book, 0, fmt::format("{} line {}: {}", part, XML_GetCurrentLineNumber(parser.get()),
                                               XML_ErrorString(XML_GetErrorCode(parser.get()))));
      if (failure) std::rethrow_exception(failure);
    });
  }

 private:
  // Exceptions must not cross expat's C frames: kept, then rethrown after XML_Parse returns.
  template <typename F>
  static void guarded(void* self, F&& f) {
    auto* walk = static_cast<XmlWalk*>(self);
    if (walk->failure) return;
    try {
      f(*walk);
    } catch (...) {
      walk->failure = std::current_exception();
    }
  }
  static void on_open(void* self, const char* name, const char** attributes) {
    guarded(self, [&](XmlWalk& walk) {
      if (walk.open) walk.open(local_name(name), Attributes(attributes));
    });
  }
  static void on_close(void* self, const char* name) {
    guarded(self, [&](XmlWalk& walk) {
      if (walk.close) walk.close(local_name(name));
    });
  }
  static void on_text(void* self, const char* text, int length) {
    guarded(self, [&](XmlWalk& walk) {
      if (walk.text) walk.text(text, length);
    });
  }

  std::exception_ptr failure;
};

std::string attribute(const XmlWalk::Attributes& attributes, const char* name) { return std::string(attributes[name]); }

// ---- the workbook's parts -------------------------------------------------------------

struct SheetEntry {
  std::string name;
  std::string part;  // "xl/worksheets/sheet1.xml"
};

struct Workbook {
  std::vector<SheetEntry> sheets;
  std::string shared_strings_part, styles_part;
  bool date1904 = false;
};

// "worksheets/sheet1.xml" relative to xl/, or "/xl/worksheets/sheet1.xml" absolute.
std::string part_name(const std::string& target) {
  if (!target.empty() && target[0] == '/') return target.substr(1);
  return "xl/" + target;
}

Workbook read_workbook(const Package& package, const std::string& book) {
  std::map<std::string, std::string> targets;  // relationship id -> part
  Workbook workbook;
  XmlWalk relationships;
  relationships.open = [&](std::string_view name, const XmlWalk::Attributes& a) {
    if (name != "Relationship") return;
    std::string type = attribute(a, "Type"), target = part_name(attribute(a, "Target"));
    targets[attribute(a, "Id")] = target;
    if (type.size() >= 14 && type.compare(type.size() - 14, 14, "/sharedStrings") == 0) workbook.shared_strings_part = target;
    if (type.size() >= 7 && type.compare(type.size() - 7, 7, "/styles") == 0) workbook.styles_part = target;
  };
  if (!package.has("xl/workbook.xml") || !package.has("xl/_rels/workbook.xml.rels"))
    throw ImportError(book, 0, "not an .xlsx workbook: no xl/workbook.xml (save it as Excel Workbook, .xlsx)");
  relationships.parse(package, "xl/_rels/workbook.xml.rels", book);
  XmlWalk sheets;
  sheets.open = [&](std::string_view name, const XmlWalk::Attributes& a) {
    if (name == "workbookPr") workbook.date1904 = attribute(a, "date1904") == "1" || attribute(a, "date1904") == "true";
    if (name != "sheet") return;
    auto target = targets.find(attribute(a, "id"));
    if (target == targets.end())
      throw ImportError(book, 0, fmt::format("sheet '{}' has no part in the workbook", attribute(a, "name")));
    workbook.sheets.push_back({attribute(a, "name"), target->second});
  };
  sheets.parse(package, "xl/workbook.xml", book);
  return workbook;
}

std::vector<std::string> read_shared_strings(const Package& package, const Workbook& workbook, const std::string& book) {
  std::vector<std::string> strings;
  if (workbook.shared_strings_part.empty() || !package.has(workbook.shared_strings_part)) return strings;
  // <si> holds <t> or rich-text runs <r><t>; the phonetic guide <rPh><t> is not part of the value.
  bool in_text = false;
  int phonetic = 0;
  XmlWalk walk;
  walk.open = [&](std::string_view name, const XmlWalk::Attributes&) {
    if (name == "si") strings.emplace_back();
    if (name == "rPh") ++phonetic;
    if (name == "t") in_text = phonetic == 0 && !strings.empty();
  };
  walk.close = [&](std::string_view name) {
    if (name == "rPh") --phonetic;
    if (name == "t") in_text = false;
  };
  walk.text = [&](const char* text, int length) {
    if (in_text) strings.back().append(text, static_cast<std::size_t>(length));
  };
  walk.parse(package, workbook.shared_strings_part, book);
  return strings;
}

// Whether a number format shows a date: the built-in date formats, or a
// custom code with a day or year in it (outside quoted text and [brackets]).
bool is_date_format(int id, const std::string& code) {
  if ((id >= 14 && id <= 17) || id == 22) return true;  // 18-21 and 45-47 are times of day
  if (code.empty()) return false;
  bool quoted = false, bracket = false;
  for (std::size_t i = 0; i < code.size(); ++i) {
    char c = code[i];
    if (c == '\\' || c == '_' || c == '*') {
      ++i;  // the next character is literal
      continue;
    }
    if (c == '"') quoted = !quoted;
    else if (!quoted && c == '[') bracket = true;
    else if (!quoted && c == ']') bracket = false;
    else if (!quoted && !bracket && (c == 'd' || c == 'D' || c == 'y' || c == 'Y')) return true;
  }
  return false;
}

// Per cell style index (`s`): whether its number format is a date.
std::vector<bool> read_date_styles(const Package& package, const Workbook& workbook, const std::string& book) {
  std::vector<bool> dates;
  if (workbook.styles_part.empty() || !package.has(workbook.styles_part)) return dates;
  std::map<int, std::string> codes;
  bool in_cell_formats = false;
  XmlWalk walk;
  walk.open = [&](std::string_view name, const XmlWalk::Attributes& a) {
    if (name == "numFmt") codes[std::atoi(attribute(a, "numFmtId").c_str())] = attribute(a, "formatCode");
    if (name == "cellXfs") in_cell_formats = true;
    if (name == "xf" && in_cell_formats) {
      int id = std::atoi(attribute(a, "numFmtId").c_str());
      dates.push_back(is_date_format(id, codes.count(id) ? codes[id] : std::string()));
    }
  };
  walk.close = [&](std::string_view name) {
    if (name == "cellXfs") in_cell_formats = false;
  };
  walk.parse(package, workbook.styles_part, book);
  return dates;
}

// ---- a worksheet ----------------------------------------------------------------------

// "C7" -> column 2, row 7; nullopt when malformed.
std::optional<std::pair<std::size_t, std::size_t>> parse_reference(const std::string& reference) {
  std::size_t i = 0, column = 0, row = 0;
  while (i < reference.size() && reference[i] >= 'A' && reference[i] <= 'Z') column = column * 26 + static_cast<std::size_t>(reference[i++] - 'A' + 1);
  if (i == 0 || i == reference.size() || column > kMaxColumns) return std::nullopt;
  for (; i < reference.size(); ++i) {
    if (reference[i] < '0' || reference[i] > '9' || row > kMaxRows) return std::nullopt;
    row = row * 10 + static_cast<std::size_t>(reference[i] - '0');
  }
  if (row == 0 || row > kMaxRows) return std::nullopt;
  return std::pair{column - 1, row};
}

// Excel's day number as a date: day 1 is 1900-01-01 and day 60 the
// 1900-02-29 that never was (Lotus's bug, kept by Excel); 1904 workbooks count from 1904-01-01.
std::optional<Date> excel_date(double serial, bool date1904) {
  if (!std::isfinite(serial) || serial < 0 || serial > 2958465) return std::nullopt;  // up to 9999-12-31
  auto day = static_cast<std::int32_t>(std::floor(serial));
  constexpr std::int32_t k1899_12_30 = -25569, k1899_12_31 = -25568, k1904_01_01 = -24107;
  if (date1904) return Date{k1904_01_01 + day};
  if (day == 60 || day == 0) return std::nullopt;
  return Date{(day < 60 ? k1899_12_31 : k1899_12_30) + day};
}

class SheetReader {
 public:
  SheetReader(const std::string& book, const SheetEntry& sheet, const std::vector<std::string>& shared,
              const std::vector<bool>& date_styles, bool date1904)
      : part_(sheet.part), shared_(shared), date_styles_(date_styles), date1904_(date1904) {
    table_.path = book + ":" + sheet.name;
    table_.spreadsheet = true;
  }

  CsvTable read(const Package& package) {
    XmlWalk walk;
    walk.open = [&](std::string_view name, const XmlWalk::Attributes& a) { open(name, a); };
    walk.close = [&](std::string_view name) { close(name); };
    walk.text = [&](const char* text, int length) {
      if (in_value_) value_.append(text, static_cast<std::size_t>(length));
    };
    walk.parse(package, part_, table_.path);
    return std::move(table_);
  }

 private:
  [[noreturn]] void fail(const std::string& message) const {
    throw ImportError(cell_file(table_.path, true, column_), row_, message);
  }

  void open(std::string_view name, const XmlWalk::Attributes& a) {
    if (name == "row") {
      std::string r = attribute(a, "r");
      row_ = r.empty() ? row_ + 1 : static_cast<std::size_t>(std::atol(r.c_str()));
      if (row_ == 0 || row_ > kMaxRows) throw ImportError(table_.path, 0, fmt::format("row number '{}' is out of range", r));
      next_column_ = 0;
      cells_.clear();
      types_.clear();
    } else if (name == "c") {
      std::string reference = attribute(a, "r");
      if (reference.empty()) {
        column_ = next_column_;
      } else {
        auto parsed = parse_reference(reference);
        if (!parsed || parsed->second != row_) throw ImportError(table_.path, row_, fmt::format("bad cell reference '{}'", reference));
        column_ = parsed->first;
      }
      next_column_ = column_ + 1;
      type_ = attribute(a, "t");
      std::string style = attribute(a, "s");
      auto style_index = static_cast<std::size_t>(std::atol(style.c_str()));
      date_ = !style.empty() && style_index < date_styles_.size() && date_styles_[style_index];
      value_.clear();
    } else if (name == "v" || (name == "t" && type_ == "inlineStr")) {
      in_value_ = true;
    }
  }

  void close(std::string_view name) {
    if (name == "v" || name == "t") in_value_ = false;
    if (name == "c") store_cell();
    if (name == "row") store_row();
  }

  void store_cell() {
    auto [text, type] = cell_value();
    if (type == ValueType::missing) return;
    if (cells_.size() <= column_) cells_.resize(column_ + 1), types_.resize(column_ + 1, ValueType::missing);
    cells_[column_] = std::move(text);
    types_[column_] = type;
  }

  std::pair<std::string, ValueType> cell_value() const {
    if (type_ == "s") {
      auto index = static_cast<std::size_t>(std::atol(value_.c_str()));
      if (value_.empty() || index >= shared_.size()) fail(fmt::format("shared string {} does not exist", value_));
      return text_cell(shared_[index]);
    }
    if (type_ == "inlineStr" || type_ == "str") return text_cell(value_);
    if (type_ == "b") return {value_ == "1" ? "true" : "false", ValueType::boolean};
    if (type_ == "e") fail(fmt::format("the cell holds the Excel error {}", value_));
    if (value_.empty()) return {"", ValueType::missing};
    if (type_ == "d") return {value_.substr(0, 10), ValueType::date};  // ISO 8601 date cells
    char* end = nullptr;
    double number = std::strtod(value_.c_str(), &end);
    if (end == value_.c_str() || *end != '\0' || !std::isfinite(number)) fail(fmt::format("'{}' is not a number", value_));
    if (date_) {
      auto date = excel_date(number, date1904_);
      if (!date) fail(fmt::format("{} is not a day Excel can show as a date", value_));
      return {format_date(*date), ValueType::date};
    }
    return {fmt::format("{}", number), ValueType::number};
  }

  std::pair<std::string, ValueType> text_cell(const std::string& text) const {
    if (auto problem = find_text_problem(text)) fail(problem->message);
    return {text, text.empty() ? ValueType::missing : ValueType::string};
  }

  void store_row() {
    if (cells_.empty()) return;  // a row of formatting only
    if (table_.header.empty() && table_.rows.empty()) {
      take_header();
      return;
    }
    if (cells_.size() > table_.header.size()) {
      column_ = table_.header.size();
      while (types_[column_] == ValueType::missing) ++column_;
      fail("a value beyond the header's last column (row 1 names every column)");
    }
    cells_.resize(table_.header.size());
    types_.resize(table_.header.size(), ValueType::missing);
    table_.rows.push_back({row_, std::move(cells_)});
    table_.cell_types.push_back(std::move(types_));
    cells_.clear();
    types_.clear();
  }

  void take_header() {
    table_.header_line = row_;
    for (column_ = 0; column_ < cells_.size(); ++column_) {
      if (types_[column_] == ValueType::missing) break;
      if (types_[column_] != ValueType::string) fail("a column name must be text");
      table_.header.push_back(cells_[column_]);
    }
    for (; column_ < cells_.size(); ++column_)
      if (types_[column_] != ValueType::missing) fail("a column name after an empty one (the header ends at the first empty cell)");
    if (table_.header.empty()) {
      column_ = 0;
      fail("the header must start in column A");
    }
  }

  std::string part_;
  const std::vector<std::string>& shared_;
  const std::vector<bool>& date_styles_;
  bool date1904_;
  CsvTable table_;
  std::size_t row_ = 0, column_ = 0, next_column_ = 0;
  std::string type_, value_;
  bool date_ = false, in_value_ = false;
  std::vector<std::string> cells_;
  std::vector<ValueType> types_;
};

}  // namespace

std::vector<CsvTable> read_xlsx(const std::string& path) {
  Package package(path);
  Workbook workbook = read_workbook(package, path);
  auto shared = read_shared_strings(package, workbook, path);
  auto date_styles = read_date_styles(package, workbook, path);
  std::vector<CsvTable> tables;
  for (const auto& sheet : workbook.sheets) {
    tables.push_back(SheetReader(path, sheet, shared, date_styles, workbook.date1904).read(package));
  }
  return tables;
}

}  // namespace vigil
