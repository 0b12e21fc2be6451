// Rule unit tests (docs/rule-tests.md): a `*.test.json` file names rule
// files and an as-of date, and holds cases, each a small inline portfolio
// with the exact findings it must produce.
#pragma once

#include <string>
#include <vector>

namespace vigil {

struct RuleTestCase {
  std::string file;
  std::string name;
  bool passed = false;
  std::vector<std::string> expected;  // "RULE ENTITY" (or "RULE ENTITY: message")
  std::vector<std::string> actual;
  std::string error;  // the case could not run (bad portfolio, evaluation error)
};

// `*.test.json` files: directories are searched recursively, in sorted order.
std::vector<std::string> expand_test_paths(const std::vector<std::string>& paths);

// Runs every case of one test file. Throws vigil::Error (file and line) when
// the file itself is malformed or its rules do not compile.
std::vector<RuleTestCase> run_rule_tests(const std::string& path);

}  // namespace vigil
