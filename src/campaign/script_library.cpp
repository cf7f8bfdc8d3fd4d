#include "campaign/script_library.hpp"

#include "campaign/script_check.hpp"
#include "campaign/templates.hpp"

namespace steward::campaign {
namespace {

using storage::RowView;
using storage::Value;

constexpr const char* kColumns =
    "SELECT name, version, script_json, created_by, created_at FROM script_version ";

Result<SavedScript> FromRow(const RowView& row) {
  SavedScript saved;
  saved.name = std::string(row.Text(0));
  saved.version = row.Int(1);
  STEWARD_ASSIGN_OR_RETURN(saved.script, ParseScriptText(std::string(row.Text(2))));
  saved.created_by = std::string(row.Text(3));
  saved.created_at = row.Int(4);
  return saved;
}

Result<std::vector<SavedScript>> Select(storage::Connection& connection, const std::string& sql,
                                        std::span<const Value> params) {
  std::vector<SavedScript> found;
  Status status = Ok();
  STEWARD_TRY(connection.QueryEach(sql, params, [&](const RowView& row) {
    auto saved = FromRow(row);
    if (!saved && status) status = tl::unexpected(saved.error());
    if (saved) found.push_back(std::move(*saved));
  }));
  STEWARD_TRY(status);
  return found;
}

}  // namespace

Status RefuseScriptErrors(const std::vector<Finding>& findings) {
  if (!HasErrors(findings)) return Ok();
  Error error{ErrorCode::kInvalidArgument, "话术有错误，不能使用 / the script has errors", {}};
  for (const auto& finding : findings) {
    if (finding.severity == Severity::kError) {
      error.details.push_back({finding.node_id, finding.code, finding.message});
    }
  }
  return tl::unexpected(std::move(error));
}

Result<SavedScript> ScriptLibrary::Save(storage::WriteTransaction& transaction,
                                        const Script& script) const {
  if (BuiltInScript(script.name)) {
    return Fail(ErrorCode::kAlreadyExists,
                "“" + script.name +
                    "”是内置话术的名字，请另取一个名字保存 / that name belongs to a built-in "
                    "script: save the copy under a name of its own");
  }
  std::vector<Finding> findings = CheckScript(script);
  STEWARD_TRY(RefuseScriptErrors(findings));
  auto& connection = transaction.connection();
  STEWARD_ASSIGN_OR_RETURN(
      auto latest,
      connection.QueryInt("SELECT max(version) FROM script_version WHERE name = ?", {script.name}));
  SavedScript saved;
  saved.name = script.name;
  saved.version = latest.value_or(0) + 1;
  saved.script = script;
  saved.created_by = transaction.context().actor;
  saved.created_at = clock_.NowMillis();
  saved.warnings = std::move(findings);  // no errors among them
  auto inserted = connection.Execute(
      "INSERT INTO script_version (name, version, title, script_json, created_by, created_at) "
      "VALUES (?, ?, ?, ?, ?, ?)",
      {saved.name, saved.version, script.title, ScriptToJson(script).dump(), saved.created_by,
       saved.created_at});
  if (!inserted && inserted.error().code == ErrorCode::kAlreadyExists) {
    return Fail(
        ErrorCode::kConflict,
        "同时有人保存了这个话术，请重新打开后再保存 / someone saved this script at the same "
        "time: reopen it and save again");
  }
  STEWARD_TRY(inserted);
  return saved;
}

Result<SavedScript> ScriptLibrary::Get(storage::Connection& connection, const std::string& name,
                                       std::optional<int64_t> version) {
  std::vector<Value> params{name};
  std::string sql = std::string(kColumns) + "WHERE name = ? ";
  if (version) {
    sql += "AND version = ?";
    params.emplace_back(*version);
  } else {
    sql += "ORDER BY version DESC LIMIT 1";
  }
  STEWARD_ASSIGN_OR_RETURN(auto found, Select(connection, sql, params));
  if (found.empty()) {
    return Fail(ErrorCode::kNotFound,
                "话术库里没有“" + name + "”" +
                    (version ? " 第 " + std::to_string(*version) + " 版" : "") +
                    " / no such saved script");
  }
  return std::move(found.front());
}

Result<std::vector<SavedScript>> ScriptLibrary::List(storage::Connection& connection) {
  return Select(connection,
                std::string(kColumns) +
                    "s WHERE version = (SELECT max(version) FROM script_version l "
                    "WHERE l.name = s.name) ORDER BY name",
                {});
}

Result<std::vector<SavedScript>> ScriptLibrary::Versions(storage::Connection& connection,
                                                         const std::string& name) {
  const std::vector<Value> params{name};
  return Select(connection, std::string(kColumns) + "WHERE name = ? ORDER BY version DESC", params);
}

Result<SavedScript> FindScript(storage::Connection& connection, const std::string& name) {
  auto saved = ScriptLibrary::Get(connection, name);
  if (saved || saved.error().code != ErrorCode::kNotFound) return saved;
  auto built_in = BuiltInScript(name);
  if (!built_in) {
    return Fail(ErrorCode::kNotFound, "内置话术和话术库里都没有“" + name +
                                          "” / no built-in or saved script of that name");
  }
  SavedScript found;
  found.name = name;
  found.script = std::move(*built_in);
  return found;
}

}  // namespace steward::campaign
