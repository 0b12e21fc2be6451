#include "engine/facts/dora_import.hpp"

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <map>
#include <set>
#include <variant>

#include <nlohmann/json.hpp>

#include "dsl/calendar.hpp"
#include "engine/facts/cell_types.hpp"
#include "engine/facts/csv_reader.hpp"
#include "engine/facts/dora_codes.hpp"
#include "engine/facts/import_error.hpp"

namespace vigil {
namespace {

namespace fs = std::filesystem;
using dora::List;

// ---- what the portfolio gets: kinds, their attributes and types ------------------------

struct AttributeSpec {
  const char* kind;
  const char* name;
  ValueType type;
};
constexpr ValueType S = ValueType::string, N = ValueType::number, B = ValueType::boolean, D = ValueType::date;
// Declared even when no row fills them, so that `vigil check --db` knows every attribute of the pack.
constexpr AttributeSpec kAttributes[] = {
    {"financial_entity", "name", S}, {"financial_entity", "lei", S}, {"financial_entity", "lei_valid", B},
    {"financial_entity", "country", S}, {"financial_entity", "entity_type", S},
    {"financial_entity", "competent_authority", S}, {"financial_entity", "reporting_date", D},
    {"financial_entity", "hierarchy", S}, {"financial_entity", "parent_lei", S}, {"financial_entity", "last_update", D},
    {"financial_entity", "added_on", D}, {"financial_entity", "deleted_on", D}, {"financial_entity", "currency", S},
    {"financial_entity", "total_assets", N}, {"financial_entity", "is_reporter", B},
    {"branch", "name", S}, {"branch", "code", S}, {"branch", "country", S}, {"branch", "head_office_lei", S},
    {"function", "name", S}, {"function", "function_id", S}, {"function", "entity_lei", S},
    {"function", "licensed_activity", S}, {"function", "critical", B}, {"function", "criticality_assessed", B},
    {"function", "criticality_reasons", S}, {"function", "assessed_on", D}, {"function", "rto_hours", N},
    {"function", "rpo_hours", N}, {"function", "impact", S},
    {"arrangement", "name", S}, {"arrangement", "reference", S}, {"arrangement", "type", S},
    {"arrangement", "overarching_ref", S}, {"arrangement", "currency", S}, {"arrangement", "annual_cost", N},
    {"arrangement", "start_date", D}, {"arrangement", "end_date", D}, {"arrangement", "open_ended", B},
    {"arrangement", "termination_reason", S}, {"arrangement", "notice_entity_days", N},
    {"arrangement", "notice_provider_days", N}, {"arrangement", "governing_law", S}, {"arrangement", "intragroup", B},
    {"ict_service", "name", S}, {"ict_service", "arrangement", S}, {"ict_service", "provider", S},
    {"ict_service", "service_type", S}, {"ict_service", "provision_country", S}, {"ict_service", "stores_data", B},
    {"ict_service", "data_countries", S}, {"ict_service", "data_outside_eea", B}, {"ict_service", "sensitiveness", S},
    {"ict_service", "reliance", S}, {"ict_service", "assessed", B}, {"ict_service", "substitutability", S},
    {"ict_service", "not_subst_reason", S}, {"ict_service", "last_audit", D}, {"ict_service", "has_exit_plan", B},
    {"ict_service", "reintegration", S}, {"ict_service", "impact", S}, {"ict_service", "alternatives_identified", S},
    {"ict_service", "alternatives", S}, {"ict_service", "max_chain_rank", N},
    {"ict_provider", "name", S}, {"ict_provider", "code", S}, {"ict_provider", "code_type", S}, {"ict_provider", "lei", S},
    {"ict_provider", "lei_valid", B}, {"ict_provider", "legal_name", S}, {"ict_provider", "latin_name", S},
    {"ict_provider", "person_type", S}, {"ict_provider", "hq_country", S}, {"ict_provider", "eea", B},
    {"ict_provider", "currency", S}, {"ict_provider", "annual_expense", N}, {"ict_provider", "ultimate_parent", S},
    {"ict_provider", "direct", B},
};

using Fact = std::variant<std::string, double, bool, Date>;

struct Draft {
  std::string kind;
  std::map<std::string, Fact> attributes;
};

struct DraftEdge {
  std::string from, to, kind;
  std::string attributes_json;
};

// ---- a template ------------------------------------------------------------------------

class Template {
 public:
  Template(std::string path, CsvTable table) : path_(std::move(path)), table_(std::move(table)) {
    for (std::size_t c = 0; c < table_.header.size(); ++c) {
      const std::string& code = table_.header[c];
      bool well_formed = code.size() == 5 && code[0] == 'c' &&
                         std::all_of(code.begin() + 1, code.end(), [](char ch) { return ch >= '0' && ch <= '9'; });
      if (!well_formed)
        throw ImportError(path_, 1, fmt::format("'{}' is not an EBA column code (c0010, c0020, ...)", code));
      columns_[code] = c;
    }
  }

