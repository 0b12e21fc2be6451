#include "engine/facts/portfolio_import.hpp"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <tuple>
#include <unordered_map>
#include <sstream>

#include <nlohmann/json.hpp>
#include <vigil/source.hpp>

#include "dsl/source.hpp"
#include "engine/facts/cell_types.hpp"
#include "engine/facts/csv_reader.hpp"
#include "engine/facts/import_error.hpp"
#include "engine/facts/value_format.hpp"
#include "engine/facts/waivers.hpp"
#include "engine/facts/xlsx_reader.hpp"

namespace vigil {
namespace fs = std::filesystem;
namespace {

struct Location {
  std::string file;
  std::size_t line;
};

// Shared by both formats: ids are unique across the portfolio, and an edge
// (from, to, kind) appears once. What it keeps per entity and edge is a few
// integers (a million edges are not a million strings), and duplicate edges
// are found by sorting once the edges are read.
class PortfolioBuilder {
 public:
  PortfolioBuilder() : portfolio(own_) {}
  // Overlay mode (CONTRACT section 11): on `copy` (base's overlay_copy()), an
  // entity with a loaded id replaces it entirely, and an edge already there is ignored.
  PortfolioBuilder(const Portfolio& base, Portfolio& copy) : portfolio(copy), base_(&base), replaced_(base.entity_count(), false) {}

  EntityIndex add_entity(const std::string& id, KindId kind, const Location& at) {
    if (id.empty()) throw ImportError(at.file, at.line, "empty id: every entity needs an id");
    if (auto loaded = base_ ? base_->find(id) : std::nullopt; loaded && !replaced_[*loaded]) {
      if (portfolio.kind_of(*loaded) != kind)
        throw ImportError(at.file, at.line, fmt::format("'{}' is a {} in the loaded portfolio: an overlay cannot make it a {}",
                                                        id, portfolio.kind_name(*loaded), portfolio.kinds()[kind].name));
      replaced_[*loaded] = true;
      portfolio.clear_attributes(*loaded);
      remember(*loaded, at);
      overlay_entities_.push_back(*loaded);
      return *loaded;
    }
    if (auto existing = portfolio.find(id)) {
      const auto& first = defined_at(*existing);
      throw ImportError(at.file, at.line, fmt::format("duplicate id '{}' (first defined at {})", id,
                                                      ImportError::location_text(files_[first.file], first.line)));
    }
    EntityIndex added = portfolio.add_entity(id, kind);
    remember(added, at);
    if (base_) overlay_entities_.push_back(added);
    return added;
  }

  const std::vector<EntityIndex>& overlay_entities() const { return overlay_entities_; }

  void remember(EntityIndex entity, const Location& at) {
    if (files_.empty() || files_.back() != at.file) files_.push_back(at.file);
    defined_at(entity) = {static_cast<std::uint32_t>(files_.size() - 1), static_cast<std::uint32_t>(at.line)};
  }

  EntityIndex resolve(const std::string& id, const char* end, const Location& at) const {
    if (id.empty()) throw ImportError(at.file, at.line, fmt::format("empty '{}' in edge", end));
    auto entity = portfolio.find(id);
    if (!entity)
      throw ImportError(at.file, at.line, fmt::format("edge {} '{}' is not a known entity id", end, id));
    return *entity;
  }

  void add_edge(const std::string& from, const std::string& to, const std::string& kind, std::string attributes,
                const Location& at) {
    EntityIndex a = resolve(from, "from", at), b = resolve(to, "to", at);
    if (kind.empty()) throw ImportError(at.file, at.line, "empty edge kind (for example depends_on or subcontracts)");
    if (base_ && already_there(a, b, kind)) return;
    portfolio.add_edge(a, b, kind, attributes);
    if (!base_) lines_.push_back(static_cast<std::uint32_t>(at.line));  // an overlay ignores duplicates
  }

  // Overlay mode: the edge is loaded, or the overlay gave it before.
  bool already_there(EntityIndex from, EntityIndex to, const std::string& kind) const {
    auto same = [&](std::uint32_t e) {
      const Edge& edge = portfolio.edges()[e];
      return edge.to == to && portfolio.edge_kinds()[edge.kind] == kind;
    };
    if (from < base_->entity_count()) {
      const auto& loaded = base_->edge_index()->outgoing[from];
      if (std::any_of(loaded.begin(), loaded.end(), same)) return true;
    }
    for (auto e = static_cast<std::uint32_t>(base_->edges().size()); e < portfolio.edges().size(); ++e)
      if (portfolio.edges()[e].from == from && same(e)) return true;
    return false;
  }

