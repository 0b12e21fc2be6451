#include "cli/arguments.hpp"

#include <boost/program_options.hpp>

namespace vigil::cli {
namespace {

namespace po = boost::program_options;

constexpr const char* kPositionals = "<positionals>";

[[noreturn]] void unknown_option(const std::string& given, const std::vector<OptionSpec>& specs) {
  std::vector<std::string> names;
  for (const auto& spec : specs) names.push_back(spec.name);
  std::string name = given.substr(std::min(given.size(), given.find_first_not_of('-')));
  throw UsageError(fmt::format("unknown option '{}'", given) + did_you_mean(name, names, "--"));
}

// The option as the user named it: "--db" for "db" or "--db".
std::string long_name(std::string name) {
  while (!name.empty() && name[0] == '-') name.erase(0, 1);
  if (auto comma = name.find(','); comma != std::string::npos) name.erase(comma);
  return name;
}

po::options_description describe(const std::vector<OptionSpec>& specs) {
  po::options_description description;
  for (const auto& spec : specs) {
    std::string names = spec.name + (spec.short_name ? std::string(",") + spec.short_name : std::string());
    switch (spec.arity) {
      case Arity::flag: description.add_options()(names.c_str(), po::bool_switch()); break;
      case Arity::one: description.add_options()(names.c_str(), po::value<std::string>()); break;
      // `--rules a b c`: every value up to the next option, also when the option is given again.
      case Arity::many: description.add_options()(names.c_str(), po::value<std::vector<std::string>>()->multitoken()->composing()); break;
      case Arity::repeated: description.add_options()(names.c_str(), po::value<std::vector<std::string>>()->composing()); break;
    }
  }
  description.add_options()(kPositionals, po::value<std::vector<std::string>>());
  return description;
}

po::variables_map parse(const std::vector<std::string>& args, const std::vector<OptionSpec>& specs) {
  po::positional_options_description positionals;
  positionals.add(kPositionals, -1);
  // No abbreviations (--form for --format): a script must not change meaning when an option is added.
  int style = po::command_line_style::default_style & ~po::command_line_style::allow_guessing;
  po::variables_map map;
  try {
    po::store(po::command_line_parser(args).options(describe(specs)).positional(positionals).style(style).run(), map);
  } catch (const po::unknown_option& error) {
    unknown_option(error.get_option_name(), specs);
  } catch (const po::multiple_occurrences& error) {
    throw UsageError(fmt::format("option '--{}' is given more than once", long_name(error.get_option_name())));
  } catch (const po::invalid_command_line_syntax& error) {
    std::string name = long_name(error.get_option_name());
    if (error.kind() == po::invalid_command_line_syntax::missing_parameter)
      throw UsageError(fmt::format("option '--{}' needs a value", name));
    if (error.kind() == po::invalid_command_line_syntax::extra_parameter)
      throw UsageError(fmt::format("option '--{}' takes no value", name));
    throw UsageError(error.what());
  } catch (const po::error& error) {
    throw UsageError(error.what());
  }
  return map;
}

}  // namespace

Arguments::Arguments(const std::vector<std::string>& args, const std::vector<OptionSpec>& specs) {
  po::variables_map map = parse(args, specs);
  if (map.count(kPositionals)) positionals_ = map[kPositionals].as<std::vector<std::string>>();
  for (const auto& spec : specs) {
    if (!map.count(spec.name)) continue;
    const auto& value = map[spec.name];
    if (spec.arity == Arity::flag) {
      if (value.as<bool>()) flags_[spec.name] = true;
    } else if (spec.arity == Arity::one) {
      values_[spec.name] = {value.as<std::string>()};
    } else {
      values_[spec.name] = value.as<std::vector<std::string>>();
    }
  }
}

std::optional<std::string> Arguments::value(const std::string& name) const {
  auto it = values_.find(name);
  if (it == values_.end() || it->second.empty()) return std::nullopt;
  return it->second.front();
}

std::vector<std::string> Arguments::values(const std::string& name) const {
  auto it = values_.find(name);
  return it == values_.end() ? std::vector<std::string>{} : it->second;
}

std::string Arguments::required(const std::string& name) const {
  auto found = value(name);
  if (!found) throw UsageError(fmt::format("missing required option '--{}'", name));
  return *found;
}

}  // namespace vigil::cli