  const std::string& path() const { return path_; }
  const std::vector<CsvRow>& rows() const { return table_.rows; }

  void require(std::initializer_list<const char*> codes) const {
    for (const char* code : codes)
      if (!columns_.count(code)) throw ImportError(path_, 1, fmt::format("no column {} in the header", code));
  }

  std::string cell(const CsvRow& row, const char* code) const {
    auto found = columns_.find(code);
    return found == columns_.end() ? std::string() : row.fields[found->second];
  }
  // A key column (805): never empty.
  std::string key(const CsvRow& row, const char* code) const {
    std::string value = cell(row, code);
    if (value.empty()) fail(row, fmt::format("{} is a key and may not be empty", code));
    return value;
  }
  std::optional<std::string> code(const CsvRow& row, const char* column, List list) const {
    try {
      return dora::decode(list, cell(row, column));
    } catch (const Error& error) {
      fail(row, fmt::format("{}: {}", column, error.what()));
    }
  }
  std::optional<double> number(const CsvRow& row, const char* column) const {
    std::string text = cell(row, column);
    if (text.empty()) return std::nullopt;
    auto value = parse_number(text);
    if (!value) fail(row, fmt::format("{}: '{}' is not a number", column, text));
    return value;
  }
  // 9999-12-31 stands for "open-ended" or "not deleted": missing here.
  std::optional<Date> date(const CsvRow& row, const char* column, bool* open_ended = nullptr) const {
    std::string text = cell(row, column);
    if (text.empty()) return std::nullopt;
    auto value = parse_iso_date(text);
    if (!value) fail(row, fmt::format("{}: '{}' is not a date (YYYY-MM-DD)", column, text));
    if (text == "9999-12-31") {
      if (open_ended) *open_ended = true;
      return std::nullopt;
    }
    return value;
  }
  std::optional<bool> yes_no(const CsvRow& row, const char* column) const {
    auto value = code(row, column, List::yes_no);
    if (!value) return std::nullopt;
    return *value == "true";
  }

  [[noreturn]] void fail(const CsvRow& row, const std::string& message) const {
    throw ImportError(path_, row.line, message);
  }

 private:
  std::string path_;
  CsvTable table_;
  std::map<std::string, std::size_t> columns_;
};

// ---- the register ----------------------------------------------------------------------

class RegisterReader {
 public:
  explicit RegisterReader(fs::path directory) : directory_(std::move(directory)) {}

