// Resident import on both engines: the row rules against a real registry, abort/skip/dry-run,
// updates and conflicts, the duplicate review, and resuming an import killed in the middle.
#include <sys/wait.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <fstream>

#include "demo/demo.hpp"
#include "registry/import_undo.hpp"
#include "registry/resident_export.hpp"
#include "registry/resident_import.hpp"
#include "registry/stats.hpp"
#include "storage/change_log.hpp"
#include "storage/migrations.hpp"
#include "tests/integration/demo_city.hpp"
#include "tests/integration/test_database.hpp"

namespace steward {
namespace {

using registry::ImportOptions;
using registry::ImportResult;
using registry::OnError;
using storage::Engine;

constexpr int64_t kNow = 1795797000000;  // 2026-11-28

std::string IdNumber(const std::string& first17) {
  return first17 + registry::IdNumberCheckChar(first17);
}

class ImportTest : public ::testing::TestWithParam<Engine> {
 protected:
  void SetUp() override {
    url_ = testing::FreshDatabaseUrl(GetParam());
    ASSERT_FALSE(url_.empty());
    database_ = Open();
    ASSERT_TRUE(database_);
    demo::DemoOptions options;
    options.residents = 1000;
    auto built = testing::BuildDemoCity(*database_, *vault_, ids_, clock_, options);
    ASSERT_TRUE(built) << built.error().ToString();
    dir_ = testing::TempDir();
    // A real building of 城东社区, its grid and its complex (if any), for the rows to name.
    auto place = database_->Read([](storage::Connection& connection) {
      return connection.Query(
          "SELECT b.name, g.name, COALESCE(c.name, '') FROM building b "
          "JOIN org_unit m ON m.id = b.unit_id JOIN org_unit g ON g.id = m.parent_id "
          "JOIN org_unit k ON k.id = g.parent_id LEFT JOIN complex c ON c.id = b.complex_id "
          "WHERE k.name = '城东社区' AND b.complex_id IS NULL ORDER BY b.id LIMIT 1");
    });
    ASSERT_TRUE(place && place->size() == 1);
    building_ = place->Text(0, 0);
    grid_ = place->Text(0, 1);
  }

  std::unique_ptr<storage::Database> Open() {
    auto database = storage::Database::Open(url_, clock_);
    if (!database) return nullptr;
    if (!storage::Migrate(**database)) return nullptr;
    return std::move(*database);
  }

  std::string WriteCsv(const std::string& name, const std::vector<std::string>& lines) {
    const std::string path = dir_ + "/" + name;
    std::ofstream out(path);
    for (const auto& line : lines) out << line << "\r\n";
    return path;
  }

  Result<ImportResult> Import(const std::string& path, ImportOptions options = {}) {
    return registry::ImportResidents(*database_, *vault_, ids_, clock_, path, options);
  }

  // Imports `path` in a child process, in chunks of 10 rows, which dies (kill -9 style: _exit, no
  // clean-up) after `chunks` committed chunks; then reopens this test's database.
  void ImportKilledAfterChunks(const std::string& path, int chunks) {
    database_.reset();  // the child opens its own connections
    const pid_t child = fork();
    if (child == 0) {
      auto database = Open();
      if (!database) _exit(3);
      ImportOptions options;
      options.chunk_rows = 10;
      int committed = 0;
      options.progress = [&](std::string_view pass, double, int64_t) {
        if (pass == "apply" && ++committed == chunks) _exit(9);
      };
      IdGenerator child_ids(clock_, 4);  // its own minter: ids never collide with ours
      (void)registry::ImportResidents(*database, *vault_, child_ids, clock_, path, options);
      _exit(0);
    }
    int status = 0;
    ASSERT_EQ(waitpid(child, &status, 0), child);
    ASSERT_TRUE(WIFEXITED(status));
    ASSERT_EQ(WEXITSTATUS(status), 9);
    database_ = Open();
    ASSERT_TRUE(database_);
  }

