#include <sstream>

#include <catch2/catch.hpp>

#include <filesystem>

#include "dsl/formatter.hpp"
#include "dsl/parser.hpp"
#include "dsl/rule_set.hpp"
#include "test_support.hpp"

using namespace vigil;

namespace {

std::string formatted(const std::string& text) { return format_rule_file(parse_rule_file(test::source(text))); }

}  // namespace

TEST_CASE("fmt: canonical layout, clause order, parentheses and literals as written", "[fmt]") {
  CHECK(formatted("let  tiers=[ \"a\",\"b\" ,]\nrule   X-1 \"T\"{message \"{v.id}  m\" when (v.a>1) and ((v.b ?? 0)>2) for vendor v severity   high\n"
                  "tags[\"t\"] let  n = -(1e3) }") ==
        "let tiers = [\"a\", \"b\"]\n"
        "\n"
        "rule X-1 \"T\" {\n"
        "  severity high\n"
        "  tags [\"t\"]\n"
        "  for vendor v\n"
        "  let n = -1e3\n"
        "  when v.a > 1 and (v.b ?? 0) > 2\n"
        "  message \"{v.id}  m\"\n"
        "}\n");
  CHECK(formatted("rule P { severity info for portfolio when not (1 < count(entities(\"x\"))) or today - 30d > 2026-01-01 "
                  "message \"m\" }") ==
        "rule P {\n  severity info\n  for portfolio\n  when not (1 < count(entities(\"x\"))) or today - 30d > 2026-01-01\n"
        "  message \"m\"\n}\n");
  CHECK(formatted("let a = (1 + 2) * 3 - (4 - 5)\nlet b = a / (2 * 3)\n") == "let a = (1 + 2) * 3 - (4 - 5)\nlet b = a / (2 * 3)\n");
  CHECK(formatted("let s = \"q\\\"x\\\\y\\n\"\n") == "let s = \"q\\\"x\\\\y\\n\"\n");
}

TEST_CASE("fmt: comments are kept beside what they describe", "[fmt]") {
  std::string text = R"(# file header

# about the constant
let x = 1  # trailing on the constant
rule A {  # trailing on the header
  # before message (moves with it)
  message "m"
  # before severity
  severity low
  for vendor v
  when v.a > 1  # trailing on when
   and v.b  # inside the expression
   and v.c
  # before the closing brace
}
# at the end
)";
  CHECK(formatted(text) ==
        "# file header\n"
        "\n"
        "# about the constant\n"
        "let x = 1  # trailing on the constant\n"
        "\n"
        "rule A {  # trailing on the header\n"
        "  # before severity\n"
        "  severity low\n"
        "  for vendor v\n"
        "  # trailing on when\n"
        "  # inside the expression\n"
        "  when v.a > 1 and v.b and v.c\n"
        "  # before message (moves with it)\n"
        "  message \"m\"\n"
        "  # before the closing brace\n"
        "}\n"
        "# at the end\n");
}

TEST_CASE("fmt: formatting twice changes nothing, for every file of the standard pack", "[fmt]") {
  for (const auto& path : expand_rule_paths({test::source_dir() + "/rules"})) {
    auto source = read_source_file(path);
    std::string once = format_rule_file(parse_rule_file(source));
    INFO(path);
    CHECK(once == source->text());  // the pack is formatted
    std::istringstream lines(once);
    for (std::string line; std::getline(lines, line);) CHECK(line.size() <= 100);
    CHECK(format_rule_file(parse_rule_file(test::source(once))) == once);
  }
}

TEST_CASE("fmt: long conditions and aggregates break before and/or, for and where", "[fmt]") {
  std::string when = "rule A {\n  severity low\n  for vendor v\n  when v.status == \"active\" and v.tier in [\"critical\", \"high\"] and "
                     "(missing(v.irp_last_tested) or v.irp_last_tested < today - 1y)\n  message \"m\"\n}\n";
  CHECK(formatted(when) ==
        "rule A {\n  severity low\n  for vendor v\n  when v.status == \"active\"\n   and v.tier in [\"critical\", \"high\"]\n"
        "   and (missing(v.irp_last_tested) or v.irp_last_tested < today - 1y)\n  message \"m\"\n}\n");
  CHECK(formatted("let total = sum(v.annual_spend_in_local_currency for v in entities(\"vendor\") where v.status == \"active\" and v.tier != \"low\")\n") ==
        "let total = sum(v.annual_spend_in_local_currency for v in entities(\"vendor\")\n"
        "                where v.status == \"active\" and v.tier != \"low\")\n");
}