  // After the last edge of `file`: the first duplicate in file order, if any.
  void reject_duplicate_edges(const std::string& file) const {
    if (base_) return;  // an overlay ignores edges given twice
    const auto& edges = portfolio.edges();
    // (from, to) and (kind, position) packed in integers: sorting them is the cost of this check.
    std::vector<std::pair<std::uint64_t, std::uint64_t>> keyed(edges.size());
    for (std::uint32_t i = 0; i < keyed.size(); ++i)
      keyed[i] = {std::uint64_t{edges[i].from} << 32 | edges[i].to, std::uint64_t{edges[i].kind} << 32 | i};
    std::sort(keyed.begin(), keyed.end());
    std::vector<std::uint32_t> order(edges.size());
    for (std::size_t k = 0; k < order.size(); ++k) order[k] = static_cast<std::uint32_t>(keyed[k].second & 0xffffffffu);
    // Sorted, each edge's first occurrence leads its group; the earliest
    // later occurrence of any group is the duplicate to report.
    std::optional<std::pair<std::uint32_t, std::uint32_t>> first;  // (duplicate, original)
    std::uint32_t original = 0;
    for (std::size_t k = 0; k < order.size(); ++k) {
      const auto& edge = edges[order[k]];
      const auto& lead = edges[original];
      if (k == 0 || edge.from != lead.from || edge.to != lead.to || edge.kind != lead.kind) original = order[k];
      else if (!first || order[k] < first->first) first = {order[k], original};
    }
    if (!first) return;
    const auto& edge = edges[first->first];
    throw ImportError(file, lines_[first->first],
                      fmt::format("duplicate edge {} -> {} ({}), first at line {}", portfolio.id(edge.from),
                                  portfolio.id(edge.to), portfolio.edge_kinds()[edge.kind], lines_[first->second]));
  }

 private:
  Portfolio own_;  // unless building on an overlay copy

 public:
  Portfolio& portfolio;

  // Overlay mode: the loaded type of an attribute, when the kind has it.
  std::optional<ValueType> loaded_type(KindId kind, const std::string& name) const {
    if (!base_ || kind >= base_->kinds().size()) return std::nullopt;
    int column = base_->kinds()[kind].column(name);
    if (column < 0) return std::nullopt;
    return base_->kinds()[kind].attribute_types[static_cast<std::size_t>(column)];
  }

