// Writes a synthetic portfolio directory (entities/vendor.csv, service.csv,
// category.csv and edges.csv) of any size, for benchmarks.
//
// Supply chains follow a power law: suppliers are drawn from a Zipf
// distribution over vendors, so a few providers serve most vendors (as cloud,
// payment and data-centre providers do), and services depend on vendors the
// same way. Attribute values are spread so that the standard rule pack fires
// on a realistic minority of vendors.
//
// usage: generate_portfolio OUT_DIR [--vendors N] [--services N] [--edges N] [--seed N]
//                           [--incidents N] [--countries N]
// --incidents N writes entities/incident.csv (N incidents, each naming its
// vendor in `vendor`: the join INC-001 makes); --countries N spreads vendors
// over N country codes (default 7) for `for each country` rules.
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <random>
#include <map>
#include <set>
#include <string>
#include <vector>

namespace {

struct Options {
  std::string out;
  long vendors = 100000;
  long services = 10000;
  long edges = 1000000;
  long incidents = 0;
  long countries = 7;
  unsigned seed = 42;
};

// Samples ranks 0..n-1 with P(r) proportional to 1 / (r + 1)^exponent.
class Zipf {
 public:
  Zipf(long n, double exponent) : cumulative_(static_cast<std::size_t>(n)) {
    double total = 0;
    for (long r = 0; r < n; ++r) cumulative_[static_cast<std::size_t>(r)] = total += 1.0 / std::pow(r + 1.0, exponent);
    for (auto& c : cumulative_) c /= total;
  }
  long operator()(std::mt19937_64& random) const {
    double u = std::uniform_real_distribution<double>(0, 1)(random);
    return static_cast<long>(std::lower_bound(cumulative_.begin(), cumulative_.end(), u) - cumulative_.begin());
  }

