// The import report workbook: the file's rows written back with a result column and an error
// column, the bad cells filled red with the problem as a note, so an office can fix its sheet and
// import it again. Fed by ImportOptions::on_header / on_row (pass 1 sees every row).
// Thread-safety: one thread.
#pragma once

#include <filesystem>
#include <memory>

#include "registry/resident_import.hpp"
#include "sheet/xlsx_writer.hpp"

namespace steward::registry {

class ImportReport {
 public:
  // Nothing appears at `path` until Close succeeds.
  static Result<std::unique_ptr<ImportReport>> Create(const std::filesystem::path& path,
                                                      std::string source_name);
  Status Header(const SheetColumns& columns);
  Status Row(const RowOutcome& outcome);
  Status Close();

 private:
  ImportReport(std::unique_ptr<sheet::XlsxWriter> writer, std::string source_name)
      : writer_(std::move(writer)), source_name_(std::move(source_name)) {}

  std::unique_ptr<sheet::XlsxWriter> writer_;
  std::string source_name_;
  size_t columns_ = 0;
};

}  // namespace steward::registry
