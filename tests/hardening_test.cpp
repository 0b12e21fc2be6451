// Regression tests for hostile and broken input (issue 9): each holds the
// exact input that once crashed, hung or poisoned Vigil.
#include <catch2/catch.hpp>

#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>

#include "dsl/formatter.hpp"
#include "dsl/parser.hpp"
#include "test_support.hpp"

using vigil::test::first_error;
using vigil::test::read_file;
using vigil::test::run_vigil;
using vigil::test::TempDir;
using vigil::test::value_of;
namespace fs = std::filesystem;

namespace {

std::string rule_with(const std::string& when, const std::string& message = "m") {
  return "rule A {\n  severity high\n  for vendor v\n  when " + when + "\n  message \"" + message + "\"\n}\n";
}

std::string repeated(const std::string& text, int times) {
  std::string out;
  for (int i = 0; i < times; ++i) out += text;
  return out;
}

// A workspace with one vendor imported into v.db and a rule that shows its name.
struct Imported {
  TempDir dir;
  explicit Imported(const std::string& vendors = "id,name\nV1,Acme\n") {
    dir.write("p/entities/vendor.csv", vendors);
    dir.write("r.vigil", rule_with("true", "{v.name}"));
    REQUIRE(run({"import", "p", "--db", "v.db", "-q"}).exit_code == 0);
  }
  vigil::test::CommandResult run(const std::vector<std::string>& args) const { return run_vigil(args, dir.path); }
};

}  // namespace

TEST_CASE("message placeholders that cannot start an expression are syntax errors", "[hardening]") {
  CHECK(first_error(rule_with("true", "{)}")) == "5:13: error: expected an expression but found ')'");
  CHECK(first_error(rule_with("true", "{in}")) == "5:13: error: expected an expression but found 'in'");
  CHECK(first_error(rule_with("true", "{or}")) == "5:13: error: expected an expression but found 'or'");
  CHECK(first_error(rule_with("true", "{#}")) == "5:14: error: expected an expression but found '}'");
  CHECK(first_error(rule_with("true", "{+1}")) == "5:13: error: expected an expression but found '+'");
  CHECK(first_error(rule_with("true", "{.}")) == "5:13: error: expected an expression but found '.'");
}

TEST_CASE("deep nesting is an error at the spot, not a stack overflow", "[hardening]") {
  CHECK(first_error(rule_with(repeated("(", 10000) + "true" + repeated(")", 10000))) ==
        "4:109: error: expression nested too deeply (more than 100 levels of brackets, calls or prefix operators): "
        "split it with 'let'");
  CHECK(first_error(rule_with(repeated("[", 10000) + "1" + repeated("]", 10000) + " == []")) ==
        "4:109: error: expression nested too deeply (more than 100 levels of brackets, calls or prefix operators): "
        "split it with 'let'");
  CHECK(first_error(rule_with(repeated("not ", 10000) + "true")) ==
        "4:412: error: expression nested too deeply (more than 100 levels of brackets, calls or prefix operators): "
        "split it with 'let'");
  std::string chain = "true";
  for (int i = 0; i < 10000; ++i) chain += " and true";
  CHECK(first_error(rule_with(chain)) ==
        "4:8: error: expression nested too deeply (more than 256 operators inside each other): split it with 'let'");
  std::string allowed = "true";
  for (int i = 0; i < 200; ++i) allowed += " and true";
  CHECK(first_error(rule_with(allowed)) == "");
  CHECK(value_of(repeated("(", 99) + "1" + repeated(")", 99)) == "1");
}

TEST_CASE("deeply nested rules and JSON fail cleanly through the CLI", "[hardening]") {
  TempDir dir;
  dir.write("deep.vigil", rule_with(repeated("(", 10000) + "true" + repeated(")", 10000)));
  auto checked = run_vigil({"check", "deep.vigil"}, dir.path);
  CHECK(checked.exit_code == 2);
  CHECK(checked.err.find("deep.vigil:4:109: error: expression nested too deeply") != std::string::npos);
  dir.write("deep.json", R"({"entities":[{"id":"V1","kind":"vendor"}],"edges":[{"from":"V1","to":"V1","kind":"x","attributes":)" +
                             repeated("[", 100000) + repeated("]", 100000) + "}]}");
  auto imported = run_vigil({"import", "deep.json", "--db", "v.db"}, dir.path);
  CHECK(imported.exit_code == 2);
  CHECK(imported.err.find("deep.json:1: values nested more than 32 levels deep") != std::string::npos);
  CHECK_FALSE(fs::exists(dir.path / "v.db"));
}

