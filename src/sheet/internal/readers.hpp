// The three format readers behind OpenSheet, and the text sniffing that tells a CSV from a
// binary file.
//
// Private to sheet/. Each factory returns a reader ready for Next(), or the one error that says
// why the file cannot be read.
#pragma once

#include <filesystem>
#include <memory>
#include <optional>
#include <string_view>

#include "base/result.hpp"
#include "sheet/internal/byte_source.hpp"
#include "sheet/reader.hpp"

namespace steward::sheet::internal {

enum class TextEncoding { kUtf8, kUtf8Bom, kGb18030 };

// How many leading bytes the sniffers look at.
inline constexpr size_t kSniffBytes = 64 * 1024;

// The encoding of text whose first bytes are `prefix` (`whole` when that is the whole file), or
// nullopt for binary data: NUL or other control bytes, or neither UTF-8 nor GB18030.
std::optional<TextEncoding> DetectTextEncoding(std::string_view prefix, bool whole);

// True when `prefix` (the whole file) holds nothing but a BOM and white space.
bool IsBlankText(std::string_view prefix);

Result<std::unique_ptr<SheetReader>> OpenCsv(std::unique_ptr<ByteSource> source,
                                             TextEncoding encoding, const ReadLimits& limits);

Result<std::unique_ptr<SheetReader>> OpenXlsxFile(const std::filesystem::path& path,
                                                  const ReadLimits& limits);
Result<std::unique_ptr<SheetReader>> OpenXlsxMemory(std::string_view data,
                                                    const ReadLimits& limits);

Result<std::unique_ptr<SheetReader>> OpenXlsFile(const std::filesystem::path& path,
                                                 const ReadLimits& limits);
// freexl reads only files: the bytes go to a temporary file, removed once freexl has loaded it.
Result<std::unique_ptr<SheetReader>> OpenXlsMemory(std::string_view data, const ReadLimits& limits);

}  // namespace steward::sheet::internal