  Portfolio read() {
    auto reporter = load("b_01.01", true);
    for (const auto& row : reporter->rows()) read_entity(*reporter, row, true);
    if (auto entities = load("b_01.02")) for (const auto& row : entities->rows()) read_entity(*entities, row, false);
    if (auto branches = load("b_01.03")) for (const auto& row : branches->rows()) read_branch(*branches, row);
    if (auto providers = load("b_05.01")) for (const auto& row : providers->rows()) read_provider(*providers, row);
    if (auto functions = load("b_06.01")) for (const auto& row : functions->rows()) read_function(*functions, row);
    if (auto arrangements = load("b_02.01")) {
      for (const auto& row : arrangements->rows()) read_arrangement(*arrangements, row);
      for (const auto& row : arrangements->rows()) check_overarching(*arrangements, row);
    }
    if (auto uses = load("b_02.02")) for (const auto& row : uses->rows()) read_service_use(*uses, row);
    link("b_02.03", "c0010", "arr:", "c0020", "arr:", "backed_by");
    link("b_03.01", "c0020", "fe:", "c0010", "arr:", "signs");
    link("b_03.02", "c0010", "arr:", "c0020", "prov:", "provided_by");
    link("b_03.03", "c0010", "arr:", "c0020", "fe:", "provided_by");
    if (auto users = load("b_04.01")) for (const auto& row : users->rows()) read_user(*users, row);
    if (auto chains = load("b_05.02")) for (const auto& row : chains->rows()) read_chain_link(*chains, row);
    if (auto assessments = load("b_07.01")) for (const auto& row : assessments->rows()) read_assessment(*assessments, row);
    complete();
    return build();
  }

 private:
  // The template's file, or nothing when it is absent and not `required`.
  std::optional<Template> load(const std::string& name, bool required = false) {
    fs::path file = directory_ / (name + ".csv");
    std::error_code error;
    if (!fs::exists(file, error)) {
      if (required)
        throw ImportError(directory_.string(), 0, fmt::format("no {}.csv: a register holds the ESA templates b_01.01.csv "
                                                              "... b_07.01.csv (see docs/dora.md)", name));
      return std::nullopt;
    }
    std::string path = file.string();
    CsvDialect dialect;
    dialect.delimiter = ',';
    dialect.encoding = TextEncoding::utf8;  // the ESA reporting format is UTF-8, RFC 4180
    return Template(path, read_csv_file(path, dialect));
  }

  Draft& create(const Template& t, const CsvRow& row, const std::string& id, const char* kind) {
    auto [it, added] = drafts_.try_emplace(id, Draft{kind, {}});
    if (!added) t.fail(row, fmt::format("duplicate key: {} is already in the register", id));  // 806
    order_.push_back(id);
    return it->second;
  }
  // A reference (807): the row it names must exist.
  Draft& existing(const Template& t, const CsvRow& row, const std::string& id, const char* column) {
    auto found = drafts_.find(id);
    if (found == drafts_.end())
      t.fail(row, fmt::format("{}: {} is not in the register (no row defines it)", column, id));
    return found->second;
  }
  static void set(Draft& draft, const char* name, const std::optional<std::string>& value) {
    if (value) draft.attributes[name] = *value;
  }
  template <typename T>
  static void set(Draft& draft, const char* name, const std::optional<T>& value) {
    if (value) draft.attributes[name] = *value;
  }
  void edge(const std::string& from, const std::string& to, const char* kind, std::string attributes = {}) {
    if (edge_keys_.insert(from + '\x1f' + to + '\x1f' + kind).second) edges_.push_back({from, to, kind, std::move(attributes)});
  }

