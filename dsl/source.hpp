// Rule source files: defined in the public API (vigil/source.hpp).
#pragma once

#include <cstdint>
#include <limits>
#include <optional>
#include <string>

#include <vigil/source.hpp>

namespace vigil {

// A whole file as bytes, or nullopt when it cannot be read (errno says why);
// each caller reports the failure in its own terms.
// Reading stops a little past max_bytes, so that an endless file (/dev/zero)
// cannot exhaust memory; the caller sees the size and refuses it.
std::optional<std::string> read_whole_file(const std::string& path,
                                           std::size_t max_bytes = std::numeric_limits<std::size_t>::max());

// Standard input, up to a little past max_bytes; nullopt on a read error.
// Throws vigil::Error the second time: it can be read only once.
std::optional<std::string> read_standard_input(std::size_t max_bytes = std::numeric_limits<std::size_t>::max());

// Positions in rule files are 32-bit offsets; no rule file comes near this.
constexpr std::size_t kMaxRuleFileBytes = std::size_t{16} << 20;

}  // namespace vigil
