#include "cli/arguments.hpp"

#include <algorithm>

namespace vigil::cli {
namespace {

const OptionSpec* find_spec(const std::vector<OptionSpec>& specs, const std::string& name) {
  for (const auto& spec : specs)
    if (spec.name == name) return &spec;
  return nullptr;
}

const OptionSpec* find_short(const std::vector<OptionSpec>& specs, char name) {
  for (const auto& spec : specs)
    if (spec.short_name == name) return &spec;
  return nullptr;
}

[[noreturn]] void unknown_option(const std::string& given, const std::vector<OptionSpec>& specs) {
  std::vector<std::string> names;
  for (const auto& spec : specs) names.push_back(spec.name);
  std::string name = given.substr(given.find_first_not_of('-'));
  std::string message = fmt::format("unknown option '{}'", given);
  message += did_you_mean(name, names, "--");
  throw UsageError(message);
}

}  // namespace

Arguments::Arguments(const std::vector<std::string>& args, const std::vector<OptionSpec>& specs) {
  bool only_positionals = false;
  for (std::size_t i = 0; i < args.size(); ++i) {
    const std::string& arg = args[i];
    if (only_positionals || arg.size() < 2 || arg[0] != '-' || (arg[1] != '-' && std::isdigit(static_cast<unsigned char>(arg[1])))) {
      positionals_.push_back(arg);
      continue;
    }
    if (arg == "--") {
      only_positionals = true;
      continue;
    }
    const OptionSpec* spec = nullptr;
    std::optional<std::string> inline_value;
    if (arg[1] == '-') {
      std::string name = arg.substr(2);
      if (auto eq = name.find('='); eq != std::string::npos) {
        inline_value = name.substr(eq + 1);
        name = name.substr(0, eq);
      }
      spec = find_spec(specs, name);
    } else if (arg.size() == 2) {
      spec = find_short(specs, arg[1]);
    }
    if (!spec) unknown_option(arg, specs);
    if (spec->arity == Arity::flag) {
      if (inline_value) throw UsageError(fmt::format("option '--{}' takes no value", spec->name));
      flags_[spec->name] = true;
      continue;
    }
    auto& slot = values_[spec->name];
    if (spec->arity == Arity::one && !slot.empty())
      throw UsageError(fmt::format("option '--{}' is given more than once", spec->name));
    if (inline_value) {
      slot.push_back(*inline_value);
      continue;
    }
    std::size_t taken = 0;
    while (i + 1 < args.size() && (args[i + 1].empty() || args[i + 1][0] != '-' || args[i + 1] == "-")) {
      slot.push_back(args[++i]);
      ++taken;
      if (spec->arity == Arity::one || spec->arity == Arity::repeated) break;
    }
    if (taken == 0) throw UsageError(fmt::format("option '--{}' needs a value", spec->name));
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
