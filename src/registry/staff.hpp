// Staff of a unit: the grid leader (网格长), full-time grid workers (专职网格员), the grid
// instructor (网格指导员) and building leaders (楼栋长), as the one map and the dashboard show
// them.
//
// A staff member is a person, who may also be a Steward user (user_id). Phones are sealed with
// the personal-data vault and shown masked. An assignment ends (valid_to) instead of being
// deleted, so past staffing stays in the history. Writes go through the change log.
// Thread-safety: StaffStore is stateless apart from its collaborators (all thread-safe).
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/clock.hpp"
#include "base/id.hpp"
#include "crypto/pii_vault.hpp"
#include "storage/database.hpp"

namespace steward::registry {

// grid_leader | grid_worker | grid_instructor | building_leader
bool IsStaffRole(std::string_view role);
const char* StaffRoleLabel(std::string_view role);  // 网格长, 专职网格员, 网格指导员, 楼栋长

struct NewStaff {
  Id unit_id = 0;
  std::string role;
  std::string name;
  std::optional<std::string> phone;  // as typed; normalised and sealed
  std::optional<Id> user_id;
  std::optional<Id> building_id;
};

struct Staff {
  Id id = 0;
  Id unit_id = 0;
  std::string role;
  std::string name;
  std::optional<Id> user_id;
  std::optional<Id> building_id;
  std::optional<std::string> phone_masked;
  std::string valid_from;
  int64_t version = 0;
};

class StaffStore {
 public:
  StaffStore(const crypto::PiiVault& vault, IdGenerator& ids, const Clock& clock)
      : vault_(vault), ids_(ids), clock_(clock) {}

  // kInvalidArgument for an unknown role, an empty name, a bad phone, a building leader without a
  // building in the unit's subtree, or a grid role on a unit that is not a grid.
  Result<Staff> Assign(storage::WriteTransaction& transaction, const NewStaff& staff);
  // Current staff of a unit, by role then name.
  Result<std::vector<Staff>> List(storage::Connection& connection, Id unit_id);
  // Ends an assignment today; kNotFound when it is not a current one of `unit_id`.
  Status End(storage::WriteTransaction& transaction, Id unit_id, Id staff_id);

 private:
  const crypto::PiiVault& vault_;
  IdGenerator& ids_;
  const Clock& clock_;
};

}  // namespace steward::registry
