// One request -> vigil serve's answer (cli/http_service.cpp, cli/workbench.cpp), over a small
// stored portfolio: the target's query string, the JSON, form and cookie parsing, and every
// endpoint that reads its body, with each way of being signed in. Only endpoints that change
// nothing on disk are driven (saving rules, waivers and runs write files). Any answer is fine
// but a 5xx: bad input must be a 4xx with an error, never a crash or an internal error.
#include <unistd.h>

#include <cstdint>
#include <filesystem>
#include <fstream>
#include <string>

#include "cli/http_service.hpp"
#include "engine/facts/portfolio_import.hpp"
#include "engine/store/fact_store.hpp"
#include "engine/store/run_service.hpp"

namespace {

vigil::cli::HttpService& service() {
  static vigil::cli::HttpService* instance = [] {
    auto dir = std::filesystem::temp_directory_path() / ("vigil-fuzz-http-" + std::to_string(getpid()));
    std::filesystem::create_directories(dir / "rules");
    std::ofstream(dir / "rules" / "low.vigil") << "rule LOW-1 \"Low tier\" {\n  severity low\n  for vendor v\n"
                                                  "  when v.tier == \"low\"\n  message \"{v.name} is low\"\n}\n";
    std::string db_path = (dir / "v.db").string();
    {
      vigil::Database db(db_path, vigil::OpenMode::create_if_missing);
      vigil::save_portfolio(db, vigil::parse_portfolio_json("p.json", R"({"entities": [
        {"id": "V1", "kind": "vendor", "attributes": {"name": "Acme", "tier": "low", "tested": "2026-01-01"}},
        {"id": "V2", "kind": "vendor", "attributes": {"name": "Beta", "tier": "high"}},
        {"id": "S1", "kind": "service"}], "edges": [{"from": "S1", "to": "V1", "kind": "depends_on"},
        {"from": "V1", "to": "V2", "kind": "subcontracts"}]})"));
      vigil::RunInputs inputs = vigil::load_run_inputs(db, {(dir / "rules").string()});
      vigil::RunSettings settings;
      settings.as_of = *vigil::parse_iso_date("2026-06-30");
      vigil::execute_run(db, inputs, settings);
    }
    return new vigil::cli::HttpService({db_path, {(dir / "rules").string()}, "tok"});
  }();
  return *instance;
}

struct Endpoint {
  const char* method;
  const char* path;
};
constexpr Endpoint kEndpoints[] = {
    {"POST", "/v1/evaluate"}, {"POST", "/v1/check"},  {"POST", "/v1/fmt"},    {"POST", "/v1/try"},
    {"POST", "/v1/explain"},  {"GET", "/v1/entity"},  {"GET", "/v1/diff"},    {"GET", "/v1/report"},
    {"GET", "/v1/findings"},  {"GET", "/v1/runs"},    {"GET", "/v1/waivers"}, {"POST", "/login"},
    {"GET", "/"},             {"GET", "/app.js"},     {"GET", "/v1/rules"},   {"PUT", "/v1/nothing"},
};

}  // namespace

// Input: a byte choosing the endpoint, a byte choosing how the caller is signed in, then the
// target's query string up to the first newline, then the body.
extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 2) return 0;
  const Endpoint& endpoint = kEndpoints[data[0] % std::size(kEndpoints)];
  std::string rest(reinterpret_cast<const char*>(data + 2), size - 2);
  auto newline = rest.find('\n');
  std::string query = newline == std::string::npos ? "" : rest.substr(0, newline);
  std::string body = newline == std::string::npos ? rest : rest.substr(newline + 1);
  vigil::cli::HttpRequest request{endpoint.method, std::string(endpoint.path) + (query.empty() ? "" : "?" + query), "", body};
  switch (data[1] % 4) {
    case 0: request.authorization = "Bearer tok"; break;
    case 1: request.cookie = "a=b; vigil_token=tok"; request.vigil_request = "1"; break;
    case 2: request.cookie = query; break;  // any cookie header
    default: request.authorization = body.substr(0, 16); break;
  }
  auto response = service().handle(request);
  if (response.status >= 500) __builtin_trap();
  return 0;
}
