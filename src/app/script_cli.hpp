// `steward script list|validate|try`: scripts (话术) from the terminal. They need no database:
// a script is a built-in template's name or a JSON file.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace steward::app {

struct ScriptTryFlags {
  std::string script;               // a built-in name or a .json file
  std::string as = "王秀英,女,78";  // the resident called: name, gender, age
  std::string persona;              // empty: you answer in the terminal
  uint64_t seed = 1;
  std::vector<std::string> vars;  // NAME=VALUE: campaign fields and other variables
};

int RunScriptList(bool json);
// Prints the checker's findings and a dry run against every persona; exit 1 when there is an error.
int RunScriptValidate(const std::string& script, bool json);
int RunScriptTry(const ScriptTryFlags& flags, bool json);

}  // namespace steward::app
