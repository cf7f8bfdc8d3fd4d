#include "base/utf8.hpp"

namespace steward {

size_t Utf8SequenceLength(std::string_view text, size_t at, bool* truncated) {
  if (truncated) *truncated = false;
  const auto byte = [&](size_t k) { return static_cast<unsigned char>(text[k]); };
  const unsigned char lead = byte(at);
  if (lead < 0x80) return 1;
  size_t length = 0;
  unsigned char low = 0x80, high = 0xBF;  // allowed range of the second byte
  if (lead >= 0xC2 && lead <= 0xDF) {
    length = 2;
  } else if (lead >= 0xE0 && lead <= 0xEF) {
    length = 3;
    if (lead == 0xE0) low = 0xA0;   // no overlong forms
    if (lead == 0xED) high = 0x9F;  // no surrogates
  } else if (lead >= 0xF0 && lead <= 0xF4) {
    length = 4;
    if (lead == 0xF0) low = 0x90;   // no overlong forms
    if (lead == 0xF4) high = 0x8F;  // nothing past U+10FFFF
  } else {
    return 0;
  }
  for (size_t k = 1; k < length; ++k) {
    if (at + k >= text.size()) {
      if (truncated) *truncated = true;  // every byte so far fits
      return 0;
    }
    const unsigned char next = byte(at + k);
    const bool fits = k == 1 ? (next >= low && next <= high) : (next >= 0x80 && next <= 0xBF);
    if (!fits) return 0;
  }
  return length;
}

size_t FirstInvalidUtf8(std::string_view text, size_t from) {
  for (size_t i = from; i < text.size();) {
    if (static_cast<unsigned char>(text[i]) < 0x80) {
      ++i;  // the common case: ASCII
      continue;
    }
    const size_t length = Utf8SequenceLength(text, i);
    if (length == 0) return i;
    i += length;
  }
  return std::string_view::npos;
}

std::string RepairUtf8(std::string_view text, NulBytes nul) {
  std::string out;
  out.reserve(text.size());
  for (size_t at = 0; at < text.size();) {
    const size_t length = Utf8SequenceLength(text, at);
    if (length == 0 || (nul == NulBytes::kReplace && text[at] == '\0')) {
      out += "\xEF\xBF\xBD";  // U+FFFD for the one byte that starts nothing valid
      ++at;
    } else {
      out.append(text.substr(at, length));
      at += length;
    }
  }
  return out;
}

}  // namespace steward