  void read_entity(const Template& t, const CsvRow& row, bool reporter) {
    t.require({"c0010", "c0020"});
    std::string lei = t.key(row, "c0010");
    std::string id = "fe:" + lei;
    // The reporting entity is also listed in b_01.02: the two rows are one entity.
    bool listed_reporter = !reporter && reporters_.count(id) && merged_.insert(id).second;
    Draft& entity = listed_reporter ? drafts_[id] : create(t, row, id, "financial_entity");
    if (reporter) reporters_.insert(id);
    entity.attributes["lei"] = lei;
    entity.attributes["lei_valid"] = dora::valid_lei(lei);
    if (!entity.attributes.count("is_reporter")) entity.attributes["is_reporter"] = reporter;
    set(entity, "name", std::optional(t.cell(row, "c0020")));
    set(entity, "country", t.code(row, "c0030", List::country));
    set(entity, "entity_type", t.code(row, "c0040", List::entity_type));
    if (reporter) {
      set(entity, "competent_authority", std::optional(t.cell(row, "c0050")));
      set(entity, "reporting_date", t.date(row, "c0060"));
      return;
    }
    set(entity, "hierarchy", t.code(row, "c0050", List::hierarchy));
    if (std::string parent = t.cell(row, "c0060"); !parent.empty()) entity.attributes["parent_lei"] = parent;
    set(entity, "last_update", t.date(row, "c0070"));
    set(entity, "added_on", t.date(row, "c0080"));
    set(entity, "deleted_on", t.date(row, "c0090"));
    set(entity, "currency", t.code(row, "c0100", List::currency));
    set(entity, "total_assets", t.number(row, "c0110"));
  }

  void read_branch(const Template& t, const CsvRow& row) {
    t.require({"c0010", "c0020"});
    std::string code = t.key(row, "c0010"), head_office = t.key(row, "c0020");
    existing(t, row, "fe:" + head_office, "c0020");
    Draft& branch = create(t, row, "br:" + code, "branch");
    branch.attributes["code"] = code;
    branch.attributes["head_office_lei"] = head_office;
    set(branch, "name", std::optional(t.cell(row, "c0030")));
    set(branch, "country", t.code(row, "c0040", List::country));
  }

  void read_provider(const Template& t, const CsvRow& row) {
    t.require({"c0010", "c0020", "c0050"});
    std::string code = t.key(row, "c0010");
    Draft& provider = create(t, row, "prov:" + code, "ict_provider");
    provider.attributes["code"] = code;
    auto code_type = t.code(row, "c0020", List::code_type);
    set(provider, "code_type", code_type);
    auto other_type = t.code(row, "c0040", List::code_type);
    std::optional<std::string> lei = code_type == "LEI" ? code : other_type == "LEI" ? t.cell(row, "c0030") : std::optional<std::string>();
    set(provider, "lei", lei);
    if (lei) provider.attributes["lei_valid"] = dora::valid_lei(*lei);
    std::string legal = t.cell(row, "c0050"), latin = t.cell(row, "c0060");
    set(provider, "legal_name", std::optional(legal));
    if (!latin.empty()) provider.attributes["latin_name"] = latin;
    provider.attributes["name"] = latin.empty() ? legal : latin;
    set(provider, "person_type", t.code(row, "c0070", List::person_type));
    auto country = t.code(row, "c0080", List::country);
    set(provider, "hq_country", country);
    if (country) provider.attributes["eea"] = dora::in_eea(*country);
    set(provider, "currency", t.code(row, "c0090", List::currency));
    set(provider, "annual_expense", t.number(row, "c0100"));
    if (std::string parent = t.cell(row, "c0110"); !parent.empty()) provider.attributes["ultimate_parent"] = parent;
  }

  void read_function(const Template& t, const CsvRow& row) {
    t.require({"c0010", "c0040", "c0050"});
    std::string function_id = t.key(row, "c0010"), lei = t.key(row, "c0040");
    existing(t, row, "fe:" + lei, "c0040");
    std::string id = "fn:" + lei + ":" + function_id;
    Draft& function = create(t, row, id, "function");
    function.attributes["function_id"] = function_id;
    function.attributes["entity_lei"] = lei;
    set(function, "licensed_activity", t.code(row, "c0020", List::licensed_activity));
    set(function, "name", std::optional(t.cell(row, "c0030")));
    auto critical = t.code(row, "c0050", List::criticality);  // x21, not assessed, is missing
    set(function, "critical", critical ? std::optional<bool>(*critical == "true") : std::nullopt);
    function.attributes["criticality_assessed"] = critical.has_value();
    if (std::string reasons = t.cell(row, "c0060"); !reasons.empty()) function.attributes["criticality_reasons"] = reasons;
    set(function, "assessed_on", t.date(row, "c0070"));
    set(function, "rto_hours", t.number(row, "c0080"));
    set(function, "rpo_hours", t.number(row, "c0090"));
    set(function, "impact", t.code(row, "c0100", List::impact));
    edge("fe:" + lei, id, "performs");
  }

