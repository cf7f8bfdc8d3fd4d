// The demo city: Longquan (龙泉市, 331181) as the 2023 document describes it, generated.
//
// Real streets (龙渊, 西街, 剑池) and their 27 real communities from the national division list,
// plus the village 张村 converted into 张村社区 (村改居, effective 2021-06-01) to make 28; 239
// grids, 1,388 micro-grids, 46 complexes, buildings, households and ~70,000 residents with an
// ageing mountain county's age pyramid, 人户分离 cases, tags, and 882 assistance households with
// 1,511 members. `residents` scales the whole city proportionally (more streets, communities,
// grids) for benchmarks. The same seed always gives the same city (ids and sealed values aside).
//
// Writes go in chunks of a few thousand residents, so no transaction holds SQLite's write lock for
// long; the finished city is marked in meta('demo'), and a database holding a partial demo (a
// crash mid-way) is refused with a clear message instead of being topped up.
// Thread-safety: BuildDemo runs on the calling thread.
#pragma once

#include <functional>
#include <string>

#include "base/clock.hpp"
#include "base/id.hpp"
#include "crypto/pii_vault.hpp"
#include "org/division_source.hpp"
#include "storage/database.hpp"

namespace steward::demo {

// Demo phone numbers are 11-digit mobiles starting with this prefix, a range no carrier assigns
// to people here; later modules refuse to dial them except to loopback test peers.
inline constexpr std::string_view kDemoPhonePrefix = "1999";
bool IsDemoPhone(std::string_view normalized);

struct DemoOptions {
  int64_t residents = 70000;
  uint64_t seed = 20231;
  // Called after each chunk: stage name, residents written so far, residents in all.
  std::function<void(std::string_view stage, int64_t done, int64_t total)> progress;
};

struct DemoReport {
  int64_t streets = 0, communities = 0, grids = 0, micro_grids = 0;
  int64_t complexes = 0, buildings = 0, households = 0, residents = 0;
  int64_t assistance_households = 0, assistance_members = 0;
};

// `longquan` is county 331181 loaded from the division list.
Result<DemoReport> BuildDemo(storage::Database& database, const org::CountyDivisions& longquan,
                             const crypto::PiiVault& vault, IdGenerator& ids, const Clock& clock,
                             const DemoOptions& options);

}  // namespace steward::demo
