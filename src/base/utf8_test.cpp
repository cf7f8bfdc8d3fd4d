#include "base/utf8.hpp"

#include <gtest/gtest.h>

namespace steward {
namespace {

TEST(Utf8, SequencesAreWellFormedOrNot) {
  bool truncated = false;
  EXPECT_EQ(Utf8SequenceLength("a", 0), 1u);
  EXPECT_EQ(Utf8SequenceLength("张", 0), 3u);
  EXPECT_EQ(Utf8SequenceLength("\xF0\x9F\x98\x80", 0), 4u);
  EXPECT_EQ(Utf8SequenceLength("\xC0\x80", 0), 0u);          // overlong
  EXPECT_EQ(Utf8SequenceLength("\xED\xA0\x80", 0), 0u);      // surrogate
  EXPECT_EQ(Utf8SequenceLength("\xF4\x90\x80\x80", 0), 0u);  // past U+10FFFF
  EXPECT_EQ(Utf8SequenceLength("\xE5\xBC", 0, &truncated), 0u);
  EXPECT_TRUE(truncated);  // more bytes could complete it
  EXPECT_EQ(Utf8SequenceLength("\xE5\x41", 0, &truncated), 0u);
  EXPECT_FALSE(truncated);  // a bad byte, not an end
}

TEST(Utf8, RepairReplacesEachBadByteAndOptionallyNul) {
  EXPECT_EQ(RepairUtf8("居民 ok"), "居民 ok");
  EXPECT_EQ(RepairUtf8("\xED\xA0\x80"), "\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD");
  EXPECT_EQ(RepairUtf8(std::string_view("a\0b", 3)), std::string("a\0b", 3));
  EXPECT_EQ(RepairUtf8(std::string_view("a\0b", 3), NulBytes::kReplace),
            "a\xEF\xBF\xBD"
            "b");
  EXPECT_EQ(FirstInvalidUtf8("ab\xFF"), 2u);
  EXPECT_EQ(FirstInvalidUtf8("张三"), std::string_view::npos);
}

}  // namespace
}  // namespace steward
