// What an .xlsx reader needs before the sheets: which parts hold the visible worksheets, the date
// system, each cell style's date kind, and the shared strings. Every part streams through expat.
//
// Private to sheet/. Plain values once read.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "base/result.hpp"
#include "sheet/internal/reader_base.hpp"
#include "sheet/internal/xml.hpp"
#include "sheet/internal/zip.hpp"

namespace steward::sheet::internal {

struct SheetPart {
  std::string name;  // as the workbook names it ("居民信息(2)"); "" when it names none
  std::string part;  // zip entry name, e.g. "xl/worksheets/sheet1.xml"
};

struct Workbook {
  // The visible worksheets in workbook order (hidden and very hidden sheets, chart and other
  // non-worksheet sheets and a sheet named "_choices" left out); when none is visible, the first
  // worksheet alone. Never empty.
  std::vector<SheetPart> sheets;
  bool date1904 = false;
  std::vector<DateStyle> styles;     // by cell style index (the s attribute)
  std::vector<std::string> strings;  // the shared strings, by index
};

Result<Workbook> ReadWorkbook(ZipArchive& archive, const ReadLimits& limits);

// Streams the entry `index` through `handler`.
Status ParseEntry(ZipArchive& archive, uint64_t index, XmlHandler& handler);

// Resolves a relationship target against the folder of the part that names it:
// ("xl/workbook.xml", "worksheets/sheet1.xml") -> "xl/worksheets/sheet1.xml";
// absolute targets ("/xl/...") start from the root; ".." and "." are folded.
std::string ResolvePart(std::string_view source_part, std::string_view target);

// Undoes OOXML's escapes of characters XML cannot carry: "_x000D_" is a carriage return,
// "_x005F_" an underscore.
std::string DecodeEscapes(std::string_view text);

}  // namespace steward::sheet::internal
