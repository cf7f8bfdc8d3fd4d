// Chinese text normalisation for speech against tests/cases/speech_text.tsv, checked twice:
// the text espeak-ng is given equals the reading written down by hand, and what espeak-ng says
// for it (`espeak-ng -x`, the real program) equals the phonemes recorded in the table. For
// polyphones and surnames the table also proves that espeak-ng alone reads them wrong.
#include "voice/speech_text.hpp"

#include <gtest/gtest.h>

#include "tests/cases/table.hpp"
#include "voice/tts.hpp"

namespace steward::voice {
namespace {

std::vector<testing::Row> Rows() {
  return testing::ReadTable(STEWARD_SOURCE_DIR "/tests/cases/speech_text.tsv",
                            {"kind", "input", "reading", "phonemes"});
}

TEST(SpeechText, TableHasAtLeastAHundredCases) { EXPECT_GE(Rows().size(), 100u); }

TEST(SpeechText, ReadingsMatchTheTable) {
  for (const auto& row : Rows()) {
    const std::string input = testing::Unescape(row.cells[1]);
    EXPECT_EQ(NormaliseForSpeech(input), row.cells[2])
        << "speech_text.tsv line " << row.line << ": " << input;
  }
}

TEST(SpeechText, EspeakSaysTheTablesPhonemes) {
  EspeakTts espeak;
  for (const auto& row : Rows()) {
    const std::string input = testing::Unescape(row.cells[1]);
    SCOPED_TRACE("speech_text.tsv line " + std::to_string(row.line) + ": " + input);
    const auto phonemes = espeak.Phonemes(input);
    ASSERT_TRUE(phonemes.has_value()) << phonemes.error().ToString();
    EXPECT_EQ(*phonemes, row.cells[3]);
    if (row.cells[0] == "polyphone" || row.cells[0] == "surname") {
      const auto alone = espeak.RawPhonemes(input);
      ASSERT_TRUE(alone.has_value()) << alone.error().ToString();
      EXPECT_NE(*alone, row.cells[3]) << "espeak-ng reads this right without the dictionary";
    }
  }
}

TEST(SpeechText, IntegersByPlace) {
  EXPECT_EQ(ReadInteger("0"), "零");
  EXPECT_EQ(ReadInteger("007"), "七");
  EXPECT_EQ(ReadInteger("10"), "十");
  EXPECT_EQ(ReadInteger("101"), "一百零一");
  EXPECT_EQ(ReadInteger("1010"), "一千零一十");
  EXPECT_EQ(ReadInteger("10001"), "一万零一");
  EXPECT_EQ(ReadInteger("200000000"), "两亿");
  EXPECT_EQ(ReadInteger("100000001"), "一亿零一");
  EXPECT_EQ(ReadInteger("12345678901234567"), "一二三四五六七八九零一二三四五六七");
}

TEST(SpeechText, DigitsOneByOne) {
  EXPECT_EQ(ReadDigits("110"), "幺幺零");
  EXPECT_EQ(ReadDigits("12x"), "幺二叉");
}

TEST(SpeechText, IllFormedBytesAreDropped) {
  EXPECT_EQ(NormaliseForSpeech("好\xff\xfe的"), "好的");
  EXPECT_EQ(NormaliseForSpeech("\xe4\xbd"), "");
  EXPECT_EQ(NormaliseForSpeech(""), "");
}

}  // namespace
}  // namespace steward::voice
