#include "audit/mask.hpp"

#include <vector>

#include "base/clock.hpp"

namespace steward::audit {

namespace {

// One character of the text: where its bytes are, and its class as one ASCII letter ('0'-'9' for
// a digit of either width, 'X' for X/x, the separators ' ', '-', '.' and ')' as themselves, '#'
// for the rest).
struct Char {
  size_t begin = 0;
  size_t length = 1;
  char shape = '#';
};

std::vector<Char> Shapes(std::string_view text) {
  std::vector<Char> chars;
  chars.reserve(text.size());
  for (size_t at = 0; at < text.size();) {
    Char c{at, 1, '#'};
    const unsigned char byte = static_cast<unsigned char>(text[at]);
    if (byte >= '0' && byte <= '9') {
      c.shape = static_cast<char>(byte);
    } else if (byte == 'X' || byte == 'x') {
      c.shape = 'X';
    } else if (byte == ' ' || byte == '-' || byte == '.' || byte == ')') {
      c.shape = static_cast<char>(byte);
    } else if (byte == 0xEF && at + 2 < text.size() &&
               static_cast<unsigned char>(text[at + 1]) == 0xBC &&
               static_cast<unsigned char>(text[at + 2]) >= 0x90 &&
               static_cast<unsigned char>(text[at + 2]) <= 0x99) {
      c.length = 3;  // full-width digit U+FF10..U+FF19
      c.shape = static_cast<char>('0' + (static_cast<unsigned char>(text[at + 2]) - 0x90));
    } else if (byte >= 0xC0) {
      // Skip a multi-byte character whole so its continuation bytes never look like anything.
      c.length = byte >= 0xF0 ? 4 : byte >= 0xE0 ? 3 : 2;
      if (at + c.length > text.size()) c.length = text.size() - at;
    }
    at += c.length;
    chars.push_back(c);
  }
  return chars;
}

class Masker {
 public:
  explicit Masker(std::string_view text) : chars_(Shapes(text)), hidden_(chars_.size(), false) {}

  void Run() {
    for (size_t i = 0; i < chars_.size();) {
      if (!IsDigit(i)) {
        ++i;
        continue;
      }
      i = MaskFrom(i);
    }
  }

  std::string Apply(std::string_view text) const {
    std::string out;
    out.reserve(text.size());
    for (size_t i = 0; i < chars_.size(); ++i) {
      if (hidden_[i]) {
        out += '*';
      } else {
        out.append(text.substr(chars_[i].begin, chars_[i].length));
      }
    }
    return out;
  }

 private:
  static bool IsSeparator(char shape) {
    return shape == ' ' || shape == '-' || shape == '.' || shape == ')';
  }
  bool IsDigit(size_t i) const {
    return i < chars_.size() && chars_[i].shape >= '0' && chars_[i].shape <= '9';
  }
  char Shape(size_t i) const { return i < chars_.size() ? chars_[i].shape : '#'; }
  size_t RunEnd(size_t i) const {
    while (IsDigit(i)) ++i;
    return i;
  }
  bool StartsWith(size_t i, std::string_view prefix) const {
    for (size_t k = 0; k < prefix.size(); ++k) {
      if (Shape(i + k) != prefix[k]) return false;
    }
    return true;
  }
  int Number(size_t begin, size_t digits) const {
    int value = 0;
    for (size_t i = begin; i < begin + digits; ++i) value = value * 10 + (Shape(i) - '0');
    return value;
  }
  // Digits 7-14 of an 18-digit run read as a birth date an ID number could carry.
  bool HoldsBirthDate(size_t begin) const {
    const int year = Number(begin + 6, 4);
    return year >= 1880 && year <= 2099 &&
           Date::IsValid(year, Number(begin + 10, 2), Number(begin + 12, 2));
  }
  // Hides the characters of [begin, end) but the first `keep_front` and the last `keep_back`.
  void Hide(size_t begin, size_t end, size_t keep_front, size_t keep_back) {
    for (size_t i = begin + keep_front; i + keep_back < end; ++i) hidden_[i] = true;
  }

  // Masks what the digit run starting at `begin` (and what follows it) holds; returns where to
  // continue.
  size_t MaskFrom(size_t begin) {
    const size_t end = RunEnd(begin);
    const size_t length = end - begin;
    if (length == 3 && Shape(begin) == '1' && IsSeparator(Shape(end))) {
      const size_t next_end = RunEnd(end + 1);
      if (next_end == end + 5 && IsSeparator(Shape(next_end)) && Shape(next_end) != ')' &&
          RunEnd(next_end + 1) == next_end + 5) {
        Hide(end + 1, next_end, 0, 0);  // 138 1234 5678
        return next_end + 5;
      }
      if (next_end == end + 9) {
        Hide(end + 1, next_end, 0, 4);  // (138)12345678
        return next_end;
      }
    }
    if (length >= 3 && length <= 4 && Shape(begin) == '0' && Shape(end) == '-') {
      const size_t subscriber_end = RunEnd(end + 1);
      const size_t subscriber = subscriber_end - (end + 1);
      if (subscriber >= 7 && subscriber <= 8) {
        Hide(end + 1, subscriber_end, 0, 4);  // 0578-7123456
        return subscriber_end;
      }
    }
    if (length == 17 && Shape(end) == 'X') {
      Hide(begin, end + 1, 4, 4);
      return end + 1;
    }
    if (length == 18) {
      if (HoldsBirthDate(begin)) Hide(begin, end, 4, 4);
    } else if (length == 15) {
      if (StartsWith(begin, "00861")) {
        Hide(begin + 4, end, 3, 4);
      } else {
        Hide(begin, end, 4, 4);
      }
    } else if (length == 13 && StartsWith(begin, "861")) {
      Hide(begin + 2, end, 3, 4);
    } else if (length == 11 && Shape(begin) == '1') {
      Hide(begin, end, 3, 4);
    } else if (length >= 10 && length <= 12 && Shape(begin) == '0') {
      Hide(begin, end, 3, 4);
    }
    return end;
  }

  std::vector<Char> chars_;
  std::vector<bool> hidden_;
};

}  // namespace

std::string MaskForAudit(std::string_view text) {
  Masker masker(text);
  masker.Run();
  return masker.Apply(text);
}

}  // namespace steward::audit