  void read_arrangement(const Template& t, const CsvRow& row) {
    t.require({"c0010"});
    std::string reference = t.key(row, "c0010");
    Draft& arrangement = create(t, row, "arr:" + reference, "arrangement");
    arrangement.attributes["reference"] = reference;
    arrangement.attributes["name"] = reference;
    set(arrangement, "type", t.code(row, "c0020", List::arrangement_type));
    if (std::string overarching = t.cell(row, "c0030"); !overarching.empty()) arrangement.attributes["overarching_ref"] = overarching;
    set(arrangement, "currency", t.code(row, "c0040", List::currency));
    set(arrangement, "annual_cost", t.number(row, "c0050"));
    arrangement.attributes["intragroup"] = false;
  }
  void check_overarching(const Template& t, const CsvRow& row) {
    if (std::string overarching = t.cell(row, "c0030"); !overarching.empty()) existing(t, row, "arr:" + overarching, "c0030");
  }

  // b_02.02: one row per arrangement x entity x function x service x place.
  void read_service_use(const Template& t, const CsvRow& row) {
    t.require({"c0010", "c0020", "c0030", "c0050", "c0060"});
    std::string reference = t.key(row, "c0010"), lei = t.key(row, "c0020"), provider = t.key(row, "c0030");
    std::string function_id = t.key(row, "c0050");
    auto service_type = t.code(row, "c0060", List::service_type);
    if (!service_type) t.fail(row, "c0060 is a key and may not be empty");
    std::string type_code = t.cell(row, "c0060").substr(t.cell(row, "c0060").rfind(':') + 1);
    Draft& arrangement = existing(t, row, "arr:" + reference, "c0010");
    existing(t, row, "fe:" + lei, "c0020");
    const Draft& provider_row = existing(t, row, "prov:" + provider, "c0030");
    std::string function = "fn:" + lei + ":" + function_id;
    existing(t, row, function, "c0050");
    std::string id = "svc:" + reference + ":" + provider + ":" + type_code;
    auto found = drafts_.find(id);
    Draft& service = found != drafts_.end() ? found->second : create(t, row, id, "ict_service");
    service.attributes["arrangement"] = reference;
    service.attributes["provider"] = provider;
    service.attributes["service_type"] = *service_type;
    service.attributes["name"] = fmt::format("{} from {} ({})", *service_type, std::get<std::string>(provider_row.attributes.at("name")), reference);
    set(service, "provision_country", t.code(row, "c0130", List::country));
    set(service, "stores_data", t.yes_no(row, "c0140"));
    for (const char* column : {"c0150", "c0160"})
      if (auto country = t.code(row, column, List::country)) add_data_country(service, *country);
    set(service, "sensitiveness", t.code(row, "c0170", List::sensitiveness));
    set(service, "reliance", t.code(row, "c0180", List::reliance));
    read_arrangement_terms(t, row, arrangement);
    edge(function, id, "supported_by");
    edge(id, "arr:" + reference, "under");
    edge("arr:" + reference, "prov:" + provider, "provided_by");
  }

  static void add_data_country(Draft& service, const std::string& country) {
    auto& listed = service.attributes["data_countries"];
    std::string countries = std::holds_alternative<std::string>(listed) ? std::get<std::string>(listed) : "";
    if ((";" + countries + ";").find(";" + country + ";") == std::string::npos)
      listed = countries.empty() ? country : countries + ";" + country;
    bool outside = !dora::in_eea(country);
    auto& flag = service.attributes["data_outside_eea"];
    flag = (std::holds_alternative<bool>(flag) && std::get<bool>(flag)) || outside;
  }

