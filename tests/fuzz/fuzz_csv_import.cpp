// A portfolio directory -> the importer. The input holds up to four files
// separated by a line "@@@": entities/vendor.csv, entities/service.csv,
// edges.csv and waivers.csv. Bad input may only end in vigil::Error.
#include <unistd.h>

#include <cstdint>
#include <filesystem>
#include <fstream>
#include <string>

#include "dsl/diagnostic.hpp"
#include "engine/facts/portfolio_import.hpp"

namespace fs = std::filesystem;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static const fs::path root = fs::temp_directory_path() / ("vigil-fuzz-csv-" + std::to_string(::getpid()));
  fs::remove_all(root);
  fs::create_directories(root / "entities");
  std::string input(reinterpret_cast<const char*>(data), size);
  const fs::path files[] = {root / "entities/vendor.csv", root / "entities/service.csv", root / "edges.csv",
                            root / "waivers.csv"};
  std::size_t start = 0;
  for (const auto& file : files) {
    if (start > input.size()) break;
    std::size_t end = input.find("\n@@@\n", start);
    std::ofstream(file, std::ios::binary) << input.substr(start, end == std::string::npos ? std::string::npos : end - start);
    start = end == std::string::npos ? input.size() + 1 : end + 5;
  }
  // Odd-sized inputs are read as a continental export: day-first dates and decimal commas.
  vigil::ImportOptions options;
  if (size % 2 == 1) options.cells = {"%d/%m/%Y", true};
  try {
    vigil::read_portfolio_directory(root.string(), options);
  } catch (const vigil::Error&) {
  }
  return 0;
}