 private:
  struct DefinedAt {
    std::uint32_t file, line;
  };
  // Where an entity was defined: per entity, or in overlay mode per entity
  // the overlay defines (a hundred thousand loaded ones have no line).
  DefinedAt& defined_at(EntityIndex entity) {
    if (base_) return overlay_defined_at_[entity];
    if (entity >= defined_at_.size()) defined_at_.resize(entity + 1, DefinedAt{0, 0});
    return defined_at_[entity];
  }
  const Portfolio* base_ = nullptr;
  std::vector<bool> replaced_;           // per loaded entity, in overlay mode
  std::vector<EntityIndex> overlay_entities_;
  std::vector<std::string> files_;       // the files entities came from
  std::vector<DefinedAt> defined_at_;
  std::unordered_map<EntityIndex, DefinedAt> overlay_defined_at_;
  std::vector<std::uint32_t> lines_;     // per edge (not in overlay mode)
};

// ---- CSV directory ----------------------------------------------------------------

struct TypedColumns {
  std::vector<ColumnSpec> specs;
  std::vector<ValueType> types;
};

// Where column c of a table is: its header cell, or row `line`'s cell.
std::string at_column(const CsvTable& table, std::size_t c) { return cell_file(table.path, table.spreadsheet, c); }

// A spreadsheet column whose cells all have one type in the file keeps it;
// otherwise (and in CSV) the cells' text decides.
ValueType column_type(const CsvTable& table, std::size_t c, const std::vector<std::string_view>& cells,
                      const CellFormat& format) {
  std::optional<ValueType> stored;
  bool one_type = !table.cell_types.empty();
  for (const auto& types : table.cell_types) {
    if (types[c] == ValueType::missing) continue;
    if (stored && *stored != types[c]) one_type = false;
    stored = types[c];
  }
  if (one_type && stored) return *stored;
  ValueType type = infer_column_type(cells, format);
  if (type == ValueType::string)
    if (auto ambiguous = find_ambiguous_column(cells, format))
      throw ImportError(at_column(table, c), table.rows[ambiguous->index].line,
                        fmt::format("column '{}': {}", table.header[c], ambiguous->message));
  return type;
}

TypedColumns type_columns(const CsvTable& table, const std::set<std::string>& reserved, const CellFormat& format) {
  TypedColumns columns;
  std::set<std::string> seen;
  for (std::size_t c = 0; c < table.header.size(); ++c) {
    ColumnSpec spec;
    try {
      spec = parse_column_header(table.header[c]);
    } catch (const Error& error) {
      throw ImportError(at_column(table, c), table.header_line, error.what());
    }
    if (!seen.insert(spec.name).second)
      throw ImportError(at_column(table, c), table.header_line, fmt::format("column '{}' appears twice in the header", spec.name));
    if (reserved.count(spec.name) && spec.declared && *spec.declared != ValueType::string)
      throw ImportError(at_column(table, c), table.header_line, fmt::format("column '{}' is always a string", spec.name));
    ValueType type = ValueType::string;
    if (spec.declared) {
      type = *spec.declared;
    } else if (!reserved.count(spec.name)) {
      std::vector<std::string_view> cells;
      cells.reserve(table.rows.size());
      for (const auto& row : table.rows) cells.push_back(row.fields[c]);
      type = column_type(table, c, cells, format);
    }
    columns.specs.push_back(std::move(spec));
    columns.types.push_back(type);
  }
  return columns;
}

std::size_t column_index(const TypedColumns& columns, const std::string& name) {
  for (std::size_t c = 0; c < columns.specs.size(); ++c)
    if (columns.specs[c].name == name) return c;
  return std::string::npos;
}

Value typed_cell(const CsvTable& table, const CsvRow& row, std::size_t c, const TypedColumns& columns,
                 const CellFormat& format) {
  auto value = parse_cell(row.fields[c], columns.types[c], format);
  if (value) return *value;
  std::string hint = cell_hint(row.fields[c], columns.types[c], format);
  std::string where = at_column(table, c);
  if (!hint.empty()) throw ImportError(where, row.line, fmt::format("column '{}': {}", columns.specs[c].name, hint));
  throw ImportError(where, row.line, fmt::format("column '{}' holds {} values but this cell is '{}'",
                                                 columns.specs[c].name, type_name(columns.types[c]), row.fields[c]));
}

// One kind's entities: a CSV file named after the kind, or a worksheet.
void read_entity_table(PortfolioBuilder& builder, const std::string& kind, const CsvTable& table,
                       const ImportOptions& options) {
  TypedColumns columns = type_columns(table, {"id"}, options.cells);
  if (std::size_t kind_column = column_index(columns, "kind"); kind_column != std::string::npos)
    throw ImportError(at_column(table, kind_column), table.header_line,
                      fmt::format("column 'kind' is reserved: the {} name gives the kind", table.spreadsheet ? "sheet" : "file"));
  std::size_t id_column = column_index(columns, "id");
  if (id_column == std::string::npos) throw ImportError(at_column(table, 0), table.header_line, "no 'id' column in the header");
  KindId kind_id = builder.portfolio.declare_kind(kind);
  std::vector<int> attribute_column(columns.specs.size(), -1);
  for (std::size_t c = 0; c < columns.specs.size(); ++c)
    if (c != id_column)
      attribute_column[c] = builder.portfolio.declare_attribute(kind_id, columns.specs[c].name, columns.types[c]);
  std::string id_at = at_column(table, id_column);
  for (const auto& row : table.rows) {
    EntityIndex entity = builder.add_entity(row.fields[id_column], kind_id, {id_at, row.line});
    for (std::size_t c = 0; c < columns.specs.size(); ++c)
      if (c != id_column)
        builder.portfolio.set_attribute(entity, attribute_column[c], typed_cell(table, row, c, columns, options.cells));
  }
}

void read_entity_file(PortfolioBuilder& builder, const fs::path& file, const ImportOptions& options) {
  std::string kind = file.stem().string();
  std::string path = file.string();
  if (!is_kind_name(kind))
    throw ImportError(path, 0, fmt::format("'{}' is not an entity kind: name the file after a lower-case kind, "
                                           "such as vendor.csv", file.filename().string()));
  read_entity_table(builder, kind, read_csv_file(path, options.csv), options);
}

std::string edge_attributes_json(const CsvTable& table, const CsvRow& row, const TypedColumns& columns,
                                 const std::set<std::size_t>& fixed, const Portfolio& portfolio,
                                 const CellFormat& format) {
  nlohmann::ordered_json attributes = nlohmann::ordered_json::object();
  for (std::size_t c = 0; c < columns.specs.size(); ++c)
    if (!fixed.count(c)) attributes[columns.specs[c].name] = value_to_json(typed_cell(table, row, c, columns, format), portfolio);
  return attributes.empty() ? std::string() : attributes.dump();
}

// The edges of a table (edges.csv or the `edges` sheet): from, to, kind and
// attribute columns. Call with the header set, then `add` each row.
class EdgeTable {
 public:
  EdgeTable(PortfolioBuilder& builder, CsvTable& table, const ImportOptions& options)
      : builder_(builder), table_(table), options_(options) {}

