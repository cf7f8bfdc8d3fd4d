#include "demo/internal/names.hpp"

namespace steward::demo::internal {
namespace {

constexpr std::string_view kSurnames[] = {
    "叶", "叶", "叶", "吴", "吴", "李", "王", "王", "张", "刘", "陈", "陈", "周", "徐",
    "毛", "季", "杨", "金", "曾", "林", "胡", "练", "项", "蓝", "雷", "钟", "何", "郑",
    "管", "曹", "沈", "柳", "朱", "黄", "赵", "程", "汤", "潘", "姜", "廖"};
constexpr std::string_view kMale[] = {"伟", "强", "军", "建", "国", "明", "华", "平", "志", "勇",
                                      "杰", "涛", "斌", "林", "峰", "辉", "刚", "俊", "浩", "宇",
                                      "文", "武", "龙", "剑", "青", "松", "海", "锋", "荣", "新",
                                      "德", "福", "成", "永", "良", "金", "泉", "瓷", "川", "晨"};
constexpr std::string_view kFemale[] = {"芳", "丽", "娟", "敏", "静", "燕", "红", "霞", "玲", "梅",
                                        "兰", "英", "萍", "婷", "雪", "琴", "月", "秀", "琳", "慧",
                                        "洁", "颖", "欣", "怡", "佳", "悦", "蓉", "菊", "莲", "香",
                                        "云", "凤", "珍", "美", "彩", "翠", "春", "青", "瓷", "溪"};
constexpr std::string_view kRoads[] = {
    "华楼街", "中山西路", "中山东路", "贤良路",   "剑池路",   "新华街", "公园路", "宫头路",
    "东茶路", "丽龙路",   "九姑山路", "西街",     "南大洋路", "水南路", "龙渊路", "宏山路",
    "回龙路", "人民路",   "瓯江路",   "留槎洲路", "兴业路",   "望江路", "北门路", "城北路"};
constexpr std::string_view kComplexes[] = {
    "剑川花园", "青瓷苑",   "龙泉府",   "瓯江明珠", "剑池湖畔", "华府名都", "金沙湾",   "水南新村",
    "宏山小区", "留槎公寓", "东升嘉园", "贤良新苑", "凤凰城",   "白云山庄", "清风雅苑", "望江华庭",
    "大洋花园", "南秦家园", "七星公寓", "秦溪名邸", "芳野新苑", "江南锦园", "古井小区", "城东花苑",
    "金乐家园", "黄灌公寓", "东景名苑", "后甸新村", "西新嘉苑", "棋盘山庄", "周际花园", "松溪雅居"};
constexpr std::string_view kPropertyCompanies[] = {
    "龙泉市剑川物业管理有限公司", "浙江瓯江物业服务有限公司", "龙泉市青瓷物业有限公司",
    "丽水安居物业管理有限公司", "龙泉市宝剑城市服务有限公司"};
// Counties of Zhejiang, Jiangxi, Fujian, Guizhou and Anhui that send workers to Longquan.
constexpr std::string_view kMigrantRegions[] = {"331102", "331121", "331122", "331123", "331124",
                                                "330381", "362330", "362321", "350722", "350783",
                                                "522601", "522623", "341621", "330723", "330825"};

}  // namespace

std::span<const std::string_view> Surnames() { return kSurnames; }
std::span<const std::string_view> MaleGivenChars() { return kMale; }
std::span<const std::string_view> FemaleGivenChars() { return kFemale; }
std::span<const std::string_view> Roads() { return kRoads; }
std::span<const std::string_view> ComplexNames() { return kComplexes; }
std::span<const std::string_view> PropertyCompanies() { return kPropertyCompanies; }
std::span<const std::string_view> MigrantRegions() { return kMigrantRegions; }

}  // namespace steward::demo::internal
