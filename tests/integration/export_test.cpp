// Resident export on both engines: masked and unmasked, xlsx and CSV, one unit's subtree, deleted
// residents left out, continuation sheets, paging through a unit larger than a page, and the
// import template with the tag dictionary.
#include <zip.h>

#include <gtest/gtest.h>

#include <algorithm>
#include <fstream>
#include <map>
#include <set>
#include <sstream>

#include "crypto/pii_vault.hpp"
#include "org/unit.hpp"
#include "registry/id_number.hpp"
#include "registry/phone.hpp"
#include "registry/place.hpp"
#include "registry/resident.hpp"
#include "registry/resident_export.hpp"
#include "registry/sheet_layout.hpp"
#include "sheet/reader.hpp"
#include "tests/integration/test_database.hpp"
#include "tests/support/workbook_files.hpp"

namespace steward {
namespace {

using steward::testing::Count;
using steward::testing::ReadFile;
using steward::testing::ZipEntry;

using org::NewUnit;
using org::OrgStore;
using org::UnitKind;
using registry::ExportOptions;
using registry::ExportResidents;
using registry::NewResident;
using storage::Connection;
using storage::Engine;
using storage::WriteContext;
using storage::WriteTransaction;

constexpr int64_t kNowMillis = 1795797000000;                      // 2026-11-28, China time
constexpr std::string_view kIdNumber = "33118119800101105X";       // male, born 1980-01-01
constexpr std::string_view kOtherIdNumber = "331181199002151008";  // female, born 1990-02-15
constexpr std::string_view kDeletedIdNumber = "331181197001011012";
constexpr std::string_view kMobile = "19900000001";
constexpr std::string_view kLandline = "0578-7123456";
constexpr std::string_view kOtherMobile = "13812345678";

// All the XML parts of a workbook, concatenated (to search for values wherever they landed).
std::string AllXml(const std::filesystem::path& path) {
  int error = 0;
  zip_t* archive = zip_open(path.c_str(), ZIP_RDONLY, &error);
  if (!archive) return "";
  std::vector<std::string> names;
  for (zip_int64_t i = 0; i < zip_get_num_entries(archive, 0); ++i) {
    names.emplace_back(zip_get_name(archive, i, 0));
  }
  zip_close(archive);
  std::string all;
  for (const auto& name : names) all += ZipEntry(path, name);
  return all;
}

// The rows of the file's first sheet, as texts by column (every column, empties as "").
std::vector<std::vector<std::string>> ReadBack(const std::filesystem::path& path) {
  std::vector<std::vector<std::string>> rows;
  auto reader = sheet::OpenSheet(path);
  EXPECT_TRUE(reader) << reader.error().ToString();
  if (!reader) return rows;
  const size_t width = registry::ResidentColumns().size();
  for (;;) {
    auto row = (*reader)->Next();
    EXPECT_TRUE(row) << row.error().ToString();
    if (!row || !*row) break;
    std::vector<std::string> texts(std::max(width, (*row)->cells.size()));
    for (size_t i = 0; i < (*row)->cells.size(); ++i) texts[i] = (*row)->cells[i].text;
    rows.push_back(std::move(texts));
  }
  return rows;
}

size_t IndexOf(registry::Column column) {
  const auto columns = registry::ResidentColumns();
  for (size_t i = 0; i < columns.size(); ++i) {
    if (columns[i].column == column) return i;
  }
  return columns.size();
}

std::string Cell(const std::vector<std::string>& row, registry::Column column) {
  return row.at(IndexOf(column));
}

template <typename Fn>
auto WriteValue(storage::Database& database, Fn&& fn)
    -> decltype(fn(std::declval<WriteTransaction&>())) {
  using ResultType = decltype(fn(std::declval<WriteTransaction&>()));
  std::optional<typename ResultType::value_type> value;
  auto written = database.Write(WriteContext{}, [&](WriteTransaction& transaction) -> Status {
    STEWARD_ASSIGN_OR_RETURN(auto result, fn(transaction));
    value = std::move(result);
    return Ok();
  });
  if (!written) return tl::unexpected(written.error());
  return std::move(*value);
}

class ExportTest : public ::testing::TestWithParam<Engine> {
 protected:
  void SetUp() override {
    database_ = testing::OpenFreshDatabase(GetParam(), clock_);
    ASSERT_TRUE(database_);
    folder_ = testing::TempDir();
    auto built = database_->Write(
        WriteContext{}, [&](WriteTransaction& transaction) { return BuildCity(transaction); });
    ASSERT_TRUE(built) << built.error().ToString();
  }

