// The workbench's side of `vigil serve` (issue 17): its page, the login form
// that sets the session, and the calls the page makes: the latest run's
// findings, live checking, formatting and trying a draft, and saving a rule
// file (checked whole first, then reloaded atomically). Every input is checked
// here, with the CLI's messages; the page only shows what the server says.
#include <filesystem>
#include <map>
#include <set>
#include <sstream>
#include <tuple>

#include <SQLiteCpp/Statement.h>
#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "cli/commands.hpp"
#include "cli/http_json.hpp"
#include "cli/http_service.hpp"
#include "cli/web_assets.hpp"
#include "dsl/formatter.hpp"
#include "dsl/parser.hpp"
#include "dsl/rule_set.hpp"
#include "engine/facts/waivers.hpp"
#include "engine/output/diff_output.hpp"
#include "engine/output/finding_output.hpp"
#include "engine/output/output_file.hpp"
#include "engine/output/report.hpp"
#include "engine/store/fact_store.hpp"
#include "engine/store/run_diff.hpp"
#include "engine/store/run_store.hpp"
#include "engine/store/waiver_store.hpp"

namespace vigil::cli {
namespace {

using Json = nlohmann::json;
namespace fs = std::filesystem;

constexpr std::size_t kMaxDraftBytes = 1 << 20;  // a rule file typed by a person

// The page may load only its own script and style sheet, and may not be framed (clickjacking).
const std::vector<std::pair<std::string, std::string>> kPageHeaders{
    {"Content-Security-Policy",
     "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self' data:; "
     "form-action 'self'; frame-ancestors 'none'; base-uri 'none'"},
    {"X-Content-Type-Options", "nosniff"},
    {"Referrer-Policy", "no-referrer"},
    {"Cache-Control", "no-store"},
};

HttpResponse login_page(int status, const std::string& problem) {
  std::string notice = problem.empty() ? "" : "<p class=\"error\" role=\"alert\">" + html_escape(problem) + "</p>";
  std::string body = R"(<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Vigil workbench: sign in</title><link rel="stylesheet" href="/app.css"></head>
<body class="login"><main><h1>Vigil workbench</h1>)" + notice +
                     R"(<form method="post" action="/login">
<label for="token">Access token</label>
<input id="token" name="token" type="password" autocomplete="current-password" required autofocus>
<button type="submit">Sign in</button>
</form><p class="hint">The token is the content of the file given to <code>vigil serve --token-file</code>.</p></main></body></html>
)";
  HttpResponse response{status, "text/html; charset=utf-8", body};
  response.headers = kPageHeaders;
  return response;
}

std::string form_field(const std::string& body, const std::string& name) {
  std::istringstream fields(body);
  for (std::string field; std::getline(fields, field, '&');)
    if (field.rfind(name + "=", 0) == 0) return url_decode(std::string_view(field).substr(name.size() + 1));
  return "";
}

// Every diagnostic with its place, for the editor to mark.
Json diagnostics_json(const std::vector<Diagnostic>& diagnostics) {
  Json list = Json::array();
  for (const auto& d : diagnostics) {
    Json item{{"level", d.level == DiagnosticLevel::error ? "error" : "warning"}, {"message", d.message}, {"text", d.format()}};
    if (d.source) {
      auto at = d.source->locate(d.offset);
      item["file"] = d.source->path();
      item["line"] = at.line;
      item["column"] = at.column;
    }
    list.push_back(std::move(item));
  }
  return list;
}

HttpResponse rule_errors(const RuleError& error) {
  return json_response(422, Json{{"error", "rule errors"},
                                 {"diagnostics", diagnostic_lines(error)},
                                 {"locations", diagnostics_json(error.diagnostics())}});
}

std::string draft_source(const Json& body) {
  std::string source = string_member(body, "source");
  if (source.size() > kMaxDraftBytes) throw Refusal{413, "the rule text is over 1 MiB", {}};
  return source;
}

std::string draft_name(const Json& body) {
  std::string file = string_member(body, "file");
  return file.empty() ? "draft.vigil" : file;
}