  // The arrangement's dates and terms, from each of its b_02.02 rows: the earliest start, the latest end.
  static void read_arrangement_terms(const Template& t, const CsvRow& row, Draft& arrangement) {
    auto start = t.date(row, "c0070");
    bool open_ended = false;
    auto end = t.date(row, "c0080", &open_ended);
    auto& attributes = arrangement.attributes;
    if (start && (!attributes.count("start_date") || *start < std::get<Date>(attributes["start_date"]))) attributes["start_date"] = *start;
    if (open_ended) attributes["open_ended"] = true;
    if (end && (!attributes.count("end_date") || std::get<Date>(attributes["end_date"]) < *end)) attributes["end_date"] = *end;
    if (!attributes.count("open_ended")) attributes["open_ended"] = false;
    set(arrangement, "termination_reason", t.code(row, "c0090", List::termination_reason));
    set(arrangement, "notice_entity_days", t.number(row, "c0100"));
    set(arrangement, "notice_provider_days", t.number(row, "c0110"));
    set(arrangement, "governing_law", t.code(row, "c0120", List::country));
  }

  // A template that only links two keys: an edge from one to the other.
  void link(const std::string& name, const char* from_column, const char* from_prefix, const char* to_column,
            const char* to_prefix, const char* kind) {
    auto t = load(name);
    if (!t) return;
    t->require({from_column, to_column});
    for (const auto& row : t->rows()) {
      std::string from = from_prefix + t->key(row, from_column), to = to_prefix + t->key(row, to_column);
      existing(*t, row, from, from_column);
      existing(*t, row, to, to_column);
      edge(from, to, kind);
      if (name == "b_02.03") drafts_[from].attributes["intragroup"] = true;
    }
  }

  void read_user(const Template& t, const CsvRow& row) {
    t.require({"c0010", "c0020"});
    std::string reference = "arr:" + t.key(row, "c0010"), lei = "fe:" + t.key(row, "c0020");
    existing(t, row, reference, "c0010");
    existing(t, row, lei, "c0020");
    t.code(row, "c0030", List::nature);
    std::string branch = t.cell(row, "c0040");
    if (!branch.empty()) existing(t, row, "br:" + branch, "c0040");
    edge(branch.empty() ? lei : "br:" + branch, reference, "uses");
  }

  // b_05.02: the supply chain; rank 1 is the direct provider, a higher rank
  // a subcontractor of the recipient (c0060).
  void read_chain_link(const Template& t, const CsvRow& row) {
    t.require({"c0010", "c0020", "c0030", "c0050"});
    std::string reference = t.key(row, "c0010"), provider = t.key(row, "c0030");
    existing(t, row, "arr:" + reference, "c0010");
    existing(t, row, "prov:" + provider, "c0030");
    auto service_type = t.code(row, "c0020", List::service_type);
    std::string type_code = t.key(row, "c0020").substr(t.cell(row, "c0020").rfind(':') + 1);
    auto rank = t.number(row, "c0050");
    if (!rank || *rank < 1 || *rank != std::floor(*rank)) t.fail(row, fmt::format("c0050: rank '{}' is not a whole number from 1", t.cell(row, "c0050")));
    auto& highest = chain_rank_[reference + ":" + type_code];
    highest = std::max(highest, *rank);
    if (*rank < 2) return;  // rank 1 repeats the provider as its own recipient
    std::string recipient = t.key(row, "c0060");
    existing(t, row, "prov:" + recipient, "c0060");
    nlohmann::ordered_json attributes{{"rank", *rank}, {"arrangement", reference}, {"service_type", *service_type}};
    edge("prov:" + recipient, "prov:" + provider, "subcontracts", attributes.dump());
  }

