// Test helpers for files a test wrote: the raw bytes, one inflated entry of a zip (.xlsx), and
// counting a piece of text. Test-only; links libzip through steward_sheet.
#pragma once

#include <zip.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <string_view>

namespace steward::testing {

inline std::string ReadFile(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream bytes;
  bytes << in.rdbuf();
  return bytes.str();
}

// One entry of a zip file, inflated; "" when it is missing.
inline std::string ZipEntry(const std::filesystem::path& path, const std::string& name) {
  int error = 0;
  zip_t* archive = zip_open(path.c_str(), ZIP_RDONLY, &error);
  if (!archive) return "";
  std::string data;
  if (zip_file_t* file = zip_fopen(archive, name.c_str(), 0)) {
    char buffer[65536];
    for (zip_int64_t n; (n = zip_fread(file, buffer, sizeof buffer)) > 0;) data.append(buffer, n);
    zip_fclose(file);
  }
  zip_close(archive);
  return data;
}

// How often `piece` occurs in `text` (not overlapping).
inline size_t Count(std::string_view text, std::string_view piece) {
  size_t count = 0;
  for (size_t at = text.find(piece); at != std::string_view::npos;
       at = text.find(piece, at + piece.size())) {
    ++count;
  }
  return count;
}

}  // namespace steward::testing
