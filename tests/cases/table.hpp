// Data-driven rule tables (tests/cases/*.tsv) for GoogleTest drivers.
//
// A table is tab-separated UTF-8: blank lines and lines starting with '#' are skipped, the first
// other line is the header. Cells may write \uXXXX (BMP) and \\ so invisible characters can be
// written down (Unescape). Test-only header.
#pragma once

#include <gtest/gtest.h>

#include <fstream>
#include <sstream>
#include <string>
#include <vector>

namespace steward::testing {

struct Row {
  int line = 0;
  std::vector<std::string> cells;
};

// Expands \uXXXX (BMP only) to UTF-8 and \\ to a backslash, so invisible characters can be written.
inline std::string Unescape(const std::string& text) {
  std::string out;
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '\\' && i + 1 < text.size() && text[i + 1] == '\\') {
      out += '\\';
      ++i;
    } else if (text[i] == '\\' && i + 5 < text.size() && text[i + 1] == 'u') {
      const unsigned code = std::stoul(text.substr(i + 2, 4), nullptr, 16);
      if (code < 0x80) {
        out += static_cast<char>(code);
      } else if (code < 0x800) {
        out += static_cast<char>(0xC0 | (code >> 6));
        out += static_cast<char>(0x80 | (code & 0x3F));
      } else {
        out += static_cast<char>(0xE0 | (code >> 12));
        out += static_cast<char>(0x80 | ((code >> 6) & 0x3F));
        out += static_cast<char>(0x80 | (code & 0x3F));
      }
      i += 5;
    } else {
      out += text[i];
    }
  }
  return out;
}

// Reads a tab-separated table: '#' lines and blank lines are skipped, the first other line is the
// header and must equal `header`.
inline std::vector<Row> ReadTable(const char* path, const std::vector<std::string>& header) {
  std::ifstream in(path);
  EXPECT_TRUE(in.is_open()) << "cannot open " << path;
  std::vector<Row> rows;
  std::string text;
  bool header_seen = false;
  for (int line = 1; std::getline(in, text); ++line) {
    if (!text.empty() && text.back() == '\r') text.pop_back();
    if (text.empty() || text[0] == '#') continue;
    Row row{line, {}};
    std::stringstream cells(text);
    for (std::string cell; std::getline(cells, cell, '\t');) row.cells.push_back(cell);
    if (text.back() == '\t') row.cells.push_back("");
    if (!header_seen) {
      EXPECT_EQ(row.cells, header) << path << ":" << line << ": unexpected header";
      header_seen = true;
      continue;
    }
    EXPECT_EQ(row.cells.size(), header.size()) << path << ":" << line << ": wrong column count";
    if (row.cells.size() == header.size()) rows.push_back(std::move(row));
  }
  return rows;
}

}  // namespace steward::testing
