#include "cli/http_service.hpp"

#include <algorithm>

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <nlohmann/json.hpp>

#include "engine/eval/acceptance.hpp"
#include "engine/output/finding_output.hpp"
#include "engine/store/fact_store.hpp"
#include "engine/store/run_service.hpp"
#include "cli/http_json.hpp"

namespace vigil::cli {

using Json = nlohmann::json;

std::string json_dump(const Json& value) { return value.dump(-1, ' ', false, Json::error_handler_t::replace); }

HttpResponse json_response(int status, const Json& body) { return {status, "application/json", json_dump(body) + "\n"}; }

HttpResponse refused(const Refusal& r) {
  return json_response(r.status, Json{{"error", r.error}, {"diagnostics", r.diagnostics}});
}

std::vector<std::string> diagnostic_lines(const RuleError& error) {
  std::vector<std::string> lines;
  for (const auto& d : error.diagnostics())
    lines.push_back(fmt::format("{}: {}: {}", d.location(), d.level == DiagnosticLevel::error ? "error" : "warning", d.message));
  return lines;
}

Json parse_body(const std::string& body, std::initializer_list<const char*> allowed) {
  if (body.find_first_not_of(" \t\r\n") == std::string::npos) return Json::object();
  Json parsed;
  try {
    parsed = Json::parse(body);
  } catch (const Json::exception& e) {
    throw Refusal{400, fmt::format("bad JSON: {}", e.what()), {}};
  }
  if (!parsed.is_object()) throw Refusal{400, "the body must be a JSON object", {}};
  for (const auto& item : parsed.items()) {  // not a structured binding: clang 14 cannot capture one
    const std::string& key = item.key();
    if (std::none_of(allowed.begin(), allowed.end(), [&](const char* name) { return key == name; })) {
      std::vector<std::string> names(allowed.begin(), allowed.end());
      throw Refusal{400, fmt::format("unknown member \"{}\"{}", key, did_you_mean(key, names)), {}};
    }
  }
  return parsed;
}

std::string string_member(const Json& body, const char* name) {
  auto found = body.find(name);
  if (found == body.end() || found->is_null()) return "";
  if (!found->is_string()) throw Refusal{400, fmt::format("\"{}\" must be a string", name), {}};
  return found->get<std::string>();
}

Json array_member(const Json& body, const char* name) {
  auto found = body.find(name);
  if (found == body.end() || found->is_null()) return Json::array();
  if (!found->is_array()) throw Refusal{400, fmt::format("\"{}\" must be an array", name), {}};
  return *found;
}

namespace {

int hex_digit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

}  // namespace

std::string url_decode(std::string_view text) {
  std::string out;
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '+') out += ' ';
    else if (text[i] == '%' && i + 2 < text.size() && hex_digit(text[i + 1]) >= 0 && hex_digit(text[i + 2]) >= 0) {
      out += static_cast<char>(hex_digit(text[i + 1]) * 16 + hex_digit(text[i + 2]));
      i += 2;
    } else out += text[i];
  }
  return out;
}

// Compares in time independent of where the texts first differ.
bool same_secret(const std::string& given, const std::string& secret) {
  unsigned char difference = given.size() == secret.size() ? 0 : 1;
  for (std::size_t i = 0; i < given.size(); ++i) difference |= static_cast<unsigned char>(given[i] ^ secret[i % secret.size()]);
  return difference == 0;
}

std::optional<std::string> unknown_rule_hint(const std::vector<RuleInfo>& rules, const std::string& id) {
  std::vector<std::string> known;
  for (const auto& rule : rules) known.push_back(rule.id);
  if (std::find(known.begin(), known.end(), id) != known.end()) return std::nullopt;
  return did_you_mean(id, known);
}

std::string path_of(const std::string& target) { return target.substr(0, target.find('?')); }

