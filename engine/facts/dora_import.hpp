// `vigil import --from dora-roi DIR`: the DORA Register of Information as
// reported to the ESAs (the templates b_01.01 ... b_07.01 as CSV with EBA
// column codes) read into a portfolio of financial entities, branches,
// functions, contractual arrangements, ICT services and ICT providers, with
// the links between them as edges. docs/dora.md has the mapping.
#pragma once

#include <string>

#include "engine/facts/portfolio.hpp"

namespace vigil {

// DIR holds b_01.01.csv ... (or is an unzipped report package whose
// reports/ folder does). Bad input throws ImportError "file:line: message":
// a row whose field count differs from its header, an unknown code value,
// an empty or duplicate key, a reference to a row that does not exist.
Portfolio read_dora_register(const std::string& directory);

}  // namespace vigil