  int64_t Count(const std::string& sql) {
    auto value = database_->Read([&](storage::Connection& c) { return c.QueryInt(sql); });
    return value && *value ? **value : -1;
  }

  std::string Header() const {
    return "姓名,性别,身份证号,出生日期,联系电话,所属社区,所属网格,楼栋,单元,室,与户主关系,标签";
  }
  std::string Row(const std::string& name, const std::string& id,
                  const std::string& extra = "") const {
    return name + ",," + id + ",,13857800001,城东社区," + grid_ + "," + building_ + ",9,901,户主," +
           extra;
  }

  FakeClock clock_{kNow};
  IdGenerator ids_{clock_, 3};
  std::unique_ptr<crypto::PiiVault> vault_ = crypto::PiiVault::ForTesting("import-test");
  std::string url_;
  std::unique_ptr<storage::Database> database_;
  std::string dir_, building_, grid_;
};

TEST_P(ImportTest, GoodRowsAreCreatedInTheirHouseholdWithHistoryFromImport) {
  const int64_t before = Count("SELECT count(*) FROM resident");
  const std::string a = IdNumber("33118119560308123"), b = IdNumber("33118119580101224");
  const auto path = WriteCsv(
      "good.csv", {"城东社区人口信息采集表,,,", Header(), Row("叶建国", a, "党员"),
                   "季秀英,女," + b + ",,,城东社区," + grid_ + "," + building_ + ",9,901,配偶,"});
  auto result = Import(path);
  ASSERT_TRUE(result) << result.error().ToString();
  EXPECT_EQ(result->header_row, 2);
  EXPECT_EQ(result->rows, 2);
  EXPECT_EQ(result->created, 2);
  EXPECT_TRUE(result->written);
  EXPECT_EQ(Count("SELECT count(*) FROM resident"), before + 2);
  // Both in one household of that building, the head set.
  EXPECT_EQ(
      Count("SELECT count(DISTINCT household_id) FROM resident WHERE name IN ('叶建国', '季秀英') "
            "AND created_at = " +
            std::to_string(kNow)),
      1);
  EXPECT_EQ(Count("SELECT count(*) FROM household h JOIN resident r ON r.id = h.head_resident_id "
                  "WHERE r.name = '叶建国'"),
            1);
  auto id = database_->Read([&](storage::Connection& c) {
    return registry::ResidentStore(*vault_, ids_, clock_).FindByIdNumber(c, a);
  });
  ASSERT_TRUE(id && *id);
  auto history = database_->Read(
      [&](storage::Connection& c) { return storage::ReadHistory(c, "resident", **id); });
  ASSERT_TRUE(history && !history->empty());
  EXPECT_EQ(history->front().source, "import");
  EXPECT_EQ(history->front().fields["tags"], nlohmann::json::array({"party_member"}));
}

TEST_P(ImportTest, AbortWritesNothingSkipWritesExactlyTheGoodRowsDryRunWritesNothing) {
  const int64_t before = Count("SELECT count(*) FROM resident");
  const int64_t log_before = Count("SELECT count(*) FROM change_log");
  const std::string good1 = IdNumber("33118119700101123"), good2 = IdNumber("33118119710101123");
  const std::string bad = good1.substr(0, 17) + (good1[17] == '1' ? "2" : "1");
  const auto path =
      WriteCsv("mixed.csv",
               {Header(), Row("甲", good1), Row("乙", bad), Row("丙", good2),
                "丁,," + IdNumber("33118119720101123") + ",,,不存在社区,,,,,,", Row("甲二", good1),
                "戊,," + IdNumber("33118119730101123") + ",,,城东社区,第99网格,,,,,",
                "己,," + IdNumber("33118119740101123") + ",,,城东社区,," + "不存在路1号,1,101,,"});
  auto aborted = Import(path);
  ASSERT_TRUE(aborted) << aborted.error().ToString();
  EXPECT_FALSE(aborted->written);
  EXPECT_EQ(aborted->refused, 5);
  EXPECT_EQ(aborted->ok_rows, 2);
  EXPECT_EQ(Count("SELECT count(*) FROM resident"), before);
  EXPECT_EQ(Count("SELECT count(*) FROM change_log"), log_before);
  // Row numbers, columns and codes as the office sees them.
  std::set<std::string> problems;
  for (const auto& p : aborted->problems)
    problems.insert(std::to_string(p.row) + ":" + p.column + ":" + p.code);
  EXPECT_TRUE(problems.count("3:身份证号:id_number.checksum"));
  EXPECT_TRUE(problems.count("5:所属社区:community.unknown"));
  EXPECT_TRUE(problems.count("6:身份证号:id_number.duplicate_in_file"));
  EXPECT_TRUE(problems.count("7:所属网格:grid.unknown"));
  EXPECT_TRUE(problems.count("8:楼栋:building.unknown"));

  ImportOptions dry;
  dry.dry_run = true;
  dry.on_error = OnError::kSkip;
  auto dry_run = Import(path, dry);
  ASSERT_TRUE(dry_run);
  EXPECT_FALSE(dry_run->written);
  EXPECT_EQ(Count("SELECT count(*) FROM resident"), before);

  ImportOptions skip;
  skip.on_error = OnError::kSkip;
  auto skipped = Import(path, skip);
  ASSERT_TRUE(skipped) << skipped.error().ToString();
  EXPECT_TRUE(skipped->written);
  EXPECT_EQ(skipped->created, 2);
  EXPECT_EQ(Count("SELECT count(*) FROM resident"), before + 2);
  EXPECT_EQ(Count("SELECT count(*) FROM resident WHERE name = '甲二'"), 0);
}

TEST_P(ImportTest, MatchingRowsUpdateAndStaleExportVersionsConflict) {
  const std::string id = IdNumber("33118119650505123");
  ASSERT_TRUE(Import(WriteCsv("first.csv", {Header(), Row("叶志明", id)})));
  auto second = Import(WriteCsv("second.csv", {Header(), Row("叶志明", id, "退役军人")}));
  ASSERT_TRUE(second) << second.error().ToString();
  EXPECT_EQ(second->created, 0);
  EXPECT_EQ(second->updated, 1);
  auto again = Import(WriteCsv("third.csv", {Header(), Row("叶志明", id, "退役军人")}));
  ASSERT_TRUE(again);
  EXPECT_EQ(again->unchanged, 1);
  auto rows = database_->Read([&](storage::Connection& c) {
    return c.Query("SELECT id, version FROM resident WHERE name = '叶志明'");
  });
  ASSERT_TRUE(rows && rows->size() == 1);
  const std::string resident_id = rows->Text(0, 0);
  const int64_t version = rows->Int(0, 1);
  EXPECT_EQ(version, 2);
  // An edited export: the current version applies, an older one is a conflict.
  const std::string header = "居民编号,版本,姓名,身份证号,所属社区,备注";
  auto current =
      Import(WriteCsv("export-ok.csv", {header, resident_id + "," + std::to_string(version) +
                                                    ",叶志明," + id + ",城东社区,已走访"}));
  ASSERT_TRUE(current) << current.error().ToString();
  EXPECT_EQ(current->updated, 1);
  auto stale =
      Import(WriteCsv("export-stale.csv", {header, resident_id + "," + std::to_string(version) +
                                                       ",叶志明," + id + ",城东社区,再次走访"}));
  ASSERT_TRUE(stale);
  EXPECT_EQ(stale->conflicts, 1);
  EXPECT_FALSE(stale->written);
  ASSERT_FALSE(stale->problems.empty());
  EXPECT_EQ(stale->problems[0].code, "version.stale");
  EXPECT_EQ(Count("SELECT count(*) FROM resident WHERE notes = '再次走访'"), 0);
}

TEST_P(ImportTest, RowsWithoutIdNumberAreMatchedByNameBirthDateAndHouseholdAndFlagged) {
  const std::string line =
      "叶小宝,男,,2024-05-01,,城东社区," + grid_ + "," + building_ + ",1,102,子,";
  auto first = Import(WriteCsv("child.csv", {Header(), line}));
  ASSERT_TRUE(first) << first.error().ToString();
  EXPECT_EQ(first->created, 1);
  EXPECT_EQ(first->flagged_for_review, 1);
  EXPECT_EQ(Count("SELECT count(*) FROM resident_review r JOIN resident p ON p.id = r.resident_id "
                  "WHERE p.name = '叶小宝' AND r.reason = 'no_id_number'"),
            1);
  auto second = Import(WriteCsv("child2.csv", {Header(), line}));
  ASSERT_TRUE(second);
  EXPECT_EQ(second->created, 0);
  EXPECT_EQ(Count("SELECT count(*) FROM resident WHERE name = '叶小宝'"), 1);
}

TEST_P(ImportTest, MissingRequiredColumnIsFatalBeforeAnyRow) {
  auto result = Import(
      WriteCsv("nocommunity.csv", {"姓名,身份证号", "叶建国," + IdNumber("33118119560308123")}));
  ASSERT_FALSE(result);
  EXPECT_EQ(result.error().code, ErrorCode::kInvalidArgument);
  EXPECT_NE(result.error().message.find("required columns"), std::string::npos);
}

// Fills `lines` with residents 居民<first>... in rooms 300+ of the test building, each the head of
// a new household; `phone` and `tags` go into every row.
std::vector<std::string> ResidentLines(const std::string& grid, const std::string& building,
                                       int first, int count, const std::string& phone,
                                       const std::string& tags) {
  std::vector<std::string> lines;
  for (int i = first; i < first + count; ++i) {
    char day[16], seq[16];  // two and three digits; room for what the compiler cannot rule out
    std::snprintf(day, sizeof day, "%02d", i % 28 + 1);
    std::snprintf(seq, sizeof seq, "%03d", (101 + 2 * i) % 1000);
    lines.push_back("居民" + std::to_string(i) + ",," +
                    IdNumber(std::string("33118119700") + (i < 28 ? "1" : "2") + day + seq) + ",," +
                    phone + ",城东社区," + grid + "," + building + ",2," + std::to_string(300 + i) +
                    ",户主," + tags);
  }
  return lines;
}

// kill -9 in the middle of writing: the next run recognises the file and finishes the job.
TEST_P(ImportTest, AnImportKilledInTheMiddleResumesToCompletion) {
  std::vector<std::string> lines = {Header()};
  for (auto& line : ResidentLines(grid_, building_, 0, 40, "", "")) lines.push_back(line);
  const auto path = WriteCsv("big.csv", lines);
  const int64_t before = Count("SELECT count(*) FROM resident");
  ImportKilledAfterChunks(path, 2);
  ASSERT_FALSE(HasFatalFailure());
  EXPECT_EQ(Count("SELECT count(*) FROM resident"), before + 20);
  EXPECT_EQ(
      Count(
          "SELECT count(*) FROM import_job WHERE state = 'applying' AND applied_through_row = 21"),
      1);
  ImportOptions options;
  options.chunk_rows = 10;
  auto resumed = Import(path, options);
  ASSERT_TRUE(resumed) << resumed.error().ToString();
  EXPECT_TRUE(resumed->resumed);
  EXPECT_EQ(resumed->created, 20);
  EXPECT_EQ(Count("SELECT count(*) FROM resident"), before + 40);
  EXPECT_EQ(Count("SELECT count(*) FROM import_job WHERE state = 'done'"), 1);
}

// kill -9 in the middle of writing, and the next Steward process to look (here
// RecoverInterruptedImports, which serve, export and stats run) rolls the import back: the
// residents it created and their households are gone, the residents it updated are as before,
// the history says so, and the job is marked rolled_back.
TEST_P(ImportTest, AnImportKilledInTheMiddleIsRolledBackByTheNextProcess) {
  // Ten residents from an earlier, finished import: the killed one updates them.
  std::vector<std::string> first = {Header()};
  for (auto& line : ResidentLines(grid_, building_, 0, 10, "13857800001", "党员")) {
    first.push_back(line);
  }
  auto earlier = Import(WriteCsv("earlier.csv", first));
  ASSERT_TRUE(earlier) << earlier.error().ToString();
  ASSERT_EQ(earlier->created, 10);
  auto state_of_the_ten = [&] {
    auto rows = database_->Read([](storage::Connection& connection) {
      return connection.Query(
          "SELECT r.name, r.household_id, p.phone_masked, p.phone_sealed, "
          "(SELECT count(*) FROM resident_tag t WHERE t.resident_id = r.id) FROM resident r "
          "JOIN resident_phone p ON p.resident_id = r.id WHERE r.name LIKE '居民_' "
          "ORDER BY r.id");
    });
    std::vector<std::string> state;
    for (size_t i = 0; rows && i < rows->size(); ++i) {
      state.push_back(rows->Text(i, 0) + "|" + rows->Text(i, 1) + "|" + rows->Text(i, 2) + "|" +
                      rows->Text(i, 3) + "|" + rows->Text(i, 4));
    }
    return state;
  };
  const auto ten_before = state_of_the_ten();
  ASSERT_EQ(ten_before.size(), 10u);
  const int64_t residents = Count("SELECT count(*) FROM resident");
  const int64_t households = Count("SELECT count(*) FROM household");

  // The killed import: the ten with a new phone and no tags, then thirty new residents.
  std::vector<std::string> lines = {Header()};
  for (auto& line : ResidentLines(grid_, building_, 0, 10, "13957800002", "")) {
    lines.push_back(line);
  }
  for (auto& line : ResidentLines(grid_, building_, 10, 30, "13957800003", "")) {
    lines.push_back(line);
  }
  const auto path = WriteCsv("killed.csv", lines);
  ImportKilledAfterChunks(path, 3);
  ASSERT_FALSE(HasFatalFailure());
  // Half-applied: ten updated, twenty created.
  ASSERT_EQ(Count("SELECT count(*) FROM resident"), residents + 20);
  ASSERT_NE(state_of_the_ten(), ten_before);

  // Meanwhile someone edits one of the residents the import created: that one is kept.
  ASSERT_TRUE(database_->Write({"user:7", storage::Source::kConsole},
                               [](storage::WriteTransaction& transaction) -> Status {
                                 STEWARD_TRY(transaction.connection().Execute(
                                     "UPDATE resident SET notes = '已核实', version = version + 1 "
                                     "WHERE name = '居民15'"));
                                 return Ok();
                               }));

  auto recovered = registry::RecoverInterruptedImports(*database_, clock_);
  ASSERT_TRUE(recovered) << recovered.error().ToString();
  EXPECT_EQ(recovered->jobs, 1);
  EXPECT_EQ(recovered->residents_removed, 19);
  EXPECT_EQ(recovered->residents_restored, 10);
  EXPECT_EQ(recovered->households_removed, 19);
  EXPECT_EQ(recovered->kept, 2);  // 居民15 and the household it lives in
  EXPECT_EQ(Count("SELECT count(*) FROM resident"), residents + 1);
  EXPECT_EQ(Count("SELECT count(*) FROM resident WHERE name = '居民15' AND notes = '已核实'"), 1);
  EXPECT_EQ(Count("SELECT count(*) FROM household"), households + 1);
  EXPECT_EQ(Count("SELECT count(*) FROM resident_phone WHERE resident_id NOT IN "
                  "(SELECT id FROM resident)"),
            0);
  EXPECT_EQ(state_of_the_ten(), ten_before);
  EXPECT_EQ(Count("SELECT count(*) FROM import_job WHERE state = 'rolled_back'"), 1);
  EXPECT_EQ(Count("SELECT count(*) FROM import_undo"), 0);
  // The history of an updated resident: created, updated by the import, restored.
  EXPECT_EQ(Count("SELECT count(*) FROM change_log WHERE actor = 'system:import_rollback' AND "
                  "entity = 'resident' AND op = 'delete'"),
            19);
  EXPECT_EQ(Count("SELECT count(*) FROM change_log WHERE actor = 'system:import_rollback' AND "
                  "entity = 'resident' AND op = 'update'"),
            10);

  // Nothing left to do for the next process; and the same file now imports afresh, whole.
  auto again = registry::RecoverInterruptedImports(*database_, clock_);
  ASSERT_TRUE(again);
  EXPECT_EQ(again->jobs, 0);
  auto fresh = Import(path);
  ASSERT_TRUE(fresh) << fresh.error().ToString();
  EXPECT_FALSE(fresh->resumed);
  EXPECT_EQ(fresh->created, 29);
  EXPECT_EQ(fresh->updated, 10);
  EXPECT_EQ(fresh->unchanged, 1);  // 居民15, kept with the file's values
}

// A job whose process is alive (its lock is held) is left alone by the recovery.
TEST_P(ImportTest, ARunningImportIsNotRolledBack) {
  std::vector<std::string> lines = {Header()};
  for (auto& line : ResidentLines(grid_, building_, 0, 20, "13857800001", "")) {
    lines.push_back(line);
  }
  ImportOptions options;
  options.chunk_rows = 5;
  int chunks = 0;
  options.progress = [&](std::string_view pass, double, int64_t) {
    if (pass != "apply" || ++chunks != 2) return;
    const int64_t job = Count("SELECT id FROM import_job WHERE state = 'applying'");
    auto second = database_->TryLockJob(job);  // the importer holds it
    ASSERT_TRUE(second);
    EXPECT_EQ(*second, nullptr);
    auto recovered = registry::RecoverInterruptedImports(*database_, clock_);
    ASSERT_TRUE(recovered);
    EXPECT_EQ(recovered->jobs, 0);
    EXPECT_EQ(Count("SELECT count(*) FROM resident WHERE name LIKE '居民%'"), 10);
  };
  auto imported = Import(WriteCsv("held.csv", lines), options);
  ASSERT_TRUE(imported) << imported.error().ToString();
  EXPECT_EQ(chunks, 5);  // after each of the four chunks, and once at the end
  EXPECT_EQ(imported->created, 20);
  EXPECT_EQ(Count("SELECT count(*) FROM import_job WHERE state = 'done'"), 1);
  EXPECT_EQ(Count("SELECT count(*) FROM import_undo"), 0);  // a finished job keeps no undo
}

// An export split over several sheets (past Excel's row limit; lowered here) re-imports whole,
// and a bad row on a later sheet is reported with its sheet.
TEST_P(ImportTest, AnExportSplitOverSheetsReimportsWhole) {
  registry::ExportOptions options;
  options.out = dir_ + "/split.xlsx";
  options.rows_per_sheet = 302;  // title + header + 300 residents a sheet
  auto exported = database_->Read([&](storage::Connection& connection) {
    return registry::ExportResidents(connection, *vault_, clock_, options);
  });
  ASSERT_TRUE(exported) << exported.error().ToString();
  EXPECT_EQ(exported->sheets, 4);
  auto result = Import(options.out);
  ASSERT_TRUE(result) << result.error().ToString();
  EXPECT_EQ(result->rows, 1000);
  EXPECT_EQ(result->unchanged, 1000);
  EXPECT_EQ(result->refused, 0);
}

// A cancelled import (a server shutting down) stops between chunks and rolls itself back.
TEST_P(ImportTest, AnImportCancelledAfterTheFirstChunkRollsItselfBack) {
  std::vector<std::string> lines = {Header()};
  for (auto& line : ResidentLines(grid_, building_, 0, 20, "13857800001", "")) {
    lines.push_back(line);
  }
  const int64_t before = Count("SELECT count(*) FROM resident");
  ImportOptions options;
  options.chunk_rows = 5;
  bool applying = false;  // progress reports "apply" after each chunk
  options.progress = [&](std::string_view pass, double, int64_t) { applying = pass == "apply"; };
  options.cancelled = [&] { return applying; };  // lets the first chunk through, then cancels
  auto imported = Import(WriteCsv("cancelled.csv", lines), options);
  ASSERT_FALSE(imported);
  EXPECT_EQ(imported.error().code, ErrorCode::kUnavailable);
  EXPECT_TRUE(applying);  // the first chunk was applied before the cancel
  EXPECT_EQ(Count("SELECT count(*) FROM resident"), before);
  EXPECT_EQ(Count("SELECT count(*) FROM resident WHERE name LIKE '居民%'"), 0);
  EXPECT_EQ(Count("SELECT count(*) FROM import_job WHERE state = 'rolled_back'"), 1);
}

// The API's scope hook: rows placed in a unit the caller may not write to are refused.
TEST_P(ImportTest, RowsOutsideTheAllowedUnitsAreRefused) {
  const std::string a = IdNumber("33118119800101123");
  const auto path = WriteCsv("scoped.csv", {Header(), Row("甲", a)});
  ImportOptions options;
  options.on_error = OnError::kSkip;
  options.unit_allowed = [](Id) { return false; };
  auto result = Import(path, options);
  ASSERT_TRUE(result) << result.error().ToString();
  EXPECT_EQ(result->refused, 1);
  ASSERT_EQ(result->problems.size(), 1u);
  EXPECT_EQ(result->problems[0].code, "unit.out_of_scope");
  EXPECT_EQ(result->problems[0].column, "所属网格");
  EXPECT_EQ(result->created, 0);
}

// A row matching a resident registered outside the allowed units is refused too, even when the
// row places them inside: an import must not pull someone else's resident into one's grid.
TEST_P(ImportTest, RowsMatchingAResidentOutsideTheAllowedUnitsAreRefused) {
  const std::string a = IdNumber("33118119800101123");
  ASSERT_TRUE(Import(WriteCsv("first.csv", {Header(), Row("甲", a)})));
  // 甲 now counts under another unit (as if registered by another grid).
  auto elsewhere = database_->Read([](storage::Connection& connection) {
    return connection.QueryInt(
        "SELECT id FROM org_unit WHERE kind = 'micro_grid' AND id NOT IN "
        "(SELECT unit_id FROM resident WHERE name = '甲') ORDER BY id LIMIT 1");
  });
  ASSERT_TRUE(elsewhere && *elsewhere);
  const Id other_unit = **elsewhere;
  ASSERT_TRUE(
      database_->Write({"system:test", storage::Source::kCli},
                       [&](storage::WriteTransaction& transaction) -> Status {
                         STEWARD_TRY(transaction.connection().Execute(
                             "UPDATE resident SET unit_id = ? WHERE name = '甲'", {other_unit}));
                         return Ok();
                       }));
  ImportOptions options;
  options.on_error = OnError::kSkip;
  options.unit_allowed = [other_unit](Id unit) { return unit != other_unit; };
  auto result = Import(WriteCsv("move.csv", {Header(), Row("甲", a, "党员")}), options);
  ASSERT_TRUE(result) << result.error().ToString();
  EXPECT_EQ(result->refused, 1);
  EXPECT_EQ(result->updated, 0);
  ASSERT_EQ(result->problems.size(), 1u);
  EXPECT_EQ(result->problems[0].code, "resident.out_of_scope");
  EXPECT_EQ(result->problems[0].column, "身份证号");
  EXPECT_EQ(Count("SELECT count(*) FROM resident WHERE name = '甲' AND unit_id = " +
                  std::to_string(other_unit)),
            1);
}

INSTANTIATE_TEST_SUITE_P(Engines, ImportTest, ::testing::ValuesIn(testing::EnginesUnderTest()),
                         testing::EngineTestName);

}  // namespace
}  // namespace steward
