#include <iostream>

#include "cli/command_line.hpp"
#include "cli/commands.hpp"
#include "engine/eval/rule_tests.hpp"

namespace vigil::cli {

// vigil test TESTS...: exit 0 when every case passes, 1 when one fails, 2 on bad input.
int test_command(const Args& args) {
  Arguments arguments(args, options_of("test"));
  apply_log_options(arguments);
  if (arguments.positionals().empty()) throw UsageError("test needs at least one .test.json file or directory");
  std::size_t passed = 0, failed = 0;
  for (const auto& file : expand_test_paths(arguments.positionals())) {
    std::cout << file << "\n";
    for (const auto& c : run_rule_tests(file)) {
      std::cout << (c.passed ? "  ok    " : "  FAIL  ") << c.name << "\n";
      (c.passed ? passed : failed)++;
      if (c.passed) continue;
      if (!c.error.empty()) std::cout << "        " << c.error << "\n";
      auto list = [](const std::vector<std::string>& findings) {
        std::string text;
        for (const auto& f : findings) text += "\n            " + f;
        return findings.empty() ? std::string(" (no findings)") : text;
      };
      std::cout << "        expected:" << list(c.expected) << "\n        actual:  " << list(c.actual) << "\n";
    }
  }
  std::cout << fmt::format("{} passed, {} failed\n", passed, failed);
  return failed == 0 ? kExitOk : kExitFindings;
}

}  // namespace vigil::cli
