#include "storage/postgres/postgres_connection.hpp"

#include <gtest/gtest.h>

namespace steward::storage::postgres {
namespace {

TEST(RewritePlaceholders, NumbersQuestionMarksOutsideQuotesAndComments) {
  EXPECT_EQ(RewritePlaceholders("SELECT ? , ?"), "SELECT $1 , $2");
  EXPECT_EQ(RewritePlaceholders("SELECT '?', \"a?\", ? -- why?\n, ?"),
            "SELECT '?', \"a?\", $1 -- why?\n, $2");
  EXPECT_EQ(RewritePlaceholders("no params"), "no params");
}

}  // namespace
}  // namespace steward::storage::postgres
