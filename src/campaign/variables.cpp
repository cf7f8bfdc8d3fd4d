#include "campaign/variables.hpp"

#include <array>

namespace steward::campaign {
namespace {

// The compound surnames common enough to meet in a city's registry.
constexpr std::array<std::string_view, 30> kCompoundSurnames = {
    "欧阳", "司马", "诸葛", "上官", "东方", "皇甫", "尉迟", "公孙", "慕容", "令狐",
    "长孙", "宇文", "司徒", "夏侯", "端木", "澹台", "轩辕", "西门", "南宫", "独孤",
    "呼延", "万俟", "闻人", "申屠", "太史", "淳于", "单于", "钟离", "赫连", "第五"};

size_t Utf8Length(unsigned char lead) {
  if (lead < 0x80) return 1;
  if ((lead >> 5) == 0x6) return 2;
  if ((lead >> 4) == 0xE) return 3;
  return 4;
}

std::string_view Trim(std::string_view text) {
  while (!text.empty() && text.front() == ' ') text.remove_prefix(1);
  while (!text.empty() && text.back() == ' ') text.remove_suffix(1);
  return text;
}

}  // namespace

const std::vector<std::string>& StandardVariables() {
  static const std::vector<std::string> kNames = {
      "address",     "surname",           "community",       "street", "grid",
      "grid_worker", "grid_worker_phone", "community_phone", "caller", "today"};
  return kNames;
}

std::string Render(std::string_view text, const Variables& variables) {
  return RenderPieces(text, variables).text;
}

RenderedText RenderedText::Fixed(std::string text) {
  RenderedText fixed;
  if (!text.empty()) fixed.pieces.push_back(text);
  fixed.text = std::move(text);
  return fixed;
}

RenderedText& RenderedText::operator+=(const RenderedText& more) {
  text += more.text;
  pieces.insert(pieces.end(), more.pieces.begin(), more.pieces.end());
  return *this;
}

RenderedText RenderPieces(std::string_view text, const Variables& variables) {
  RenderedText out;
  auto add = [&out](std::string_view piece) {
    if (piece.empty()) return;
    out.text.append(piece);
    out.pieces.emplace_back(piece);
  };
  size_t at = 0;
  while (at < text.size()) {
    const size_t open = text.find("{{", at);
    if (open == std::string_view::npos) break;
    const size_t close = text.find("}}", open + 2);
    if (close == std::string_view::npos) break;
    add(text.substr(at, open - at));
    auto it = variables.find(std::string(Trim(text.substr(open + 2, close - open - 2))));
    if (it != variables.end()) add(it->second);
    at = close + 2;
  }
  add(text.substr(at));
  return out;
}

std::vector<std::string> VariablesIn(std::string_view text) {
  std::vector<std::string> names;
  size_t at = 0;
  while (true) {
    const size_t open = text.find("{{", at);
    if (open == std::string_view::npos) break;
    const size_t close = text.find("}}", open + 2);
    if (close == std::string_view::npos) break;
    std::string name(Trim(text.substr(open + 2, close - open - 2)));
    bool seen = false;
    for (const auto& known : names) seen = seen || known == name;
    if (!seen) names.push_back(std::move(name));
    at = close + 2;
  }
  return names;
}

std::string Surname(std::string_view name) {
  name = Trim(name);
  if (name.empty()) return {};
  for (auto compound : kCompoundSurnames) {
    if (name.size() > compound.size() && name.substr(0, compound.size()) == compound) {
      return std::string(compound);
    }
  }
  const size_t length = Utf8Length(static_cast<unsigned char>(name[0]));
  return std::string(name.substr(0, length < name.size() ? length : name.size()));
}

std::string AddressForm(std::string_view name, Gender gender, std::optional<int> age,
                        const AddressOptions& options) {
  const std::string surname = Surname(name);
  if (surname.empty() || gender == Gender::kUnknown) return options.unknown;
  const bool elder = age && *age >= options.elder_age;
  if (gender == Gender::kMale) return surname + (elder ? options.elder_male : options.male);
  return surname + (elder ? options.elder_female : options.female);
}

Variables SampleVariables(const Script& script, std::string_view name, Gender gender,
                          std::optional<int> age) {
  Variables variables = {{"address", AddressForm(name, gender, age)},
                         {"surname", Surname(name)},
                         {"community", "城东社区"},
                         {"street", "龙渊街道"},
                         {"grid", "城东社区第一网格"},
                         {"grid_worker", "李明"},
                         {"grid_worker_phone", "13800000000"},
                         {"community_phone", "0578-7000000"},
                         {"caller", "城东社区居民委员会"},
                         {"today", "今天"}};
  for (const auto& field : script.fields) {
    variables["campaign." + field.name] =
        "【" + (field.label.empty() ? field.name : field.label) + "】";
  }
  return variables;
}

}  // namespace steward::campaign