TEST_CASE("fmt: no line over 100 columns where the expression can be broken", "[fmt]") {
  const std::vector<std::pair<std::string, std::string>> cases = {
      // `E for x in C` as written; before `for` only when `where` alone is not enough.
      {"let a = list(v.annual_spend_in_local_currency_of_the_year for v in entities(\"vendor_of_the_whole_group\") where v.ok)\n",
       "let a = list(v.annual_spend_in_local_currency_of_the_year\n"
       "             for v in entities(\"vendor_of_the_whole_group\")\n"
       "             where v.ok)\n"},
      // A long `where`: one conjunct per line, `and` right-aligned before them; closing parentheses count.
      {"let b = round(count(i in entities(\"incident\") where i.vendor_identifier == \"V1\" and i.status == \"open\" and i.sev == \"critical\"))\n",
       "let b = round(count(i in entities(\"incident\")\n"
       "                    where i.vendor_identifier == \"V1\"\n"
       "                      and i.status == \"open\"\n"
       "                      and i.sev == \"critical\"))\n"},
      {"let c = count(i in entities(\"incident\") where i.vendor_identifier == \"V1\" and i.status_of_the_incident == \"open\" and i.sev == \"critical\")\n",
       "let c = count(i in entities(\"incident\")\n"
       "              where i.vendor_identifier == \"V1\"\n"
       "                and i.status_of_the_incident == \"open\"\n"
       "                and i.sev == \"critical\")\n"},
      // Lists fill their lines; calls break after a comma, aligned after the parenthesis.
      {"let d = [\"AT\", \"BE\", \"BG\", \"HR\", \"CY\", \"CZ\", \"DK\", \"EE\", \"FI\", \"FR\", \"DE\", \"GR\", \"HU\", \"IE\", \"IT\", \"LV\", \"LT\"]\n",
       "let d = [\"AT\", \"BE\", \"BG\", \"HR\", \"CY\", \"CZ\", \"DK\", \"EE\", \"FI\", \"FR\", \"DE\", \"GR\", \"HU\", \"IE\", \"IT\",\n"
       "         \"LV\", \"LT\"]\n"},
      {"let e = contains(\"a very long piece of text that goes on and on and on\", \"and another one that is long too\")\n",
       "let e = contains(\"a very long piece of text that goes on and on and on\",\n"
       "                 \"and another one that is long too\")\n"},
      // if/then/else: `then` and `else` under `if`.
      {"let f = if missing(x.last_due_diligence_of_the_vendor) or x.last_due_diligence_of_the_vendor < today then 1 else 0\n",
       "let f = if missing(x.last_due_diligence_of_the_vendor) or x.last_due_diligence_of_the_vendor < today\n"
       "        then 1\n"
       "        else 0\n"},
      // Parenthesised operands keep their parentheses around the broken lines.
      {"let g = x.a and (x.tier in [\"critical\", \"high\"] and x.last_due_diligence < today - 1y or x.tier == \"medium\" and x.b)\n",
       "let g = x.a\n"
       "    and (x.tier in [\"critical\", \"high\"] and x.last_due_diligence < today - 1y\n"
       "      or x.tier == \"medium\" and x.b)\n"},
      // What cannot be broken stays as it is.
      {"let h = \"a string literal that is longer than the line allows, and there is nothing to break in it at all\"\n",
       "let h = \"a string literal that is longer than the line allows, and there is nothing to break in it at all\"\n"},
  };
  for (const auto& [input, expected] : cases) {
    INFO(input);
    CHECK(formatted(input) == expected);
    CHECK(formatted(expected) == expected);
  }
  std::string each = "rule E {\n  severity low\n  for each c in distinct(list(v.country_of_registration for v in entities(\"vendor\") where v.status == \"active\"))\n"
                     "  when true\n  message \"m\"\n}\n";
  CHECK(formatted(each) ==
        "rule E {\n  severity low\n  for each c in distinct(list(v.country_of_registration for v in entities(\"vendor\")\n"
        "                              where v.status == \"active\"))\n  when true\n  message \"m\"\n}\n");
}

TEST_CASE("fmt command: rewrite, --check, and files that do not parse", "[fmt][cli]") {
  test::TempDir dir;
  dir.write("r/a.vigil", "rule A { severity low for vendor v when true message \"m\" }\n");
  dir.write("r/b.vigil", "rule B {\n  severity low\n  for vendor v\n  when true\n  message \"m\"\n}\n");
  auto check = test::run_vigil({"fmt", "--check", "r"}, dir.path);
  CHECK(check.exit_code == 1);
  CHECK(check.out == "r/a.vigil\n");
  CHECK(test::read_file(dir.path / "r/a.vigil") == "rule A { severity low for vendor v when true message \"m\" }\n");
  CHECK(test::run_vigil({"fmt", "r"}, dir.path).exit_code == 0);
  CHECK(test::read_file(dir.path / "r/a.vigil") == "rule A {\n  severity low\n  for vendor v\n  when true\n  message \"m\"\n}\n");
  CHECK(test::run_vigil({"fmt", "--check", "r"}, dir.path).exit_code == 0);
  dir.write("bad.vigil", "rule A {\n");
  auto bad = test::run_vigil({"fmt", "bad.vigil"}, dir.path);
  CHECK(bad.exit_code == 2);
  CHECK(bad.err.find("bad.vigil:2:1: error: expected a clause") == 0);
  CHECK(test::read_file(dir.path / "bad.vigil") == "rule A {\n");
  CHECK(test::run_vigil({"fmt"}, dir.path).exit_code == 2);
}