namespace {

// The workbench's session cookie, when the request carries one.
std::string session_token(const std::string& cookie) {
  const std::string name = "vigil_token=";
  for (std::size_t start = 0; start < cookie.size();) {
    std::size_t end = cookie.find(';', start);
    if (end == std::string::npos) end = cookie.size();
    std::size_t first = cookie.find_first_not_of(' ', start);
    if (first < end && cookie.compare(first, name.size(), name) == 0)  // percent-encoded by /login
      return url_decode(std::string_view(cookie).substr(first + name.size(), end - first - name.size()));
    start = end + 1;
  }
  return "";
}

}  // namespace

// Every endpoint: method, path, whether it needs the token, and what answers it.
const std::vector<HttpService::Route>& HttpService::routes() {
  static const std::vector<Route> table{
      {"POST", "/v1/evaluate", true, &HttpService::evaluate},
      {"POST", "/v1/run", true, &HttpService::run},
      {"GET", "/v1/rules", true, &HttpService::list_rules},
      {"POST", "/v1/reload", true, &HttpService::reload},
      {"GET", "/health", false, &HttpService::health},
      {"GET", "/metrics", true, &HttpService::metrics},
      // The workbench: the page itself answers a login form when the token is missing.
      {"GET", "/", false, &HttpService::page},
      {"GET", "/app.js", true, &HttpService::page},
      {"GET", "/app.css", false, &HttpService::page},  // a style sheet holds no data; the login form uses it
      {"POST", "/login", false, &HttpService::login},
      {"GET", "/v1/findings", true, &HttpService::latest_findings},
      {"POST", "/v1/check", true, &HttpService::check_draft},
      {"POST", "/v1/fmt", true, &HttpService::format_draft},
      {"POST", "/v1/try", true, &HttpService::try_draft},
      {"POST", "/v1/explain", true, &HttpService::explain_draft},
      {"GET", "/v1/rule-files", true, &HttpService::rule_files},
      {"PUT", "/v1/rule-files", true, &HttpService::save_rule_file},
      {"GET", "/v1/entity", true, &HttpService::entity_page},
      {"GET", "/v1/runs", true, &HttpService::run_list},
      {"GET", "/v1/diff", true, &HttpService::run_diff},
      {"GET", "/v1/report", true, &HttpService::run_report},
      {"GET", "/v1/waivers", true, &HttpService::waivers},
      {"POST", "/v1/waivers", true, &HttpService::accept_risk},
      {"POST", "/v1/waivers/revoke", true, &HttpService::revoke_risk},
      {"GET", "/v1/waivers/audit", true, &HttpService::waiver_history},
  };
  return table;
}

std::optional<HttpResponse> HttpService::refuse_access(const HttpRequest& request, bool needs_token) const {
  if (!needs_token || settings_.token.empty()) return std::nullopt;
  if (same_secret(request.authorization, "Bearer " + settings_.token)) return std::nullopt;
  if (same_secret(session_token(request.cookie), settings_.token)) {
    // A cookie is sent by the browser whoever made the page: a write must also carry a header that
    // another site's page cannot set without this server's consent (no CORS is ever granted).
    if (request.method == "GET" || !request.vigil_request.empty()) return std::nullopt;
    return refused({403, "cross-site request refused: the workbench sends X-Vigil-Request", {}});
  }
  HttpResponse response = refused({401, "missing or wrong token: send Authorization: Bearer TOKEN", {}});
  response.www_authenticate = true;
  return response;
}

HttpService::HttpService(ServiceSettings settings) : settings_(std::move(settings)), state_(load_state()) {}

std::shared_ptr<const HttpService::State> HttpService::load_state() const {
  auto state = std::make_shared<State>();
  state->engine.load_database(settings_.db);
  for (const auto& path : settings_.rule_paths) state->engine.add_rules_from(path);
  state->rules = state->engine.rules();  // compiles: rule errors throw here, before anything is swapped
  Database db(settings_.db, OpenMode::must_exist);
  state->schema = load_schema(db);
  return state;
}

