// Saved segments (人群圈选): named queries with versions, kept in `segment` and `segment_version`.
//
// A saved segment has a name, a description and a query; editing the query makes a new version
// and keeps the old ones, so a campaign or notice that recorded (segment id, version) can always
// show exactly what it targeted. Renaming or describing does not make a new query version but
// still bumps the record's version (the If-Match token). A deleted segment keeps its row and its
// versions (deleted_at set): what referred to it stays explainable; it is no longer listed or
// editable. Every change is recorded in the change log (entity `segment`); a stale version is
// kConflict. Queries are stored as their canonical text and their JSON tree; the store checks
// syntax only (names of units and tags are checked by the caller against the read model, which
// knows them).
// Thread-safety: stateless; the caller owns the transaction or connection.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "base/clock.hpp"
#include "base/id.hpp"
#include "base/result.hpp"
#include "segment/query.hpp"
#include "storage/database.hpp"

namespace steward::segment {

struct SegmentVersion {
  int64_t version = 0;  // the query version: 1, 2, ...
  std::string text;     // canonical (ToText)
  nlohmann::json tree;  // ToJson
  std::string created_by;
  int64_t created_at = 0;  // epoch ms
};

struct SavedSegment {
  Id id = 0;
  std::string name;
  std::string description;
  int64_t version = 0;        // the record's version (If-Match); bumped by every change
  int64_t query_version = 0;  // the latest query version
  std::string text;           // the latest query's canonical text
  nlohmann::json tree;
  std::string created_by;
  int64_t created_at = 0;
  int64_t updated_at = 0;
  bool deleted = false;
};

struct NewSegment {
  std::string name;
  std::string description;
  Query query;
};

struct SegmentPatch {
  std::optional<std::string> name;
  std::optional<std::string> description;
  std::optional<Query> query;  // a new query version when it differs from the latest one
};

class SegmentStore {
 public:
  SegmentStore(IdGenerator& ids, const Clock& clock) : ids_(ids), clock_(clock) {}

  // kInvalidArgument for a blank or over-long name (1 to 100 characters) or description (1,000).
  Result<SavedSegment> Create(storage::WriteTransaction& transaction, const NewSegment& segment);
  // kNotFound (also for a deleted one); kConflict when it is no longer at `expected_version`.
  Result<SavedSegment> Update(storage::WriteTransaction& transaction, Id id,
                              int64_t expected_version, const SegmentPatch& patch);
  // Marks it deleted; kNotFound, kConflict as Update.
  Status Delete(storage::WriteTransaction& transaction, Id id, int64_t expected_version);

  // kNotFound for an unknown or deleted id.
  static Result<SavedSegment> Get(storage::Connection& connection, Id id);
  // Live segments by name, then id.
  static Result<std::vector<SavedSegment>> List(storage::Connection& connection);
  // Every query version, newest first (also of a deleted segment).
  static Result<std::vector<SegmentVersion>> Versions(storage::Connection& connection, Id id);
  // One query version (also of a deleted segment); kNotFound when there is none.
  static Result<SegmentVersion> Version(storage::Connection& connection, Id id, int64_t version);

 private:
  IdGenerator& ids_;
  const Clock& clock_;
};

}  // namespace steward::segment