// Every field, the optional ones as "" when not given (the page shows them as columns).
Json waiver_fields(const Waiver& w) {
  return Json{{"rule", w.rule}, {"entity", w.entity}, {"owner", w.owner}, {"reason", w.reason},
              {"expires", w.expires}, {"approved_by", w.approved_by}, {"ticket", w.ticket}};
}

// Who made a change: the workbench asks for a name, as one token is shared by a team.
std::string actor_of(const Json& body) {
  std::string by = string_member(body, "by");
  if (by.find_first_not_of(" \t") == std::string::npos) throw Refusal{400, "\"by\": say who accepts the risk (a name)", {}};
  return by;
}

// The entity's kind, or nothing when the portfolio has no such entity.
std::optional<std::string> entity_kind(Database& db, const std::string& id) {
  SQLite::Statement query(db.sql(), "SELECT kind FROM entities WHERE id = ?");
  query.bind(1, id);
  if (!query.executeStep()) return std::nullopt;
  return query.getColumn(0).getString();
}

// A query parameter of the target ("" when absent), URL-decoded.
std::string query_parameter(const std::string& target, const std::string& name) {
  auto question = target.find('?');
  if (question == std::string::npos) return "";
  return form_field(target.substr(question + 1), name);
}

std::int64_t run_parameter(const std::string& target, const char* name) {
  std::string text = query_parameter(target, name);
  bool digits = !text.empty() && text.size() <= 18 && text.find_first_not_of("0123456789") == std::string::npos;
  if (!digits) throw Refusal{400, fmt::format("?{}= must be a run number, not '{}'", name, text), {}};
  return std::stoll(text);
}

// An attribute's value as JSON, by its declared type (a bool is stored as 0 or 1).
Json stored_value(const SQLite::Column& value, const std::string& type) {
  if (value.isNull()) return nullptr;
  if (type == "bool") return value.getInt() != 0;
  if (value.isInteger() || value.isFloat()) return value.getDouble();
  return value.getString();
}

Json entity_attributes(Database& db, const std::string& id) {
  SQLite::Statement query(db.sql(), "SELECT a.name, a.value, coalesce(t.type, '') FROM attributes a JOIN entities e ON e.id = a.entity_id "
                                    "LEFT JOIN attribute_types t ON t.kind = e.kind AND t.name = a.name WHERE a.entity_id = ? ORDER BY a.name");
  query.bind(1, id);
  Json attributes = Json::object();
  while (query.executeStep()) attributes[query.getColumn(0).getString()] = stored_value(query.getColumn(1), query.getColumn(2).getString());
  return attributes;
}

// The entities within `depth` edges of `id`, both ways: suppliers (what it relies on) at levels 1, 2,
// ...; dependents (who rely on it) at -1, -2, .... At most kMaxNeighbours, so a provider that
// thousands rely on still draws.
struct Neighbourhood {
  Json nodes = Json::array(), edges = Json::array();
  bool truncated = false;
};
constexpr std::size_t kMaxNeighbours = 60;

Neighbourhood neighbourhood(Database& db, const std::string& id, int depth) {
  Neighbourhood result;
  std::map<std::string, int> level{{id, 0}};
  std::set<std::tuple<std::string, std::string, std::string>> edges;
  SQLite::Statement out(db.sql(), "SELECT to_id, kind FROM edges WHERE from_id = ? ORDER BY to_id, kind");
  SQLite::Statement in(db.sql(), "SELECT from_id, kind FROM edges WHERE to_id = ? ORDER BY from_id, kind");
  for (int direction : {1, -1}) {
    std::vector<std::string> frontier{id};
    for (int step = 1; step <= depth && !frontier.empty(); ++step) {
      std::vector<std::string> next;
      for (const auto& from : frontier) {
        auto& query = direction > 0 ? out : in;
        query.reset();
        query.bind(1, from);
        while (query.executeStep()) {
          std::string other = query.getColumn(0).getString();
          if (!level.count(other)) {
            if (level.size() >= kMaxNeighbours) {
              result.truncated = true;
              continue;
            }
            level[other] = direction * step;
            next.push_back(other);
          }
          auto edge = direction > 0 ? std::tuple{from, other, query.getColumn(1).getString()}
                                    : std::tuple{other, from, query.getColumn(1).getString()};
          edges.insert(edge);
        }
      }
      frontier = std::move(next);
    }
  }
  SQLite::Statement about(db.sql(), "SELECT e.kind, (SELECT value FROM attributes WHERE entity_id = e.id AND name = 'name') "
                                    "FROM entities e WHERE e.id = ?");
  for (const auto& [node, at] : level) {
    about.reset();
    about.bind(1, node);
    about.executeStep();
    result.nodes.push_back({{"id", node}, {"kind", about.getColumn(0).getString()},
                            {"name", about.getColumn(1).isNull() ? "" : about.getColumn(1).getString()}, {"level", at}});
  }
  for (const auto& [from, to, kind] : edges)
    if (level.count(from) && level.count(to)) result.edges.push_back({{"from", from}, {"to", to}, {"kind", kind}});
  return result;
}

}  // namespace

