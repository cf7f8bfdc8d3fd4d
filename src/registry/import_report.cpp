#include "registry/import_report.hpp"

namespace steward::registry {

Result<std::unique_ptr<ImportReport>> ImportReport::Create(const std::filesystem::path& path,
                                                           std::string source_name) {
  STEWARD_ASSIGN_OR_RETURN(auto writer,
                           sheet::XlsxWriter::Create(path, sheet::Mode::kConstantMemory));
  return std::unique_ptr<ImportReport>(new ImportReport(std::move(writer), std::move(source_name)));
}

Status ImportReport::Header(const SheetColumns& columns) {
  sheet::SheetSetup setup;
  setup.name = "导入结果";
  setup.title = "导入结果报告：" + source_name_ + "（第 " + std::to_string(columns.header_row) +
                " 行为表头；红色单元格有误，见批注）";
  setup.columns.push_back({"原行号", 8, sheet::ColumnFormat::kGeneral, "源文件中的行号", {}, {}});
  setup.columns.push_back({"导入结果", 10, sheet::ColumnFormat::kGeneral, "", {}, {}});
  setup.columns.push_back({"错误说明", 40, sheet::ColumnFormat::kGeneral, "", {}, {}});
  for (const auto& header : columns.headers) {
    // Every source column as text, so ID numbers and phones come back exactly as read.
    setup.columns.push_back({header.empty() ? std::string("（无表头）") : header,
                             0,
                             sheet::ColumnFormat::kText,
                             "",
                             {},
                             {}});
  }
  columns_ = columns.headers.size();
  return writer_->AddSheet(std::move(setup));
}

Status ImportReport::Row(const RowOutcome& outcome) {
  std::vector<sheet::CellValue> cells;
  cells.reserve(columns_ + 3);
  cells.push_back(sheet::CellValue::Number(static_cast<double>(outcome.row->number)));
  const bool ok = outcome.status == RowStatus::kOk;
  cells.push_back(
      sheet::CellValue::Text(ok                                       ? "通过"
                             : outcome.status == RowStatus::kConflict ? "冲突"
                                                                      : "未通过",
                             ok ? sheet::CellStyle::kNormal : sheet::CellStyle::kError));
  std::string messages;
  for (const auto& problem : outcome.problems) {
    if (!messages.empty()) messages += "；";
    messages += problem.column + "：" + problem.message;
  }
  cells.push_back(sheet::CellValue::Text(messages));
  for (size_t i = 0; i < columns_; ++i) {
    std::string text = i < outcome.row->cells.size() ? outcome.row->cells[i].text : "";
    auto cell = sheet::CellValue::Text(std::move(text));
    for (const auto& problem : outcome.problems) {
      if (problem.column_index == static_cast<int>(i)) {
        cell.style = sheet::CellStyle::kError;
        if (!cell.note.empty()) cell.note += "\n";
        cell.note += problem.message + " [" + problem.code + "]";
      }
    }
    cells.push_back(std::move(cell));
  }
  return writer_->WriteRow(cells);
}

Status ImportReport::Close() { return writer_->Close(); }

}  // namespace steward::registry
