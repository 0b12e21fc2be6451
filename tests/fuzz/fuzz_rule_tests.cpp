// A rule-test file (*.test.json) -> vigil test, against a fixed rule file
// beside it. Bad input may only end in vigil::Error. Rule paths that leave
// the test's folder ("/", "..") are skipped: walking the machine's file tree
// is slow, not wrong, and not what this target is for.
#include <unistd.h>

#include <cstdint>
#include <filesystem>
#include <fstream>
#include <string>

#include <nlohmann/json.hpp>

#include "dsl/diagnostic.hpp"
#include "engine/eval/rule_tests.hpp"

namespace fs = std::filesystem;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static const fs::path root = [] {
    auto dir = fs::temp_directory_path() / ("vigil-fuzz-tests-" + std::to_string(::getpid()));
    fs::create_directories(dir);
    std::ofstream(dir / "r.vigil") << "rule R \"t\" {\n  severity high\n  for vendor v\n"
                                      "  when v.tier == \"critical\" and count(suppliers*(v)) >= 1\n"
                                      "  message \"{v.name} {len(v.tier)}\"\n}\n";
    return dir;
  }();
  auto json = nlohmann::json::parse(data, data + size, nullptr, false);
  if (json.is_object() && json.contains("rules") && json["rules"].is_array())
    for (const auto& path : json["rules"])
      if (path.is_string() && (path.get<std::string>().find('/') != std::string::npos ||
                               path.get<std::string>().find("..") != std::string::npos))
        return -1;
  fs::path test = root / "case.test.json";
  std::ofstream(test, std::ios::binary) << std::string(reinterpret_cast<const char*>(data), size);
  try {
    vigil::run_rule_tests(test.string());
  } catch (const vigil::Error&) {
  }
  return 0;
}
