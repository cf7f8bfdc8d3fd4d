// The script library (话术库): staff's own scripts, versioned, in `script_version`.
//
// Saving a script validates it (CheckScript: a script with errors is refused, warnings are kept
// with it for the caller to show) and stores it as the next version of its name (1 for a new
// name); versions are never edited or removed. The names of the built-in templates are reserved
// (a copy is saved under a name of its own). FindScript is how a campaign or a "try" names a
// script: a saved one's latest version, else a built-in template (version 0).
// Thread-safety: stateless; the caller owns the transaction or connection. Two saves of one name
// at once: the second's insert fails on the primary key (kConflict), nothing half-written.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "base/clock.hpp"
#include "base/result.hpp"
#include "campaign/script.hpp"
#include "campaign/script_check.hpp"
#include "storage/database.hpp"

namespace steward::campaign {

struct SavedScript {
  std::string name;
  int64_t version = 0;  // 0: a built-in template
  Script script;
  std::string created_by;         // "" for a built-in template
  int64_t created_at = 0;         // epoch ms; 0 for a built-in template
  std::vector<Finding> warnings;  // what the validator warned of; filled by Save only
  bool built_in() const { return version == 0; }
};

class ScriptLibrary {
 public:
  explicit ScriptLibrary(const Clock& clock) : clock_(clock) {}

  // The next version of script.name, with the validator's warnings. kInvalidArgument with its
  // errors as details (field = node id, code = the finding's code) when CheckScript finds errors;
  // kAlreadyExists for a built-in template's name; kConflict when another save of the same name
  // won the race.
  Result<SavedScript> Save(storage::WriteTransaction& transaction, const Script& script) const;

  // The latest version of a saved script, or `version`; kNotFound when there is none.
  static Result<SavedScript> Get(storage::Connection& connection, const std::string& name,
                                 std::optional<int64_t> version = std::nullopt);
  // The latest version of every saved script, by name.
  static Result<std::vector<SavedScript>> List(storage::Connection& connection);
  // Every version of one name, newest first (empty for an unknown name).
  static Result<std::vector<SavedScript>> Versions(storage::Connection& connection,
                                                   const std::string& name);

 private:
  const Clock& clock_;
};

// kInvalidArgument listing the errors among `findings` (field = node id, code = the finding's);
// Ok when there are none (warnings do not refuse).
Status RefuseScriptErrors(const std::vector<Finding>& findings);

// The script called `name`: a saved one's latest version, else the built-in template (version 0);
// kNotFound naming both places when neither has it.
Result<SavedScript> FindScript(storage::Connection& connection, const std::string& name);

}  // namespace steward::campaign