  // 龙泉市 > 剑池街道 > 城东社区 (> 城东第一网格 > 城东1-1) and 城西社区 (> 城西第一网格 >
  // 城西1-1), 阳光小区 1幢 2单元301室 in 城东1-1.
  Status BuildCity(WriteTransaction& transaction) {
    auto unit = [&](std::optional<Id> parent, UnitKind kind, std::string code,
                    std::string name) -> Result<Id> {
      STEWARD_ASSIGN_OR_RETURN(auto created,
                               org_.Create(transaction, NewUnit{parent, kind, "", code, name, "",
                                                                std::nullopt, org::kSinceEver}));
      return created.id;
    };
    STEWARD_ASSIGN_OR_RETURN(city_, unit(std::nullopt, UnitKind::kCity, "331181", "龙泉市"));
    STEWARD_ASSIGN_OR_RETURN(street_, unit(city_, UnitKind::kStreet, "331181003", "剑池街道"));
    STEWARD_ASSIGN_OR_RETURN(east_,
                             unit(street_, UnitKind::kCommunity, "331181003001", "城东社区"));
    STEWARD_ASSIGN_OR_RETURN(east_grid_, unit(east_, UnitKind::kGrid, "", "城东第一网格"));
    STEWARD_ASSIGN_OR_RETURN(east_micro_, unit(east_grid_, UnitKind::kMicroGrid, "", "城东1-1"));
    STEWARD_ASSIGN_OR_RETURN(west_,
                             unit(street_, UnitKind::kCommunity, "331181003002", "城西社区"));
    STEWARD_ASSIGN_OR_RETURN(west_grid_, unit(west_, UnitKind::kGrid, "", "城西第一网格"));
    STEWARD_ASSIGN_OR_RETURN(west_micro_, unit(west_grid_, UnitKind::kMicroGrid, "", "城西1-1"));

    registry::PlaceStore places(ids_, clock_);
    registry::NewComplex complex;
    complex.unit_id = east_;
    complex.name = "阳光小区";
    const registry::NewComplex complexes[] = {complex};
    STEWARD_ASSIGN_OR_RETURN(auto complex_ids, places.CreateComplexes(transaction, complexes));
    registry::NewBuilding building;
    building.complex_id = complex_ids.front();
    building.unit_id = east_micro_;
    building.name = "1幢";
    building.address = "龙泉市剑池街道阳光路1号";
    const registry::NewBuilding buildings[] = {building};
    STEWARD_ASSIGN_OR_RETURN(auto building_ids, places.CreateBuildings(transaction, buildings));
    building_id_ = building_ids.front();
    registry::NewHousehold household;
    household.building_id = building_id_;
    household.unit_no = "2";
    household.room = "301";
    const registry::NewHousehold households[] = {household};
    STEWARD_ASSIGN_OR_RETURN(auto household_ids, places.CreateHouseholds(transaction, households));
    household_id_ = household_ids.front();
    return Ok();
  }

  NewResident Person(std::string name, Id unit, std::optional<std::string_view> id_number,
                     std::vector<std::string_view> phones = {}) {
    NewResident resident;
    resident.unit_id = unit;
    resident.name = std::move(name);
    if (id_number) {
      auto info = registry::CheckIdNumber(*id_number, clock_.Today());
      EXPECT_TRUE(info) << info.error().ToString();
      if (info) {
        resident.id_number = info->normalized;
        resident.birth_date = info->birth_date;
        resident.gender = info->gender;
      }
    }
    for (auto phone : phones) {
      auto normalized = registry::NormalizePhone(phone);
      EXPECT_TRUE(normalized) << phone;
      if (normalized) resident.phones.push_back(*normalized);
    }
    resident.ethnicity = "汉族";
    resident.hukou_address = "浙江省龙泉市剑池街道";
    return resident;
  }

