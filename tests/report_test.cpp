// vigil report: Markdown and self-contained HTML summaries of a run.
#include <catch2/catch.hpp>

#include <cstdlib>
#include <filesystem>
#include <regex>

#include "test_support.hpp"

using vigil::test::run_vigil;
using vigil::test::TempDir;

namespace {

// The sample portfolio with two runs a month apart.
struct Reported {
  TempDir dir;
  std::string db = (dir.path / "v.db").string();
  Reported() {
    REQUIRE(run_vigil({"import", vigil::test::source_dir() + "/samples/portfolio", "--db", db, "-q"}).exit_code == 0);
    for (auto as_of : {"2026-10-01", "2026-11-01"})
      REQUIRE(run_vigil({"run", "--db", db, "--rules", vigil::test::source_dir() + "/rules", "--as-of", as_of, "-q"}).exit_code == 0);
  }
  vigil::test::CommandResult report(std::vector<std::string> extra) const {
    std::vector<std::string> args{"report", "--db", db};
    args.insert(args.end(), extra.begin(), extra.end());
    return run_vigil(args);
  }
};

bool contains(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

}  // namespace

TEST_CASE("report --format md: headline, trend, top risks, changes, concentration, findings by rule", "[report]") {
  Reported r;
  auto md = r.report({"--format", "md"});
  REQUIRE(md.exit_code == 0);
  CHECK(md.out.rfind("# Third-party risk report\n\nRun 2, as of 2026-11-01", 0) == 0);
  CHECK(contains(md.out, "**36 open findings (4 critical, 16 high, 14 medium, 2 low), 2 accepted; 3 new and 0 resolved since run 1.**"));
  CHECK(contains(md.out, "| 1 | 2026-10-01 | 4 | 15 | 12 | 2 | 0 | 33 | 1 |\n| 2 | 2026-11-01 | 4 | 16 | 14 | 2 | 0 | 36 | 2 |"));
  // Ranked: severity, then the criticality of the services behind, then days open (V002's finding is new).
  CHECK(contains(md.out, "## Top risks\n\nOpen findings ranked by severity, then the criticality"));
  CHECK(contains(md.out, "| critical | OFF-001 | V029 | CFO | critical | 31 days | OldBank Connect was offboarded on 2026-04-30 but its access has not been revoked |\n"
                         "| critical | OFF-001 | V032 | CHRO | none | 31 days |"));
  CHECK(contains(md.out, "| high | SC-001 | S05 | - | critical | 31 days | Treasury Operations relies on OldBank Connect, offboarded or never assessed, somewhere in its supply chain |\n"
                         "| high | SC-002 | V018 | CISO | critical | 31 days |"));
  CHECK(contains(md.out, "## New since run 1\n\n| Severity | Rule | Entity | Owner | Finding |\n|---|---|---|---|---|\n| medium | DD-003 | V025 | CFO |"));
  CHECK(contains(md.out, "## Resolved since run 1\n\nNone."));
  CHECK(contains(md.out, "## Accepted risks\n\nFindings covered by a waiver on the as-of date; they count in no total above.\n\n"
                         "| Severity | Rule | Entity | Waiver owner | Expires | Reason | Finding |\n|---|---|---|---|---|---|---|\n"
                         "| low | ASR-002 | V014 | CMO | 2026-11-28 |"));
  CHECK(contains(md.out, "## Waivers expiring within 30 days\n\n| Rule | Entity | Owner | Expires | Days left | Reason |\n|---|---|---|---|---|---|\n"
                         "| ASR-002 | V014 | CMO | 2026-11-28 | 27 |"));
  CHECK(contains(md.out, "| assurance | 0 | 1 | 0 | 0 | 0 | 1 | 1 |"));
  CHECK(contains(md.out, "| Northwind Cloud | V001 | 3 | 5 |"));
  CHECK(contains(md.out, "### CONC-002 Critical services concentrated on few providers of one category \\(1\\)\n\n"));
  CHECK(contains(md.out, "| medium | IRP-004 | portfolio | - | 81.3% of important vendors \\(13 of 16\\) tested a plan within a year |"));
  auto first = r.report({"--format", "md", "--run", "1"});
  CHECK(contains(first.out, "Run 1, as of 2026-10-01"));
  CHECK_FALSE(contains(first.out, "## New since"));
}

TEST_CASE("report --format html is one self-contained, responsive, printable file", "[report]") {
  Reported r;
  auto result = r.report({"--format", "html", "--output", (r.dir.path / "report.html").string()});
  REQUIRE(result.exit_code == 0);
  CHECK(result.out.empty());
  std::string html = vigil::test::read_file(r.dir.path / "report.html");
  CHECK(html.rfind("<!DOCTYPE html>", 0) == 0);
  CHECK(contains(html, "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"));
  CHECK(contains(html, "@media print"));
  CHECK(contains(html, "@media (max-width: 600px)"));
  CHECK(contains(html, "<svg viewBox="));
  // No external assets: no scripts, stylesheets, images or fonts from elsewhere.
  CHECK_FALSE(std::regex_search(html, std::regex(R"((src|href)\s*=\s*"[a-z]+:)", std::regex::icase)));
  CHECK_FALSE(std::regex_search(html, std::regex(R"(<(script|link|img|iframe)\b)", std::regex::icase)));
  CHECK_FALSE(contains(html, "url("));
  CHECK(contains(html, "OldBank Connect was offboarded on 2026-04-30"));
}

TEST_CASE("report: text from the facts is escaped", "[report]") {
  TempDir dir;
  dir.write("p/entities/vendor.csv", "id,name\nV1,\"<b>Smith & Sons</b> | \"\"x\"\"\"\n");
  dir.write("r.vigil", "rule R \"Title <i>\" {\n  severity high\n  for vendor v\n  when true\n  message \"{v.name}\"\n}\n");
  REQUIRE(run_vigil({"import", "p", "--db", "v.db", "-q"}, dir.path).exit_code == 0);
  REQUIRE(run_vigil({"run", "--db", "v.db", "--rules", "r.vigil", "-q"}, dir.path).exit_code == 0);
  auto html = run_vigil({"report", "--db", "v.db", "--format", "html"}, dir.path).out;
  CHECK(contains(html, "&lt;b&gt;Smith &amp; Sons&lt;/b&gt; | &quot;x&quot;"));
  CHECK(contains(html, "<h3>R Title &lt;i&gt; (1)</h3>"));
  CHECK_FALSE(contains(html, "<b>Smith"));
  auto md = run_vigil({"report", "--db", "v.db", "--format", "md"}, dir.path).out;
  CHECK(contains(md, "| high | R | V1 | - | \\<b\\>Smith &amp; Sons\\</b\\> \\| \"x\" |"));
}

TEST_CASE("the HTML report renders in headless Chromium", "[report][browser]") {
  const char* candidates[] = {"/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome"};
  std::string browser;
  for (auto* path : candidates)
    if (std::filesystem::exists(path)) browser = path;
  if (browser.empty()) {
    WARN("no Chromium on this machine: the screenshot check is skipped (apt-get install chromium)");
    return;
  }
  Reported r;
  auto page = r.dir.path / "report.html";
  REQUIRE(r.report({"--format", "html", "--output", page.string()}).exit_code == 0);
  for (auto [width, name] : {std::pair{1280, "desktop.png"}, std::pair{390, "phone.png"}}) {
    auto shot = r.dir.path / name;
    std::string command = browser + " --headless --no-sandbox --disable-gpu --disable-quic --no-first-run "
                          "--disable-background-networking --disable-component-update --disable-sync "
                          "--user-data-dir=" + (r.dir.path / "profile").string() + " --hide-scrollbars " +
                          "--window-size=" + std::to_string(width) + ",2400 --screenshot=" + shot.string() +
                          " file://" + page.string() + " > /dev/null 2>&1";
    CHECK(std::system(command.c_str()) == 0);
    REQUIRE(std::filesystem::exists(shot));
    std::string png = vigil::test::read_file(shot);
    CHECK(png.rfind("\x89PNG", 0) == 0);
    CHECK(png.size() > 20000);  // a rendered page, not a blank one
  }
  // The DOM as Chromium parsed it: the sections, the ranking and the chart's axes are there.
  std::string dump = browser + " --headless --no-sandbox --disable-gpu --no-first-run --disable-background-networking "
                     "--user-data-dir=" + (r.dir.path / "profile").string() + " --dump-dom file://" + page.string() +
                     " 2> /dev/null > " + (r.dir.path / "dom.html").string();
  REQUIRE(std::system(dump.c_str()) == 0);
  std::string dom = vigil::test::read_file(r.dir.path / "dom.html");
  auto section = [&](const std::string& id) {
    auto at = dom.find("<section id=\"" + id + "\">");
    return at == std::string::npos ? std::string() : dom.substr(at, dom.find("</section>", at) - at);
  };
  std::string accepted = section("accepted-risks");
  CHECK(contains(accepted, "<td class=\"id\">SPEND-001</td><td class=\"id\">V001</td><td class=\"id\">CFO</td>"
                           "<td class=\"id\">2027-06-30</td>"));
  CHECK(contains(section("waivers-expiring-within-30-days"), "<td class=\"id\">2026-11-28</td><td class=\"id\">27</td>"));
  std::string top = section("top-risks");
  std::vector<std::string> ranked;
  for (auto at = top.find("<tr><td><span"); at != std::string::npos; at = top.find("<tr><td><span", at + 1)) {
    auto cell = top.find("<td class=\"id\">", at) + 15;
    auto entity = top.find("<td class=\"id\">", cell) + 15;
    ranked.push_back(top.substr(cell, top.find('<', cell) - cell) + ":" + top.substr(entity, top.find('<', entity) - entity));
  }
  REQUIRE(ranked.size() == 15);
  CHECK(ranked[0] == "IRP-002:V017");
  CHECK(ranked[3] == "OFF-001:V032");   // critical, but no service behind it: after the three that have one
  CHECK(ranked[13] == "SC-001:S05");   // high, critical services behind, open 31 days; then by rule id
  CHECK(ranked[14] == "SC-002:V018");
  CHECK(contains(dom, "<g class=\"y-axis\">"));
  CHECK(contains(dom, "<g class=\"x-axis\">"));
  CHECK(contains(dom, "<g class=\"legend\">"));
  CHECK(contains(dom, ">open findings</text>"));
  CHECK(contains(dom, ">run 2</text>"));
  CHECK(contains(section("findings-by-tag"), "<td class=\"id\">assurance</td>"));

  auto pdf = r.dir.path / "report.pdf";
  std::string print = browser + " --headless --no-sandbox --disable-gpu --no-first-run --disable-background-networking "
                      "--user-data-dir=" + (r.dir.path / "profile").string() + " --print-to-pdf=" + pdf.string() +
                      " file://" + page.string() + " > /dev/null 2>&1";
  CHECK(std::system(print.c_str()) == 0);
  CHECK(vigil::test::read_file(pdf).rfind("%PDF", 0) == 0);
}

TEST_CASE("report: usage and missing runs", "[report]") {
  TempDir dir;
  dir.write("p/entities/vendor.csv", "id\nV1\n");
  REQUIRE(run_vigil({"import", "p", "--db", "v.db", "-q"}, dir.path).exit_code == 0);
  CHECK(run_vigil({"report", "--db", "v.db", "--format", "md"}, dir.path).err ==
        "vigil report: v.db: no stored run to report on (run `vigil run` first)\n");
  CHECK(run_vigil({"report", "--db", "v.db"}, dir.path).err.find("missing required option '--format'") != std::string::npos);
  CHECK(run_vigil({"report", "--db", "v.db", "--format", "pdf"}, dir.path).err.find("unknown format 'pdf' (html or md)") !=
        std::string::npos);
  CHECK(run_vigil({"report", "--db", "v.db", "--format", "md", "--run", "x"}, dir.path).exit_code == 2);
  CHECK(run_vigil({"report", "--db", "v.db", "--format", "md", "--run", "7"}, dir.path).err ==
        "vigil report: v.db: there is no run 7\n");
}

TEST_CASE("report: top risks rank by severity, then the services behind, then days open", "[report]") {
  TempDir dir;
  dir.write("r.vigil", "rule R {\n  severity high\n  for vendor v\n  when v.bad\n  message \"{v.id}\"\n}\n"
                       "rule L {\n  severity low\n  for vendor v\n  when v.bad\n  message \"{v.id}\"\n}\n");
  dir.write("p/entities/service.csv", "id,criticality\nS1,high\nS2,critical\n");
  dir.write("p/edges.csv", "from,to,kind\nS1,V3,depends_on\nS2,V4,depends_on\n");
  dir.write("p/entities/vendor.csv", "id,bad:bool\nV1,no\nV2,yes\nV3,no\nV4,no\n");
  REQUIRE(run_vigil({"import", "p", "--db", "v.db", "-q"}, dir.path).exit_code == 0);
  REQUIRE(run_vigil({"run", "--db", "v.db", "--rules", "r.vigil", "--as-of", "2026-01-01", "-q"}, dir.path).exit_code == 0);
  dir.write("p/entities/vendor.csv", "id,bad:bool\nV1,yes\nV2,yes\nV3,yes\nV4,yes\n");
  REQUIRE(run_vigil({"import", "p", "--db", "v.db", "-q"}, dir.path).exit_code == 0);
  REQUIRE(run_vigil({"run", "--db", "v.db", "--rules", "r.vigil", "--as-of", "2026-01-11", "-q"}, dir.path).exit_code == 0);
  auto md = run_vigil({"report", "--db", "v.db", "--format", "md"}, dir.path).out;
  CHECK(contains(md, "| high | R | V4 | - | critical | 0 days | V4 |\n"  // a critical service behind it
                     "| high | R | V3 | - | high | 0 days | V3 |\n"
                     "| high | R | V2 | - | none | 10 days | V2 |\n"    // open longest of those with none
                     "| high | R | V1 | - | none | 0 days | V1 |\n"
                     "| low | L | V4 |"));
}
