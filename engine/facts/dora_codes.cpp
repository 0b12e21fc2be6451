#include "engine/facts/dora_codes.hpp"

#include <algorithm>
#include <array>
#include <cctype>

#include <fmt/format.h>

#include "dsl/diagnostic.hpp"

namespace vigil::dora {
namespace {

// One row per code; the values are the EBA labels, shortened where they are sentences.
const std::array kLists{
    CodeList{"ICT service type", "eba_TA",
             {{"S01", "ICT project management"}, {"S02", "ICT development"}, {"S03", "ICT help desk and first level support"},
              {"S04", "ICT security management"}, {"S05", "provision of data"}, {"S06", "data analysis"},
              {"S07", "ICT facilities and hosting (not cloud)"}, {"S08", "computation"}, {"S09", "non-cloud data storage"},
              {"S10", "telecom carrier"}, {"S11", "network infrastructure"}, {"S12", "hardware and physical devices"},
              {"S13", "software licensing (not SaaS)"}, {"S14", "ICT operation management"}, {"S15", "ICT consulting"},
              {"S16", "ICT risk management"}, {"S17", "cloud IaaS"}, {"S18", "cloud PaaS"}, {"S19", "cloud SaaS"}}},
    CodeList{"yes/no", "eba_BT", {{"x28", "true"}, {"x29", "false"}}},
    CodeList{"criticality", "eba_BT", {{"x28", "true"}, {"x29", "false"}, {"x21", ""}}},
    // B_07.01.0110: the ESA's list has x28/x29/x21; some tools write x23/x24/x12.
    CodeList{"alternatives identified", "",
             {{"eba_BT:x28", "yes"}, {"eba_BT:x29", "no"}, {"eba_BT:x21", "not assessed"},
              {"eba_ZZ:x23", "yes"}, {"eba_ZZ:x24", "no"}, {"eba_ZZ:x12", "not applicable"}}},
    CodeList{"substitutability", "eba_ZZ",
             {{"x959", "not substitutable"}, {"x960", "highly complex"}, {"x961", "medium complexity"}, {"x962", "easy"}}},
    CodeList{"reason not substitutable", "eba_ZZ",
             {{"x963", "no real alternatives"}, {"x964", "hard to migrate or reintegrate"},
              {"x965", "no real alternatives, hard to migrate or reintegrate"}}},
    CodeList{"reintegration", "eba_ZZ", {{"x798", "easy"}, {"x966", "difficult"}, {"x967", "highly complex"}, {"x0", "not applicable"}}},
    CodeList{"impact", "eba_ZZ", {{"x791", "low"}, {"x792", "medium"}, {"x793", "high"}, {"x799", "not assessed"}}},
    CodeList{"data sensitiveness", "eba_ZZ", {{"x791", "low"}, {"x792", "medium"}, {"x793", "high"}}},
    CodeList{"reliance", "eba_ZZ", {{"x794", "not significant"}, {"x795", "low"}, {"x796", "material"}, {"x797", "full"}}},
    CodeList{"arrangement type", "eba_CO", {{"x1", "standalone"}, {"x2", "overarching"}, {"x3", "subsequent or associated"}}},
    CodeList{"termination reason", "eba_CO",
             {{"x4", "expired, not renewed"}, {"x5", "provider breach"}, {"x6", "provider impediments"},
              {"x7", "provider data-security weaknesses"}, {"x8", "requested by the authority"}, {"x9", "other"}}},
    CodeList{"code type", "eba_qCO",
             {{"qx2000", "LEI"}, {"qx2001", "national code"}, {"qx2002", "EUID"}, {"qx2003", "company registration number"},
              {"qx2004", "VAT number"}, {"qx2005", "passport number"}}},
    CodeList{"person type", "eba_CT", {{"x212", "legal person"}, {"x213", "individual"}}},
    CodeList{"nature", "eba_ZZ", {{"x838", "branch"}, {"x839", "not a branch"}}},
    CodeList{"hierarchy", "eba_RP",
             {{"x53", "ultimate parent"}, {"x551", "other parent"}, {"x56", "subsidiary"}, {"x21", "outside the group"},
              {"x210", "outsourcing"}}},
    CodeList{"entity type", "eba_CT",
             {{"x12", "credit institution"}, {"x599", "investment firm"}, {"x643", "central counterparty"},
              {"x639", "asset management company"}, {"x301", "account information service provider"},
              {"x302", "electronic money institution"}, {"x303", "crypto-asset service provider"},
              {"x304", "central securities depository"}, {"x305", "trading venue"}, {"x306", "trade repository"},
              {"x300", "payment institution"}, {"x316", "other financial entity"}, {"x315", "securitisation repository"},
              {"x314", "crowdfunding service provider"}, {"x313", "administrator of critical benchmarks"},
              {"x312", "credit rating agency"}, {"x311", "institution for occupational retirement provision"},
              {"x320", "insurance intermediary"}, {"x309", "insurance or reinsurance undertaking"},
              {"x308", "data reporting service provider"}, {"x307", "alternative investment fund manager"},
              {"x310", "issuer of asset-referenced tokens"}, {"x317", "non-financial: ICT intra-group provider"},
              {"x318", "non-financial: other"}}},
    CodeList{"licensed activity", "eba_TA",
             {{"x185", "non-life: accident and health"}, {"x186", "non-life: motor"}, {"x187", "non-life: marine and transport"},
              {"x188", "non-life: aviation"}, {"x189", "non-life: fire and other damage to property"},
              {"x190", "non-life: liability"}, {"x191", "non-life: credit and suretyship"}, {"x192", "non-life: all classes"},
              {"x193", "life insurance"}, {"x194", "life: marriage and birth assurance"}, {"x195", "life: linked to investment funds"},
              {"x196", "life: permanent health"}, {"x197", "life: tontines"}, {"x198", "life: capital redemption"},
              {"x199", "life: group pension funds"}, {"x200", "life: Article 2(3)(b)(v) operations"},
              {"x201", "life: Article 2(3)(c) operations"}, {"x162", "taking deposits"}, {"x163", "lending"},
              {"x164", "financial leasing"}, {"x165", "issuing and administering means of payment"},
              {"x166", "guarantees and commitments"}, {"x167", "guarantees for securities lending"},
              {"x168", "trading for own account or for customers"}, {"x169", "participation in securities issues"},
              {"x143", "granting credits or loans to investors"}, {"x28", "payment services"}, {"x180", "issuing electronic money"},
              {"x220", "cash placement on a payment account"}, {"x221", "cash withdrawal from a payment account"},
              {"x222", "execution of payment transactions"}, {"x223", "payment transactions on a credit line"},
              {"x224", "issuing payment instruments, acquiring"}, {"x225", "money remittance"},
              {"x226", "payment initiation"}, {"x227", "account information"}, {"x133", "reception and transmission of orders"},
              {"x134", "execution of orders for clients"}, {"x136", "portfolio management"}, {"x137", "investment advice"},
              {"x138", "underwriting or placing on a firm commitment"}, {"x139", "placing without a firm commitment"},
              {"x140", "operation of an MTF"}, {"x141", "operation of an OTF"}, {"x144", "advice to undertakings on capital structure"},
              {"x146", "investment research"}, {"x147", "services related to underwriting"}, {"x170", "advisory services"},
              {"x171", "money broking"}, {"x172", "portfolio management and advice"}, {"x173", "dealing on own account"},
              {"x204", "services on the underlying of derivatives"}, {"x230", "operation of a regulated market"},
              {"x274", "investment advice (MiFID I instruments)"}, {"x174", "safekeeping of securities"},
              {"x175", "safekeeping of financial instruments"}, {"x176", "safekeeping of fund units"},
              {"x177", "non-core safekeeping of fund units"}, {"x178", "safe custody"},
              {"x181", "crypto: reception and transmission of orders"}, {"x182", "crypto: portfolio management"},
              {"x228", "crypto: custody and administration"}, {"x229", "crypto: trading platform"},
              {"x231", "crypto: exchange for funds"}, {"x232", "crypto: exchange for crypto-assets"},
              {"x233", "crypto: execution of orders"}, {"x234", "crypto: placing"}, {"x235", "crypto: advice"},
              {"x236", "crypto: transfer services"}, {"x237", "issuance of asset-referenced tokens"},
              {"x183", "portfolio management (AIFMD)"}, {"x184", "portfolio management (UCITSD)"},
              {"x265", "unit- and shareholder register"}, {"x266", "unit and share issues and redemptions"},
              {"x267", "unit-holder register"}, {"x268", "unit issues and redemptions"}, {"x269", "contract settlements"},
              {"x270", "distribution of income"}, {"x271", "record keeping"}, {"x272", "marketing"},
              {"x273", "AIFM fiduciary duties"}, {"x275", "ancillary services"}, {"x202", "insurance distribution"},
              {"x203", "reinsurance distribution"}, {"x238", "CSD: notary service"}, {"x239", "CSD: central maintenance"},
              {"x240", "CSD: settlement"}, {"x241", "CSD: securities lending mechanism"}, {"x242", "collateral management"},
              {"x243", "general collateral management"}, {"x244", "CSD links and securities accounts"},
              {"x245", "settlement matching and trade confirmation"}, {"x246", "shareholder registers"},
              {"x247", "corporate actions processing"}, {"x248", "new issue services (ISIN)"},
              {"x249", "instruction routing and fee processing"}, {"x253", "CSD: cash accounts and deposits"},
              {"x254", "CSD: cash credit and securities lending"}, {"x255", "CSD: cash and FX payment services"},
              {"x256", "CSD: treasury activities"}, {"x257", "CSD: other non-banking ancillary services"},
              {"x258", "CSD: other banking ancillary services"}, {"x104", "foreign exchange services"},
              {"x179", "credit reference services"}, {"x205", "retirement-benefit operations"}, {"x206", "issuance of credit ratings"},
              {"x207", "benchmark: administering"}, {"x208", "benchmark: input data"}, {"x209", "benchmark: determining"},
              {"x210", "benchmark: publication"}, {"x211", "crowdfunding services"}, {"x212", "ancillary non-securitisation services"},
              {"x213", "ancillary securitisation services"}, {"x214", "records of derivatives"}, {"x215", "records of SFTs"},
              {"x216", "records of securitisations"}, {"x217", "approved publication arrangement"},
              {"x218", "consolidated tape provider"}, {"x219", "approved reporting mechanism"},
              {"x250", "regulatory reporting"}, {"x251", "information and statistics to public bodies"},
              {"x252", "IT services"}, {"x259", "interposition between counterparties"}, {"x260", "risk management"},
              {"x261", "legal and fund accounting"}, {"x262", "customer inquiries"}, {"x263", "valuation and pricing"},
              {"x264", "regulatory compliance monitoring"}}},
    CodeList{"country", "eba_GA", {}},
    CodeList{"currency", "eba_CU", {}},
};

constexpr std::array<std::string_view, 30> kEea{"AT", "BE", "BG", "HR", "CY", "CZ", "DK", "EE", "FI", "FR",
                                                  "DE", "GR", "HU", "IE", "IT", "LV", "LT", "LU", "MT", "NL",
                                                  "PL", "PT", "RO", "SK", "SI", "ES", "SE", "IS", "LI", "NO"};

bool upper_letters(std::string_view text, std::size_t length) {
  return text.size() == length && std::all_of(text.begin(), text.end(), [](char c) { return c >= 'A' && c <= 'Z'; });
}

}  // namespace

const CodeList& code_list(List list) { return kLists[static_cast<std::size_t>(list)]; }

std::optional<std::string> decode(List list, std::string_view cell) {
  if (cell.empty()) return std::nullopt;
  const CodeList& codes = code_list(list);
  std::string_view code = cell;
  if (!codes.prefix.empty() && cell.size() > codes.prefix.size() && cell.substr(0, codes.prefix.size()) == codes.prefix &&
      cell[codes.prefix.size()] == ':')
    code = cell.substr(codes.prefix.size() + 1);
  if (list == List::country) {
    if (code == "qx2007") return std::nullopt;  // not applicable
    if (code == "x28") return "other";
    if (upper_letters(code, 2)) return std::string(code);
  } else if (list == List::currency) {
    if (upper_letters(code, 3)) return std::string(code);
  } else {
    for (const auto& known : codes.codes)
      if (known.code == code) return known.value.empty() ? std::nullopt : std::optional<std::string>(known.value);
  }
  throw Error(fmt::format("'{}' is not a code of the EBA list of {}", cell, codes.name));
}

bool in_eea(std::string_view country) { return std::find(kEea.begin(), kEea.end(), country) != kEea.end(); }

bool valid_lei(std::string_view lei) {
  if (lei.size() != 20) return false;
  for (std::size_t i = 0; i < 20; ++i) {
    char c = lei[i];
    bool digit = c >= '0' && c <= '9';
    if (!(digit || (i < 18 && c >= 'A' && c <= 'Z'))) return false;
  }
  int remainder = 0;
  for (char c : lei) {
    int value = c >= 'A' ? c - 'A' + 10 : c - '0';
    remainder = value >= 10 ? (remainder * 100 + value) % 97 : (remainder * 10 + value) % 97;
  }
  return remainder == 1;
}

}  // namespace vigil::dora
