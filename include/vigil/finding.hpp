// What an evaluation produces: findings (a rule fired for an entity) and
// evaluation errors (a rule could not be evaluated for an entity).
#pragma once

#include <optional>
#include <string>
#include <vector>

#include <vigil/severity.hpp>

namespace vigil {

struct Finding {
  std::string rule;
  std::optional<std::string> entity;  // none for `for portfolio` rules
  std::string kind;                   // the entity's kind, or "portfolio"
  Severity severity = Severity::info;
  std::string message;
  // {"facts": {"V17": {"tier": "critical"}}, "values": {"n": 3}}: the
  // attribute values the rule read and the rule's `let` values, as JSON text.
  std::string evidence_json;
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
