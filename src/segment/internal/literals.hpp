// What the text parser and the JSON reader share: name tables, value normalisation and type
// checks, each answering with a Problem that the caller places (a column, or a JSON path).
// Internal to segment/. Thread-safety: pure functions over constant tables.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include <tl/expected.hpp>

#include "segment/query.hpp"

namespace steward::segment::internal {

// A bilingual complaint without its position.
struct Problem {
  std::string code;  // the detail code: syntax, unknown_field, unknown_function, type, value, ...
  std::string zh;
  std::string en;
};

template <typename T>
using Checked = tl::expected<T, Problem>;

inline tl::unexpected<Problem> Complain(std::string code, std::string zh, std::string en) {
  return tl::unexpected<Problem>(Problem{std::move(code), std::move(zh), std::move(en)});
}

// Lower-cases ASCII letters only (keywords, field and function names are ASCII).
std::string AsciiLower(std::string_view text);

// Looks names up case-insensitively. Field lookups include "unit".
std::optional<Field> FieldFromName(std::string_view name);
std::optional<Function> FunctionFromName(std::string_view name);
std::optional<CompareOp> CompareOpFromText(std::string_view text);
// "age, birth_date, ..." and "has, has_any, ..." for error messages.
std::string KnownFieldsText();
std::string KnownFunctionsText();

// "7d" / "12h" / "2w" (unit letter in either case), amount 1 .. kMaxDurationAmount.
std::optional<Duration> ParseDuration(std::string_view text);

// May `op` compare `field`? (ordering only for age, birth_date, household_size; never unit).
std::optional<Problem> CheckOperator(Field field, CompareOp op);
// May `field` appear in `field in (...)`? (not phone_valid / opted_out).
std::optional<Problem> CheckInField(Field field);
// Turns a raw literal (bool, integer, or string — a date is written as a string) into the
// canonical value for `field`, or says why it does not fit.
Checked<Value> NormaliseValue(Field field, const Value& raw);
// A tag, unit, building or complex name: non-empty, well-formed UTF-8.
std::optional<Problem> CheckName(std::string_view name);

// Characters, for the lexer and for ToText's choice between a bare and a quoted name.
// DecodeAt reads the well-formed UTF-8 sequence at text[at] (the caller checked the text).
char32_t DecodeAt(std::string_view text, size_t at, size_t* length);
// ASCII white space, U+00A0 and the full-width space U+3000.
bool IsSpace(char32_t c);
// ASCII letters, digits and '_', and every non-ASCII character outside the punctuation blocks
// (so Chinese tag names may be written bare: has(独居)).
bool IsWordChar(char32_t c);
// and, or, not, in, true, false (any case).
bool IsKeyword(std::string_view word);
// Would `name` lex as one word that is no keyword? Then ToText writes it without quotes.
bool IsBareName(std::string_view name);

}  // namespace steward::segment::internal
