#include "campaign/templates.hpp"

#include <stdexcept>

#include "storage/embedded_file.hpp"

namespace steward::campaign {

extern const std::vector<storage::EmbeddedFile> kScriptTemplateFiles;

const std::vector<Script>& BuiltInScripts() {
  static const std::vector<Script> kScripts = [] {
    std::vector<Script> scripts;
    for (const auto& file : kScriptTemplateFiles) {
      auto script = ParseScriptText(std::string(file.content));
      // The templates are part of the program; one that does not parse is a bug (and a test fails).
      if (!script) throw std::logic_error("bad built-in script " + std::string(file.name));
      scripts.push_back(std::move(*script));
    }
    return scripts;
  }();
  return kScripts;
}

Result<Script> BuiltInScript(const std::string& name) {
  for (const auto& script : BuiltInScripts()) {
    if (script.name == name) return script;
  }
  return Fail(ErrorCode::kNotFound, "没有名为 " + name + " 的话术 / no script named " + name);
}

}  // namespace steward::campaign
