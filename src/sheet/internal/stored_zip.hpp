// StoredZip: writes a zip archive of uncompressed ("stored") entries in memory, so tests and
// fuzzers (tests/fuzz/xlsx_fuzz.cpp) can wrap arbitrary XML into an .xlsx without a compressor.
// Header-only; used by test code only.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace steward::testing {

inline uint32_t Crc32(std::string_view data) {
  static const std::array<uint32_t, 256> table = [] {
    std::array<uint32_t, 256> t{};
    for (uint32_t i = 0; i < 256; ++i) {
      uint32_t c = i;
      for (int k = 0; k < 8; ++k) c = (c & 1) ? 0xEDB88320u ^ (c >> 1) : c >> 1;
      t[i] = c;
    }
    return t;
  }();
  uint32_t crc = 0xFFFFFFFFu;
  for (const char byte : data) crc = table[(crc ^ static_cast<uint8_t>(byte)) & 0xFF] ^ (crc >> 8);
  return crc ^ 0xFFFFFFFFu;
}

// `entries`: (name, content) pairs, written in order.
inline std::string StoredZip(const std::vector<std::pair<std::string, std::string>>& entries) {
  std::string out, directory;
  auto u16 = [](std::string* s, uint16_t v) {
    s->push_back(static_cast<char>(v & 0xFF));
    s->push_back(static_cast<char>(v >> 8));
  };
  auto u32 = [&](std::string* s, uint32_t v) {
    u16(s, static_cast<uint16_t>(v & 0xFFFF));
    u16(s, static_cast<uint16_t>(v >> 16));
  };
  for (const auto& [name, content] : entries) {
    const uint32_t offset = static_cast<uint32_t>(out.size());
    const uint32_t crc = Crc32(content);
    const auto size = static_cast<uint32_t>(content.size());
    const auto name_size = static_cast<uint16_t>(name.size());
    u32(&out, 0x04034b50);  // local file header
    u16(&out, 20);
    u16(&out, 0);     // flags
    u16(&out, 0);     // stored
    u16(&out, 0);     // time
    u16(&out, 0x21);  // date 1980-01-01
    u32(&out, crc);
    u32(&out, size);
    u32(&out, size);
    u16(&out, name_size);
    u16(&out, 0);
    out += name;
    out += content;
    u32(&directory, 0x02014b50);  // central directory header
    u16(&directory, 20);
    u16(&directory, 20);
    u16(&directory, 0);
    u16(&directory, 0);
    u16(&directory, 0);
    u16(&directory, 0x21);
    u32(&directory, crc);
    u32(&directory, size);
    u32(&directory, size);
    u16(&directory, name_size);
    u16(&directory, 0);  // extra
    u16(&directory, 0);  // comment
    u16(&directory, 0);  // disk
    u16(&directory, 0);  // internal attributes
    u32(&directory, 0);  // external attributes
    u32(&directory, offset);
    directory += name;
  }
  const auto directory_offset = static_cast<uint32_t>(out.size());
  out += directory;
  u32(&out, 0x06054b50);  // end of central directory
  u16(&out, 0);
  u16(&out, 0);
  u16(&out, static_cast<uint16_t>(entries.size()));
  u16(&out, static_cast<uint16_t>(entries.size()));
  u32(&out, static_cast<uint32_t>(directory.size()));
  u32(&out, directory_offset);
  u16(&out, 0);
  return out;
}

// A minimal .xlsx around the given parts; an empty string leaves that part out. The default
// workbook names sheet1 only; a workbook may name `second_sheet` as r:id="rId4" (sheet2.xml).
inline std::string MinimalXlsx(std::string sheet, std::string shared_strings = "",
                               std::string styles = "", std::string workbook = "",
                               std::string second_sheet = "") {
  if (workbook.empty()) {
    workbook =
        "<workbook xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\" "
        "xmlns:r=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships\">"
        "<sheets><sheet name=\"Sheet1\" sheetId=\"1\" r:id=\"rId1\"/></sheets></workbook>";
  }
  const std::string rels =
      "<Relationships xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\">"
      "<Relationship Id=\"rId1\" "
      "Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet\" "
      "Target=\"worksheets/sheet1.xml\"/>"
      "<Relationship Id=\"rId2\" "
      "Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings\" "
      "Target=\"sharedStrings.xml\"/>"
      "<Relationship Id=\"rId3\" "
      "Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles\" "
      "Target=\"styles.xml\"/>"
      "<Relationship Id=\"rId4\" "
      "Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet\" "
      "Target=\"worksheets/sheet2.xml\"/></Relationships>";
  std::vector<std::pair<std::string, std::string>> entries = {
      {"xl/workbook.xml", std::move(workbook)},
      {"xl/_rels/workbook.xml.rels", rels},
      {"xl/worksheets/sheet1.xml", std::move(sheet)},
  };
  if (!shared_strings.empty()) entries.emplace_back("xl/sharedStrings.xml", shared_strings);
  if (!styles.empty()) entries.emplace_back("xl/styles.xml", styles);
  if (!second_sheet.empty()) entries.emplace_back("xl/worksheets/sheet2.xml", second_sheet);
  return StoredZip(entries);
}

}  // namespace steward::testing
