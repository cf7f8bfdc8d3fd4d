#include "segment/saved.hpp"

namespace steward::segment {
namespace {

using storage::Connection;

size_t Characters(const std::string& text) {
  size_t count = 0;
  for (unsigned char byte : text) count += (byte & 0xC0) != 0x80;
  return count;
}

bool Blank(const std::string& text) {
  return text.find_first_not_of(" \t\r\n") == std::string::npos;
}

Status CheckName(const std::string& name) {
  if (Blank(name) || Characters(name) > 100) {
    return Fail(ErrorCode::kInvalidArgument,
                "分群名称应为 1 至 100 个字 / name: 1 to 100 characters",
                {{"name", "segment.name", "分群名称应为 1 至 100 个字 / 1 to 100 characters"}});
  }
  return {};
}

Status CheckDescription(const std::string& description) {
  if (Characters(description) > 1000) {
    return Fail(
        ErrorCode::kInvalidArgument, "说明最多 1000 个字 / description: at most 1,000 characters",
        {{"description", "segment.description", "最多 1000 个字 / at most 1,000 characters"}});
  }
  return {};
}

constexpr const char* kColumns =
    "SELECT s.id, s.name, s.description, s.version, s.query_text, s.created_by, s.created_at, "
    "s.updated_at, s.deleted_at, v.version, v.query_json FROM segment s JOIN segment_version v "
    "ON v.segment_id = s.id AND v.version = (SELECT max(w.version) "
    "FROM segment_version w WHERE w.segment_id = s.id) ";

SavedSegment FromRow(const storage::RowView& row) {
  SavedSegment segment;
  segment.id = row.Int(0);
  segment.name = std::string(row.Text(1));
  segment.description = std::string(row.Text(2));
  segment.version = row.Int(3);
  segment.text = std::string(row.Text(4));
  segment.created_by = std::string(row.Text(5));
  segment.created_at = row.Int(6);
  segment.updated_at = row.Int(7);
  segment.deleted = !row.IsNull(8);
  segment.query_version = row.Int(9);
  segment.tree = nlohmann::json::parse(row.Text(10), nullptr, false);
  return segment;
}

Result<std::optional<SavedSegment>> Find(Connection& connection, Id id) {
  std::optional<SavedSegment> found;
  STEWARD_TRY(connection.QueryEach(std::string(kColumns) + "WHERE s.id = ?",
                                   std::vector<storage::Value>{id},
                                   [&](const storage::RowView& row) { found = FromRow(row); }));
  return found;
}

Status InsertVersion(Connection& connection, Id id, int64_t version, const Query& query,
                     const std::string& actor, int64_t now) {
  return connection
      .Execute(
          "INSERT INTO segment_version (segment_id, version, query_text, query_json, created_by, "
          "created_at) VALUES (?, ?, ?, ?, ?, ?)",
          {id, version, ToText(query), ToJson(query).dump(), actor, now})
      .transform([](int64_t) {});
}

}  // namespace

Result<SavedSegment> SegmentStore::Create(storage::WriteTransaction& transaction,
                                          const NewSegment& segment) {
  STEWARD_TRY(CheckName(segment.name));
  STEWARD_TRY(CheckDescription(segment.description));
  Connection& connection = transaction.connection();
  const Id id = ids_.Next();
  const int64_t now = clock_.NowMillis();
  const std::string& actor = transaction.context().actor;
  const std::string text = ToText(segment.query);
  STEWARD_TRY(connection.Execute(
      "INSERT INTO segment (id, name, description, version, query_text, created_by, created_at, "
      "updated_at) VALUES (?, ?, ?, 1, ?, ?, ?, ?)",
      {id, segment.name, segment.description, text, actor, now, now}));
  STEWARD_TRY(InsertVersion(connection, id, 1, segment.query, actor, now));
  transaction.RecordChange({"segment",
                            id,
                            1,
                            storage::ChangeOp::kCreate,
                            {{"name", segment.name},
                             {"description", segment.description},
                             {"query", text},
                             {"query_version", 1}}});
  STEWARD_ASSIGN_OR_RETURN(auto created, Find(connection, id));
  return std::move(*created);
}

Result<SavedSegment> SegmentStore::Update(storage::WriteTransaction& transaction, Id id,
                                          int64_t expected_version, const SegmentPatch& patch) {
  Connection& connection = transaction.connection();
  STEWARD_ASSIGN_OR_RETURN(auto found, Find(connection, id));
  if (!found || found->deleted) {
    return Fail(ErrorCode::kNotFound, "没有这个分群 / no such segment");
  }
  if (found->version != expected_version) {
    return Fail(ErrorCode::kConflict, "分群已被他人修改 / the segment changed meanwhile");
  }
  nlohmann::json fields = nlohmann::json::object();
  SavedSegment next = *found;
  if (patch.name && *patch.name != found->name) {
    STEWARD_TRY(CheckName(*patch.name));
    fields["name"] = {{"old", found->name}, {"new", *patch.name}};
    next.name = *patch.name;
  }
  if (patch.description && *patch.description != found->description) {
    STEWARD_TRY(CheckDescription(*patch.description));
    fields["description"] = {{"old", found->description}, {"new", *patch.description}};
    next.description = *patch.description;
  }
  const int64_t now = clock_.NowMillis();
  if (patch.query && ToText(*patch.query) != found->text) {
    next.text = ToText(*patch.query);
    next.query_version = found->query_version + 1;
    STEWARD_TRY(InsertVersion(connection, id, next.query_version, *patch.query,
                              transaction.context().actor, now));
    fields["query"] = {{"old", found->text}, {"new", next.text}};
    fields["query_version"] = {{"old", found->query_version}, {"new", next.query_version}};
  }
  if (fields.empty()) return std::move(*found);  // nothing changed: no new version
  STEWARD_ASSIGN_OR_RETURN(
      auto updated,
      connection.Execute("UPDATE segment SET name = ?, description = ?, query_text = ?, "
                         "version = version + 1, updated_at = ? WHERE id = ? AND version = ?",
                         {next.name, next.description, next.text, now, id, expected_version}));
  if (updated != 1) {
    return Fail(ErrorCode::kConflict, "分群已被他人修改 / the segment changed meanwhile");
  }
  transaction.RecordChange(
      {"segment", id, expected_version + 1, storage::ChangeOp::kUpdate, std::move(fields)});
  STEWARD_ASSIGN_OR_RETURN(auto reread, Find(connection, id));
  return std::move(*reread);
}

Status SegmentStore::Delete(storage::WriteTransaction& transaction, Id id,
                            int64_t expected_version) {
  Connection& connection = transaction.connection();
  STEWARD_ASSIGN_OR_RETURN(auto found, Find(connection, id));
  if (!found || found->deleted) {
    return Fail(ErrorCode::kNotFound, "没有这个分群 / no such segment");
  }
  const int64_t now = clock_.NowMillis();
  STEWARD_ASSIGN_OR_RETURN(
      auto updated,
      connection.Execute("UPDATE segment SET deleted_at = ?, updated_at = ?, version = version + 1 "
                         "WHERE id = ? AND version = ? AND deleted_at IS NULL",
                         {now, now, id, expected_version}));
  if (updated != 1) {
    return Fail(ErrorCode::kConflict, "分群已被他人修改 / the segment changed meanwhile");
  }
  transaction.RecordChange(
      {"segment", id, expected_version + 1, storage::ChangeOp::kDelete, nlohmann::json::object()});
  return {};
}

Result<SavedSegment> SegmentStore::Get(Connection& connection, Id id) {
  STEWARD_ASSIGN_OR_RETURN(auto found, Find(connection, id));
  if (!found || found->deleted) {
    return Fail(ErrorCode::kNotFound, "没有这个分群 / no such segment");
  }
  return std::move(*found);
}

Result<std::vector<SavedSegment>> SegmentStore::List(Connection& connection) {
  std::vector<SavedSegment> segments;
  STEWARD_TRY(connection.QueryEach(
      std::string(kColumns) + "WHERE s.deleted_at IS NULL ORDER BY s.name, s.id", {},
      [&](const storage::RowView& row) { segments.push_back(FromRow(row)); }));
  return segments;
}

Result<std::vector<SegmentVersion>> SegmentStore::Versions(Connection& connection, Id id) {
  std::vector<SegmentVersion> versions;
  STEWARD_TRY(connection.QueryEach(
      "SELECT version, query_text, query_json, created_by, created_at FROM segment_version "
      "WHERE segment_id = ? ORDER BY version DESC",
      std::vector<storage::Value>{id}, [&](const storage::RowView& row) {
        versions.push_back({row.Int(0), std::string(row.Text(1)),
                            nlohmann::json::parse(row.Text(2), nullptr, false),
                            std::string(row.Text(3)), row.Int(4)});
      }));
  if (versions.empty()) return Fail(ErrorCode::kNotFound, "没有这个分群 / no such segment");
  return versions;
}

Result<SegmentVersion> SegmentStore::Version(Connection& connection, Id id, int64_t version) {
  std::optional<SegmentVersion> found;
  STEWARD_TRY(connection.QueryEach(
      "SELECT version, query_text, query_json, created_by, created_at FROM segment_version "
      "WHERE segment_id = ? AND version = ?",
      std::vector<storage::Value>{id, version}, [&](const storage::RowView& row) {
        found = SegmentVersion{row.Int(0), std::string(row.Text(1)),
                               nlohmann::json::parse(row.Text(2), nullptr, false),
                               std::string(row.Text(3)), row.Int(4)};
      }));
  if (!found) {
    return Fail(ErrorCode::kNotFound, "没有这个分群版本 / no such segment version");
  }
  return std::move(*found);
}

}  // namespace steward::segment
