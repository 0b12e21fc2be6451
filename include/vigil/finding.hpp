// What an evaluation produces: findings (a rule fired for an entity) and
// evaluation errors (a rule could not be evaluated for an entity).
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <vigil/severity.hpp>

namespace vigil {

// A risk acceptance (CONTRACT section 6): findings of `rule` for `entity`
// ("*": every entity of the rule) are accepted while the evaluation date is
// on or before `expires`.
struct Waiver {
  std::string rule;
  std::string entity;  // an entity id, or "*"
  std::string owner;
  std::string reason;
  std::string expires;  // YYYY-MM-DD
  std::string approved_by;  // optional ("" when not given)
  std::string ticket;       // optional
  std::string where;        // file:line it was read from, for warnings ("" when built through the API)
};

enum class FindingStatus { open, accepted };
const char* status_name(FindingStatus status);
// The status a stored name stands for ("accepted"; anything else is open).
FindingStatus parse_status(std::string_view name);

struct Finding {
  std::string rule;
  std::optional<std::string> entity;  // none for `for portfolio` rules
  std::string kind;                   // the entity's kind, or "portfolio"
  Severity severity = Severity::info;
  std::string message;
  // {"facts": {"V17": {"tier": "critical"}}, "values": {"n": 3}}: the
  // attribute values the rule read and the rule's `let` values, as JSON text.
  std::string evidence_json;
  // Filled after evaluation from the rule, the entity and the waivers.
  std::string title;               // the rule's title ("" when it has none)
  std::vector<std::string> tags;   // the rule's tags
  std::optional<std::string> owner;  // the entity's owner attribute (default `risk_owner`)
  FindingStatus status = FindingStatus::open;
  std::optional<Waiver> waiver;    // the waiver that accepts it (status accepted)
};

struct EvaluationError {
  std::string rule;
  std::optional<std::string> entity;
  std::string attribute;  // the attribute whose value was of an unexpected type, if any
  std::string message;
  std::string location;   // file:line:col of the failing expression
};

struct EvaluationResult {
  std::vector<Finding> findings;  // sorted by rule id, then entity id
  std::vector<EvaluationError> errors;
};


}  // namespace vigil