TEST_CASE("text is checked at the door: NUL and invalid UTF-8 are errors with file and line", "[hardening]") {
  TempDir dir;
  dir.write("nul.json", "{\"entities\": [\n {\"id\": \"V\\u00001\", \"kind\": \"vendor\"}\n]}");
  auto nul = run_vigil({"import", "nul.json", "--db", "v.db"}, dir.path);
  CHECK(nul.exit_code == 2);
  CHECK(nul.err.find("nul.json:2: NUL character (\\u0000) in a string: text may not contain NUL") != std::string::npos);
  dir.write("p/entities/vendor.csv", "id,name\nV1,ok\nV2,\xed\xa0\x80\n");
  auto surrogate = run_vigil({"import", "p", "--db", "v.db"}, dir.path);
  CHECK(surrogate.exit_code == 2);
  CHECK(surrogate.err.find("vendor.csv:3: invalid UTF-8 (byte 0xED): save the file as UTF-8") != std::string::npos);
  CHECK(first_error("# caf\xc3\n") == "1:6: error: invalid UTF-8 (byte 0xC3): save the file as UTF-8");
  CHECK(first_error(std::string("let a = 1\0", 10)) == "1:10: error: NUL character: text may not contain NUL");
}

TEST_CASE("output files: devices written in place, links followed, no shared temporary file", "[hardening]") {
  Imported w;
  auto to_null = w.run({"run", "--db", "v.db", "--rules", "r.vigil", "--no-store", "--output", "/dev/null"});
  CHECK(to_null.exit_code == 0);
  struct stat info {};
  REQUIRE(::stat("/dev/null", &info) == 0);
  CHECK(S_ISCHR(info.st_mode));
  // A link at the output path: the file it points to is replaced, the link stays.
  w.dir.write("real.csv", "old");
  fs::create_symlink("real.csv", w.dir.path / "out.csv");
  // A link planted where the old temporary file went is never written through.
  w.dir.write("victim", "precious");
  fs::create_symlink("victim", w.dir.path / "out.csv.tmp");
  REQUIRE(w.run({"run", "--db", "v.db", "--rules", "r.vigil", "--no-store", "--format", "csv", "-o", "out.csv"}).exit_code == 0);
  CHECK(fs::is_symlink(w.dir.path / "out.csv"));
  CHECK(read_file(w.dir.path / "real.csv") == "rule,entity,kind,severity,message,status,title,owner\r\nA,V1,vendor,high,Acme,open,,\r\n");
  CHECK(read_file(w.dir.path / "victim") == "precious");
  for (auto& entry : fs::directory_iterator(w.dir.path))  // no temporary file is left behind
    CHECK(entry.path().filename().string().rfind(".out.csv.", 0) == std::string::npos);
}

TEST_CASE("a failed output write stores nothing and leaves no temporary file", "[hardening]") {
  Imported w;
  auto full = w.run({"run", "--db", "v.db", "--rules", "r.vigil", "--output", "/dev/full"});
  CHECK(full.exit_code == 2);
  CHECK(full.err.find("/dev/full: cannot write the output file: No space left on device") != std::string::npos);
  auto diff = w.run({"diff", "--db", "v.db"});
  CHECK(diff.exit_code == 2);
  CHECK(diff.err.find("diff needs two stored runs, and there are none") != std::string::npos);
  if (::geteuid() == 0) return;  // root writes through permissions
  fs::create_directory(w.dir.path / "nowhere");
  fs::permissions(w.dir.path / "nowhere", fs::perms::owner_read | fs::perms::owner_exec);
  auto unwritable = w.run({"run", "--db", "v.db", "--rules", "r.vigil", "--output", "nowhere/out.json"});
  CHECK(unwritable.exit_code == 2);
  CHECK(fs::is_empty(w.dir.path / "nowhere"));
}

