// The pieces every `vigil serve` endpoint uses to read a JSON body and to refuse
// a request in a way the client can act on (http_service.cpp, workbench.cpp).
#pragma once

#include <initializer_list>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "cli/http_service.hpp"
#include "dsl/diagnostic.hpp"

namespace vigil::cli {

// A refusal: `status` with {"error", "diagnostics"}; thrown by endpoints, answered by handle().
struct Refusal {
  int status;
  std::string error;
  std::vector<std::string> diagnostics;
};

// JSON text with invalid UTF-8 (echoed from a query string or a form) replaced by U+FFFD, never thrown.
std::string json_dump(const nlohmann::json& value);
HttpResponse json_response(int status, const nlohmann::json& body);
HttpResponse refused(const Refusal& r);
// "file:line:col: error: message", one per diagnostic.
std::vector<std::string> diagnostic_lines(const RuleError& error);
// The body as a JSON object (an empty body is `{}`), with only the members allowed.
nlohmann::json parse_body(const std::string& body, std::initializer_list<const char*> allowed);
// application/x-www-form-urlencoded (a form, a query string, the session cookie): + is a space, %XX a byte.
std::string url_decode(std::string_view text);
// Nothing when `id` is a loaded rule; else the did-you-mean to add to the refusal (maybe "").
std::optional<std::string> unknown_rule_hint(const std::vector<RuleInfo>& rules, const std::string& id);
// The path of a request target, without its query string.
std::string path_of(const std::string& target);
// The token check: time independent of where the texts first differ (`secret` is not empty).
bool same_secret(const std::string& given, const std::string& secret);
std::string string_member(const nlohmann::json& body, const char* name);  // "" when absent or null
nlohmann::json array_member(const nlohmann::json& body, const char* name);  // [] when absent or null

}  // namespace vigil::cli