  // 赵六 on 城东社区 itself; 张三 in the household in 城东1-1; 李四 in 城西1-1; 王五 deleted.
  void AddResidents() {
    NewResident zhang = Person("张三", east_micro_, kIdNumber, {kMobile, kLandline});
    zhang.household_id = household_id_;
    zhang.relation_to_head = "户主";
    zhang.tags = {"party_member", "lives_alone"};
    zhang.notes = "=不是公式";
    NewResident li = Person("李四", west_micro_, kOtherIdNumber, {kOtherMobile});
    li.residence_status = registry::ResidenceStatus::kResidentOnly;
    NewResident zhao = Person("赵六", east_, std::nullopt);
    NewResident wang = Person("王五", east_micro_, kDeletedIdNumber, {"13900000000"});
    const NewResident all[] = {zhang, li, zhao, wang};
    auto created = WriteValue(*database_, [&](WriteTransaction& transaction) {
      return store_.CreateMany(transaction, all);
    });
    ASSERT_TRUE(created) << created.error().ToString();
    zhang_ = (*created)[0];
    li_ = (*created)[1];
    zhao_ = (*created)[2];
    auto deleted = database_->Write(WriteContext{}, [&](WriteTransaction& transaction) {
      return store_.SoftDelete(transaction, (*created)[3], 1, "迁出");
    });
    ASSERT_TRUE(deleted) << deleted.error().ToString();
  }

  // 居民0 … 居民<count-1> in 城东1-1, phone 1990000<i>, 退役军人 on every third, the even ones in
  // the household when `households`; their ids in order (empty after a failure).
  std::vector<Id> AddNumbered(int count, bool households) {
    std::vector<NewResident> people;
    for (int i = 0; i < count; ++i) {
      char phone[32];
      std::snprintf(phone, sizeof phone, "1990000%04d", i);
      NewResident person = Person("居民" + std::to_string(i), east_micro_, std::nullopt, {phone});
      if (households && i % 2 == 0) person.household_id = household_id_;
      if (i % 3 == 0) person.tags = {"veteran"};
      people.push_back(std::move(person));
    }
    auto created = WriteValue(*database_, [&](WriteTransaction& transaction) {
      return store_.CreateMany(transaction, people);
    });
    if (!created) {
      ADD_FAILURE() << created.error().ToString();
      return {};
    }
    return *created;
  }

  Result<registry::ExportReport> Export(ExportOptions options) {
    return database_->Read([&](Connection& connection) {
      return ExportResidents(connection, *vault_, clock_, options);
    });
  }

  std::filesystem::path Out(std::string_view name) const {
    return std::filesystem::path(folder_) / name;
  }

