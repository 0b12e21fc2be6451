// A DORA register -> the importer. The input holds templates separated by a
// line "@@@", in the order of `kTemplates`, written as a register
// directory. Bad input may only end in vigil::Error.
#include <unistd.h>

#include <cstdint>
#include <filesystem>
#include <fstream>
#include <string>

#include "dsl/diagnostic.hpp"
#include "engine/facts/dora_import.hpp"

namespace fs = std::filesystem;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static const fs::path root = fs::temp_directory_path() / ("vigil-fuzz-dora-" + std::to_string(::getpid()));
  static const char* kTemplates[] = {"b_01.01", "b_01.02", "b_05.01", "b_06.01", "b_02.01", "b_02.02",
                                     "b_03.02", "b_04.01", "b_05.02", "b_07.01"};
  fs::remove_all(root);
  fs::create_directories(root);
  std::string input(reinterpret_cast<const char*>(data), size);
  std::size_t start = 0;
  for (const char* name : kTemplates) {
    if (start > input.size()) break;
    std::size_t end = input.find("\n@@@\n", start);
    std::ofstream(root / (std::string(name) + ".csv"), std::ios::binary)
        << input.substr(start, end == std::string::npos ? std::string::npos : end - start);
    start = end == std::string::npos ? input.size() + 1 : end + 5;
  }
  try {
    vigil::read_dora_register(root.string());
  } catch (const vigil::Error&) {
  }
  return 0;
}
