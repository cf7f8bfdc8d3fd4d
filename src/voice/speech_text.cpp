#include "voice/speech_text.hpp"

#include <string>
#include <utility>
#include <vector>

#include "voice/internal/speech_dictionary.hpp"

namespace steward::voice {
namespace {

using internal::IsMeasureWord;

constexpr std::string_view kDigitNames[] = {"零", "一", "二", "三", "四",
                                            "五", "六", "七", "八", "九"};

void AppendUtf8(std::string& out, char32_t c) {
  if (c < 0x80) {
    out += static_cast<char>(c);
  } else if (c < 0x800) {
    out += static_cast<char>(0xC0 | (c >> 6));
    out += static_cast<char>(0x80 | (c & 0x3F));
  } else if (c < 0x10000) {
    out += static_cast<char>(0xE0 | (c >> 12));
    out += static_cast<char>(0x80 | ((c >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (c & 0x3F));
  } else {
    out += static_cast<char>(0xF0 | (c >> 18));
    out += static_cast<char>(0x80 | ((c >> 12) & 0x3F));
    out += static_cast<char>(0x80 | ((c >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (c & 0x3F));
  }
}

// Full-width digits, letters and the signs the rules look at count as ASCII; Chinese
// punctuation (，。！？) stays as it is.
char32_t Fold(char32_t c) {
  if ((c >= U'０' && c <= U'９') || (c >= U'Ａ' && c <= U'Ｚ') || (c >= U'ａ' && c <= U'ｚ')) {
    return c - 0xFEE0;
  }
  switch (c) {
    case U'％':
    case U'＋':
    case U'＃':
    case U'＊':
    case U'＝':
    case U'＆':
    case U'＠':
    case U'．':
    case U'－':
    case U'／':
    case U'～':
      return c - 0xFEE0;
    case U'￥':
      return U'¥';
    default:
      return c;
  }
}

// Well-formed code points of `text`, folded; ill-formed bytes are dropped.
std::u32string Decode(std::string_view text) {
  std::u32string out;
  out.reserve(text.size());
  for (size_t i = 0; i < text.size();) {
    const auto byte = static_cast<unsigned char>(text[i]);
    size_t length = byte < 0x80         ? 1
                    : (byte >> 5) == 6  ? 2
                    : (byte >> 4) == 14 ? 3
                    : (byte >> 3) == 30 ? 4
                                        : 0;
    if (length == 0 || i + length > text.size()) {
      ++i;
      continue;
    }
    char32_t c = length == 1 ? byte : byte & (0x7F >> length);
    bool good = true;
    for (size_t k = 1; k < length; ++k) {
      const auto next = static_cast<unsigned char>(text[i + k]);
      if ((next & 0xC0) != 0x80) good = false;
      c = (c << 6) | (next & 0x3F);
    }
    const char32_t smallest[] = {0, 0, 0x80, 0x800, 0x10000};
    if (!good || c < smallest[length] || c > 0x10FFFF || (c >= 0xD800 && c <= 0xDFFF)) {
      ++i;
      continue;
    }
    out += Fold(c);
    i += length;
  }
  return out;
}

bool IsDigit(char32_t c) { return c >= U'0' && c <= U'9'; }
bool IsLatin(char32_t c) { return (c >= U'A' && c <= U'Z') || (c >= U'a' && c <= U'z'); }

// Digits read one by one with 零 and 一 (years, decimals).
std::string ReadPlainDigits(std::u32string_view digits) {
  std::string out;
  for (char32_t c : digits) {
    if (IsDigit(c)) out += kDigitNames[c - U'0'];
  }
  return out;
}

std::string ToAscii(std::u32string_view digits) {
  std::string out;
  for (char32_t c : digits) out += static_cast<char>(c);
  return out;
}

// One group of four digits (千百十个), `value` 1..9999. `leading` when it is the number's
// highest group: only there does 10..19 drop its 一 and does a leading 2 before 千 read 两.
std::string ReadGroup(int value, bool leading) {
  static constexpr std::string_view kPlaces[] = {"", "十", "百", "千"};
  std::string out;
  bool started = false;
  bool zero = false;
  for (int place = 3, divisor = 1000; place >= 0; --place, divisor /= 10) {
    const int digit = value / divisor % 10;
    if (digit == 0) {
      zero = started;
      continue;
    }
    if (zero) out += "零";
    zero = false;
    if (leading && !started && place == 1 && digit == 1) {
      out += "十";
    } else {
      out += leading && !started && place == 3 && digit == 2 ? "两" : kDigitNames[digit];
      out += kPlaces[place];
    }
    started = true;
  }
  return out;
}

// One ordered scan of the text: at each position the first rule that matches writes its reading
// and moves past what it read.
class Normaliser {
 public:
  explicit Normaliser(std::u32string text) : in_(std::move(text)) {}

  std::string Run() {
    while (at_ < in_.size()) {
      if (IsDigit(in_[at_])) {
        Number();
      } else if (IsLatin(in_[at_])) {
        Letters();
      } else if (!Chinese()) {
        Symbol();
      }
    }
    return std::move(out_);
  }

 private:
  char32_t At(size_t index) const { return index < in_.size() ? in_[index] : U'\0'; }
  size_t DigitsEnd(size_t from) const {
    while (from < in_.size() && IsDigit(in_[from])) ++from;
    return from;
  }
  std::u32string_view Slice(size_t from, size_t to) const {
    return std::u32string_view(in_).substr(from, to - from);
  }
  int Value(size_t from, size_t to) const {
    int value = 0;
    for (size_t i = from; i < to && i < from + 9; ++i) value = value * 10 + int(in_[i] - U'0');
    return value;
  }
  char32_t Previous() const { return at_ == 0 ? U'\0' : in_[at_ - 1]; }

  // Pinyin syllables and spelled letters must not run into each other; the Chinese readings
  // the other rules write never start with a Latin letter or digit.
  void SeparateFromLetters() {
    if (!out_.empty() && std::isalnum(static_cast<unsigned char>(out_.back()))) out_ += ' ';
  }
  void AppendPinyin(std::string_view pinyin) {
    SeparateFromLetters();
    out_ += pinyin;
  }
  void Append(std::string_view text) { out_ += text; }

  // --- numbers -------------------------------------------------------------------------------
  void Number() {
    const size_t start = at_;
    const size_t end = DigitsEnd(start);
    const size_t length = end - start;
    if (IdNumber(start, end) || Date(start, end) || Time(start, end) || GroupedPhone(start) ||
        PlainPhone(start, end) || Year(start, end)) {
      return;
    }
    Quantity(start, end, length);
  }

  bool IdNumber(size_t start, size_t end) {
    const size_t length = end - start;
    const bool check_x =
        length == 17 && (At(end) == U'X' || At(end) == U'x') && !IsLatin(At(end + 1));
    if (!(length == 18 || check_x)) return false;
    const size_t stop = check_x ? end + 1 : end;
    Append(ReadDigits(ToAscii(Slice(start, stop))));
    at_ = stop;
    return true;
  }

  // 2024-12-07, 2024/12/07, 2024.12.07.
  bool Date(size_t start, size_t end) {
    if (end - start != 4) return false;
    const char32_t separator = At(end);
    if (separator != U'-' && separator != U'/' && separator != U'.') return false;
    const size_t month_end = DigitsEnd(end + 1);
    if (month_end - end - 1 < 1 || month_end - end - 1 > 2 || At(month_end) != separator)
      return false;
    const size_t day_end = DigitsEnd(month_end + 1);
    if (day_end - month_end - 1 < 1 || day_end - month_end - 1 > 2) return false;
    const int month = Value(end + 1, month_end);
    const int day = Value(month_end + 1, day_end);
    if (month < 1 || month > 12 || day < 1 || day > 31) return false;
    Append(ReadPlainDigits(Slice(start, end)) + "年" + ReadGroup(month, true) + "月" +
           ReadGroup(day, true) + (At(day_end) == U'日' || At(day_end) == U'号' ? "" : "日"));
    at_ = day_end;
    return true;
  }

  // 14:30, 9:05, 8:00, 10:15:30.
  bool Time(size_t start, size_t end) {
    if (end - start > 2 || (At(end) != U':' && At(end) != U'：')) return false;
    const size_t minutes_end = DigitsEnd(end + 1);
    if (minutes_end - end - 1 != 2) return false;
    const int hour = Value(start, end);
    const int minute = Value(end + 1, minutes_end);
    if (hour > 24 || minute > 59) return false;
    int second = 0;
    size_t stop = minutes_end;
    if ((At(minutes_end) == U':' || At(minutes_end) == U'：') &&
        DigitsEnd(minutes_end + 1) - minutes_end - 1 == 2) {
      stop = DigitsEnd(minutes_end + 1);
      second = Value(minutes_end + 1, stop);
      if (second > 59) return false;
    }
    std::string text = hour == 2 ? "两" : hour == 0 ? "零" : ReadGroup(hour, true);
    text += "点";
    if (minute > 0 || second > 0) {
      if (minute < 10) text += "零";
      text += minute == 0 ? "" : ReadGroup(minute, true);
      text += "分";
    }
    if (second > 0) text += (second < 10 ? "零" : "") + ReadGroup(second, true) + "秒";
    Append(text);
    at_ = stop;
    Range();
    return true;
  }

  // 0578-1234567 (area code), 400-123-4567 / 800-…, 138-0000-1234 or 138 0000 1234 (mobile).
  bool GroupedPhone(size_t start) {
    std::vector<std::pair<size_t, size_t>> groups;
    size_t from = start;
    char32_t separator = U'\0';
    while (groups.size() < 3) {
      const size_t to = DigitsEnd(from);
      groups.emplace_back(from, to);
      const char32_t next = At(to);
      if ((next != U'-' && next != U' ') || (separator && next != separator) ||
          !IsDigit(At(to + 1)))
        break;
      separator = next;
      from = to + 1;
    }
    auto length = [&](size_t group) { return groups[group].second - groups[group].first; };
    auto first_digit = [&] { return in_[groups[0].first]; };
    const bool area = groups.size() == 2 && separator == U'-' && first_digit() == U'0' &&
                      length(0) >= 3 && length(0) <= 4 && length(1) >= 7 && length(1) <= 8;
    const std::u32string_view head = Slice(groups[0].first, groups[0].second);
    const bool hotline = groups.size() == 3 && separator == U'-' &&
                         (head == U"400" || head == U"800") && length(1) == 3 && length(2) == 4;
    const bool mobile = groups.size() == 3 && first_digit() == U'1' && length(0) == 3 &&
                        length(1) == 4 && length(2) == 4;
    if (!(area || hotline || mobile) || IsDigit(At(groups.back().second))) return false;
    std::string text;
    for (auto [from_at, to_at] : groups) {
      if (!text.empty()) text += "，";
      text += ReadDigits(ToAscii(Slice(from_at, to_at)));
    }
    Append(text);
    at_ = groups.back().second;
    return true;
  }

  // A number after 电话/拨打/热线…, an 11-digit number from 1, a run of 7 or more digits, a run
  // with a leading zero: a number to dial or key in, digit by digit.
  bool PlainPhone(size_t start, size_t end) {
    const size_t length = end - start;
    if (At(end) == U'.' && IsDigit(At(end + 1))) return false;  // 0.5: a decimal
    const bool mobile = length == 11 && in_[start] == U'1';
    const bool long_run = length >= 7 && !IsMeasureWord(At(end)) && At(end) != U',';
    const bool leading_zero = length >= 2 && in_[start] == U'0';
    if (!(mobile || long_run || leading_zero || AfterPhoneCue(start))) return false;
    Append(ReadDigits(ToAscii(Slice(start, end))));
    at_ = end;
    return true;
  }

  bool AfterPhoneCue(size_t start) const {
    static constexpr std::u32string_view kCues[] = {U"电话", U"拨打", U"致电", U"热线", U"号码",
                                                    U"手机", U"座机", U"拨",   U"分机"};
    size_t before = start;
    while (before > 0 && (in_[before - 1] == U' ' || in_[before - 1] == U'：' ||
                          in_[before - 1] == U':' || in_[before - 1] == U'是')) {
      --before;
    }
    const std::u32string_view head = std::u32string_view(in_).substr(0, before);
    for (std::u32string_view cue : kCues) {
      if (head.ends_with(cue)) return true;
    }
    return false;
  }

  // 2024年 → 二零二四年.
  bool Year(size_t start, size_t end) {
    if (end - start != 4 || At(end) != U'年') return false;
    Append(ReadPlainDigits(Slice(start, end)));
    at_ = end;
    return true;
  }

  // Integers, thousands separators, decimals, percentages, money, units, ranges.
  void Quantity(size_t start, size_t end, size_t length) {
    std::string integer = ToAscii(Slice(start, end));
    // 1,234,567: groups of exactly three digits after a first group of one to three.
    if (length <= 3) {
      size_t probe = end;
      while (At(probe) == U',' && DigitsEnd(probe + 1) - probe - 1 == 3) {
        integer += ToAscii(Slice(probe + 1, probe + 4));
        probe += 4;
      }
      end = probe;
    }
    std::u32string_view fraction;
    if (At(end) == U'.' && IsDigit(At(end + 1))) {
      const size_t fraction_end = DigitsEnd(end + 1);
      fraction = Slice(end + 1, fraction_end);
      end = fraction_end;
    }
    const char32_t sign = Previous();
    const bool money_sign = sign == U'¥' || sign == U'$';
    at_ = end;
    if (money_sign || (At(end) == U'元' && !fraction.empty())) {
      Money(integer, fraction, sign == U'$' ? "美元" : "元");
    } else if (At(end) == U'%' || At(end) == U'‰') {
      Append(std::string(At(end) == U'%' ? "百分之" : "千分之") + Reading(integer, fraction));
      ++at_;
    } else {
      // 2 before a measure word or unit is 两 (2个, 2次, 2km), but 第2 stays 二.
      const bool ordinal = start > 0 && in_[start - 1] == U'第';
      const Unit unit = UnitAt(end);
      const bool liang = integer == "2" && fraction.empty() && !ordinal &&
                         (IsMeasureWord(At(end)) || !unit.spoken.empty());
      Append(liang ? "两" : Reading(integer, fraction));
      Append(unit.spoken);
      at_ += unit.written;
    }
    Range();
  }

  std::string Reading(const std::string& integer, std::u32string_view fraction) const {
    std::string text = ReadInteger(integer);
    if (!fraction.empty()) text += "点" + ReadPlainDigits(fraction);
    return text;
  }

  // ¥12.50 → 十二元五角; 3.05元 → 三元零五分.
  void Money(const std::string& integer, std::u32string_view fraction, std::string_view unit) {
    const int jiao = fraction.size() > 0 ? int(fraction[0] - U'0') : 0;
    const int fen = fraction.size() > 1 ? int(fraction[1] - U'0') : 0;
    std::string text = ReadInteger(integer);
    text += unit;
    if (jiao > 0) text += std::string(kDigitNames[jiao]) + "角";
    if (fen > 0) text += std::string(jiao == 0 ? "零" : "") + std::string(kDigitNames[fen]) + "分";
    Append(text);
    if (At(at_) == U'元') ++at_;
  }

  struct Unit {
    size_t written = 0;  // characters in the text
    std::string_view spoken;
  };

  // A unit written in Latin letters or a sign right after a number.
  Unit UnitAt(size_t from) const {
    static constexpr std::pair<std::u32string_view, std::string_view> kUnits[] = {
        {U"min", "分钟"},  {U"km", "公里"},   {U"kg", "公斤"},  {U"cm", "厘米"},
        {U"mm", "毫米"},   {U"ml", "毫升"},   {U"mL", "毫升"},  {U"m²", "平方米"},
        {U"m2", "平方米"}, {U"°C", "摄氏度"}, {U"m", "米"},     {U"g", "克"},
        {U"L", "升"},      {U"h", "小时"},    {U"℃", "摄氏度"}, {U"㎡", "平方米"},
    };
    const std::u32string_view rest = std::u32string_view(in_).substr(std::min(from, in_.size()));
    for (auto [written, spoken] : kUnits) {
      if (rest.starts_with(written) && !IsLatin(At(from + written.size())))
        return {written.size(), spoken};
    }
    return {};
  }

  // 8-10, 8~10, 8—10: 到 between two numbers.
  void Range() {
    const char32_t c = At(at_);
    if ((c == U'-' || c == U'~' || c == U'～' || c == U'—' || c == U'–') && IsDigit(At(at_ + 1))) {
      Append("到");
      ++at_;
    }
  }

  // --- letters, Chinese, symbols -------------------------------------------------------------
  void Letters() {
    SeparateFromLetters();
    bool first = true;
    while (at_ < in_.size() && IsLatin(in_[at_])) {
      if (!first) out_ += ' ';
      char32_t c = in_[at_++];
      if (c >= U'a') c -= 32;
      out_ += static_cast<char>(c);
      first = false;
    }
  }

  bool Chinese() {
    const std::u32string_view rest = std::u32string_view(in_).substr(at_);
    for (size_t length : {size_t{2}, size_t{1}}) {
      if (rest.size() < length) continue;
      const auto surname = internal::PolyphoneSurnames().find(rest.substr(0, length));
      if (surname == internal::PolyphoneSurnames().end()) continue;
      const bool before_address = internal::StartsWithAddressForm(rest.substr(length));
      const bool after_xing = Previous() == U'姓';
      if (before_address || after_xing) {
        AppendPinyin(surname->second);
        at_ += length;
        return true;
      }
    }
    const auto& words = internal::PolyphoneWords();
    for (size_t length = std::min(internal::LongestPolyphoneWord(), rest.size()); length >= 2;
         --length) {
      const auto word = words.find(rest.substr(0, length));
      if (word == words.end()) continue;
      if (word->second.empty()) {
        for (char32_t c : rest.substr(0, length)) AppendUtf8(out_, c);
      } else {
        AppendPinyin(word->second);
      }
      at_ += length;
      return true;
    }
    return false;
  }

  void Symbol() {
    const char32_t c = in_[at_++];
    const char32_t next = At(at_);
    switch (c) {
      case U'#':
        Append(next == U'号' ? "井" : "井号");
        return;
      case U'*':
        Append(next == U'号' ? "星" : "星号");
        return;
      case U'+':
        Append("加");
        return;
      case U'=':
        Append("等于");
        return;
      case U'&':
        Append("和");
        return;
      case U'@':
        Append("艾特");
        return;
      case U'%':
        Append("百分号");
        return;
      case U'℃':
        Append("摄氏度");
        return;
      case U'㎡':
        Append("平方米");
        return;
      case U'¥':
      case U'$':
        return;  // read with the amount after it
      case U'/':
        Append(internal::IsPerUnit(Previous2()) ? "每" : "或");
        return;
      case U'-':
        if (IsDigit(next) && !IsDigit(Previous2()) && !IsLatin(Previous2())) {
          Append("负");
          return;
        }
        break;
      default:
        break;
    }
    AppendUtf8(out_, c);
  }

  // The character before the one just consumed.
  char32_t Previous2() const { return at_ >= 2 ? in_[at_ - 2] : U'\0'; }

  std::u32string in_;
  size_t at_ = 0;
  std::string out_;
};

}  // namespace

std::string ReadInteger(std::string_view digits) {
  size_t first = digits.find_first_not_of('0');
  if (first == std::string_view::npos) return digits.empty() ? "" : "零";
  digits.remove_prefix(first);
  if (digits.size() > 16) {
    std::string out;
    for (char c : digits) out += kDigitNames[c - '0'];
    return out;
  }
  static constexpr std::string_view kGroupUnits[] = {"", "万", "亿", "万亿"};
  const size_t groups = (digits.size() + 3) / 4;
  std::string out;
  bool zero_pending = false;
  for (size_t group = 0; group < groups; ++group) {
    const size_t from_right = groups - 1 - group;
    const size_t end = digits.size() - from_right * 4;
    const size_t begin = end >= 4 ? end - 4 : 0;
    int value = 0;
    for (size_t i = begin; i < end; ++i) value = value * 10 + (digits[i] - '0');
    if (value == 0) {
      zero_pending = !out.empty();
      continue;
    }
    if (!out.empty() && value < 1000) zero_pending = true;
    if (zero_pending) out += "零";
    zero_pending = false;
    const bool leading = out.empty();
    out += leading && value == 2 && from_right > 0 ? "两" : ReadGroup(value, leading);
    out += kGroupUnits[from_right];
  }
  return out;
}

std::string ReadDigits(std::string_view digits) {
  std::string out;
  for (char c : digits) {
    if (c == '1') {
      out += "幺";
    } else if (c >= '0' && c <= '9') {
      out += kDigitNames[c - '0'];
    } else if (c == 'X' || c == 'x') {
      out += "叉";
    }
  }
  return out;
}

std::string NormaliseForSpeech(std::string_view text) { return Normaliser(Decode(text)).Run(); }

}  // namespace steward::voice
