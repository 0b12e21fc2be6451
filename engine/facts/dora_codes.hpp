// The EBA code lists of the DORA Register of Information (ITS 2024/2956,
// taxonomy 4.0), as tables: a cell holds a QName such as `eba_ZZ:x959`; the
// importer turns it into a readable value ("not substitutable"). See
// docs/dora.md for the lists and ../shared/design/DORA-ROI.md section 2.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace vigil::dora {

struct Code {
  std::string_view code;   // without the prefix: "x959", "S01", "FR"
  std::string_view value;  // what the portfolio holds
};

struct CodeList {
  std::string_view name;    // for messages: "substitutability"
  std::string_view prefix;  // "eba_ZZ"
  std::vector<Code> codes;  // empty: any code (countries, currencies: checked by shape)
};

enum class List {
  service_type, yes_no, criticality, alternatives, substitutability, not_substitutable_reason, reintegration,
  impact, sensitiveness, reliance, arrangement_type, termination_reason, code_type, person_type, nature,
  hierarchy, entity_type, licensed_activity, country, currency,
};

const CodeList& code_list(List list);

// The readable value of `cell` (a QName of the list's prefix, or the bare
// code); nullopt for an empty cell or for a country "not applicable"
// (qx2007). Throws vigil::Error naming the list for an unknown code.
std::optional<std::string> decode(List list, std::string_view cell);

// EU 27 + Iceland, Liechtenstein, Norway.
bool in_eea(std::string_view country);

// ISO 17442: 18 letters or digits, 2 check digits, and MOD 97-10 of the
// whole (letters as 10..35) equal to 1.
bool valid_lei(std::string_view lei);

}  // namespace vigil::dora
