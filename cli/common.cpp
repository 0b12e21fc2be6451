#include <iostream>

#include <spdlog/spdlog.h>

#include "cli/commands.hpp"

namespace vigil::cli {

std::vector<OptionSpec> with_common_options(std::vector<OptionSpec> specs) {
  specs.push_back({"verbose", Arity::flag, 'v'});
  specs.push_back({"quiet", Arity::flag, 'q'});
  return specs;
}

void apply_log_options(const Arguments& arguments) {
  if (arguments.flag("verbose") && arguments.flag("quiet")) throw UsageError("--verbose and --quiet exclude each other");
  if (arguments.flag("verbose")) spdlog::set_level(spdlog::level::debug);
  if (arguments.flag("quiet")) spdlog::set_level(spdlog::level::err);
}

void print_diagnostics(const std::vector<Diagnostic>& diagnostics) {
  for (const auto& d : diagnostics) {
    if (d.level == DiagnosticLevel::warning && spdlog::get_level() > spdlog::level::warn) continue;
    std::cerr << d.format();
  }
}

Date as_of_option(const Arguments& arguments) {
  auto text = arguments.value("as-of");
  if (!text) return local_today();
  auto date = parse_iso_date(*text);
  if (!date) throw UsageError(fmt::format("--as-of: {}", explain_invalid_date(*text)));
  return *date;
}

std::optional<long long> whole_number(const std::string& text, std::size_t max_digits) {
  if (text.empty() || text.size() > max_digits || text.find_first_not_of("0123456789") != std::string::npos)
    return std::nullopt;
  return std::stoll(text);
}

}  // namespace vigil::cli
