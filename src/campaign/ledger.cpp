#include "campaign/ledger.hpp"

#include <map>
#include <set>

#include "sheet/csv_writer.hpp"
#include "sheet/xlsx_writer.hpp"

namespace steward::campaign {
namespace {

using sheet::CellValue;
using storage::RowView;
using storage::Value;

constexpr std::string_view kTranscriptField = "transcript";

struct Row {
  int64_t round = 0;
  Id resident = 0;
  std::string name, unit, phone, state, outcome;
  int64_t attempts = 0, talk_ms = 0;
  std::map<std::string, std::string> answers;
  std::string transcript;
  std::string recording;  // the last recorded call's file name
};

// One spreadsheet or CSV, behind one Write call.
class Sink {
 public:
  static Result<std::unique_ptr<Sink>> Open(const std::filesystem::path& path,
                                            sheet::SheetSetup setup) {
    auto sink = std::unique_ptr<Sink>(new Sink());
    if (path.extension() == ".csv") {
      STEWARD_ASSIGN_OR_RETURN(sink->csv_, sheet::CsvWriter::Create(path));
      std::vector<CellValue> header;
      for (const auto& column : setup.columns) header.push_back(CellValue::Text(column.header));
      STEWARD_TRY(sink->csv_->WriteRow(header));
    } else if (path.extension() == ".xlsx") {
      STEWARD_ASSIGN_OR_RETURN(sink->xlsx_,
                               sheet::XlsxWriter::Create(path, sheet::Mode::kConstantMemory));
      STEWARD_TRY(sink->xlsx_->AddSheet(std::move(setup)));
    } else {
      return Fail(ErrorCode::kInvalidArgument,
                  "台账只能导出为 .xlsx 或 .csv / the ledger is .xlsx or .csv",
                  {{"out", "extension", path.string()}});
    }
    return sink;
  }
  Status Write(const std::vector<CellValue>& cells) {
    return xlsx_ ? xlsx_->WriteRow(cells) : csv_->WriteRow(cells);
  }
  Status Close() { return xlsx_ ? xlsx_->Close() : csv_->Close(); }