  void read_assessment(const Template& t, const CsvRow& row) {
    t.require({"c0010", "c0020", "c0040"});
    std::string reference = t.key(row, "c0010"), provider = t.key(row, "c0020");
    t.code(row, "c0040", List::service_type);
    std::string type_code = t.key(row, "c0040").substr(t.cell(row, "c0040").rfind(':') + 1);
    std::string id = "svc:" + reference + ":" + provider + ":" + type_code;
    Draft& service = existing(t, row, id, "c0010/c0020/c0040");
    if (!assessed_.insert(id).second) t.fail(row, fmt::format("duplicate key: {} is assessed twice", id));
    service.attributes["assessed"] = true;
    set(service, "substitutability", t.code(row, "c0050", List::substitutability));
    set(service, "not_subst_reason", t.code(row, "c0060", List::not_substitutable_reason));
    set(service, "last_audit", t.date(row, "c0070"));
    set(service, "has_exit_plan", t.yes_no(row, "c0080"));
    set(service, "reintegration", t.code(row, "c0090", List::reintegration));
    set(service, "impact", t.code(row, "c0100", List::impact));
    set(service, "alternatives_identified", t.code(row, "c0110", List::alternatives));
    if (std::string alternatives = t.cell(row, "c0120"); !alternatives.empty()) service.attributes["alternatives"] = alternatives;
  }

  // What is known only once every template is read.
  void complete() {
    std::set<std::string> direct;
    for (const auto& e : edges_)
      if (e.kind == "provided_by") direct.insert(e.to);
    for (auto& [id, draft] : drafts_) {
      if (draft.kind == "ict_provider") draft.attributes["direct"] = direct.count(id) > 0;
      if (draft.kind != "ict_service") continue;
      if (!draft.attributes.count("assessed")) draft.attributes["assessed"] = false;
      std::string key = std::get<std::string>(draft.attributes["arrangement"]) + ":" + id.substr(id.rfind(':') + 1);
      if (auto rank = chain_rank_.find(key); rank != chain_rank_.end()) draft.attributes["max_chain_rank"] = rank->second;
    }
  }

  Portfolio build() const {
    Portfolio portfolio;
    for (const auto& spec : kAttributes) portfolio.declare_attribute(portfolio.declare_kind(spec.kind), spec.name, spec.type);
    for (const auto& id : order_) {
      const Draft& draft = drafts_.at(id);
      EntityIndex entity = portfolio.add_entity(id, portfolio.declare_kind(draft.kind));
      for (const auto& [name, fact] : draft.attributes) portfolio.set_attribute(entity, name, value_of(fact));
    }
    for (const auto& e : edges_) portfolio.add_edge(*portfolio.find(e.from), *portfolio.find(e.to), e.kind, e.attributes_json);
    return portfolio;
  }

  static Value value_of(const Fact& fact) {
    if (auto text = std::get_if<std::string>(&fact)) return Value::string_view(*text);
    if (auto number = std::get_if<double>(&fact)) return Value::number(*number);
    if (auto flag = std::get_if<bool>(&fact)) return Value::boolean(*flag);
    return Value::date(std::get<Date>(fact));
  }

  fs::path directory_;
  std::map<std::string, Draft> drafts_;
  std::vector<std::string> order_;
  std::set<std::string> reporters_, merged_, assessed_, edge_keys_;
  std::vector<DraftEdge> edges_;
  std::map<std::string, double> chain_rank_;  // "ref:Sxx" -> the highest rank in b_05.02
};

}  // namespace

Portfolio read_dora_register(const std::string& directory) {
  fs::path root(directory);
  std::error_code error;
  if (!fs::is_directory(root, error))
    throw ImportError(directory, 0, "a DORA register is a directory of the ESA templates as CSV (b_01.01.csv ...)");
  // An unzipped report package keeps the templates in reports/.
  if (!fs::exists(root / "b_01.01.csv", error) && fs::exists(root / "reports" / "b_01.01.csv", error)) root /= "reports";
  return RegisterReader(root).read();
}

}  // namespace vigil
