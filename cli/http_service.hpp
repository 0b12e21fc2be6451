// What `vigil serve` answers, without the network: one request in, one
// response out (CONTRACT sections 8 and 11). serve_command.cpp moves the
// bytes; this file decides the status codes, the JSON and the state.
#pragma once

#include <atomic>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include <vigil/engine.hpp>

#include "dsl/schema.hpp"

namespace vigil::cli {

struct HttpRequest {
  std::string method;         // "GET", "POST", ...
  std::string target;         // "/v1/evaluate" (a query string is ignored)
  std::string authorization;  // the Authorization header, "" when absent
  std::string body;
  std::string cookie = {};        // the Cookie header: the workbench's session (vigil_token=...)
  std::string vigil_request = {};  // the X-Vigil-Request header: the workbench's proof against cross-site requests
};

struct HttpResponse {
  int status = 200;
  std::string content_type = "application/json";
  std::string body;
  bool www_authenticate = false;  // 401: tells the client to use a bearer token
  std::vector<std::pair<std::string, std::string>> headers = {};  // Set-Cookie, Location, security headers
};

struct ServiceSettings {
  std::string db;
  std::vector<std::string> rule_paths;
  std::string token;  // "" when no --token-file: every request is allowed
};

class HttpService {
 public:
  // Loads the database and rules once; throws (RuleError, Error) when they do not load.
  explicit HttpService(ServiceSettings settings);

  HttpResponse handle(const HttpRequest& request);
  // "27 rules, 110010 entities": what is loaded now.
  std::string loaded_summary() const;
  // For the 413 that the network layer decides (the body is never read whole).
  HttpResponse too_large(std::size_t limit);
  // Counts a response that handle() did not produce (413, 400 for unreadable HTTP).
  void count(const std::string& path, int status);

 private:
  // Rules and facts as one unit: a reload swaps it whole; requests in flight
  // keep the one they started with.
  struct State {
    Engine engine;
    std::vector<RuleInfo> rules;
    Schema schema;  // the portfolio's kinds and attributes, for checking drafts as `check --db` does
  };
  std::shared_ptr<const State> load_state() const;
  std::shared_ptr<const State> current() const;

  // Every endpoint takes the request (most read nothing of it), so that one table holds them all.
  using Handler = HttpResponse (HttpService::*)(const HttpRequest&);
  struct Route {
    const char* method;
    const char* path;
    bool needs_token;
    Handler handler;
  };
  static const std::vector<Route>& routes();
  // Who may call: nothing when allowed, else the refusal (401 without the token, 403 for a cross-site write).
  std::optional<HttpResponse> refuse_access(const HttpRequest& request, bool needs_token) const;

  HttpResponse evaluate(const HttpRequest& request);
  HttpResponse run(const HttpRequest& request);
  HttpResponse list_rules(const HttpRequest& request);
  HttpResponse reload(const HttpRequest& request);
  HttpResponse health(const HttpRequest& request);
  HttpResponse metrics(const HttpRequest& request);
  // The workbench (cli/workbench.cpp): its page and the calls it makes.
  HttpResponse page(const HttpRequest& request);
  HttpResponse login(const HttpRequest& request);
  HttpResponse latest_findings(const HttpRequest& request);
  HttpResponse check_draft(const HttpRequest& request);
  HttpResponse format_draft(const HttpRequest& request);
  HttpResponse try_draft(const HttpRequest& request);
  HttpResponse explain_draft(const HttpRequest& request);
  HttpResponse rule_files(const HttpRequest& request);
  HttpResponse save_rule_file(const HttpRequest& request);
  HttpResponse entity_page(const HttpRequest& request);
  HttpResponse run_list(const HttpRequest& request);
  HttpResponse run_diff(const HttpRequest& request);
  HttpResponse run_report(const HttpRequest& request);
  HttpResponse waivers(const HttpRequest& request);
  HttpResponse waiver_history(const HttpRequest& request);
  HttpResponse accept_risk(const HttpRequest& request);
  HttpResponse revoke_risk(const HttpRequest& request);

  ServiceSettings settings_;
  mutable std::mutex state_mutex_;
  std::shared_ptr<const State> state_;
  std::mutex reload_mutex_;  // one reload at a time
  std::mutex run_mutex_;     // one stored run at a time

  std::mutex metrics_mutex_;
  std::map<std::pair<std::string, int>, std::uint64_t> requests_;  // (path, status) -> count
  std::atomic<std::uint64_t> reloads_ok_{0}, reloads_refused_{0};
};

}  // namespace vigil::cli
