// The variables a script's text uses ({{address}}, {{community}}, {{campaign.date}} …) and the
// polite form of address a call opens with (王先生, 李女士, 张大爷, 刘阿姨).
//
// Variables are plain strings filled per call from the resident, their grid and the campaign. A
// variable a script names but the call does not know renders as nothing; CheckScript refuses
// names that no call could know. Thread-safety: pure functions.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "campaign/script.hpp"

namespace steward::campaign {

using Variables = std::map<std::string, std::string>;

// The names every call knows, besides "campaign.<field>" for the script's declared fields.
const std::vector<std::string>& StandardVariables();

// Replaces each {{name}} (spaces inside the braces allowed) with its value.
std::string Render(std::string_view text, const Variables& variables);

// A rendered text and where it was cut: its fixed runs and each variable's value, in order, empty
// pieces dropped; joined, the pieces are `text`. Speech splices a prompt from the pieces' audio,
// so a campaign synthesises each fixed run and each distinct value once, not every sentence.
struct RenderedText {
  std::string text;
  std::vector<std::string> pieces;

  // One piece: a text with no variables.
  static RenderedText Fixed(std::string text);
  RenderedText& operator+=(const RenderedText& more);
};

RenderedText RenderPieces(std::string_view text, const Variables& variables);

// The names used in `text`, in order of first use.
std::vector<std::string> VariablesIn(std::string_view text);

enum class Gender { kUnknown, kMale, kFemale };

// How residents are addressed; configurable per city (some say 大伯/大妈, or 先生/女士 at any age).
struct AddressOptions {
  int elder_age = 60;  // from this age the elder forms are used
  std::string male = "先生";
  std::string female = "女士";
  std::string elder_male = "大爷";
  std::string elder_female = "阿姨";
  std::string unknown = "您";  // neither gender nor surname known
};

// The surname of a Chinese name: the compound surnames (欧阳, 司马, 诸葛 …) as two characters,
// otherwise the first character. Empty for an empty name.
std::string Surname(std::string_view name);

// Surname + form by gender and age: "王先生", "李阿姨"; the unknown form when the gender or the
// surname is unknown.
std::string AddressForm(std::string_view name, Gender gender, std::optional<int> age,
                        const AddressOptions& options = {});

// Variables for trying a script without a real resident ("try it as 王秀英, 女, 78"): the form of
// address of `name`, sample unit and staff names, and each of the script's campaign fields as
// 【its label】.
Variables SampleVariables(const Script& script, std::string_view name, Gender gender,
                          std::optional<int> age);

}  // namespace steward::campaign
