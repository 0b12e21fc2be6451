// Bad input found while importing facts: what() is "file:line: message".
#pragma once

#include <string>

#include <fmt/format.h>

#include "dsl/diagnostic.hpp"

namespace vigil {

class ImportError : public Error {
 public:
  ImportError(const std::string& file, std::size_t line, const std::string& message)
      : Error(line > 0 ? fmt::format("{}:{}: {}", file, line, message) : fmt::format("{}: {}", file, message)) {}
};

}  // namespace vigil
