// Resident export (`steward export residents`) and the import template (`steward export
// template`): the sheet layout of sheet_layout.hpp, written so what comes out goes back in.
//
// ExportResidents writes every live (not deleted) resident of a unit's subtree, or of the whole
// registry, as one row in the columns of ResidentColumns(), in that order: 居民编号 and 版本 first,
// so an edited export re-imports as updates of the same residents at the versions read. Rows are
// ordered by the resident's unit (path), then household, then id. The format follows the file's
// extension: .xlsx (for people: a title row "<unit>居民信息（导出日期 YYYY-MM-DD）", a frozen
// header, text-formatted columns, continuation sheets "居民信息(2)", ... past Excel's row limit,
// written in libxlsxwriter's constant-memory mode) or .csv (for systems: header and rows only,
// UTF-8 with BOM; see sheet/csv_writer.hpp). Any other extension is kInvalidArgument.
//
// Personal data: ID numbers and phones are written masked ("3311**********123X", "138****5678")
// unless `unmasked` is set; then they are opened with the vault. The caller decides who may ask
// for an unmasked export and records that it happened (never the values). The file is created
// with mode 0600.
//
// Reads: one read snapshot for the whole export (BEGIN on SQLite; REPEATABLE READ, READ ONLY on
// PostgreSQL), so a resident moving meanwhile is neither missed nor written twice. The connection
// must not be inside a transaction. Residents are read unit by unit in pages of 1,000 with their
// phones and tags, so memory stays flat however large the registry (a unit's page, never the
// whole result, is held at once).
//
// Thread-safety: free functions; the connection belongs to the calling thread.
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "base/clock.hpp"
#include "base/id.hpp"
#include "base/result.hpp"
#include "crypto/pii_vault.hpp"
#include "sheet/xlsx_writer.hpp"
#include "storage/connection.hpp"

namespace steward::registry {

struct ExportOptions {
  std::filesystem::path out;  // .xlsx or .csv
  std::optional<Id> unit_id;  // this unit and everything below; nullopt: the whole registry
  bool unmasked = false;      // plain ID numbers and phones instead of masked ones
  // Only these residents (a segment's, ascending ids), in id order; unit_id is then ignored and
  // ids of deleted or unknown residents are skipped. nullopt: every resident of the scope.
  std::optional<std::vector<Id>> resident_ids;
  // The sheet's title row; empty: "<place>居民信息（导出日期 …）".
  std::string title;
  // Called after each page of rows and at the end, with rows written and rows to write.
  std::function<void(int64_t done, int64_t total)> progress;
  int64_t rows_per_sheet = sheet::kMaxRowsPerSheet;  // xlsx; tests lower it
};

struct ExportReport {
  int64_t rows = 0;    // residents written
  int sheets = 0;      // xlsx: sheets written (continuations included); csv: 1
  std::string format;  // "xlsx" or "csv"
};

// kInvalidArgument for an unknown extension; kNotFound for an unknown unit or a missing folder;
// kDataLoss when a sealed value cannot be opened (unmasked only); storage and file errors as they
// come. On any error no file is left at `out` (an existing one is kept).
Result<ExportReport> ExportResidents(storage::Connection& connection, const crypto::PiiVault& vault,
                                     const Clock& clock, const ExportOptions& options);

// The empty import workbook (.xlsx): an instruction row, the header of every importable column
// (no 居民编号/版本: a template is for new residents) with required ones marked "*" ("姓名*"; the
// import ignores a trailing "*"), each header's note as a comment, drop-down lists for 性别,
// 人户状态 and 与户主关系 and, offering `tag_names`, for 标签 (a suggestion only: a cell may hold
// several tags), and text-formatted columns so ID numbers and phones keep their digits.
// Needs no database: the caller passes the tag names (ListTagNames).
Status WriteImportTemplate(const std::filesystem::path& path,
                           std::span<const std::string> tag_names);

// The Chinese names of the tag dictionary, in its display order (for the template).
Result<std::vector<std::string>> ListTagNames(storage::Connection& connection);

}  // namespace steward::registry
