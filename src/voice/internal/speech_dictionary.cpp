#include "voice/internal/speech_dictionary.hpp"

#include <algorithm>

namespace steward::voice::internal {
namespace {

// Each entry was checked against espeak-ng 1.51's own reading: it is listed because that voice
// reads the characters wrongly in this word (or, with an empty reading, because the word must
// not be cut by a longer polyphone match).
constexpr Reading kWords[] = {
    // 行 háng
    {U"银行", "yin2 hang2"},
    {U"银行卡", "yin2 hang2 ka3"},
    {U"行业", "hang2 ye4"},
    {U"行长", "hang2 zhang3"},
    // 长 zhǎng: heads of things, growing
    {U"长大", "zhang3 da4"},
    {U"长辈", "zhang3 bei4"},
    {U"长者", "zhang3 zhe3"},
    {U"成长", "cheng2 zhang3"},
    {U"生长", "sheng1 zhang3"},
    {U"增长", "zeng1 zhang3"},
    {U"网格长", "wang3 ge2 zhang3"},
    {U"楼栋长", "lou2 dong4 zhang3"},
    {U"楼长", "lou2 zhang3"},
    {U"单元长", "dan1 yuan2 zhang3"},
    {U"组长", "zu3 zhang3"},
    {U"家长", "jia1 zhang3"},
    {U"户长", "hu4 zhang3"},
    {U"局长", "ju2 zhang3"},
    {U"院长", "yuan4 zhang3"},
    {U"所长", "suo3 zhang3"},
    {U"站长", "zhan4 zhang3"},
    {U"校长", "xiao4 zhang3"},
    {U"会长", "hui4 zhang3"},
    {U"队长", "dui4 zhang3"},
    {U"村长", "cun1 zhang3"},
    {U"镇长", "zhen4 zhang3"},
    {U"市长", "shi4 zhang3"},
    {U"部长", "bu4 zhang3"},
    {U"科长", "ke1 zhang3"},
    {U"处长", "chu4 zhang3"},
    {U"班长", "ban1 zhang3"},
    {U"社长", "she4 zhang3"},
    {U"理事长", "li3 shi4 zhang3"},
    {U"秘书长", "mi4 shu1 zhang3"},
    // 长 cháng, and words that must not be cut into ...长
    {U"长期", ""},
    {U"长时间", ""},
    {U"延长", ""},
    {U"社区", ""},
    {U"小区", ""},
    {U"医院", ""},
    {U"在家", ""},
    {U"居家", ""},
    {U"回家", ""},
    {U"老家", ""},
    {U"主任", ""},
    {U"责任", ""},
    // 重 chóng
    {U"重庆", "chong2 qing4"},
    {U"重新", "chong2 xin1"},
    {U"重复", "chong2 fu4"},
    {U"重阳节", "chong2 yang2 jie2"},
    // 地 dì (the voice reads the particle de)
    {U"地址", "di4 zhi3"},
    {U"地点", "di4 dian3"},
    {U"地方", "di4 fang1"},
    {U"地区", "di4 qu1"},
    {U"地图", "di4 tu2"},
    {U"地下", "di4 xia4"},
    {U"当地", "dang1 di4"},
    {U"本地", "ben3 di4"},
    {U"外地", "wai4 di4"},
    {U"各地", "ge4 di4"},
    {U"场地", "chang3 di4"},
    {U"土地", "tu3 di4"},
    // others
    {U"还款", "huan2 kuan3"},
    {U"便宜", "pian2 yi2"},
    {U"了解", "liao3 jie3"},
    {U"空调", "kong1 tiao2"},
    {U"调解", "tiao2 jie3"},
    {U"处理", "chu3 li3"},
    {U"处在", "chu3 zai4"},
    {U"音乐", "yin1 yue4"},
    {U"得到", "de2 dao4"},
    {U"首都", "shou3 du1"},
    {U"尽量", "jin3 liang4"},
    {U"尽快", "jin3 kuai4"},
    {U"几乎", "ji1 hu1"},
    {U"干部", "gan4 bu4"},
    {U"大夫", "dai4 fu5"},
    {U"看护", "kan1 hu4"},
    {U"供应", "gong1 ying4"},
    {U"供给", "gong1 ji3"},
    {U"给予", "ji3 yu3"},
    {U"出差", "chu1 chai1"},
    {U"差距", "cha1 ju4"},
    {U"分量", "fen4 liang4"},
    {U"会计", "kuai4 ji4"},
    {U"着急", "zhao2 ji2"},
    {U"睡着", "shui4 zhao2"},
    {U"着想", "zhuo2 xiang3"},
    {U"相片", "xiang4 pian4"},
    {U"的确", "di2 que4"},
    {U"目的", "mu4 di4"},
    {U"种植", "zhong4 zhi2"},
    {U"接种", "jie1 zhong4"},
    {U"累计", "lei3 ji4"},
    {U"参与", "can1 yu4"},
    {U"更新", "geng1 xin1"},
    {U"爱好", "ai4 hao4"},
    {U"理发", "li3 fa4"},
    {U"中奖", "zhong4 jiang3"},
    {U"模样", "mu2 yang4"},
    {U"宿舍", "su4 she4"},
    {U"角色", "jue2 se4"},
    {U"适当", "shi4 dang4"},
    {U"当天", "dang4 tian1"},
    {U"上当", "shang4 dang4"},
    {U"勉强", "mian3 qiang3"},
    {U"一只", "yi4 zhi1"},
    {U"关卡", "guan1 qia3"},
    {U"记载", "ji4 zai3"},
};

constexpr Reading kSurnames[] = {
    {U"单", "shan4"},      {U"曾", "zeng1"},     {U"解", "xie4"},          {U"仇", "qiu2"},
    {U"区", "ou1"},        {U"查", "zha1"},      {U"朴", "piao2"},         {U"盖", "ge3"},
    {U"覃", "qin2"},       {U"翟", "zhai2"},     {U"召", "shao4"},         {U"宁", "ning4"},
    {U"种", "chong2"},     {U"华", "hua4"},      {U"任", "ren2"},          {U"乐", "yue4"},
    {U"尉迟", "yu4 chi2"}, {U"万俟", "mo4 qi2"}, {U"长孙", "zhang3 sun1"}, {U"繁", "po2"},
    {U"黑", "he4"},        {U"秘", "bi4"},       {U"句", "gou1"},
};

// Longest first where one starts another (大爷 before 大).
constexpr std::u32string_view kAddressForms[] = {
    U"先生", U"女士", U"小姐", U"阿姨", U"大爷", U"大妈", U"大娘",   U"大姐",
    U"大哥", U"叔叔", U"阿叔", U"伯伯", U"奶奶", U"爷爷", U"婆婆",   U"阿婆",
    U"阿公", U"老师", U"师傅", U"同志", U"书记", U"主任", U"老人家", U"总",
};

constexpr std::u32string_view kMeasureWords =
    U"个位次天人名件户栋张条岁年周小分斤层间套只辆元块本份项种句声遍点批台万千百亿";

constexpr std::u32string_view kPerUnits = U"元次人天月年周时户个件斤米克吨度";

template <size_t N>
std::unordered_map<std::u32string_view, std::string_view> MapOf(const Reading (&entries)[N]) {
  std::unordered_map<std::u32string_view, std::string_view> map;
  for (const Reading& entry : entries) map.emplace(entry.word, entry.pinyin);
  return map;
}

}  // namespace

const std::unordered_map<std::u32string_view, std::string_view>& PolyphoneWords() {
  static const auto words = MapOf(kWords);
  return words;
}

size_t LongestPolyphoneWord() {
  static const size_t longest = [] {
    size_t most = 0;
    for (const Reading& entry : kWords) most = std::max(most, entry.word.size());
    return most;
  }();
  return longest;
}

const std::unordered_map<std::u32string_view, std::string_view>& PolyphoneSurnames() {
  static const auto surnames = MapOf(kSurnames);
  return surnames;
}

bool StartsWithAddressForm(std::u32string_view text) {
  return std::any_of(std::begin(kAddressForms), std::end(kAddressForms),
                     [&](std::u32string_view form) { return text.starts_with(form); });
}

bool IsMeasureWord(char32_t c) { return kMeasureWords.find(c) != std::u32string_view::npos; }

bool IsPerUnit(char32_t c) { return kPerUnits.find(c) != std::u32string_view::npos; }

}  // namespace steward::voice::internal