 private:
  std::vector<double> cumulative_;
};

std::string date(std::mt19937_64& random, int from_year, int to_year) {
  int year = std::uniform_int_distribution<int>(from_year, to_year)(random);
  int month = std::uniform_int_distribution<int>(1, 12)(random);
  int day = std::uniform_int_distribution<int>(1, 28)(random);
  char text[11];
  std::snprintf(text, sizeof text, "%04d-%02d-%02d", year, month, day);
  return text;
}

template <typename T>
const T& pick(std::mt19937_64& random, const std::vector<T>& items, const std::vector<double>& weights) {
  std::discrete_distribution<std::size_t> choose(weights.begin(), weights.end());
  return items[choose(random)];
}

bool chance(std::mt19937_64& random, double p) { return std::uniform_real_distribution<double>(0, 1)(random) < p; }

std::string vendor_id(long i) {
  char text[24];
  std::snprintf(text, sizeof text, "V%07ld", i);
  return text;
}

constexpr const char* kUsage =
    "usage: generate_portfolio OUT_DIR [--vendors N] [--services N] [--edges N] [--seed N] [--incidents N] "
    "[--countries N]\n";

const std::vector<std::string> kCategories{"cloud", "payments", "security", "hr", "crm", "data", "telecom",
                                           "facilities", "consulting", "logistics"};

void write_vendors(const Options& o, std::mt19937_64& random) {
  FILE* f = std::fopen((o.out + "/entities/vendor.csv").c_str(), "w");
  std::fprintf(f, "id,name,category,tier,status,country,annual_spend:number,contract_start:date,contract_end:date,"
                  "last_due_diligence:date,soc2_report_expiry:date,data_access,holds_personal_data:bool,irp_exists:bool,"
                  "irp_last_tested:date,breach_notification_hours:number,has_exit_plan:bool,exit_plan_tested:date,"
                  "offboarding_started:date,offboarded_on:date,access_revoked:bool,data_returned_or_destroyed:bool,"
                  "destruction_certificate:bool,risk_owner\n");
  const std::vector<std::string> tiers{"critical", "high", "medium", "low"}, statuses{"active", "offboarding", "offboarded"},
      access{"none", "internal", "confidential", "restricted"}, owners{"CTO", "CFO", "COO", "CISO", "CHRO", "CDO"};
  std::vector<std::string> countries{"GB", "US", "DE", "FR", "IE", "IN", "NL"};
  countries.resize(static_cast<std::size_t>(std::clamp(o.countries, 1L, 26L * 26)));
  for (std::size_t c = 7, code = 0; c < countries.size(); ++code) {  // two letters, as ISO codes are: AA, AB, ...
    std::string name{static_cast<char>('A' + code / 26), static_cast<char>('A' + code % 26)};
    if (std::find(countries.begin(), countries.begin() + 7, name) == countries.begin() + 7) countries[c++] = name;
  }
  // Spend is log-normal, so no vendor comes near a 15% share of it: the
  // largest provider (V0000000, always active) is given about 18% of the
  // active spend, so that SPEND-001 (and the peers' R3) fire on it alone.
  std::mt19937_64 spend_random(o.seed + 1);
  std::vector<double> spends(static_cast<std::size_t>(o.vendors));
  double others = 0;
  for (auto& spend : spends) others += spend = std::round(std::exp(std::normal_distribution<double>(11, 1.5)(spend_random)));
  spends[0] = std::round(0.25 * 0.9 * (others - spends[0]));  // about 90% of the others are active
  for (long i = 0; i < o.vendors; ++i) {
    // The most used providers (low ranks) are the critical ones.
    std::string tier = i < o.vendors / 1000 ? "critical" : pick(random, tiers, {0.03, 0.12, 0.35, 0.5});
    std::string status = pick(random, statuses, {0.9, 0.03, 0.07});
    if (i == 0) status = "active";
    bool offboarded = status == "offboarded";
    std::string offboarding_started = status == "active" ? "" : date(random, 2024, 2026);
    double spend = spends[static_cast<std::size_t>(i)];
    std::fprintf(f, "%s,Vendor %ld,%s,%s,%s,%s,%.0f,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s\n",
                 vendor_id(i).c_str(), i, kCategories[static_cast<std::size_t>(i) % kCategories.size()].c_str(),
                 tier.c_str(), status.c_str(), countries[random() % countries.size()].c_str(), offboarded ? 0.0 : spend,
                 date(random, 2018, 2024).c_str(), date(random, 2025, 2030).c_str(),
                 chance(random, 0.02) ? "" : date(random, 2022, 2026).c_str(), date(random, 2025, 2027).c_str(),
                 pick(random, access, {0.3, 0.4, 0.2, 0.1}).c_str(), chance(random, 0.3) ? "yes" : "no",
                 chance(random, 0.9) ? "yes" : (chance(random, 0.5) ? "no" : ""),
                 chance(random, 0.1) ? "" : date(random, 2024, 2026).c_str(),
                 chance(random, 0.1) ? "" : std::to_string(24 * (1 + random() % 4)).c_str(),
                 chance(random, 0.8) ? "yes" : "no", date(random, 2023, 2026).c_str(), offboarding_started.c_str(),
                 offboarded ? date(random, 2025, 2026).c_str() : "", offboarded ? (chance(random, 0.8) ? "yes" : "no") : "",
                 offboarded ? (chance(random, 0.85) ? "yes" : "") : "", offboarded ? (chance(random, 0.7) ? "yes" : "no") : "",
                 owners[random() % owners.size()].c_str());
  }
  std::fclose(f);
}

void write_services_and_categories(const Options& o, std::mt19937_64& random) {
  FILE* f = std::fopen((o.out + "/entities/service.csv").c_str(), "w");
  std::fprintf(f, "id,name,criticality,business_owner,customer_facing:bool,rto_hours:number\n");
  const std::vector<std::string> levels{"critical", "high", "medium", "low"};
  for (long i = 0; i < o.services; ++i)
    std::fprintf(f, "S%06ld,Service %ld,%s,Owner %ld,%s,%d\n", i, i, pick(random, levels, {0.1, 0.2, 0.4, 0.3}).c_str(),
                 i % 97, chance(random, 0.4) ? "yes" : "no", static_cast<int>(1 + random() % 72));
  std::fclose(f);
  f = std::fopen((o.out + "/entities/category.csv").c_str(), "w");
  std::fprintf(f, "id,name,max_hhi:number\n");
  for (const auto& c : kCategories) std::fprintf(f, "%s,Category %s,2500\n", c.c_str(), c.c_str());
  std::fclose(f);
}

// Services depend on a few vendors each (a tenth of the edges); vendors
// subcontract the rest. Targets are Zipf-distributed over vendor ranks, and a
// vendor subcontracts to bigger providers (lower ranks) than itself, as in
// real supply chains. Such edges form no loop, so a few edges (one per
// 10,000 vendors, at least 3) close one explicitly: for a chain u -> v
// (-> w), the edge back to u, making R6 / CYC-001 fire at every size. (Each
// such loop pulls a random vendor into a cycle with a big provider; many of
// them would make most of the portfolio one cycle, which no real supply
// chain is.)
void write_edges(const Options& o, std::mt19937_64& random) {
  FILE* f = std::fopen((o.out + "/edges.csv").c_str(), "w");
  std::fprintf(f, "from,to,kind\n");
  Zipf popular(o.vendors, 1.1);
  long service_edges = std::min(o.edges / 10, o.services * std::max(1L, o.vendors / 2));
  std::set<std::pair<long, long>> seen;
  for (long written = 0, tries = 0; written < service_edges && tries < service_edges * 20; ++tries) {
    long service = static_cast<long>(random() % static_cast<unsigned long>(o.services)), vendor = popular(random);
    if (!seen.insert({-1 - service, vendor}).second) continue;
    std::fprintf(f, "S%06ld,%s,depends_on\n", service, vendor_id(vendor).c_str());
    ++written;
  }
  long vendor_edges = o.edges - service_edges;
  long loops = vendor_edges > 0 ? std::max(3L, o.vendors / 10000) : 0;
  std::vector<std::pair<long, long>> chain_edges;
  std::map<long, std::vector<long>> out;
  auto write_edge = [&](long from, long to) {
    std::fprintf(f, "%s,%s,subcontracts\n", vendor_id(from).c_str(), vendor_id(to).c_str());
    chain_edges.emplace_back(from, to);
    out[from].push_back(to);
  };
  long acyclic = vendor_edges - loops;
  for (long written = 0, tries = 0; written < acyclic && tries < acyclic * 20; ++tries) {
    long from = static_cast<long>(random() % static_cast<unsigned long>(o.vendors)), to = popular(random);
    if (to > from) std::swap(from, to);
    if (from == to || !seen.insert({from, to}).second) continue;
    write_edge(from, to);
    ++written;
  }
  for (long written = 0, tries = 0; written < loops && !chain_edges.empty() && tries < loops * 100; ++tries) {
    auto [u, v] = chain_edges[static_cast<std::size_t>(random() % chain_edges.size())];
    long end = v;
    if (chance(random, 0.5) && !out[v].empty()) end = out[v][static_cast<std::size_t>(random() % out[v].size())];
    if (end == u || !seen.insert({end, u}).second) continue;
    std::fprintf(f, "%s,%s,subcontracts\n", vendor_id(end).c_str(), vendor_id(u).c_str());
    ++written;
  }
  std::fclose(f);
}

// Incidents: most vendors have none, a few have many (Zipf over vendors);
// about one in twenty is open and critical.
void write_incidents(const Options& o, std::mt19937_64& random) {
  if (o.incidents <= 0) return;
  FILE* f = std::fopen((o.out + "/entities/incident.csv").c_str(), "w");
  std::fprintf(f, "id,vendor,severity,status,opened:date\n");
  Zipf vendors(o.vendors, 0.8);
  const std::vector<std::string> severities{"critical", "high", "medium", "low"}, statuses{"open", "closed"};
  for (long i = 0; i < o.incidents; ++i)
    std::fprintf(f, "I%07ld,%s,%s,%s,%s\n", i, vendor_id(vendors(random)).c_str(),
                 pick(random, severities, {0.1, 0.2, 0.3, 0.4}).c_str(), pick(random, statuses, {0.4, 0.6}).c_str(),
                 date(random, 2024, 2026).c_str());
  std::fclose(f);
}

}  // namespace