// A vendor's (any entity's) page: attributes, suppliers and dependents a few levels out, its
// findings in the latest run and the waivers that name it.
HttpResponse HttpService::entity_page(const HttpRequest& request) {
  std::string id = query_parameter(request.target, "id");
  std::string depth_text = query_parameter(request.target, "depth");
  int depth = depth_text.empty() ? 2 : depth_text.size() == 1 && depth_text[0] >= '1' && depth_text[0] <= '4' ? depth_text[0] - '0' : 0;
  if (depth == 0) throw Refusal{400, fmt::format("?depth= must be 1 to 4, not '{}'", depth_text), {}};
  Database db(settings_.db, OpenMode::must_exist);
  auto kind = entity_kind(db, id);
  if (!kind) throw Refusal{404, fmt::format("no entity '{}' in the portfolio", id), {}};
  Neighbourhood around = neighbourhood(db, id, depth);
  std::ostringstream findings;
  findings << "[";
  if (auto latest = latest_run(db)) {
    bool first = true;
    for (const auto& f : load_findings(db, *latest))
      if (f.entity == id) {
        findings << (first ? "" : ",");
        write_finding_json(findings, f);
        first = false;
      }
  }
  findings << "]";
  Json waivers = Json::array();
  for (const auto& stored : list_waivers(db))
    if (stored.waiver.entity == id || stored.waiver.entity == "*") {
      Json item = waiver_fields(stored.waiver);
      item["origin"] = stored.origin;
      waivers.push_back(std::move(item));
    }
  Json entity{{"id", id}, {"kind", *kind}, {"attributes", entity_attributes(db, id)}};
  Json graph{{"nodes", around.nodes}, {"edges", around.edges}, {"truncated", around.truncated}, {"depth", depth}};
  return {200, "application/json",
          fmt::format("{{\"entity\":{},\"graph\":{},\"findings\":{},\"waivers\":{}}}\n", json_dump(entity), json_dump(graph),
                      findings.str(), json_dump(waivers))};
}

// The stored runs, newest first (the trend): counts by severity, accepted and errors.
HttpResponse HttpService::run_list(const HttpRequest&) {
  Database db(settings_.db, OpenMode::must_exist);
  Json runs = Json::array();
  for (const auto& run : recent_runs(db, 30)) {
    Json by_severity = Json::object();
    for (const auto& [severity, count] : run.counts) by_severity[severity_name(severity)] = count;
    runs.push_back({{"id", run.id}, {"as_of", run.as_of}, {"started_at", run.started_at}, {"findings", run.finding_count},
                    {"accepted", run.accepted_count}, {"errors", run.error_count}, {"by_severity", by_severity}});
  }
  return json_response(200, Json{{"runs", runs}});
}

// As `vigil diff --format json FROM TO`.
HttpResponse HttpService::run_diff(const HttpRequest& request) {
  std::int64_t from = run_parameter(request.target, "from"), to = run_parameter(request.target, "to");
  Database db(settings_.db, OpenMode::must_exist);
  std::ostringstream out;
  write_diff(out, diff_runs(db, from, to), DiffFormat::json);
  return {200, "application/json", out.str()};
}

// The board report of a run, as `vigil report --format html` writes it (self-contained: inline
// styles, no script).
HttpResponse HttpService::run_report(const HttpRequest& request) {
  std::optional<std::int64_t> run;
  if (!query_parameter(request.target, "run").empty()) run = run_parameter(request.target, "run");
  Database db(settings_.db, OpenMode::must_exist);
  std::ostringstream out;
  write_html_report(out, gather_report(db, run));
  HttpResponse response{200, "text/html; charset=utf-8", out.str()};
  response.headers = {{"Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'; img-src data:; frame-ancestors 'none'"},
                      {"X-Content-Type-Options", "nosniff"}};
  return response;
}

