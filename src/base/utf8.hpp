// UTF-8 well-formedness (RFC 3629: no overlong forms, no surrogates, nothing past U+10FFFF), for
// every reader of untrusted text and every writer that must not emit broken text.
// Thread-safety: pure functions.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace steward {

// The length in bytes (1 to 4) of the well-formed sequence starting at text[at], or 0 when none
// starts there. When `truncated` is given it says whether the text merely ends inside a sequence
// that more bytes could complete (a reader's buffer boundary), rather than holding a bad byte.
size_t Utf8SequenceLength(std::string_view text, size_t at, bool* truncated = nullptr);

// The index of the first byte at or after `from` that starts no well-formed sequence, or npos.
size_t FirstInvalidUtf8(std::string_view text, size_t from = 0);

// What RepairUtf8 does with NUL bytes: well-formed UTF-8, but refused by PostgreSQL text.
enum class NulBytes { kKeep, kReplace };

// `text` with every byte that starts no well-formed sequence replaced by U+FFFD.
std::string RepairUtf8(std::string_view text, NulBytes nul = NulBytes::kKeep);

}  // namespace steward
