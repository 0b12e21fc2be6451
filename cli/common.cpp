#include <cstdlib>
#include <unistd.h>
#include <iostream>

#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

#include "cli/commands.hpp"

namespace vigil::cli {

void set_log_colour(const std::string& when) {
  // NO_COLOR (no-color.org): present and not empty turns off the automatic colour; an explicit
  // --color always is still obeyed, as the user asked for it on this command line.
  const char* no_colour = std::getenv("NO_COLOR");
  bool colour_disabled = no_colour && *no_colour != '\0';
  auto mode = when == "always"                     ? spdlog::color_mode::always
              : when == "never" || colour_disabled ? spdlog::color_mode::never
                                                   : spdlog::color_mode::automatic;
  for (auto& sink : spdlog::default_logger()->sinks())
    if (auto coloured = std::dynamic_pointer_cast<spdlog::sinks::stderr_color_sink_mt>(sink)) coloured->set_color_mode(mode);
}

ProgressLine::ProgressLine(std::string activity)
    : activity_(std::move(activity)),
      enabled_(isatty(STDERR_FILENO) || spdlog::get_level() <= spdlog::level::debug),
      started_(std::chrono::steady_clock::now()),
      last_(started_) {}

void ProgressLine::update(std::size_t done, const char* unit, std::size_t total) {
  auto now = std::chrono::steady_clock::now();
  if (!enabled_ || now - last_ < std::chrono::seconds(2)) return;
  last_ = now;
  double seconds = std::chrono::duration<double>(now - started_).count();
  auto rate = static_cast<std::size_t>(static_cast<double>(done) / seconds);
  std::string of_total = total ? fmt::format(" of {}", total) : "";
  std::string percent = total ? fmt::format(", {}%", done * 100 / total) : "";
  spdlog::info("{}: {}{} {}{} ({}/s)", activity_, done, of_total, unit, percent, rate);
}

void ProgressLine::step(const std::string& what) const {
  if (enabled_) spdlog::info("{}: {}", activity_, what);
}

void apply_log_options(const Arguments& arguments) {
  if (auto colour = arguments.value("color")) {
    if (*colour != "auto" && *colour != "always" && *colour != "never")
      throw UsageError(fmt::format("--color '{}': use auto, always or never", *colour));
    set_log_colour(*colour);
  }
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
