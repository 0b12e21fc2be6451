// A portfolio as JSON -> the importer. Bad input may only end in vigil::Error.
#include <cstdint>
#include <string>

#include "dsl/diagnostic.hpp"
#include "engine/facts/portfolio_import.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  try {
    vigil::parse_portfolio_json("fuzz.json", std::string(reinterpret_cast<const char*>(data), size));
  } catch (const vigil::Error&) {
  }
  return 0;
}