std::shared_ptr<const HttpService::State> HttpService::current() const {
  std::lock_guard lock(state_mutex_);
  return state_;
}

HttpResponse HttpService::handle(const HttpRequest& request) {
  std::string path = path_of(request.target);
  const Route* route = nullptr;
  std::vector<std::string> methods;
  for (const auto& r : routes())
    if (path == r.path) {
      methods.push_back(r.method);
      if (request.method == r.method) route = &r;
    }
  HttpResponse response;
  if (methods.empty()) {
    response = refused({404, fmt::format("no endpoint {}", path), {}});
  } else if (!route) {
    response = refused({405, fmt::format("{} takes {}, not {}", path, fmt::join(methods, " or "), request.method), {}});
  } else if (auto refusal = refuse_access(request, route->needs_token)) {
    response = *refusal;
  } else {
    try {
      response = (this->*route->handler)(request);
    } catch (const Refusal& r) {
      response = refused(r);
    } catch (const RuleError& e) {
      response = refused({422, "rule errors", diagnostic_lines(e)});
    } catch (const Error& e) {
      response = refused({400, e.what(), {}});
    } catch (const std::exception& e) {
      response = refused({500, fmt::format("internal error: {}", e.what()), {}});
    }
  }
  count(methods.empty() ? "other" : path, response.status);
  return response;
}

std::string HttpService::loaded_summary() const {
  auto state = current();
  return fmt::format("{} rules, {} entities", state->rules.size(), state->engine.entity_count());
}

HttpResponse HttpService::too_large(std::size_t limit) {
  return refused({413, fmt::format("the body is over the limit of {} bytes (--max-body)", limit), {}});
}

void HttpService::count(const std::string& path, int status) {
  std::lock_guard lock(metrics_mutex_);
  ++requests_[{path, status}];
}

// The overlay's entities and edges over the loaded portfolio, for this request only.
HttpResponse HttpService::evaluate(const HttpRequest& request) {
  Json body = parse_body(request.body, {"as_of", "entities", "edges", "rules"});
  Json overlay{{"entities", array_member(body, "entities")}, {"edges", array_member(body, "edges")}};
  auto state = current();
  std::vector<std::string> only;
  for (const auto& id : array_member(body, "rules")) {
    if (!id.is_string()) throw Refusal{400, "\"rules\" must be an array of rule ids", {}};
    if (auto hint = unknown_rule_hint(state->rules, id.get<std::string>()))
      throw Refusal{400, fmt::format("no rule '{}'{}", id.get<std::string>(), *hint), {}};
    only.push_back(id.get<std::string>());
  }
  auto result = state->engine.evaluate_overlay(json_dump(overlay), string_member(body, "as_of"));
  if (!only.empty())
    std::erase_if(result.findings, [&](const Finding& f) { return std::find(only.begin(), only.end(), f.rule) == only.end(); });
  return {200, "application/json", "{\"findings\":" + findings_json_text(result.findings) + "}\n"};
}