  void locate_columns() {
    columns_ = type_columns(table_, {"from", "to", "kind"}, options_.cells);
    from_ = column_index(columns_, "from"), to_ = column_index(columns_, "to"), kind_ = column_index(columns_, "kind");
    for (auto [index, name] : {std::pair{from_, "from"}, std::pair{to_, "to"}, std::pair{kind_, "kind"}})
      if (index == std::string::npos)
        throw ImportError(at_column(table_, 0), table_.header_line,
                          fmt::format("no '{}' column in the header (edges have from,to,kind)", name));
    at_ = {at_column(table_, from_), 0};
  }

  void add(const CsvRow& row) {
    at_.line = row.line;  // the file part is made once: a million rows would each copy it
    builder_.add_edge(row.fields[from_], row.fields[to_], row.fields[kind_],
                      edge_attributes_json(table_, row, columns_, {from_, to_, kind_}, builder_.portfolio, options_.cells),
                      at_);
  }

  void add_rows() {
    locate_columns();
    for (const auto& row : table_.rows) add(row);
    builder_.reject_duplicate_edges(table_.path);
  }

 private:
  PortfolioBuilder& builder_;
  CsvTable& table_;
  const ImportOptions& options_;
  TypedColumns columns_;
  std::size_t from_ = 0, to_ = 0, kind_ = 0;
  Location at_;  // the 'from' column's file, and the row's line
};

// Undeclared attribute columns are typed from all their cells, so then the
// rows are kept; otherwise (the usual from,to,kind) each row becomes an edge
// as it is read.
void read_edge_file(PortfolioBuilder& builder, const fs::path& file, const ImportOptions& options) {
  std::string path = file.string();
  CsvTable table;
  table.path = path;
  EdgeTable edges(builder, table, options);
  bool keep_rows = false;
  for_each_csv_row(
      path, read_csv_text(path, options.csv),
      [&](const std::vector<std::string>& header) {
        table.header = header;
        for (const auto& name : header) {
          ColumnSpec spec;
          try {
            spec = parse_column_header(name);
          } catch (const Error&) {
            break;  // type_columns reports it
          }
          if (!spec.declared && spec.name != "from" && spec.name != "to" && spec.name != "kind") keep_rows = true;
        }
        if (!keep_rows) edges.locate_columns();
      },
      [&](const CsvRow& row) {
        if (keep_rows) table.rows.push_back(row);
        else edges.add(row);
      },
      options.csv);
  if (keep_rows) {
    edges.add_rows();
    return;
  }
  builder.reject_duplicate_edges(path);
}

// A workbook (CONTRACT section 9): a sheet per kind named after it, `edges`
// and `waivers`; entities first, whatever the sheets' order. Empty sheets
// (a new workbook's Sheet1) are passed over.
Portfolio read_portfolio_xlsx(const std::string& path, const ImportOptions& options) {
  std::vector<CsvTable> sheets = read_xlsx(path);
  PortfolioBuilder builder;
  CsvTable* edges = nullptr;
  CsvTable* waivers = nullptr;
  for (auto& sheet : sheets) {
    if (sheet.header.empty()) continue;
    std::string name = sheet.path.substr(path.size() + 1);
    if (name == "edges") edges = &sheet;
    else if (name == "waivers") waivers = &sheet;
    else if (!is_kind_name(name))
      throw ImportError(sheet.path, 0, fmt::format("'{}' is not an entity kind: name each sheet after a lower-case kind "
                                                   "(such as vendor), or edges or waivers",
                                                   name));
    else read_entity_table(builder, name, sheet, options);
  }
  if (edges) EdgeTable(builder, *edges, options).add_rows();
  if (waivers) {
    WaiverReader reader;
    read_waivers_table(reader, *waivers);
    builder.portfolio.waivers = reader.take();
  }
  return std::move(builder.portfolio);
}

// ---- JSON -----------------------------------------------------------------------

using Json = nlohmann::ordered_json;

// Feeds nlohmann's parser one byte at a time while counting lines, so that
// the SAX handler knows the line of every entity and edge object.
struct LineCountingIterator {
  using iterator_category = std::input_iterator_tag;
  using value_type = char;
  using difference_type = std::ptrdiff_t;
  using pointer = const char*;
  using reference = const char&;
  const char* at;
  std::size_t* line;
  reference operator*() const { return *at; }
  LineCountingIterator& operator++() {
    if (*at == '\n') ++*line;
    ++at;
    return *this;
  }
  LineCountingIterator operator++(int) {
    auto copy = *this;
    ++*this;
    return copy;
  }
  bool operator==(const LineCountingIterator& other) const { return at == other.at; }
  bool operator!=(const LineCountingIterator& other) const { return at != other.at; }
};

// Values nest at most this deep (a portfolio needs 4: the document, an array,
// an entity, its attributes); deeper input is refused before anything walks
// it recursively.
constexpr int kMaxJsonDepth = 32;

// Builds the DOM and records the line of each object directly inside the
// top-level "entities" and "edges" arrays. Refuses, by stopping the parse,
// nesting beyond kMaxJsonDepth and strings holding NUL (`\u0000`).
class LocatingHandler {
 public:
  explicit LocatingHandler(Json& root, const std::size_t& line) : dom_(root, true), line_(line) {}
  std::map<std::string, std::vector<std::size_t>> lines;  // "entities"/"edges" -> line of element i
  std::optional<std::string> refusal;                     // why the parse was stopped

