// The word lists behind NormaliseForSpeech: polyphone words with the reading espeak-ng's
// cmn-latn-pinyin voice gets wrong, words kept as they are (so that longest match does not cut
// them: 在家|长期, not 家长), polyphone surnames, forms of address and measure words.
// Immutable tables; thread-safe.
#pragma once

#include <string_view>
#include <unordered_map>

namespace steward::voice::internal {

// A word and its reading: tone-numbered pinyin syllables separated by spaces, or empty for a
// word to keep as written.
struct Reading {
  std::u32string_view word;
  std::string_view pinyin;
};

// Polyphone words and kept words, for longest-match lookup.
const std::unordered_map<std::u32string_view, std::string_view>& PolyphoneWords();

// The longest word in PolyphoneWords, in characters.
size_t LongestPolyphoneWord();

// Surnames read differently from the same character elsewhere (单 shan4), one or two characters.
const std::unordered_map<std::u32string_view, std::string_view>& PolyphoneSurnames();

// Forms of address that may follow a surname (先生, 女士, 阿姨 …).
bool StartsWithAddressForm(std::u32string_view text);

// Measure words after which the number 2 is read 两 (个, 位, 次 …).
bool IsMeasureWord(char32_t c);

// Units a slash may follow to mean "per" (元/月 → 元每月).
bool IsPerUnit(char32_t c);

}  // namespace steward::voice::internal