// Every waiver, imported and accepted in the workbench, with the days left until it expires.
HttpResponse HttpService::waivers(const HttpRequest&) {
  Database db(settings_.db, OpenMode::must_exist);
  std::string today = format_date(local_today());
  Json list = Json::array();
  for (const auto& stored : list_waivers(db)) {
    Json item = waiver_fields(stored.waiver);
    item["origin"] = stored.origin;
    item["created_by"] = stored.created_by;
    item["created_at"] = stored.created_at;
    item["days_left"] = days_open(today, stored.waiver.expires);
    list.push_back(std::move(item));
  }
  return json_response(200, Json{{"today", today}, {"waivers", list}});
}

HttpResponse HttpService::waiver_history(const HttpRequest&) {
  Database db(settings_.db, OpenMode::must_exist);
  Json list = Json::array();
  for (const auto& event : waiver_audit(db)) {
    Json item = waiver_fields(event.waiver);
    item["at"] = event.at;
    item["actor"] = event.actor;
    item["action"] = event.action;
    list.push_back(std::move(item));
  }
  return json_response(200, Json{{"audit", list}});
}

// Accepts a risk: checked as an imported waiver is (the same messages), for a loaded rule and an
// entity of the portfolio (or '*'), then stored and the service reloaded so that evaluations apply it.
HttpResponse HttpService::accept_risk(const HttpRequest& request) {
  Json body = parse_body(request.body, {"rule", "entity", "owner", "reason", "expires", "approved_by", "ticket", "by"});
  std::string actor = actor_of(body);
  std::map<std::string, std::string> fields;
  for (const char* name : {"rule", "entity", "owner", "reason", "expires", "approved_by", "ticket"}) fields[name] = string_member(body, name);
  WaiverReader reader;
  reader.add(fields, "waiver", 0);
  Waiver waiver = reader.take().front();
  if (auto hint = unknown_rule_hint(current()->rules, waiver.rule))
    throw Refusal{400, fmt::format("waiver: no rule '{}' is loaded{}", waiver.rule, *hint), {}};
  std::string action;
  Json warnings = Json::array();
  {
    Database db(settings_.db, OpenMode::must_exist);
    // As at import, an entity the portfolio does not have is a warning, not a refusal: a `for each`
    // finding names a value (a country), and an entity may be imported tomorrow.
    if (waiver.entity != "*" && !entity_kind(db, waiver.entity))
      warnings.push_back(fmt::format("waiver for rule {} names entity '{}', which the portfolio does not have", waiver.rule,
                                     waiver.entity));
    action = save_workbench_waiver(db, waiver, actor);
  }
  reload(request);
  return json_response(200, Json{{"action", action}, {"waiver", waiver_fields(waiver)}, {"warnings", warnings}});
}

HttpResponse HttpService::revoke_risk(const HttpRequest& request) {
  Json body = parse_body(request.body, {"rule", "entity", "by"});
  std::string actor = actor_of(body);
  std::string rule = string_member(body, "rule"), entity = string_member(body, "entity");
  {
    Database db(settings_.db, OpenMode::must_exist);
    if (!revoke_workbench_waiver(db, rule, entity, actor))
      throw Refusal{404, fmt::format("no waiver accepted in the workbench for rule '{}' and entity '{}' (imported waivers "
                                     "change with the next import)", rule, entity), {}};
  }
  reload(request);
  return json_response(200, Json{{"action", "revoked"}});
}

HttpResponse HttpService::page(const HttpRequest& request) {
  std::string path = path_of(request.target);
  if (path == "/") {
    if (refuse_access(request, true)) return login_page(200, "");
    path = "/index.html";
  }
  for (const auto& asset : web_assets())
    if (asset.path == path) {
      HttpResponse response{200, std::string(asset.content_type), std::string(asset.body)};
      response.headers = kPageHeaders;
      return response;
    }
  throw Refusal{404, fmt::format("no page {}", path), {}};
}

