// A portfolio as JSON -> the importer, alone and as an overlay laid over a
// small loaded portfolio (the Engine's evaluate_overlay, the C ABI and
// `vigil serve` take overlays). Bad input may only end in vigil::Error.
#include <cstdint>
#include <string>

#include "dsl/diagnostic.hpp"
#include "engine/facts/portfolio_import.hpp"

namespace {

const vigil::Portfolio& loaded() {
  static const vigil::Portfolio portfolio = vigil::parse_portfolio_json("base.json", R"({"entities": [
    {"id": "V1", "kind": "vendor", "attributes": {"name": "Acme", "tested": "2026-01-01", "spend": 10, "ok": true}},
    {"id": "S1", "kind": "service"}], "edges": [{"from": "S1", "to": "V1", "kind": "depends_on"}]})");
  return portfolio;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string text(reinterpret_cast<const char*>(data), size);
  try {
    vigil::parse_portfolio_json("fuzz.json", text);
  } catch (const vigil::Error&) {
  }
  try {
    auto overlay = vigil::overlay_portfolio_json(loaded(), "fuzz.json", text);
    for (auto entity : overlay.entities)
      if (entity >= overlay.portfolio.entity_count()) __builtin_trap();
  } catch (const vigil::Error&) {
  }
  return 0;
}