// The whole portfolio, as `vigil run` does it (from the database as it is now); stored when asked.
HttpResponse HttpService::run(const HttpRequest& request) {
  Json body = parse_body(request.body, {"as_of", "store"});
  auto store = body.find("store");
  if (store != body.end() && !store->is_boolean() && !store->is_null())
    throw Refusal{400, "\"store\" must be true or false", {}};
  RunSettings run_settings;
  std::string as_of = string_member(body, "as_of");
  auto date = as_of.empty() ? std::optional<Date>(local_today()) : parse_iso_date(as_of);
  if (!date) throw Refusal{400, "\"as_of\": " + explain_invalid_date(as_of), {}};
  run_settings.as_of = *date;
  run_settings.store = store != body.end() && store->is_boolean() && store->get<bool>();
  std::lock_guard lock(run_mutex_);
  Database db(settings_.db, OpenMode::must_exist);
  RunInputs inputs = load_run_inputs(db, settings_.rule_paths);
  RunOutcome outcome = execute_run(db, inputs, run_settings);
  std::vector<const Finding*> open = open_findings(outcome.result.findings);
  Json by_severity = Json::object();
  for (Severity s : {Severity::critical, Severity::high, Severity::medium, Severity::low, Severity::info})
    by_severity[severity_name(s)] = std::count_if(open.begin(), open.end(), [&](const Finding* f) { return f->severity == s; });
  Json summary{{"findings", open.size()},
               {"by_severity", by_severity},
               {"accepted", accepted_count(outcome.result.findings)},
               {"new", outcome.changes.added},
               {"resolved", outcome.changes.resolved},
               {"errors", outcome.result.errors.size()}};
  Json run_id = outcome.run_id ? Json(*outcome.run_id) : Json(nullptr);
  return {200, "application/json",
          fmt::format("{{\"run\":{},\"summary\":{},\"findings\":{}}}\n", json_dump(run_id), json_dump(summary),
                      findings_json_text(outcome.result.findings))};
}

HttpResponse HttpService::list_rules(const HttpRequest&) {
  Json rules = Json::array();
  for (const auto& r : current()->rules)
    rules.push_back({{"id", r.id}, {"title", r.title}, {"severity", r.severity}, {"tags", r.tags}, {"file", r.file}});
  return json_response(200, Json{{"rules", rules}});
}

// New rules and facts are loaded beside the old ones and swapped in whole;
// with an error the old state keeps answering.
HttpResponse HttpService::reload(const HttpRequest&) {
  std::lock_guard lock(reload_mutex_);
  std::shared_ptr<const State> fresh;
  try {
    fresh = load_state();
  } catch (const RuleError& e) {
    ++reloads_refused_;
    throw Refusal{422, "reload refused: the rules have errors; the previous rules and facts stay", diagnostic_lines(e)};
  } catch (const Error& e) {
    ++reloads_refused_;
    throw Refusal{422, fmt::format("reload refused: {}; the previous rules and facts stay", e.what()), {}};
  }
  {
    std::lock_guard swap(state_mutex_);
    state_ = fresh;
  }
  ++reloads_ok_;
  return json_response(200, Json{{"rules", fresh->rules.size()}, {"entities", fresh->engine.entity_count()}});
}

HttpResponse HttpService::health(const HttpRequest&) {
  auto state = current();
  return json_response(200, Json{{"status", "ok"}, {"rules", state->rules.size()}, {"entities", state->engine.entity_count()}});
}

// Prometheus text format 0.0.4.
HttpResponse HttpService::metrics(const HttpRequest&) {
  auto state = current();
  std::string text;
  text += "# HELP vigil_http_requests_total HTTP requests answered, by path and status.\n"
          "# TYPE vigil_http_requests_total counter\n";
  {
    std::lock_guard lock(metrics_mutex_);
    for (const auto& [key, n] : requests_)
      text += fmt::format("vigil_http_requests_total{{path=\"{}\",code=\"{}\"}} {}\n", key.first, key.second, n);
  }
  text += fmt::format("# HELP vigil_reloads_total Reloads, by result.\n# TYPE vigil_reloads_total counter\n"
                      "vigil_reloads_total{{result=\"ok\"}} {}\nvigil_reloads_total{{result=\"refused\"}} {}\n",
                      reloads_ok_.load(), reloads_refused_.load());
  text += fmt::format("# HELP vigil_rules Rules loaded.\n# TYPE vigil_rules gauge\nvigil_rules {}\n", state->rules.size());
  text += fmt::format("# HELP vigil_entities Entities loaded.\n# TYPE vigil_entities gauge\nvigil_entities {}\n",
                      state->engine.entity_count());
  return {200, "text/plain; version=0.0.4", text};
}

}  // namespace vigil::cli
