// Command-line arguments: positionals, `--name value`, `--name=value`,
// options that take several values (`--rules a b c`) and flags, parsed with
// Boost.Program_options; its errors become UsageErrors in Vigil's words.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "dsl/diagnostic.hpp"

namespace vigil::cli {

// Misuse of the command line: exit code 2 with a hint to --help.
class UsageError : public Error {
 public:
  using Error::Error;
};

// many: every value up to the next option; repeated: one value each time, the option may repeat (--tag a --tag b).
enum class Arity { flag, one, many, repeated };

struct OptionSpec {
  std::string name;  // without the leading dashes
  Arity arity;
  char short_name = 0;
  std::string value_name = {};           // "DB", "DATE" (flags have none)
  std::string default_text = {};         // what applies when the option is not given ("" when nothing)
  std::string help = {};                 // one sentence
  std::vector<std::string> choices = {};  // the values it takes, when they are a list (completion)
  bool required = false;
};

class Arguments {
 public:
  Arguments(const std::vector<std::string>& args, const std::vector<OptionSpec>& specs);

  const std::vector<std::string>& positionals() const { return positionals_; }
  bool flag(const std::string& name) const { return flags_.count(name) > 0; }
  std::optional<std::string> value(const std::string& name) const;
  std::vector<std::string> values(const std::string& name) const;
  std::string required(const std::string& name) const;

 private:
  std::vector<std::string> positionals_;
  std::map<std::string, std::vector<std::string>> values_;
  std::map<std::string, bool> flags_;
};

}  // namespace vigil::cli
