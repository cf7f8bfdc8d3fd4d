// Reads every row of every sheet a SheetReader yields and traps when SheetReader's promises break
// (row numbers rising, no trailing empty cell, no empty text cell, valid UTF-8, the limits held),
// so fuzzers catch wrong answers as well as crashes. Test code.
#pragma once

#include <cstdlib>
#include <memory>
#include <string_view>

#include "sheet/internal/reader_base.hpp"
#include "sheet/reader.hpp"

namespace steward::testing {

inline void Expect(bool condition) {
  if (!condition) __builtin_trap();
}

inline sheet::ReadLimits FuzzLimits() {
  sheet::ReadLimits limits;
  limits.max_rows = 20'000;
  limits.max_columns = 200;
  limits.max_uncompressed_bytes = 16 << 20;
  limits.max_shared_strings_bytes = 4 << 20;
  limits.max_cell_bytes = 64 << 10;
  return limits;
}

// Reads every sheet (NextSheet), each from its own row 1.
inline void ReadAll(Result<std::unique_ptr<sheet::SheetReader>> opened,
                    const sheet::ReadLimits& limits) {
  if (!opened) {
    Expect(!opened.error().message.empty());
    return;
  }
  sheet::SheetReader& reader = **opened;
  int64_t last = 0;
  for (int i = 0; i < 1'000'000; ++i) {
    auto row = reader.Next();
    const double progress = reader.progress();
    Expect(progress >= 0 && progress <= 1);
    if (!row) {
      Expect(!row.error().message.empty());
      auto again = reader.Next();  // errors are final
      Expect(!again && again.error().message == row.error().message);
      auto sheet = reader.NextSheet();
      Expect(!sheet && sheet.error().message == row.error().message);
      return;
    }
    if (!*row) {
      auto again = reader.Next();
      Expect(again && !*again);
      auto sheet = reader.NextSheet();
      if (!sheet) {
        Expect(!sheet.error().message.empty());
        auto after = reader.Next();
        Expect(!after && after.error().message == sheet.error().message);
        return;
      }
      if (!*sheet) {
        Expect(reader.progress() == 1 || reader.format() != sheet::Format::kXlsx);
        auto end = reader.Next();
        Expect(end && !*end);
        auto still = reader.NextSheet();
        Expect(still && !*still);
        return;
      }
      Expect(reader.format() == sheet::Format::kXlsx);
      last = 0;  // the next sheet counts from its own row 1
      continue;
    }
    const sheet::Row& r = **row;
    Expect(r.number > last && r.number <= limits.max_rows);
    last = r.number;
    Expect(!r.cells.empty() && r.cells.back().kind != sheet::CellKind::kEmpty);
    Expect(static_cast<int64_t>(r.cells.size()) <= limits.max_columns);
    for (const sheet::Cell& cell : r.cells) {
      bool incomplete = false;
      Expect(sheet::internal::ValidUtf8Prefix(cell.text, &incomplete) == cell.text.size());
      Expect(static_cast<int64_t>(cell.text.size()) <= limits.max_cell_bytes);
      Expect(cell.kind == sheet::CellKind::kEmpty ? cell.text.empty() : !cell.text.empty());
      Expect(cell.date.has_value() <= (cell.kind == sheet::CellKind::kDate));
    }
  }
}

}  // namespace steward::testing
