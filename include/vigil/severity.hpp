// Severities of findings, from least to most severe.
#pragma once

#include <optional>
#include <string_view>

namespace vigil {

enum class Severity { info, low, medium, high, critical };

// Most severe first: the order of summaries and reports.
inline constexpr Severity kSeveritiesMostSevereFirst[] = {Severity::critical, Severity::high, Severity::medium,
                                                          Severity::low, Severity::info};

const char* severity_name(Severity severity);  // "info" ... "critical"
std::optional<Severity> parse_severity(std::string_view name);

}  // namespace vigil