  bool null() { return dom_.null(); }
  bool boolean(bool v) { return dom_.boolean(v); }
  bool number_integer(Json::number_integer_t v) { return dom_.number_integer(v); }
  bool number_unsigned(Json::number_unsigned_t v) { return dom_.number_unsigned(v); }
  bool number_float(Json::number_float_t v, const Json::string_t& s) { return dom_.number_float(v, s); }
  bool string(Json::string_t& v) { return no_nul(v) && dom_.string(v); }
  bool binary(Json::binary_t& v) { return dom_.binary(v); }
  bool start_object(std::size_t n) {
    if (depth_ == 2) lines[top_key_].push_back(line_);
    return deeper() && dom_.start_object(n);
  }
  bool end_object() {
    --depth_;
    return dom_.end_object();
  }
  bool start_array(std::size_t n) {
    return deeper() && dom_.start_array(n);
  }
  bool end_array() {
    --depth_;
    return dom_.end_array();
  }
  bool key(Json::string_t& k) {
    if (depth_ == 1) top_key_ = k;
    return no_nul(k) && dom_.key(k);
  }
  // A template, as in nlohmann's DOM parser: the exception is rethrown with its own type.
  template <class Exception>
  bool parse_error(std::size_t position, const std::string& token, const Exception& e) {
    return dom_.parse_error(position, token, e);
  }

 private:
  bool deeper() {
    if (++depth_ <= kMaxJsonDepth) return true;
    refusal = fmt::format("values nested more than {} levels deep", kMaxJsonDepth);
    return false;
  }
  bool no_nul(const std::string& text) {
    if (text.find('\0') == std::string::npos) return true;
    refusal = "NUL character (\\u0000) in a string: text may not contain NUL";
    return false;
  }

