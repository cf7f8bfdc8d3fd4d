// Fuzzes the CSV reader (and format detection): any bytes, read to the end or the first error.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "sheet/reader.hpp"
#include "tests/fuzz/fuzz_check.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace steward;
  const std::string_view bytes(reinterpret_cast<const char*>(data), size);
  const sheet::ReadLimits limits = testing::FuzzLimits();
  testing::ReadAll(sheet::OpenSheetFromMemory(bytes, limits, sheet::Format::kCsv), limits);
  // Detection too, except for .xls magic (freexl needs a temporary file: slow, and not CSV).
  if (!bytes.starts_with("\xD0\xCF\x11\xE0")) {
    testing::ReadAll(sheet::OpenSheetFromMemory(bytes, limits), limits);
  }
  return 0;
}
