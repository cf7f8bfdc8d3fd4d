// Chinese text normalisation for speech: turns a rendered prompt into the text espeak-ng's
// `cmn-latn-pinyin` voice reads as a person would say it.
//
// espeak-ng reads Chinese characters from its own dictionary, but it reads digits the English
// way inside Chinese ("1005" is not 一千零五), has no idea of years, dates, times, percentages,
// money, phone or ID numbers, reads symbols in English (#, %), and picks the wrong reading of
// many polyphones (银行 as yin xing, 长 in 网格长 as chang, 地址 with the particle 地, the surname
// 单 as dan). NormaliseForSpeech writes all of these as Chinese characters, and the polyphones
// and surnames it knows as tone-numbered pinyin syllables ("shan4"), which that voice reads
// exactly. Everything else passes through unchanged.
//
// Rules, in the order they are tried at each position (tests/cases/speech_text.tsv is the table):
//   * dates 2024-12-07 / 2024/12/07 / 2024.12.07 → 二零二四年十二月七日; years 2024年 digit by
//   digit;
//   * times 14:30 → 十四点三十分, 9:05 → 九点零五分, 8:00 → 八点;
//   * ID numbers (17 digits and a check character) and phone numbers (11 digits from 1, a number
//     after 电话/拨打/热线…, groups joined by '-', any run of 7 or more digits, a run with a
//     leading 0) digit by digit, 1 read 幺, X read 叉;
//   * percentages 50% → 百分之五十; money ¥12.50 / 12.50元 → 十二元五角; decimals 3.14 → 三点一四;
//     thousands separators 1,234; ranges 8-10 / 8~10 → 八到十; a minus sign → 负;
//   * integers by place (1005 → 一千零五, 10 → 十, 2000 → 两千), 2 before a measure word → 两
//     (2个, 2次; not after 第); units after a number (km → 公里, kg → 公斤, ㎡ → 平方米);
//   * Latin letters spelled (AI → A I), symbols in words (# 井号, * 星号, + 加, = 等于, & 和, @
//   艾特,
//     ℃ 摄氏度; a slash after a unit 每, else 或);
//   * the polyphone dictionary (longest match), and polyphone surnames before a form of address
//     (单先生, 曾阿姨) or after 姓.
// Full-width digits, letters and signs count as their ASCII forms.
//
// Thread-safety: pure function; the dictionary is immutable after its first use.
#pragma once

#include <string>
#include <string_view>

namespace steward::voice {

// `text` (UTF-8) as the espeak-ng cmn-latn-pinyin voice should read it. Never fails: text it has
// no rule for passes through; ill-formed UTF-8 bytes are dropped.
std::string NormaliseForSpeech(std::string_view text);

// The Chinese reading of a non-negative integer given as decimal digits, by place value
// (1005 → 一千零五, 10 → 十, 2000 → 两千); more than 16 digits are read one by one.
std::string ReadInteger(std::string_view digits);

// Digits read one by one (ID and phone numbers): 1 as 幺, X as 叉; other characters skipped.
std::string ReadDigits(std::string_view digits);

}  // namespace steward::voice
