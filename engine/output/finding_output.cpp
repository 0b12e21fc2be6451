#include "engine/output/finding_output.hpp"

#include <sstream>

#include <algorithm>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "dsl/unicode.hpp"
#include "engine/facts/value_format.hpp"
#include "engine/output/text_wrap.hpp"

namespace vigil {
namespace {

using Json = nlohmann::ordered_json;

std::string json_string(const std::string& text) { return json_text(Json(text)); }

std::string optional_json_string(const std::optional<std::string>& text) { return text ? json_string(*text) : "null"; }

}  // namespace

Json waiver_json(const Waiver& w) {
  Json json{{"owner", w.owner}, {"reason", w.reason}, {"expires", w.expires}};
  if (!w.approved_by.empty()) json["approved_by"] = w.approved_by;
  if (!w.ticket.empty()) json["ticket"] = w.ticket;
  return json;
}

// One finding as compact JSON, keys in the contract's order. The evidence is
// already JSON text: it is spliced in, not parsed again.
void write_finding_json(std::ostream& out, const Finding& f, std::string_view extra_members) {
  out << "{\"rule\":" << json_string(f.rule) << ",\"entity\":" << optional_json_string(f.entity)
      << ",\"kind\":" << json_string(f.kind) << ",\"severity\":\"" << severity_name(f.severity)
      << "\",\"message\":" << json_string(f.message) << ",\"status\":\"" << status_name(f.status)
      << "\",\"title\":" << json_string(f.title) << ",\"tags\":" << json_text(Json(f.tags))
      << ",\"owner\":" << optional_json_string(f.owner);
  if (f.waiver) out << ",\"waiver\":" << json_text(waiver_json(*f.waiver));
  out << ",\"evidence\":" << (f.evidence_json.empty() ? std::string("{}") : f.evidence_json) << extra_members << "}";
}

namespace {

// A spreadsheet runs a cell starting with = + - @ (or tab or CR) as a
// formula: such a cell gets a leading ' and quotes, as OWASP recommends for
// CSV injection, so that `=2+5` shows as text, not 7.
std::string csv_field(std::string_view text) {
  bool formula = !text.empty() && std::string_view("=+-@\t\r").find(text.front()) != std::string_view::npos;
  if (!formula && text.find_first_of(",\"\r\n") == std::string_view::npos) return std::string(text);
  std::string quoted = formula ? "\"'" : "\"";
  for (char c : text) quoted += c == '"' ? std::string("\"\"") : std::string(1, c);
  return quoted + "\"";
}

// Width in characters (UTF-8 code points), so that columns line up.
std::size_t display_width(std::string_view text) { return count_code_points(text); }

// For people: an accepted finding says so, and until when.
std::string accepted_note(const Finding& f) {
  if (!f.waiver) return "";
  return fmt::format("  [accepted until {}, {}]", f.waiver->expires, f.waiver->owner);
}

// Columns padded to their widest cell; with a `width` (the terminal's), the message column takes what
// is left and wraps at word boundaries, its later lines indented under it.
void write_table(std::ostream& out, const std::vector<Finding>& findings, std::size_t width) {
  if (findings.empty()) {
    out << "no findings\n";
    return;
  }
  std::size_t rule_width = 4, entity_width = 6;
  for (const auto& f : findings) {
    rule_width = std::max(rule_width, display_width(f.rule));
    entity_width = std::max(entity_width, display_width(f.entity.value_or("-")));
  }
  auto pad = [](std::string_view text, std::size_t columns) {
    return std::string(text) + std::string(columns - std::min(columns, display_width(text)), ' ');
  };
  constexpr std::size_t kNarrowestMessage = 20;  // below it, wrapping would make a column of fragments
  std::size_t message_column = 9 + 2 + rule_width + 2 + entity_width + 2;
  std::size_t message_width = width == 0 ? 0 : std::max(kNarrowestMessage, width - std::min(width, message_column));
  out << pad("SEVERITY", 9) << "  " << pad("RULE", rule_width) << "  " << pad("ENTITY", entity_width) << "  MESSAGE\n";
  for (const auto& f : findings) {
    out << pad(severity_name(f.severity), 9) << "  " << pad(f.rule, rule_width) << "  " << pad(f.entity.value_or("-"), entity_width)
        << "  ";
    auto lines = wrap_words(f.message + accepted_note(f), message_width);
    for (std::size_t i = 0; i < lines.size(); ++i) out << (i ? std::string(message_column, ' ') : "") << lines[i] << "\n";
  }
}

}  // namespace

std::optional<OutputFormat> parse_output_format(std::string_view name) {
  if (name == "table") return OutputFormat::table;
  if (name == "json") return OutputFormat::json;
  if (name == "jsonl") return OutputFormat::jsonl;
  if (name == "csv") return OutputFormat::csv;
  return std::nullopt;
}

void write_findings(std::ostream& out, const std::vector<Finding>& findings, OutputFormat format, std::size_t table_width) {
  switch (format) {
    case OutputFormat::table: write_table(out, findings, table_width); break;
    case OutputFormat::json:  // one finding a line inside the array: readable, and fast to write
      out << "[";
      for (std::size_t i = 0; i < findings.size(); ++i) {
        out << (i == 0 ? "\n  " : ",\n  ");
        write_finding_json(out, findings[i]);
      }
      out << (findings.empty() ? "]\n" : "\n]\n");
      break;
    case OutputFormat::jsonl:
      for (const auto& f : findings) {
        write_finding_json(out, f);
        out << "\n";
      }
      break;
    case OutputFormat::csv:
      out << "rule,entity,kind,severity,message,status,title,owner\r\n";
      for (const auto& f : findings)
        out << csv_field(f.rule) << ',' << csv_field(f.entity.value_or("")) << ',' << csv_field(f.kind) << ','
            << severity_name(f.severity) << ',' << csv_field(f.message) << ',' << status_name(f.status) << ','
            << csv_field(f.title) << ',' << csv_field(f.owner.value_or("")) << "\r\n";
      break;
  }
}

std::string findings_json_text(const std::vector<Finding>& findings) {
  std::ostringstream out;
  write_findings(out, findings, OutputFormat::json);
  return out.str();
}

}  // namespace vigil
