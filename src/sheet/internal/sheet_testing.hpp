// Test helpers for sheet/: fixture paths and a one-line-per-row rendering of what a reader
// yields, so tests compare whole sheets as small tables. Used by *_test.cpp only.
#pragma once

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <memory>
#include <string>
#include <vector>

#include "sheet/reader.hpp"

namespace steward::sheet::testing {

inline std::filesystem::path Fixture(const std::string& name) {
  return std::filesystem::path(STEWARD_SOURCE_DIR) / "tests" / "fixtures" / "sheets" / name;
}

inline std::string ReadFile(const std::filesystem::path& path) {
  std::ifstream file(path, std::ios::binary);
  return std::string((std::istreambuf_iterator<char>(file)), std::istreambuf_iterator<char>());
}

inline void WriteFile(const std::filesystem::path& path, std::string_view data) {
  std::ofstream file(path, std::ios::binary);
  file.write(data.data(), static_cast<std::streamsize>(data.size()));
}

// "-" for an empty cell, else kind letter, ':', text: t text, n number, d date, b bool, e error.
inline std::string Render(const Cell& cell) {
  switch (cell.kind) {
    case CellKind::kEmpty:
      return "-";
    case CellKind::kText:
      return "t:" + cell.text;
    case CellKind::kNumber:
      return "n:" + cell.text;
    case CellKind::kDate:
      return "d:" + cell.text;
    case CellKind::kBool:
      return "b:" + cell.text;
    case CellKind::kError:
      return "e:" + cell.text;
  }
  return "?";
}

// "7: - | n:34.1" per row; an error ends the list as "error: <message>".
inline std::vector<std::string> Dump(SheetReader& reader, size_t max_rows = 1000) {
  std::vector<std::string> lines;
  while (lines.size() < max_rows) {
    auto row = reader.Next();
    if (!row) {
      lines.push_back("error: " + row.error().message);
      break;
    }
    if (!*row) break;
    std::string line = std::to_string((*row)->number) + ":";
    for (size_t i = 0; i < (*row)->cells.size(); ++i) {
      line += (i == 0 ? " " : " | ") + Render((*row)->cells[i]);
    }
    lines.push_back(line);
  }
  return lines;
}

inline std::vector<std::string> Dump(Result<std::unique_ptr<SheetReader>> opened,
                                     size_t max_rows = 1000) {
  if (!opened) return {"open error: " + opened.error().message};
  return Dump(**opened, max_rows);
}

// A fresh empty folder under the system temp folder, removed by the destructor.
class TempDir {
 public:
  TempDir() {
    std::string pattern = (std::filesystem::temp_directory_path() / "sheet-test-XXXXXX").string();
    path_ = ::mkdtemp(pattern.data());
  }
  ~TempDir() {
    std::error_code ignored;
    std::filesystem::remove_all(path_, ignored);
  }
  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

}  // namespace steward::sheet::testing