  FakeClock clock_{kNowMillis};
  IdGenerator ids_{clock_, 1};
  std::unique_ptr<crypto::PiiVault> vault_ = crypto::PiiVault::ForTesting("export-test");
  OrgStore org_{ids_, clock_};
  registry::ResidentStore store_{*vault_, ids_, clock_};
  std::unique_ptr<storage::Database> database_;
  std::string folder_;
  Id city_ = 0, street_ = 0, east_ = 0, east_grid_ = 0, east_micro_ = 0, west_ = 0, west_grid_ = 0,
     west_micro_ = 0, building_id_ = 0, household_id_ = 0;
  Id zhang_ = 0, li_ = 0, zhao_ = 0;
};

const std::string_view kPlainValues[] = {kIdNumber, kOtherIdNumber, kMobile, "7123456",
                                         kOtherMobile};

TEST_P(ExportTest, MaskedXlsxHasTheLayoutAndNoPlainPersonalData) {
  AddResidents();
  const auto out = Out("residents.xlsx");
  std::vector<std::pair<int64_t, int64_t>> progress;
  ExportOptions options;
  options.out = out;
  options.progress = [&](int64_t done, int64_t total) { progress.emplace_back(done, total); };
  auto report = Export(options);
  ASSERT_TRUE(report) << report.error().ToString();
  EXPECT_EQ(report->rows, 3);
  EXPECT_EQ(report->sheets, 1);
  EXPECT_EQ(report->format, "xlsx");
  ASSERT_FALSE(progress.empty());
  EXPECT_EQ(progress.back(), std::make_pair(int64_t{3}, int64_t{3}));

  const std::string xml = AllXml(out);
  ASSERT_FALSE(xml.empty());
  for (auto plain : kPlainValues) EXPECT_EQ(xml.find(plain), std::string::npos) << plain;
  EXPECT_EQ(xml.find("王五"), std::string::npos) << "deleted residents are left out";
  EXPECT_NE(xml.find("3311**********105X"), std::string::npos);
  EXPECT_NE(xml.find("199****0001"), std::string::npos);

  const auto rows = ReadBack(out);
  ASSERT_EQ(rows.size(), 5u);  // title, header, 3 residents
  EXPECT_EQ(rows[0][0], "龙泉市居民信息（导出日期 2026-11-28）");
  for (size_t i = 0; i < registry::ResidentColumns().size(); ++i) {
    EXPECT_EQ(rows[1][i], registry::ResidentColumns()[i].header);
    EXPECT_EQ(registry::ColumnForHeader(rows[1][i]), registry::ResidentColumns()[i].column);
  }
  // By unit path: 城东社区 itself, then its micro-grid, then 城西.
  using registry::Column;
  EXPECT_EQ(Cell(rows[2], Column::kName), "赵六");
  EXPECT_EQ(Cell(rows[2], Column::kCommunity), "城东社区");
  EXPECT_EQ(Cell(rows[2], Column::kGrid), "");
  EXPECT_EQ(Cell(rows[2], Column::kIdNumber), "");
  const auto& zhang = rows[3];
  EXPECT_EQ(Cell(zhang, Column::kResidentId), std::to_string(zhang_));
  EXPECT_EQ(Cell(zhang, Column::kVersion), "1");
  EXPECT_EQ(Cell(zhang, Column::kName), "张三");
  EXPECT_EQ(Cell(zhang, Column::kGender), "男");
  EXPECT_EQ(Cell(zhang, Column::kIdNumber), "3311**********105X");
  EXPECT_EQ(Cell(zhang, Column::kBirthDate), "1980-01-01");
  EXPECT_EQ(Cell(zhang, Column::kEthnicity), "汉族");
  EXPECT_EQ(Cell(zhang, Column::kPhone), "199****0001、0578-***3456");
  EXPECT_EQ(Cell(zhang, Column::kHukouAddress), "浙江省龙泉市剑池街道");
  EXPECT_EQ(Cell(zhang, Column::kCurrentAddress), "龙泉市剑池街道阳光路1号2单元301室");
  EXPECT_EQ(Cell(zhang, Column::kStreet), "剑池街道");
  EXPECT_EQ(Cell(zhang, Column::kCommunity), "城东社区");
  EXPECT_EQ(Cell(zhang, Column::kGrid), "城东第一网格");
  EXPECT_EQ(Cell(zhang, Column::kComplex), "阳光小区");
  EXPECT_EQ(Cell(zhang, Column::kBuilding), "1幢");
  EXPECT_EQ(Cell(zhang, Column::kUnitNo), "2");
  EXPECT_EQ(Cell(zhang, Column::kRoom), "301");
  EXPECT_EQ(Cell(zhang, Column::kRelationToHead), "户主");
  EXPECT_EQ(Cell(zhang, Column::kResidenceStatus), "户在人在");
  EXPECT_EQ(Cell(zhang, Column::kTags), "独居、党员");  // the dictionary's order
  EXPECT_EQ(Cell(zhang, Column::kNotes), "=不是公式") << "xlsx cells are never formulas";
  const auto& li = rows[4];
  EXPECT_EQ(Cell(li, Column::kName), "李四");
  EXPECT_EQ(Cell(li, Column::kGender), "女");
  EXPECT_EQ(Cell(li, Column::kCommunity), "城西社区");
  EXPECT_EQ(Cell(li, Column::kResidenceStatus), "人在户不在");
  EXPECT_EQ(Cell(li, Column::kCurrentAddress), "");
}

TEST_P(ExportTest, UnmaskedXlsxHasThePlainValues) {
  AddResidents();
  ExportOptions options;
  options.out = Out("plain.xlsx");
  options.unmasked = true;
  auto report = Export(options);
  ASSERT_TRUE(report) << report.error().ToString();
  const std::string xml = AllXml(options.out);
  for (auto plain : kPlainValues) EXPECT_NE(xml.find(plain), std::string::npos) << plain;
  const auto rows = ReadBack(options.out);
  ASSERT_EQ(rows.size(), 5u);
  EXPECT_EQ(Cell(rows[3], registry::Column::kIdNumber), kIdNumber);
  EXPECT_EQ(Cell(rows[3], registry::Column::kPhone), "19900000001、0578-7123456");
}

TEST_P(ExportTest, UnitLimitsTheExportToItsSubtree) {
  AddResidents();
  ExportOptions options;
  options.out = Out("west.xlsx");
  options.unit_id = west_;
  auto report = Export(options);
  ASSERT_TRUE(report) << report.error().ToString();
  EXPECT_EQ(report->rows, 1);
  const auto rows = ReadBack(options.out);
  ASSERT_EQ(rows.size(), 3u);
  EXPECT_EQ(rows[0][0], "城西社区居民信息（导出日期 2026-11-28）");
  EXPECT_EQ(Cell(rows[2], registry::Column::kName), "李四");

  options.out = Out("east.csv");
  options.unit_id = east_;
  report = Export(options);
  ASSERT_TRUE(report) << report.error().ToString();
  EXPECT_EQ(report->rows, 2);
  const auto east = ReadBack(options.out);
  ASSERT_EQ(east.size(), 3u);
  EXPECT_EQ(Cell(east[1], registry::Column::kName), "赵六");
  EXPECT_EQ(Cell(east[2], registry::Column::kName), "张三");
}

TEST_P(ExportTest, CsvIsMaskedUnlessAskedAndGuardsFormulas) {
  AddResidents();
  ExportOptions options;
  options.out = Out("residents.CSV");  // the extension's case does not matter
  auto report = Export(options);
  ASSERT_TRUE(report) << report.error().ToString();
  EXPECT_EQ(report->format, "csv");
  EXPECT_EQ(report->sheets, 1);
  const std::string bytes = ReadFile(options.out);
  EXPECT_TRUE(bytes.starts_with("\xEF\xBB\xBF居民编号,版本,姓名,")) << bytes.substr(0, 60);
  for (auto plain : kPlainValues) EXPECT_EQ(bytes.find(plain), std::string::npos) << plain;
  EXPECT_EQ(bytes.find("王五"), std::string::npos);
  EXPECT_NE(bytes.find(",'=不是公式\r\n"), std::string::npos) << "OWASP's apostrophe";
  const auto rows = ReadBack(options.out);
  ASSERT_EQ(rows.size(), 4u) << "header and 3 residents, no title row";
  EXPECT_EQ(Cell(rows[2], registry::Column::kPhone), "199****0001、0578-***3456");

  options.out = Out("plain.csv");
  options.unmasked = true;
  ASSERT_TRUE(Export(options));
  const std::string plain_bytes = ReadFile(options.out);
  for (auto plain : kPlainValues) EXPECT_NE(plain_bytes.find(plain), std::string::npos) << plain;
}

TEST_P(ExportTest, SplitsIntoContinuationSheets) {
  AddResidents();
  ExportOptions options;
  options.out = Out("split.xlsx");
  options.rows_per_sheet = 3;  // title, header and one resident per sheet
  auto report = Export(options);
  ASSERT_TRUE(report) << report.error().ToString();
  EXPECT_EQ(report->rows, 3);
  EXPECT_EQ(report->sheets, 3);
  const std::string book = ZipEntry(options.out, "xl/workbook.xml");
  EXPECT_NE(book.find("name=\"居民信息(3)\""), std::string::npos) << book;
  const std::string third = ZipEntry(options.out, "xl/worksheets/sheet3.xml");
  EXPECT_NE(third.find("龙泉市居民信息"), std::string::npos);
  EXPECT_NE(third.find("<t>居民编号</t>"), std::string::npos);
  EXPECT_NE(third.find("李四"), std::string::npos);
}

TEST_P(ExportTest, RefusesUnknownFormatsAndUnits) {
  AddResidents();
  ExportOptions options;
  options.out = Out("residents.ods");
  auto report = Export(options);
  ASSERT_FALSE(report);
  EXPECT_EQ(report.error().code, ErrorCode::kInvalidArgument);
  options.out = Out("residents.xlsx");
  options.unit_id = 12345;
  report = Export(options);
  ASSERT_FALSE(report);
  EXPECT_EQ(report.error().code, ErrorCode::kNotFound);
  EXPECT_TRUE(std::filesystem::is_empty(folder_)) << "no file, no temporary file";
  // The snapshot was closed: the pooled connection serves the next export.
  options.unit_id.reset();
  EXPECT_TRUE(Export(options));
}

TEST_P(ExportTest, PagesThroughAUnitLargerThanAPage) {
  // 2,345 residents in one micro-grid: half of them in the household, with a phone each and a tag
  // on every third, so pages split households and phones/tags must follow their residents.
  constexpr int kCount = 2345;
  const std::vector<Id> created = AddNumbered(kCount, true);
  ASSERT_EQ(created.size(), static_cast<size_t>(kCount));
  std::map<Id, int> index_of;
  for (int i = 0; i < kCount; ++i) index_of[created[i]] = i;

  ExportOptions options;
  options.out = Out("many.csv");
  int calls = 0;
  options.progress = [&](int64_t, int64_t total) {
    ++calls;
    EXPECT_EQ(total, kCount);
  };
  auto report = Export(options);
  ASSERT_TRUE(report) << report.error().ToString();
  EXPECT_EQ(report->rows, kCount);
  EXPECT_GE(calls, 3);
  const auto rows = ReadBack(options.out);
  ASSERT_EQ(rows.size(), static_cast<size_t>(kCount) + 1);
  std::set<Id> seen;
  Id previous = 0;
  bool in_household = false;
  for (size_t r = 1; r < rows.size(); ++r) {
    const Id id = std::stoll(Cell(rows[r], registry::Column::kResidentId));
    ASSERT_TRUE(index_of.count(id)) << id;
    EXPECT_TRUE(seen.insert(id).second) << "written twice: " << id;
    const int i = index_of[id];
    char masked[16];
    std::snprintf(masked, sizeof masked, "199****%04d", i);
    EXPECT_EQ(Cell(rows[r], registry::Column::kPhone), masked) << r;
    EXPECT_EQ(Cell(rows[r], registry::Column::kTags), i % 3 == 0 ? "退役军人" : "") << r;
    // Residents without a household first, then the household's, each group by id.
    const bool household = i % 2 == 0;
    EXPECT_EQ(Cell(rows[r], registry::Column::kRoom), household ? "301" : "");
    if (household != in_household) {
      EXPECT_FALSE(in_household) << "households come after residents without one";
      in_household = household;
    } else {
      EXPECT_GT(id, previous);
    }
    previous = id;
  }
}

TEST_P(ExportTest, ChosenResidentsOnlyInIdOrderAcrossChunks) {
  // A segment's 601 residents out of 1,202 (every other one, plus 张三 of 城东1-1 and 李四 of
  // 城西社区): more than one chunk of ids, so phones and tags must follow their residents.
  AddResidents();
  constexpr int kCount = 1200;
  const std::vector<Id> created = AddNumbered(kCount, false);
  ASSERT_EQ(created.size(), static_cast<size_t>(kCount));
  std::map<Id, int> index_of;
  std::vector<Id> chosen = {zhang_, li_};
  for (int i = 1; i < kCount; i += 2) {
    chosen.push_back(created[i]);
    index_of[created[i]] = i;
  }
  std::sort(chosen.begin(), chosen.end());

  ExportOptions options;
  options.out = Out("segment.xlsx");
  options.unit_id = west_;  // ignored: the ids decide
  options.resident_ids = chosen;
  options.title = "分群：测试";
  int64_t last_total = 0;
  options.progress = [&](int64_t, int64_t total) { last_total = total; };
  auto report = Export(options);
  ASSERT_TRUE(report) << report.error().ToString();
  EXPECT_EQ(report->rows, static_cast<int64_t>(chosen.size()));
  EXPECT_EQ(last_total, static_cast<int64_t>(chosen.size()));
  const auto rows = ReadBack(options.out);
  ASSERT_EQ(rows.size(), chosen.size() + 2);
  EXPECT_EQ(rows[0][0], "分群：测试");
  for (size_t r = 2; r < rows.size(); ++r) {
    const Id id = std::stoll(Cell(rows[r], registry::Column::kResidentId));
    ASSERT_EQ(id, chosen[r - 2]) << "in id order";
    if (id == zhang_) {
      EXPECT_EQ(Cell(rows[r], registry::Column::kName), "张三");
      EXPECT_EQ(Cell(rows[r], registry::Column::kCommunity), "城东社区");
      EXPECT_EQ(Cell(rows[r], registry::Column::kRoom), "301");
      continue;
    }
    if (id == li_) {
      EXPECT_EQ(Cell(rows[r], registry::Column::kCommunity), "城西社区");
      continue;
    }
    const int i = index_of.at(id);
    char masked[16];
    std::snprintf(masked, sizeof masked, "199****%04d", i);
    EXPECT_EQ(Cell(rows[r], registry::Column::kName), "居民" + std::to_string(i));
    EXPECT_EQ(Cell(rows[r], registry::Column::kPhone), masked) << r;
    EXPECT_EQ(Cell(rows[r], registry::Column::kTags), i % 3 == 0 ? "退役军人" : "") << r;
  }

  // Ids of unknown residents are left out; no ids: an empty sheet with its header.
  options.out = Out("one.csv");
  options.resident_ids = std::vector<Id>{zhao_, zhao_ + 999999};
  report = Export(options);
  ASSERT_TRUE(report) << report.error().ToString();
  EXPECT_EQ(report->rows, 1);
  EXPECT_EQ(Cell(ReadBack(options.out).at(1), registry::Column::kName), "赵六");
  options.out = Out("none.csv");
  options.resident_ids = std::vector<Id>{};
  report = Export(options);
  ASSERT_TRUE(report) << report.error().ToString();
  EXPECT_EQ(report->rows, 0);
  EXPECT_EQ(ReadBack(options.out).size(), 1u);
}

TEST_P(ExportTest, TemplateOffersTheTagDictionary) {
  auto names =
      database_->Read([](Connection& connection) { return registry::ListTagNames(connection); });
  ASSERT_TRUE(names) << names.error().ToString();
  ASSERT_GE(names->size(), 9u);
  EXPECT_EQ(names->front(), "独居");
  const auto out = Out("template.xlsx");
  ASSERT_TRUE(registry::WriteImportTemplate(out, *names));
  const std::string xml = ZipEntry(out, "xl/worksheets/sheet1.xml");
  EXPECT_NE(xml.find("独居,残疾,低保"), std::string::npos) << xml;
}

INSTANTIATE_TEST_SUITE_P(Engines, ExportTest, ::testing::ValuesIn(testing::EnginesUnderTest()),
                         testing::EngineTestName);

}  // namespace
}  // namespace steward
