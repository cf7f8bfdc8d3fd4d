// `steward script list|validate|try|save`: scripts (话术) from the terminal. A script is named by
// a JSON file, a built-in template's name or a name in the script library (话术库); the database
// is opened only for the library (list, save, or a name that is neither a file nor a template).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "app/runtime.hpp"
#include "campaign/script_library.hpp"

namespace steward::app {

// The script `name_or_file` names: a JSON file (version 0), else a built-in template (version 0),
// else the library's latest version of that name. `database` may be null when the caller has not
// opened one: a library name is then kNotFound. Shared by the script and campaign commands.
Result<campaign::SavedScript> LoadScript(storage::Database* database,
                                         const std::string& name_or_file);

struct ScriptTryFlags {
  std::string script;               // a .json file, a built-in name or a saved name
  std::string as = "王秀英,女,78";  // the resident called: name, gender, age
  std::string persona;              // empty: you answer in the terminal
  uint64_t seed = 1;
  std::vector<std::string> vars;  // NAME=VALUE: campaign fields and other variables
};

// The built-in templates (version 0), then the library's scripts at their latest version.
int RunScriptList(const Globals& globals);
// Prints the checker's findings and a dry run against every persona; exit 1 when there is an error.
int RunScriptValidate(const Globals& globals, const std::string& script);
int RunScriptTry(const Globals& globals, const ScriptTryFlags& flags);
// Saves a JSON file as the next version of its name in the library (refused, exit 2, when the
// validator finds errors or the name is a built-in template's); prints the version.
int RunScriptSave(const Globals& globals, const std::string& file);

}  // namespace steward::app