TEST_CASE("fmt follows a linked rule file and treats a lone CR as a line break, as the parser does", "[hardening]") {
  TempDir dir;
  dir.write("real.vigil", "let  a = 1\n");
  fs::create_symlink("real.vigil", dir.path / "link.vigil");
  REQUIRE(run_vigil({"fmt", "link.vigil"}, dir.path).exit_code == 0);
  CHECK(fs::is_symlink(dir.path / "link.vigil"));
  CHECK(read_file(dir.path / "real.vigil") == "let a = 1\n");

  std::string cr_comment = "# note\rlet a = 1\n";
  CHECK(vigil::format_rule_file(vigil::parse_rule_file(vigil::test::source(cr_comment))) == "# note\nlet a = 1\n");
  std::string cr_only = "# pack\rlet a = 1\rrule R {\r  severity low\r  for portfolio\r  when a == 1\r  message \"m\"\r}\r";
  std::string formatted = vigil::format_rule_file(vigil::parse_rule_file(vigil::test::source(cr_only)));
  CHECK(formatted == "# pack\nlet a = 1\n\nrule R {\n  severity low\n  for portfolio\n  when a == 1\n  message \"m\"\n}\n");
  CHECK(first_error("let a = 1\rlet b = \r") == "3:1: error: expected an expression but found end of file");
  CHECK(first_error("let a = 1\rlet b = )\r") == "2:9: error: expected an expression but found ')'");
}

TEST_CASE("dates and numbers that leave their range are evaluation errors", "[hardening]") {
  CHECK(value_of("today + 1y * 100000") == "error: duration out of range: durations are whole days or months up to 10000 years");
  CHECK(value_of("today + 6000y + 6000y") == "error: date out of range: dates run from 0000-01-01 to 9999-12-31");
  CHECK(value_of("today + (6000y + 6000y)") == "error: duration out of range: durations are whole days or months up to 10000 years");
  CHECK(value_of("today + 8000y") == "error: date out of range: dates run from 0000-01-01 to 9999-12-31");
  CHECK(value_of("today - 2027y") == "error: date out of range: dates run from 0000-01-01 to 9999-12-31");
  CHECK(value_of("today + 7973y") == "\"9999-06-30\"");
  CHECK(value_of("1e308 * 10") == "error: number out of range: the result is too large to represent");
  CHECK(value_of("-1e308 - 1e308") == "error: number out of range: the result is too large to represent");
  CHECK(value_of("sum(x for x in [1e308, 1e308])") == "error: number out of range: the result is too large to represent");
  CHECK(value_of("3650000d * 2") == "error: duration out of range: durations are whole days or months up to 10000 years");
  CHECK(first_error(rule_with("today + 100000y < today")) == "4:16: error: duration '100000y' is out of range (at most 10000 years)");
}

TEST_CASE("1e400 is an error with file and line wherever it appears", "[hardening]") {
  CHECK(first_error(rule_with("1e400 > 1")) == "4:8: error: number '1e400' is too large (at most about 1.8e308)");
  TempDir dir;
  dir.write("big.json", "{\"entities\": [\n {\"id\": \"V1\", \"kind\": \"vendor\", \"attributes\": {\"spend\": 1e400}}\n]}");
  auto imported = run_vigil({"import", "big.json", "--db", "v.db"}, dir.path);
  CHECK(imported.exit_code == 2);
  CHECK(imported.err.find("big.json:2: number overflow parsing '1e400'") != std::string::npos);
  dir.write("r.vigil", rule_with("true"));
  dir.write("big.test.json", R"({"rules": ["r.vigil"], "as_of": "2026-01-01", "cases": [{"name": "n", "entities": [
    {"id": "V1", "kind": "vendor", "attributes": {"spend": 1e400}}], "expect": []}]})");
  auto tested = run_vigil({"test", "big.test.json"}, dir.path);
  CHECK(tested.exit_code == 2);
  CHECK(tested.err.find("big.test.json: number overflow parsing '1e400'") != std::string::npos);
  CHECK(tested.err.find("internal error") == std::string::npos);
  dir.write("odd.test.json", R"({"rules": ["r.vigil"], "as_of": "2026-01-01", "cases": [{"name": 5}]})");
  auto odd = run_vigil({"test", "odd.test.json"}, dir.path);
  CHECK(odd.exit_code == 2);
  CHECK(odd.err.find("odd.test.json: ") != std::string::npos);
  CHECK(odd.err.find("internal error") == std::string::npos);
}

