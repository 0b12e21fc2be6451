#include "dsl/ast.hpp"

namespace vigil {

const char* severity_name(Severity severity) {
  switch (severity) {
    case Severity::info: return "info";
    case Severity::low: return "low";
    case Severity::medium: return "medium";
    case Severity::high: return "high";
    case Severity::critical: return "critical";
  }
  return "info";
}

std::optional<Severity> parse_severity(std::string_view name) {
  for (auto s : {Severity::info, Severity::low, Severity::medium, Severity::high, Severity::critical})
    if (name == severity_name(s)) return s;
  return std::nullopt;
}

const char* op_text(Op op) {
  switch (op) {
    case Op::none: return "";
    case Op::neg: return "-";
    case Op::not_: return "not";
    case Op::or_: return "or";
    case Op::and_: return "and";
    case Op::eq: return "==";
    case Op::ne: return "!=";
    case Op::lt: return "<";
    case Op::le: return "<=";
    case Op::gt: return ">";
    case Op::ge: return ">=";
    case Op::in: return "in";
    case Op::not_in: return "not in";
    case Op::coalesce: return "??";
    case Op::add: return "+";
    case Op::sub: return "-";
    case Op::mul: return "*";
    case Op::div: return "/";
    case Op::mod: return "%";
  }
  return "";
}

}  // namespace vigil
