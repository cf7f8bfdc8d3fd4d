// Understanding short Chinese answers in speech transcripts: yes or no (with negation), numbers and
// times in words, requests to repeat. Used only when an ASR server is configured; the keypad always
// works without it. Rules are tables in understand.cpp, tested by tests/cases/understand.tsv.
// Thread-safety: pure functions.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace steward::campaign {

enum class YesNo { kUnknown, kYes, kNo };

// 需要/好的/可以/是的 → yes; 不需要/不用了/没空/不行 → no; a negation before a yes word (不去,
// 没空) makes it no; when both occur the last one said wins ("好的，不用了" → no); 不知道 →
// unknown.
YesNo UnderstandYesNo(std::string_view transcript);

// 再说一遍, 没听清, 什么？ …
bool IsRepeatRequest(std::string_view transcript);

// The first number in the text, in Arabic digits or Chinese words: 三十五 → 35, 一百零五 → 105,
// 两千 → 2000, 一百五 → 150, 一九八五 → 1985 (digit by digit), 幺三八 → 138.
std::optional<int64_t> FindNumber(std::string_view text);

// Digits said one by one, as a phone number is read out: 幺三八 零五七八 → "1380578", "我的号码是
// 138 0000 1111" → "13800001111". Other characters are skipped; "" when no digit was said. A
// number said with units (三十五) is not read as digits: "".
std::string SpokenDigits(std::string_view transcript);

// A time of day as said: 三点半, 下午两点, 明天上午, 十点一刻, 14:30.
struct SpokenTime {
  int day_offset = 0;  // 今天 0, 明天 1, 后天 2, 大后天 3
  int hour = -1;       // 0-23 when an hour was said (afternoon hours moved past noon), else -1
  int minute = 0;
  std::string period;  // "morning", "noon", "afternoon", "evening", or "" when neither said nor
                       // implied by the hour

  // "HH:MM" when an hour was said, otherwise the period; prefixed by "+Nd " for a later day.
  std::string ToValue() const;
};

// The time said, or nullopt when the text names neither an hour nor a period. An hour from 1 to 6
// without a period is taken as the afternoon (calls are about daytime appointments).
std::optional<SpokenTime> UnderstandTime(std::string_view transcript);

}  // namespace steward::campaign
