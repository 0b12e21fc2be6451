// vigil serve's answers without the network (cli/http_service.cpp): what tests/serve_test.py and
// tests/workbench_test.py cannot reach easily through a real server.
#include <catch2/catch.hpp>

#include "cli/http_service.hpp"
#include "test_support.hpp"

using vigil::test::run_vigil;
using vigil::test::TempDir;

TEST_CASE("serve: a token with any characters survives the login form and the session cookie", "[serve]") {
  TempDir dir;
  dir.write("p.json", R"({"entities": [{"id": "V1", "kind": "vendor", "attributes": {"name": "Acme"}}]})");
  dir.write("rules/a.vigil", "rule A {\n  severity low\n  for vendor v\n  when true\n  message \"{v.name}\"\n}\n");
  REQUIRE(run_vigil({"import", "p.json", "--db", "v.db"}, dir.path).exit_code == 0);
  const std::string token = "s3cret; token+=%/é";
  vigil::cli::HttpService service({(dir.path / "v.db").string(), {(dir.path / "rules").string()}, token});

  auto login = service.handle({"POST", "/login", "", "token=s3cret%3B+token%2B%3D%25%2F%C3%A9"});
  REQUIRE(login.status == 303);
  std::string cookie;
  for (const auto& [name, value] : login.headers)
    if (name == "Set-Cookie") cookie = value.substr(0, value.find(';'));
  CHECK(cookie == "vigil_token=s3cret%3B%20token%2B%3D%25%2F%C3%A9");
  CHECK(service.handle({"GET", "/v1/findings", "", "", cookie}).status == 200);
  CHECK(service.handle({"GET", "/v1/findings", "", "", "vigil_token=s3cret"}).status == 401);
  CHECK(service.handle({"GET", "/v1/findings", "Bearer " + token, ""}).status == 200);
  CHECK(service.handle({"POST", "/login", "", "token=s3cret"}).status == 401);
  // A write with the session needs the workbench's header; with the bearer token it does not.
  CHECK(service.handle({"POST", "/v1/check", "", "{\"source\": \"\"}", cookie}).status == 403);
  CHECK(service.handle({"POST", "/v1/check", "", "{\"source\": \"\"}", cookie, "1"}).status == 200);
  CHECK(service.handle({"POST", "/v1/check", "Bearer " + token, "{\"source\": \"\"}"}).status == 200);
}

TEST_CASE("serve: every path answers its methods and names the others", "[serve]") {
  TempDir dir;
  dir.write("p.json", R"({"entities": []})");
  dir.write("rules/a.vigil", "");
  REQUIRE(run_vigil({"import", "p.json", "--db", "v.db"}, dir.path).exit_code == 0);
  vigil::cli::HttpService service({(dir.path / "v.db").string(), {(dir.path / "rules").string()}, ""});
  const std::vector<std::tuple<std::string, std::string, int, std::string>> cases{
      {"DELETE", "/v1/rule-files", 405, R"({"diagnostics":[],"error":"/v1/rule-files takes GET or PUT, not DELETE"})"},
      {"GET", "/v1/nothing", 404, R"({"diagnostics":[],"error":"no endpoint /v1/nothing"})"},
      {"GET", "/v1/findings", 200, R"({"findings":[],"run":null})"},
      {"GET", "/v1/entity?id=%FF", 404, "{\"diagnostics\":[],\"error\":\"no entity '\xEF\xBF\xBD' in the portfolio\"}"},
      {"GET", "/v1/diff?from=1", 400, R"({"diagnostics":[],"error":"?to= must be a run number, not ''"})"},
  };
  for (const auto& [method, target, status, body] : cases) {
    INFO(method << " " << target);
    auto response = service.handle({method, target, "", ""});
    CHECK(response.status == status);
    CHECK(response.body == body + "\n");
  }
}