int main(int argc, char** argv) {
  Options o;
  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i];
    auto number = [&] { return i + 1 < argc ? std::stol(argv[++i]) : 0L; };
    if (arg == "--vendors") o.vendors = number();
    else if (arg == "--services") o.services = number();
    else if (arg == "--edges") o.edges = number();
    else if (arg == "--seed") o.seed = static_cast<unsigned>(number());
    else if (arg == "--incidents") o.incidents = number();
    else if (arg == "--countries") o.countries = number();
    else if (o.out.empty() && arg[0] != '-') o.out = arg;
    else {
      std::fprintf(stderr, "%s", kUsage);
      return 2;
    }
  }
  if (o.out.empty() || o.vendors < 1 || o.services < 1 || o.edges < 0) {
    std::fprintf(stderr, "%s", kUsage);
    return 2;
  }
  std::filesystem::create_directories(o.out + "/entities");
  std::mt19937_64 random(o.seed);
  write_vendors(o, random);
  write_services_and_categories(o, random);
  write_edges(o, random);
  std::mt19937_64 incident_random(o.seed + 2);  // its own stream: the other files do not depend on --incidents
  write_incidents(o, incident_random);
  std::fprintf(stderr, "wrote %ld vendors, %ld services, %ld edges and %ld incidents to %s\n", o.vendors, o.services,
               o.edges, o.incidents, o.out.c_str());
  return 0;
}
