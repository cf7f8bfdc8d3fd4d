#include "campaign/understand.hpp"

#include <array>
#include <cstdio>
#include <vector>

namespace steward::campaign {
namespace {

// Decodes UTF-8 (checked by the caller's JSON reader; a cut sequence at the end is dropped) to code
// points; each run of spaces and punctuation becomes one space.
std::u32string Decode(std::string_view text) {
  std::u32string out;
  for (size_t i = 0; i < text.size();) {
    const auto lead = static_cast<unsigned char>(text[i]);
    char32_t code = lead;
    size_t length = 1;
    if (lead >= 0xF0) {
      length = 4;
      code = lead & 0x07;
    } else if (lead >= 0xE0) {
      length = 3;
      code = lead & 0x0F;
    } else if (lead >= 0xC0) {
      length = 2;
      code = lead & 0x1F;
    }
    if (i + length > text.size()) break;
    for (size_t k = 1; k < length; ++k) {
      code = (code << 6) | (static_cast<unsigned char>(text[i + k]) & 0x3F);
    }
    i += length;
    const bool punctuation = code == U' ' || code == U'\t' || code == U',' || code == U'.' ||
                             code == U'!' || code == U'?' || code == U'，' || code == U'。' ||
                             code == U'！' || code == U'？' || code == U'、' || code == U'…' ||
                             code == U'~' || code == U'～' || code == U'；' || code == U';';
    if (!punctuation) {
      out += code;
    } else if (!out.empty() && out.back() != U' ') {
      out += U' ';  // one separator, so words either side of a comma do not run together
    }
  }
  if (!out.empty() && out.back() == U' ') out.pop_back();
  return out;
}

bool StartsWith(const std::u32string& text, size_t at, std::u32string_view word) {
  return text.size() - at >= word.size() && text.compare(at, word.size(), word) == 0;
}

enum class Polarity { kYes, kNo, kUnknown };

struct Word {
  std::u32string_view text;
  Polarity polarity;
};

// Longest match wins at each position, so the order here does not matter.
constexpr std::array<Word, 58> kYesNoWords = {{
    {U"不知道", Polarity::kUnknown}, {U"不清楚", Polarity::kUnknown},
    {U"不确定", Polarity::kUnknown}, {U"说不好", Polarity::kUnknown},
    {U"不一定", Polarity::kUnknown}, {U"再说", Polarity::kUnknown},
    {U"不需要", Polarity::kNo},      {U"不用了", Polarity::kNo},
    {U"不用", Polarity::kNo},        {U"不要", Polarity::kNo},
    {U"不是", Polarity::kNo},        {U"不行", Polarity::kNo},
    {U"不可以", Polarity::kNo},      {U"不去", Polarity::kNo},
    {U"不参加", Polarity::kNo},      {U"不方便", Polarity::kNo},
    {U"没空", Polarity::kNo},        {U"没时间", Polarity::kNo},
    {U"没有", Polarity::kNo},        {U"不对", Polarity::kNo},
    {U"算了", Polarity::kNo},        {U"不了", Polarity::kNo},
    {U"不会", Polarity::kNo},        {U"不能", Polarity::kNo},
    {U"拒绝", Polarity::kNo},        {U"不想", Polarity::kNo},
    {U"不好", Polarity::kNo},        {U"否", Polarity::kNo},
    {U"不", Polarity::kNo},          {U"没", Polarity::kNo},
    {U"需要", Polarity::kYes},       {U"好的", Polarity::kYes},
    {U"好啊", Polarity::kYes},       {U"好", Polarity::kYes},
    {U"可以", Polarity::kYes},       {U"是的", Polarity::kYes},
    {U"是啊", Polarity::kYes},       {U"是", Polarity::kYes},
    {U"对的", Polarity::kYes},       {U"对", Polarity::kYes},
    {U"行", Polarity::kYes},         {U"要", Polarity::kYes},
    {U"去", Polarity::kYes},         {U"参加", Polarity::kYes},
    {U"没问题", Polarity::kYes},     {U"没事", Polarity::kYes},
    {U"嗯", Polarity::kYes},         {U"愿意", Polarity::kYes},
    {U"同意", Polarity::kYes},       {U"确认", Polarity::kYes},
    {U"收到", Polarity::kYes},       {U"知道了", Polarity::kYes},
    {U"明白", Polarity::kYes},       {U"有", Polarity::kYes},
    {U"正常", Polarity::kYes},       {U"OK", Polarity::kYes},
    {U"ok", Polarity::kYes},         {U"在", Polarity::kYes},
}};

const Word* LongestAt(const std::u32string& text, size_t at) {
  const Word* best = nullptr;
  for (const auto& word : kYesNoWords) {
    if (StartsWith(text, at, word.text) && (!best || word.text.size() > best->text.size())) {
      best = &word;
    }
  }
  return best;
}

constexpr std::array<std::u32string_view, 16> kRepeatPhrases = {
    U"再说一遍", U"再说一次", U"再讲一遍", U"再讲一次", U"重复一下", U"重复一遍",
    U"再重复",   U"没听清",   U"听不清",   U"没听到",   U"听不到",   U"再来一遍",
    U"你说什么", U"说的什么", U"再念一遍", U"没听懂"};

int DigitValue(char32_t c) {
  if (c >= U'0' && c <= U'9') return static_cast<int>(c - U'0');
  switch (c) {
    case U'零':
    case U'〇':
      return 0;
    case U'一':
    case U'幺':
      return 1;
    case U'二':
    case U'两':
      return 2;
    case U'三':
      return 3;
    case U'四':
      return 4;
    case U'五':
      return 5;
    case U'六':
      return 6;
    case U'七':
      return 7;
    case U'八':
      return 8;
    case U'九':
      return 9;
    default:
      return -1;
  }
}

int64_t UnitValue(char32_t c) {
  switch (c) {
    case U'十':
      return 10;
    case U'百':
      return 100;
    case U'千':
      return 1000;
    case U'万':
      return 10000;
    case U'亿':
      return 100000000;
    default:
      return 0;
  }
}

bool IsNumberChar(char32_t c) { return DigitValue(c) >= 0 || UnitValue(c) > 0; }

// Reads the number starting at text[at]; sets *end past it.
std::optional<int64_t> ReadNumber(const std::u32string& text, size_t at, size_t* end) {
  size_t i = at;
  while (i < text.size() && IsNumberChar(text[i])) ++i;
  if (i == at) return std::nullopt;
  *end = i;
  int64_t total = 0;
  int64_t section = 0;
  int64_t number = 0;
  int digits_in_run = 0;  // digits since the last unit
  int64_t last_unit = 0;
  bool zero_seen = false;
  bool any_unit = false;
  // Nobody says a number this long; stop before int64_t could overflow.
  constexpr int64_t kLimit = 1'000'000'000'000;
  for (size_t k = at; k < i; ++k) {
    if (number > kLimit || section > kLimit || total > kLimit) return std::nullopt;
    const int digit = DigitValue(text[k]);
    if (digit >= 0) {
      number = number * 10 + digit;
      ++digits_in_run;
      if (digit == 0) zero_seen = true;
      continue;
    }
    const int64_t unit = UnitValue(text[k]);
    any_unit = true;
    if (unit >= 10000) {
      section = (section + number) * unit;
      total += section;
      section = 0;
    } else {
      if (number == 0 && digits_in_run == 0) number = 1;  // 十二: the leading 一 is left out
      section += number * unit;
    }
    number = 0;
    digits_in_run = 0;
    last_unit = unit;
    zero_seen = false;
  }
  // 一百五 is 150, 三千二 is 3200: a lone digit after a unit of 100 or more counts in the next
  // unit.
  if (any_unit && digits_in_run == 1 && !zero_seen && last_unit >= 100 && last_unit < 10000) {
    number *= last_unit / 10;
  }
  return total + section + number;
}

}  // namespace

YesNo UnderstandYesNo(std::string_view transcript) {
  const std::u32string text = Decode(transcript);
  Polarity last = Polarity::kUnknown;
  bool any = false;
  for (size_t at = 0; at < text.size();) {
    const Word* word = LongestAt(text, at);
    if (!word) {
      ++at;
      continue;
    }
    last = word->polarity;
    any = true;
    at += word->text.size();
    // A yes word straight after a negation belongs to it: 不愿意, 不想去, 没时间去. After a comma
    // it is a new answer: 不用，好的.
    if (word->polarity == Polarity::kNo) {
      while (at < text.size()) {
        const Word* following = LongestAt(text, at);
        if (!following || following->polarity != Polarity::kYes) break;
        at += following->text.size();
      }
    }
  }
  if (!any || last == Polarity::kUnknown) return YesNo::kUnknown;
  return last == Polarity::kYes ? YesNo::kYes : YesNo::kNo;
}

bool IsRepeatRequest(std::string_view transcript) {
  const std::u32string text = Decode(transcript);
  for (auto phrase : kRepeatPhrases) {
    if (text.find(phrase) != std::u32string::npos) return true;
  }
  // A short "什么？" or "啥？" alone asks for the question again.
  if (text.size() <= 4 && (text.find(U"什么") != std::u32string::npos || text == U"啥" ||
                           text == U"啊" || text == U"喂")) {
    return true;
  }
  return false;
}

std::string SpokenDigits(std::string_view transcript) {
  // The longest run of digits, pauses (spaces, dashes, commas) inside it allowed: "说一下，号码是
  // 幺三八…" is the number, not the 一 of 一下.
  std::string longest;
  std::string run;
  for (char32_t c : Decode(transcript)) {
    if (UnitValue(c) > 0) return {};
    if (const int digit = DigitValue(c); digit >= 0) {
      run += static_cast<char>('0' + digit);
    } else if (c != U' ' && c != U'-' && c != U'，' && c != U',' && c != U'、') {
      if (run.size() > longest.size()) longest = run;
      run.clear();
    }
  }
  return run.size() > longest.size() ? run : longest;
}

std::optional<int64_t> FindNumber(std::string_view text) {
  const std::u32string decoded = Decode(text);
  for (size_t at = 0; at < decoded.size(); ++at) {
    if (!IsNumberChar(decoded[at])) continue;
    size_t end = at;
    if (auto number = ReadNumber(decoded, at, &end)) return number;
    at = end - 1;  // a run too long to be a number: skip it whole
  }
  return std::nullopt;
}

std::string SpokenTime::ToValue() const {
  std::string value;
  if (day_offset > 0) value = "+" + std::to_string(day_offset) + "d ";
  if (hour >= 0) {
    char text[8];
    std::snprintf(text, sizeof(text), "%02d:%02d", hour, minute);
    return value + text;
  }
  return value + period;
}

std::optional<SpokenTime> UnderstandTime(std::string_view transcript) {
  const std::u32string text = Decode(transcript);
  SpokenTime time;
  bool said_anything = false;
  struct Named {
    std::u32string_view word;
    int day_offset;
  };
  constexpr std::array<Named, 4> kDays = {
      {{U"大后天", 3}, {U"后天", 2}, {U"明天", 1}, {U"今天", 0}}};
  for (const auto& day : kDays) {
    if (text.find(day.word) != std::u32string::npos) {
      time.day_offset = day.day_offset;
      said_anything = true;
      break;
    }
  }
  struct Period {
    std::u32string_view word;
    const char* name;
  };
  constexpr std::array<Period, 10> kPeriods = {{{U"早上", "morning"},
                                                {U"早晨", "morning"},
                                                {U"上午", "morning"},
                                                {U"中午", "noon"},
                                                {U"下午", "afternoon"},
                                                {U"傍晚", "evening"},
                                                {U"晚上", "evening"},
                                                {U"夜里", "evening"},
                                                {U"明早", "morning"},
                                                {U"白天", "morning"}}};
  size_t period_at = std::u32string::npos;
  for (const auto& period : kPeriods) {
    const size_t found = text.find(period.word);
    if (found != std::u32string::npos && found < period_at) {
      period_at = found;
      time.period = period.name;
    }
  }
  if (text.find(U"明早") != std::u32string::npos) time.day_offset = 1;
  // The hour: a number before 点 or 时 (or "14:30" written out).
  for (size_t at = 0; at < text.size(); ++at) {
    if (!IsNumberChar(text[at])) continue;
    size_t end = at;
    auto hour = ReadNumber(text, at, &end);
    if (!hour) {
      at = end - 1;
      continue;
    }
    if (end < text.size() && (text[end] == U':' || text[end] == U'：') && *hour <= 23) {
      size_t minute_end = end + 1;
      auto minute = ReadNumber(text, end + 1, &minute_end);
      if (minute && *minute < 60) {
        time.hour = static_cast<int>(*hour);
        time.minute = static_cast<int>(*minute);
      }
      break;
    }
    if (end >= text.size() || (text[end] != U'点' && text[end] != U'时') || *hour > 24) {
      at = end;
      continue;
    }
    time.hour = static_cast<int>(*hour % 24);
    size_t rest = end + 1;
    if (StartsWith(text, rest, U"钟")) ++rest;
    if (StartsWith(text, rest, U"半")) {
      time.minute = 30;
    } else if (StartsWith(text, rest, U"一刻")) {
      time.minute = 15;
    } else if (StartsWith(text, rest, U"三刻")) {
      time.minute = 45;
    } else if (rest < text.size() && IsNumberChar(text[rest])) {
      size_t minute_end = rest;
      auto minute = ReadNumber(text, rest, &minute_end);
      if (minute && *minute < 60) time.minute = static_cast<int>(*minute);
    }
    break;
  }
  if (time.hour >= 0) {
    said_anything = true;
    if ((time.period == "afternoon" || time.period == "evening") && time.hour < 12) {
      time.hour += 12;
    } else if (time.period == "noon" && time.hour >= 1 && time.hour <= 2) {
      time.hour += 12;
    } else if (time.period.empty() && time.hour >= 1 && time.hour <= 6) {
      time.hour += 12;
    }
    if (time.period.empty()) {
      time.period = time.hour < 12   ? "morning"
                    : time.hour < 13 ? "noon"
                    : time.hour < 18 ? "afternoon"
                                     : "evening";
    }
  }
  if (!time.period.empty()) said_anything = true;
  if (!said_anything) return std::nullopt;
  return time;
}

}  // namespace steward::campaign
