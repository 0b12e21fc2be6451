// Risks accepted in the workbench (or any client of `vigil serve`): waivers kept
// in their own table, which imports do not replace, with an audit list of every
// waiver created, changed or revoked (who and when). Runs apply them like imported ones.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include <vigil/finding.hpp>

#include "engine/store/database.hpp"

namespace vigil {

struct StoredWaiver {
  Waiver waiver;
  std::string origin;      // "import" (waivers.csv, JSON) or "workbench"
  std::string created_by;  // workbench only
  std::string created_at;
};

struct WaiverEvent {
  std::string at, actor, action;  // action: created, changed or revoked
  Waiver waiver;                  // as it was after the change (for revoked: as it was)
};

// Creates the workbench waiver for (rule, entity), or changes it; records who and when. Returns the
// action recorded ("created" or "changed"). The caller has validated the fields.
std::string save_workbench_waiver(Database& db, const Waiver& waiver, const std::string& actor);
// Removes it and records who and when; false when there is no such workbench waiver.
bool revoke_workbench_waiver(Database& db, const std::string& rule, const std::string& entity, const std::string& actor);
// Every waiver, imported and workbench, by rule then entity.
std::vector<StoredWaiver> list_waivers(Database& db);
// The audit list, newest first.
std::vector<WaiverEvent> waiver_audit(Database& db);

}  // namespace vigil