TEST_CASE("a portfolio directory is read as plain files inside it", "[hardening]") {
  TempDir dir;
  dir.write("p/entities/vendor.csv", "id\nV1\n");
  REQUIRE(::mkfifo((dir.path / "p/edges.csv").c_str(), 0600) == 0);
  auto fifo = run_vigil({"import", "p", "--db", "v.db"}, dir.path);
  CHECK(fifo.exit_code == 2);
  CHECK(fifo.err.find("p/edges.csv: is not a regular file (a portfolio directory holds plain CSV files)") != std::string::npos);
  fs::remove(dir.path / "p/edges.csv");
  fs::create_symlink("/dev/zero", dir.path / "p/edges.csv");
  auto zero = run_vigil({"import", "p", "--db", "v.db"}, dir.path);
  CHECK(zero.exit_code == 2);
  CHECK(zero.err.find("p/edges.csv: is a link leading outside the portfolio directory") != std::string::npos);
  fs::remove(dir.path / "p/edges.csv");
  dir.write("secret.csv", "the password is swordfish\n");
  fs::create_symlink("../../secret.csv", dir.path / "p/entities/service.csv");
  auto outside = run_vigil({"import", "p", "--db", "v.db"}, dir.path);
  CHECK(outside.exit_code == 2);
  CHECK(outside.err.find("service.csv: is a link leading outside the portfolio directory") != std::string::npos);
  CHECK(outside.err.find("swordfish") == std::string::npos);
  fs::remove(dir.path / "p/entities/service.csv");
  fs::create_symlink("vendor.csv", dir.path / "p/entities/supplier.csv");  // a link inside is fine
  CHECK(run_vigil({"import", "p", "--db", "v.db"}, dir.path).exit_code == 2);  // duplicate id V1: read, not refused
}

TEST_CASE("database problems are named for what they are", "[hardening]") {
  TempDir dir;
  dir.write("p/entities/vendor.csv", "id\nV1\n");
  auto missing_folder = run_vigil({"import", "p", "--db", "no/such/v.db"}, dir.path);
  CHECK(missing_folder.exit_code == 2);
  CHECK(missing_folder.err.find("no/such/v.db: the folder no/such does not exist") != std::string::npos);
  REQUIRE(run_vigil({"import", "p", "--db", "v.db", "-q"}, dir.path).exit_code == 0);
  if (::geteuid() != 0) {  // root writes through permissions
    fs::permissions(dir.path / "v.db", fs::perms::owner_read);
    auto read_only = run_vigil({"import", "p", "--db", "v.db"}, dir.path);
    CHECK(read_only.err.find("not a Vigil database") == std::string::npos);
  }
  dir.write("junk.db", "this is not a database, it is a text file of some length to be sure........................");
  auto junk = run_vigil({"run", "--db", "junk.db", "--rules", "p"}, dir.path);
  CHECK(junk.err.find("junk.db: not a Vigil database (not an SQLite file); nothing was changed") != std::string::npos);
}

TEST_CASE("CSV output neutralises formulas", "[hardening]") {
  Imported w("id,name\nV1,=2+5\nV2,+1\nV3,-1\nV4,@SUM(A1)\nV5,\"\ttab\"\nV6,plain\n");
  auto csv = w.run({"run", "--db", "v.db", "--rules", "r.vigil", "--no-store", "--format", "csv"});
  CHECK(csv.out == "rule,entity,kind,severity,message,status,title,owner\r\n"
                   "A,V1,vendor,high,\"'=2+5\",open,,\r\nA,V2,vendor,high,\"'+1\",open,,\r\nA,V3,vendor,high,\"'-1\",open,,\r\n"
                   "A,V4,vendor,high,\"'@SUM(A1)\",open,,\r\nA,V5,vendor,high,\"'\ttab\",open,,\r\n"
                   "A,V6,vendor,high,plain,open,,\r\n");
}

TEST_CASE("len counts characters and upper/lower map all of Unicode", "[hardening]") {
  CHECK(value_of("len(\"Zürich Öl\")") == "9");
  CHECK(value_of("upper(\"Café\")") == "\"CAFÉ\"");
  CHECK(value_of("lower(\"ÀÉÎ Straße\")") == "\"àéî straße\"");
  CHECK(value_of("upper(\"straße\")") == "\"STRASSE\"");
  CHECK(value_of("len(\"\")") == "0");
}
