// The PostgreSQL engine: one libpq connection with a prepared-statement cache and COPY for bulk
// rows.
//
// Only storage/database.cpp (and tests) create these; domain code sees storage::Connection.
// Not thread-safe: one thread at a time, as lent by the Database pool.
#pragma once

#include <memory>
#include <string>

#include "storage/connection.hpp"

namespace steward::storage::postgres {

// `url` is a libpq connection URI (postgresql://user@host:port/db?host=/socket/dir ...).
Result<std::unique_ptr<Connection>> OpenConnection(const std::string& url);

// Rewrites `?` placeholders (outside quotes and comments) to $1, $2, ...
std::string RewritePlaceholders(std::string_view sql);

}  // namespace steward::storage::postgres
