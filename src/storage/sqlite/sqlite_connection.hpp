// The SQLite engine: one sqlite3 handle in WAL mode with a statement cache.
//
// Only storage/database.cpp (and tests) create these; domain code sees storage::Connection.
// Not thread-safe: one thread at a time, as lent by the Database pool.
#pragma once

#include <memory>
#include <string>

#include "storage/connection.hpp"

namespace steward::storage::sqlite {

enum class OpenMode { kReadWrite, kReadOnly };

// Opens (creating when missing, in kReadWrite mode) the database file at `path`, sets WAL,
// foreign keys, a busy timeout and synchronous=NORMAL.
Result<std::unique_ptr<Connection>> OpenConnection(const std::string& path, OpenMode mode);

}  // namespace steward::storage::sqlite