 private:
  std::unique_ptr<sheet::XlsxWriter> xlsx_;
  std::unique_ptr<sheet::CsvWriter> csv_;
};

std::string Transcript(const std::string& json_text) {
  auto lines = nlohmann::json::parse(json_text, nullptr, false);
  std::string text;
  if (!lines.is_array()) return text;
  for (const auto& line : lines) {
    if (!line.is_object()) continue;
    if (!text.empty()) text += "\n";
    text += line.value("who", "") == "resident" ? "居民：" : "AI社工：";
    text += line.value("text", "");
  }
  return text;
}

}  // namespace

Result<int64_t> WriteLedger(storage::Database& database, const crypto::PiiVault& vault,
                            const Campaign& campaign, const Funnel& funnel,
                            const std::filesystem::path& path, const UnitScope& scope) {
  // The questions, in script order.
  std::vector<std::string> slots;
  for (const auto& node : campaign.script.nodes) {
    if (node.type != NodeType::kAsk) continue;
    bool seen = false;
    for (const auto& slot : slots) seen = seen || slot == node.slot;
    if (!seen) slots.push_back(node.slot);
  }
  std::vector<Row> rows;
  std::map<std::pair<int64_t, Id>, size_t> index;
  STEWARD_TRY(database.Read([&](storage::Connection& connection) -> Status {
    std::map<Id, std::string> units;
    STEWARD_TRY(connection.QueryEach("SELECT id, name FROM org_unit", {}, [&](const RowView& row) {
      units[row.Int(0)] = std::string(row.Text(1));
    }));
    std::vector<Value> params{campaign.id};
    std::string where = "WHERE t.campaign_id = ?";
    if (!scope.sql.empty()) {
      where += " AND " + scope.sql;
      params.insert(params.end(), scope.params.begin(), scope.params.end());
    }
    STEWARD_TRY(connection.QueryEach(
        "SELECT t.round, t.resident_id, r.name, t.unit_id, t.phone_masked, t.state, t.outcome, "
        "t.attempts, t.talk_ms FROM campaign_target t JOIN resident r ON r.id = t.resident_id "
        "JOIN org_unit u ON u.id = t.unit_id " +
            where + " ORDER BY t.round, t.seq",
        params, [&](const RowView& row) {
          Row out;
          out.round = row.Int(0);
          out.resident = row.Int(1);
          out.name = std::string(row.Text(2));
          out.unit = units[row.Int(3)];
          out.phone = row.IsNull(4) ? "" : std::string(row.Text(4));
          out.state = std::string(row.Text(5));
          if (!row.IsNull(6)) {
            auto outcome = ParseOutcome(row.Text(6));
            out.outcome = outcome ? std::string(OutcomeLabel(*outcome)) : std::string(row.Text(6));
          } else {
            out.outcome = out.state == "in_call" ? "通话中" : "待拨打";
          }
          out.attempts = row.Int(7);
          out.talk_ms = row.Int(8);
          index[{out.round, out.resident}] = rows.size();
          rows.push_back(std::move(out));
        }));
    STEWARD_TRY(connection.QueryEach(
        "SELECT round, resident_id, slot, value FROM call_answer WHERE campaign_id = ? ORDER BY "
        "at, attempt_id",
        std::vector<Value>{campaign.id}, [&](const RowView& row) {
          auto it = index.find({row.Int(0), row.Int(1)});
          if (it != index.end())
            rows[it->second].answers[std::string(row.Text(2))] = std::string(row.Text(3));
        }));
    STEWARD_TRY(connection.QueryEach(
        "SELECT round, resident_id, recording FROM call_attempt WHERE campaign_id = ? AND "
        "recording IS NOT NULL ORDER BY started_at, id",
        std::vector<Value>{campaign.id}, [&](const RowView& row) {
          auto it = index.find({row.Int(0), row.Int(1)});
          if (it != index.end()) rows[it->second].recording = std::string(row.Text(2));
        }));
    // The last answered attempt's transcript (or the last attempt's).
    return connection.QueryEach(
        "SELECT round, resident_id, transcript_sealed FROM call_attempt WHERE campaign_id = ? AND "
        "transcript_sealed IS NOT NULL ORDER BY CASE WHEN answered_at IS NULL THEN 0 ELSE 1 END, "
        "started_at, id",
        std::vector<Value>{campaign.id}, [&](const RowView& row) {
          auto it = index.find({row.Int(0), row.Int(1)});
          if (it == index.end()) return;
          auto text = vault.Open(kTranscriptField, row.Text(2));
          if (text) rows[it->second].transcript = Transcript(*text);
        });
  }));

  sheet::SheetSetup setup;
  setup.name = "外呼台账";
  setup.title =
      "外呼台账：" + campaign.name + "\n话术：" + campaign.script.title + "　圈选：" +
      campaign.segment_query + "\n开始：" +
      (campaign.started_at ? FormatIsoMillis(campaign.started_at).substr(0, 16) : "未开始") +
      "　结束：" +
      (campaign.finished_at ? FormatIsoMillis(campaign.finished_at).substr(0, 16) : "进行中") +
      "\n目标 " + std::to_string(funnel.targeted) + " 人，已拨打 " +
      std::to_string(funnel.dialled) + " 人，接通 " + std::to_string(funnel.answered) +
      " 人，完成 " + std::to_string(funnel.completed) + " 人";
  const bool rounds = campaign.schedule.RoundCount() > 1;
  std::vector<std::string> headers = {"序号"};
  if (rounds) headers.push_back("轮次");
  for (const char* header : {"姓名", "所属网格", "电话", "拨打次数", "结果", "通话时长（秒）"}) {
    headers.push_back(header);
  }
  const auto labels = campaign.script.AnswerLabelsBySlot();
  std::vector<const AnswerLabels*> slot_labels;  // per answer column; null: the slot as it is
  for (const auto& slot : slots) {
    auto it = labels.find(slot);
    slot_labels.push_back(it == labels.end() ? nullptr : &it->second);
    headers.push_back(it == labels.end() ? slot : it->second.label);
  }
  headers.push_back("通话记录");
  headers.push_back("录音");
  for (const auto& header : headers) {
    sheet::ColumnSetup column;
    column.header = header;
    if (header == "电话") column.format = sheet::ColumnFormat::kText;
    if (header == "通话记录") column.width = 60;
    setup.columns.push_back(column);
  }
  STEWARD_ASSIGN_OR_RETURN(auto sink, Sink::Open(path, setup));
  int64_t number = 0;
  std::vector<CellValue> cells;
  for (const auto& row : rows) {
    cells.clear();
    cells.push_back(CellValue::Number(static_cast<double>(++number)));
    if (rounds) cells.push_back(CellValue::Number(static_cast<double>(row.round + 1)));
    cells.push_back(CellValue::Text(row.name));
    cells.push_back(CellValue::Text(row.unit));
    cells.push_back(row.phone.empty() ? CellValue::Empty() : CellValue::Text(row.phone));
    cells.push_back(CellValue::Number(static_cast<double>(row.attempts)));
    cells.push_back(CellValue::Text(row.outcome));
    cells.push_back(CellValue::Number(static_cast<double>(row.talk_ms / 1000)));
    for (size_t i = 0; i < slots.size(); ++i) {
      auto answer = row.answers.find(slots[i]);
      if (answer == row.answers.end()) {
        cells.push_back(CellValue::Empty());
      } else {
        cells.push_back(
            CellValue::Text(slot_labels[i] ? slot_labels[i]->Of(answer->second) : answer->second));
      }
    }
    cells.push_back(row.transcript.empty() ? CellValue::Empty() : CellValue::Text(row.transcript));
    cells.push_back(row.recording.empty() ? CellValue::Empty() : CellValue::Text(row.recording));
    STEWARD_TRY(sink->Write(cells));
  }
  STEWARD_TRY(sink->Close());
  return number;
}

}  // namespace steward::campaign
