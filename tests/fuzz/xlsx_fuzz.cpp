// Fuzzes the .xlsx reader. An input starting with "PK" is read as the zip itself (libzip, the
// guards). Any other input is XML: the parts split at NUL bytes become the sheet, shared
// strings, styles, workbook and a second sheet (rId4) of a stored zip, so mutations reach the XML
// handlers instead of dying on a CRC check. Every sheet is read (NextSheet).
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "sheet/internal/stored_zip.hpp"
#include "sheet/reader.hpp"
#include "tests/fuzz/fuzz_check.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace steward;
  const std::string_view bytes(reinterpret_cast<const char*>(data), size);
  const sheet::ReadLimits limits = testing::FuzzLimits();
  if (bytes.starts_with("PK")) {
    testing::ReadAll(sheet::OpenSheetFromMemory(bytes, limits, sheet::Format::kXlsx), limits);
    return 0;
  }
  std::vector<std::string> parts;
  size_t start = 0;
  while (parts.size() < 5) {
    const size_t end = bytes.find('\0', start);
    parts.emplace_back(bytes.substr(start, end == std::string_view::npos ? end : end - start));
    if (end == std::string_view::npos) break;
    start = end + 1;
  }
  parts.resize(5);
  const std::string zip = testing::MinimalXlsx(parts[0], parts[1], parts[2], parts[3], parts[4]);
  testing::ReadAll(sheet::OpenSheetFromMemory(zip, limits, sheet::Format::kXlsx), limits);
  return 0;
}