// The login form's POST: a right token sets the session cookie (HttpOnly: no script reads it;
// SameSite=Strict: another site's page does not send it) and goes to the workbench.
HttpResponse HttpService::login(const HttpRequest& request) {
  if (!settings_.token.empty() && !same_secret(form_field(request.body, "token"), settings_.token))
    return login_page(401, "That is not the token this service was started with.");
  HttpResponse response{303, "text/plain; charset=utf-8", "signed in\n"};
  response.headers = {{"Location", "/"}};
  if (!settings_.token.empty()) {
    std::string value;
    for (unsigned char c : settings_.token) value += std::isalnum(c) || c == '-' || c == '_' || c == '.' ? std::string(1, static_cast<char>(c)) : fmt::format("%{:02X}", c);
    response.headers.push_back({"Set-Cookie", "vigil_token=" + value + "; HttpOnly; SameSite=Strict; Path=/"});
  }
  return response;
}

// The latest stored run: its findings as `run --format json` prints them, with since when each is open
// and in how many stored runs it has been since then.
HttpResponse HttpService::latest_findings(const HttpRequest&) {
  Database db(settings_.db, OpenMode::must_exist);
  auto latest = latest_run(db);
  if (!latest) return json_response(200, Json{{"run", nullptr}, {"findings", Json::array()}});
  auto run = find_run(db, *latest);
  std::ostringstream out;
  out << "{\"run\":" << json_dump(Json{{"id", run->id}, {"as_of", run->as_of}, {"started_at", run->started_at}})
      << ",\"findings\":[";
  // In how many stored runs each finding has been, in its current streak (since first_seen).
  std::map<std::tuple<std::string, std::string, std::string>, long> streaks;
  SQLite::Statement runs_seen(db.sql(), "SELECT rule, coalesce(entity, ''), first_seen, count(*) FROM findings GROUP BY 1, 2, 3");
  while (runs_seen.executeStep())
    streaks[{runs_seen.getColumn(0).getString(), runs_seen.getColumn(1).getString(), runs_seen.getColumn(2).getString()}] =
        runs_seen.getColumn(3).getInt64();
  auto findings = load_findings(db, *latest);
  for (std::size_t i = 0; i < findings.size(); ++i) {
    out << (i ? ",\n" : "\n");
    const auto& f = findings[i];
    long runs = streaks[{f.rule, f.entity.value_or(""), f.first_seen}];
    write_finding_json(out, f, fmt::format(",\"first_seen\":\"{}\",\"days_open\":{},\"runs\":{}", f.first_seen,
                                           days_open(f.first_seen, run->as_of), runs));
  }
  out << "]}\n";
  return {200, "application/json", out.str()};
}

// As `vigil check --db`: errors and warnings of the draft, against the loaded portfolio's attributes.
HttpResponse HttpService::check_draft(const HttpRequest& request) {
  Json body = parse_body(request.body, {"source", "file"});
  auto source = std::make_shared<SourceFile>(draft_name(body), draft_source(body));
  auto state = current();
  try {
    RuleSet rules = compile_rules({source}, &state->schema);
    return json_response(200, Json{{"ok", true}, {"rules", rules.rule_count()}, {"diagnostics", diagnostics_json(rules.warnings)}});
  } catch (const RuleError& error) {
    return json_response(200, Json{{"ok", false}, {"rules", 0}, {"diagnostics", diagnostics_json(error.diagnostics())}});
  }
}

// As `vigil fmt`: the draft in canonical form, comments kept.
HttpResponse HttpService::format_draft(const HttpRequest& request) {
  Json body = parse_body(request.body, {"source", "file"});
  auto source = std::make_shared<SourceFile>(draft_name(body), draft_source(body));
  try {
    return json_response(200, Json{{"source", format_rule_file(parse_rule_file(source))}});
  } catch (const RuleError& error) {
    return rule_errors(error);
  }
}

