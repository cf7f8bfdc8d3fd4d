// The change log: every write, in commit order, with who, when, from where and what changed.
//
// It is also the history of every record (ReadHistory). Readers follow it with a cursor
// (ReadChangesSince): sequence numbers are dense (1, 2, 3, ...) and a number becomes visible only
// after every smaller number is visible, on both engines and with concurrent PostgreSQL writers,
// because numbers are taken from one counter row updated just before commit (the row lock orders
// the commits). So "seq > cursor" never skips a row that commits later.
// Thread-safety: free functions on a borrowed Connection.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "base/id.hpp"
#include "storage/connection.hpp"

namespace steward::storage {

struct ChangeEntry {
  int64_t seq = 0;
  int64_t at_millis = 0;
  std::string actor;
  std::string source;
  std::string entity;
  Id entity_id = 0;
  int64_t version = 0;
  std::string op;
  nlohmann::json fields;
};

// Up to `limit` entries with seq > cursor, in seq order.
Result<std::vector<ChangeEntry>> ReadChangesSince(Connection& connection, int64_t cursor,
                                                  int limit);
// Every change of one record, oldest first.
Result<std::vector<ChangeEntry>> ReadHistory(Connection& connection, std::string_view entity,
                                             Id entity_id);
// The newest committed sequence number.
Result<int64_t> LastChangeSeq(Connection& connection);

}  // namespace steward::storage