  nlohmann::detail::json_sax_dom_parser<Json> dom_;
  const std::size_t& line_;
  int depth_ = 0;
  std::string top_key_;
};

std::string read_text_file(const std::string& path) {
  auto text = read_whole_file(path);
  if (!text) throw ImportError(path, 0, "cannot read the file");
  return std::move(*text);
}

// "[json.exception.parse_error.101] parse error at line 3, column 5: syntax error ..." -> "syntax error ..."
std::string json_error_text(const std::string& what) {
  auto column = what.find(", column ");
  auto colon = column == std::string::npos ? what.find("] ") : what.find(": ", column);
  if (colon == std::string::npos) return what;
  return what.substr(colon + 2);
}

std::size_t line_of_byte(const std::string& text, std::size_t byte) {
  byte = std::min(byte, text.size());
  return 1 + static_cast<std::size_t>(std::count(text.begin(), text.begin() + static_cast<long>(byte), '\n'));
}

void expect_keys(const Json& object, std::initializer_list<const char*> allowed, const Location& at,
                 const char* what) {
  for (const auto& item : object.items()) {
    const std::string& key = item.key();
    if (std::none_of(allowed.begin(), allowed.end(), [&](const char* k) { return key == k; })) {
      std::vector<std::string> names(allowed.begin(), allowed.end());
      std::string message = fmt::format("unknown field '{}' in {}", key, what);
      message += did_you_mean(key, names);
      throw ImportError(at.file, at.line, message);
    }
  }
}

std::string required_string(const Json& object, const char* key, const Location& at, const char* what) {
  auto it = object.find(key);
  if (it == object.end()) throw ImportError(at.file, at.line, fmt::format("{} has no \"{}\"", what, key));
  if (!it->is_string()) throw ImportError(at.file, at.line, fmt::format("\"{}\" of {} must be a string", key, what));
  return it->get<std::string>();
}

struct JsonAttribute {
  EntityIndex entity;
  std::string name;
  const Json* value;
  Location at;
};

ValueType json_value_type(const JsonAttribute& a) {
  switch (a.value->type()) {
    case Json::value_t::boolean: return ValueType::boolean;
    case Json::value_t::number_integer:
    case Json::value_t::number_unsigned:
    case Json::value_t::number_float: return ValueType::number;
    case Json::value_t::string: return ValueType::string;
    default:
      throw ImportError(a.at.file, a.at.line, fmt::format("attribute '{}' is {}: attribute values are numbers, "
                                                          "strings, booleans, dates or null",
                                                          a.name, a.value->type_name()));
  }
}

// JSON has types of its own; strings become dates when every value of that
// attribute (for the kind) is an ISO date, as CSV columns do.
void assign_json_attributes(PortfolioBuilder& builder, const std::vector<JsonAttribute>& attributes) {
  struct Column {
    ValueType type;
    Location first;
    bool all_dates = true;
  };
  std::map<std::pair<KindId, std::string>, Column> columns;
  for (const auto& a : attributes) {
    if (a.value->is_null()) continue;
    ValueType type = json_value_type(a);
    auto key = std::make_pair(builder.portfolio.kind_of(a.entity), a.name);
    auto [it, inserted] = columns.emplace(key, Column{type, a.at});
    if (!inserted && it->second.type != type)
      throw ImportError(a.at.file, a.at.line, fmt::format("attribute '{}' is {} here but {} at line {}", a.name,
                                                          type_with_article(type), type_with_article(it->second.type),
                                                          it->second.first.line));
    if (type == ValueType::string && !parse_iso_date(a.value->get_ref<const std::string&>()))
      it->second.all_dates = false;
  }
  for (const auto& [key, column] : columns) {
    ValueType type = column.type == ValueType::string && column.all_dates ? ValueType::date : column.type;
    // Over a loaded portfolio, a string attribute the portfolio has as text stays text, one it has as dates must be dates.
    auto loaded = builder.loaded_type(key.first, key.second);
    bool text_for_text = loaded && column.type == ValueType::string && (*loaded == ValueType::string || *loaded == ValueType::date);
    if (loaded && *loaded != column.type && !text_for_text)
      throw ImportError(column.first.file, column.first.line,
                        fmt::format("attribute '{}' is {} in the loaded portfolio but {} here", key.second,
                                    type_with_article(*loaded), type_with_article(column.type)));
    if (loaded && column.type == ValueType::string) {
      if (*loaded == ValueType::date && !column.all_dates)
        throw ImportError(column.first.file, column.first.line,
                          fmt::format("attribute '{}' holds dates in the loaded portfolio: give an ISO date (YYYY-MM-DD)",
                                      key.second));
      type = *loaded;
    }
    builder.portfolio.declare_attribute(key.first, key.second, type);
  }
  for (const auto& a : attributes) {
    if (a.value->is_null()) continue;
    const auto& kind = builder.portfolio.kinds()[builder.portfolio.kind_of(a.entity)];
    int column = kind.column(a.name);
    ValueType type = kind.attribute_types[static_cast<std::size_t>(column)];
    Value value;
    if (type == ValueType::date) value = Value::date(*parse_iso_date(a.value->get_ref<const std::string&>()));
    else if (type == ValueType::string) value = Value::string_view(a.value->get_ref<const std::string&>());
    else if (type == ValueType::boolean) value = Value::boolean(a.value->get<bool>());
    else value = Value::number(a.value->get<double>());
    builder.portfolio.set_attribute(a.entity, column, value);
  }
}

void read_json_entities(PortfolioBuilder& builder, const Json& entities, const std::vector<std::size_t>& lines,
                        const std::string& path) {
  std::vector<JsonAttribute> attributes;
  for (std::size_t i = 0; i < entities.size(); ++i) {
    const Json& entity = entities[i];
    Location at{path, i < lines.size() ? lines[i] : 0};
    if (!entity.is_object()) throw ImportError(path, at.line, fmt::format("entities[{}] is not an object", i));
    expect_keys(entity, {"id", "kind", "attributes"}, at, "an entity");
    std::string id = required_string(entity, "id", at, "an entity");
    std::string kind = required_string(entity, "kind", at, "an entity");
    if (!is_kind_name(kind))
      throw ImportError(path, at.line, fmt::format("kind '{}' is not a lower-case word (such as vendor)", kind));
    EntityIndex index = builder.add_entity(id, builder.portfolio.declare_kind(kind), at);
    auto found = entity.find("attributes");
    if (found == entity.end() || found->is_null()) continue;
    if (!found->is_object()) throw ImportError(path, at.line, "\"attributes\" must be an object");
    for (const auto& [name, value] : found->items()) {
      if (name == "id" || name == "kind")
        throw ImportError(path, at.line, fmt::format("attribute '{}' is built in: give it as a field of the entity", name));
      if (!is_attribute_name(name))
        throw ImportError(path, at.line, fmt::format("'{}' is not a valid attribute name", name));
      attributes.push_back({index, name, &value, at});
    }
  }
  assign_json_attributes(builder, attributes);
}

void read_json_edges(PortfolioBuilder& builder, const Json& edges, const std::vector<std::size_t>& lines,
                     const std::string& path) {
  for (std::size_t i = 0; i < edges.size(); ++i) {
    const Json& edge = edges[i];
    Location at{path, i < lines.size() ? lines[i] : 0};
    if (!edge.is_object()) throw ImportError(path, at.line, fmt::format("edges[{}] is not an object", i));
    expect_keys(edge, {"from", "to", "kind", "attributes"}, at, "an edge");
    auto attributes = edge.find("attributes");
    std::string extra = attributes == edge.end() || attributes->is_null() || attributes->empty() ? "" : attributes->dump();
    builder.add_edge(required_string(edge, "from", at, "an edge"), required_string(edge, "to", at, "an edge"),
                     required_string(edge, "kind", at, "an edge"), extra, at);
  }
  builder.reject_duplicate_edges(path);
}

void read_json_waivers(WaiverReader& reader, const Json& waivers, const std::vector<std::size_t>& lines,
                       const std::string& path) {
  if (!waivers.is_array()) throw ImportError(path, 1, "\"waivers\" must be an array");
  for (std::size_t i = 0; i < waivers.size(); ++i) {
    const Json& waiver = waivers[i];
    std::size_t line = i < lines.size() ? lines[i] : 0;
    if (!waiver.is_object()) throw ImportError(path, line, fmt::format("waivers[{}] is not an object", i));
    std::map<std::string, std::string> fields;
    for (const auto& [key, value] : waiver.items()) {
      if (value.is_null()) continue;
      if (!value.is_string()) throw ImportError(path, line, fmt::format("waiver field \"{}\" must be a string", key));
      fields[key] = value.get<std::string>();
    }
    reader.add(fields, path, line);
  }
}

}  // namespace

namespace {

// A portfolio directory is read as plain files only: a FIFO or device would
// hang the import, and a link may not lead outside the directory (its
// target's first line would otherwise be echoed in an error message).
void require_plain_file_inside(const fs::path& file, const fs::path& root) {
  std::error_code error;
  auto target = fs::weakly_canonical(file, error);
  auto inside = fs::weakly_canonical(root, error);
  if (error || std::mismatch(inside.begin(), inside.end(), target.begin(), target.end()).first != inside.end())
    throw ImportError(file.string(), 0, "is a link leading outside the portfolio directory; copy the file in instead");
  if (!fs::is_regular_file(fs::status(file, error)))
    throw ImportError(file.string(), 0, "is not a regular file (a portfolio directory holds plain CSV files)");
}

}  // namespace

Portfolio read_portfolio_directory(const std::string& directory, const ImportOptions& options) {
  fs::path root(directory);
  fs::path entities = root / "entities";
  if (!fs::is_directory(entities))
    throw ImportError(directory, 0, "no entities/ folder: a portfolio directory holds entities/<kind>.csv and edges.csv");
  std::vector<fs::path> files;
  for (const auto& entry : fs::directory_iterator(entities))
    if (entry.path().extension() == ".csv") files.push_back(entry.path());
  if (files.empty()) throw ImportError(entities.string(), 0, "no <kind>.csv files in this folder");
  std::sort(files.begin(), files.end());
  std::error_code error;
  fs::path edges = root / "edges.csv";
  bool has_edges = fs::exists(fs::symlink_status(edges, error));
  fs::path waivers = root / "waivers.csv";
  bool has_waivers = fs::exists(fs::symlink_status(waivers, error));
  for (const auto& file : files) require_plain_file_inside(file, root);
  if (has_edges) require_plain_file_inside(edges, root);
  if (has_waivers) require_plain_file_inside(waivers, root);
  PortfolioBuilder builder;
  for (const auto& file : files) read_entity_file(builder, file, options);
  if (has_edges) read_edge_file(builder, edges, options);
  if (has_waivers) {
    WaiverReader reader;
    read_waivers_csv(reader, waivers.string(), options.csv);
    builder.portfolio.waivers = reader.take();
  }
  return std::move(builder.portfolio);
}

Portfolio read_portfolio_json(const std::string& path) { return parse_portfolio_json(path, read_text_file(path)); }

namespace {

void read_json_into(PortfolioBuilder& builder, const std::string& path, const std::string& text) {
  if (text.find_first_not_of(" \t\r\n") == std::string::npos) throw ImportError(path, 1, "empty file: expected a JSON object");
  std::size_t offset = text.compare(0, 3, "\xEF\xBB\xBF") == 0 ? 3 : 0;
  std::size_t line = 1;
  Json root;
  LocatingHandler handler(root, line);
  try {
    Json::sax_parse(LineCountingIterator{text.data() + offset, &line}, LineCountingIterator{text.data() + text.size(), &line},
                    &handler);
  } catch (const nlohmann::json::parse_error& error) {
    throw ImportError(path, line_of_byte(text, offset + error.byte - 1), json_error_text(error.what()));
  } catch (const nlohmann::json::exception& error) {  // out_of_range.406: a number such as 1e400
    throw ImportError(path, line, json_error_text(error.what()));
  }
  if (handler.refusal) throw ImportError(path, line, *handler.refusal);
  Location top{path, 1};
  if (!root.is_object()) throw ImportError(path, 1, "expected a JSON object with \"entities\" and \"edges\"");
  expect_keys(root, {"entities", "edges", "waivers"}, top, "the portfolio");
  auto entities = root.find("entities");
  if (entities == root.end() || !entities->is_array())
    throw ImportError(path, 1, "the portfolio needs an \"entities\" array");
  read_json_entities(builder, *entities, handler.lines["entities"], path);
  auto edges = root.find("edges");
  if (edges != root.end() && !edges->is_null()) {
    if (!edges->is_array()) throw ImportError(path, 1, "\"edges\" must be an array");
    read_json_edges(builder, *edges, handler.lines["edges"], path);
  }
  auto waivers = root.find("waivers");
  if (waivers != root.end() && !waivers->is_null()) {
    WaiverReader reader;
    read_json_waivers(reader, *waivers, handler.lines["waivers"], path);
    for (auto& waiver : reader.take()) builder.portfolio.waivers.push_back(std::move(waiver));
  }
}

}  // namespace

Portfolio parse_portfolio_json(const std::string& path, const std::string& text) {
  PortfolioBuilder builder;
  read_json_into(builder, path, text);
  return std::move(builder.portfolio);
}

std::vector<EntityIndex> lay_overlay_json(Portfolio& copy, const Portfolio& base, const std::string& path, const std::string& text) {
  PortfolioBuilder builder(base, copy);
  read_json_into(builder, path, text);
  return builder.overlay_entities();
}

Overlay overlay_portfolio_json(const Portfolio& base, const std::string& path, const std::string& text) {
  Overlay overlay{base.overlay_copy(), {}};
  overlay.entities = lay_overlay_json(overlay.portfolio, base, path, text);
  return overlay;
}

Portfolio read_portfolio(const std::string& path, const ImportOptions& options) {
  if (path == kStandardInput) {  // a JSON portfolio piped in
    auto text = read_standard_input();
    if (!text) throw ImportError("<stdin>", 0, "cannot read standard input");
    return parse_portfolio_json("<stdin>", *text);
  }
  std::error_code error;
  if (fs::is_directory(path, error)) return read_portfolio_directory(path, options);
  if (!fs::exists(path, error)) throw ImportError(path, 0, "no such file or directory");
  if (fs::path(path).extension() == ".json") return read_portfolio_json(path);
  if (fs::path(path).extension() == ".xlsx") return read_portfolio_xlsx(path, options);
  throw ImportError(path, 0, "expected a portfolio directory, a .json file or an .xlsx workbook");
}

}  // namespace vigil