// The draft evaluated over the portfolio as loaded, nothing stored: the findings it would give
// (for one entity with "entity").
HttpResponse HttpService::try_draft(const HttpRequest& request) {
  Json body = parse_body(request.body, {"source", "file", "as_of", "entity"});
  std::string as_of = string_member(body, "as_of");
  if (!as_of.empty() && !parse_iso_date(as_of)) throw Refusal{400, "\"as_of\": " + explain_invalid_date(as_of), {}};
  Engine engine;
  engine.load_database(settings_.db);
  try {
    engine.add_rules(draft_name(body), draft_source(body));
    engine.check();
  } catch (const RuleError& error) {
    return rule_errors(error);
  }
  std::string entity = string_member(body, "entity");
  EvaluationResult result = entity.empty() ? engine.evaluate(as_of) : engine.evaluate_entity(entity, as_of);
  Json errors = Json::array();
  for (const auto& e : result.errors)
    errors.push_back({{"rule", e.rule}, {"entity", e.entity ? Json(*e.entity) : Json(nullptr)}, {"message", e.message}});
  return {200, "application/json",
          "{\"findings\":" + findings_json_text(result.findings) + ",\"errors\":" + json_dump(errors) + "}\n"};
}

// `vigil explain` of one of the draft's rules for one entity, over the portfolio as it is stored.
HttpResponse HttpService::explain_draft(const HttpRequest& request) {
  Json body = parse_body(request.body, {"source", "file", "as_of", "rule", "entity"});
  std::string as_of = string_member(body, "as_of");
  auto date = as_of.empty() ? std::optional<Date>(local_today()) : parse_iso_date(as_of);
  if (!date) throw Refusal{400, "\"as_of\": " + explain_invalid_date(as_of), {}};
  std::string rule = string_member(body, "rule"), entity = string_member(body, "entity");
  if (rule.empty() || entity.empty()) throw Refusal{400, "give the \"rule\" and the \"entity\" to explain", {}};
  auto source = std::make_shared<SourceFile>(draft_name(body), draft_source(body));
  Database db(settings_.db, OpenMode::must_exist);
  Portfolio portfolio = load_portfolio(db);
  Schema schema = portfolio.schema();
  try {
    RuleSet rules = compile_rules({source}, &schema);
    return json_response(200, Json{{"text", explanation_text(rules, portfolio, rule, entity, *date)}});
  } catch (const RuleError& error) {
    return rule_errors(error);
  }
}

HttpResponse HttpService::rule_files(const HttpRequest&) {
  Json files = Json::array();
  for (const auto& path : expand_rule_paths(settings_.rule_paths))
    files.push_back({{"path", path}, {"source", read_source_file(path)->text()}});
  return json_response(200, Json{{"files", files}});
}

// Writes one rule file, but only when the whole rule set with it compiles: a set with errors is never
// saved over a good one. Then reloads, as POST /v1/reload does (atomically).
HttpResponse HttpService::save_rule_file(const HttpRequest& request) {
  Json body = parse_body(request.body, {"path", "source"});
  std::string path = string_member(body, "path");
  std::string text = draft_source(body);
  auto files = expand_rule_paths(settings_.rule_paths);
  bool known = std::find(files.begin(), files.end(), path) != files.end();
  if (!known) {  // a new file: directly inside one of the rule directories, named *.vigil
    fs::path candidate = fs::path(path).lexically_normal();
    std::error_code error;
    bool in_rule_directory = std::any_of(settings_.rule_paths.begin(), settings_.rule_paths.end(), [&](const std::string& dir) {
      return fs::is_directory(dir, error) && fs::path(dir).lexically_normal() / candidate.filename() == candidate;
    });
    if (!in_rule_directory || candidate.extension() != ".vigil" || candidate.filename().string().front() == '.')
      throw Refusal{400, fmt::format("\"path\": '{}' is not a loaded rule file nor a new .vigil file in a rule directory", path), {}};
    files.push_back(path);
  }
  std::vector<SourcePtr> sources;
  for (const auto& file : files)
    sources.push_back(file == path ? std::make_shared<SourceFile>(path, text) : read_source_file(file));
  try {
    compile_rules(sources, &current()->schema);
  } catch (const RuleError& error) {
    return rule_errors(error);
  }
  write_file_atomically(path, [&](std::ostream& out) { out << text; });
  HttpResponse reloaded = reload(request);
  if (reloaded.status != 200) return reloaded;
  return json_response(200, Json{{"saved", path}, {"rules", current()->rules.size()}});
}

}  // namespace vigil::cli
