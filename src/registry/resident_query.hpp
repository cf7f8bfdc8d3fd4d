// Listing residents: filters, sorting and pages, always inside a caller-given unit condition.
//
// What for: the registry's list (console, API) and anything else that pages through residents.
// The caller (the API, through auth's policy layer) passes the data scope as a SQL condition over
// the resident's unit path, `u.path`; this module never decides who sees what, but it never runs
// a listing without that condition either.
// Exact ID-number and phone filters go through the keyed lookup hashes (no plain values in SQL).
// Ages are computed against `today` (the injectable clock), so results do not change at midnight
// in a test. Deleted residents are never listed.
// Thread-safety: stateless; runs on the borrowed connection.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "base/clock.hpp"
#include "base/id.hpp"
#include "registry/resident.hpp"
#include "storage/connection.hpp"

namespace steward::registry {

enum class ResidentSort { kName, kBirthDate, kUpdated, kId };

struct ResidentFilter {
  std::optional<Id> unit_id;             // that unit and everything below it
  std::string name_prefix;               // 姓名 starts with
  std::optional<std::string> id_number;  // exact; any accepted spelling
  std::optional<std::string> phone;      // exact; any accepted spelling
  std::optional<int> age_min;            // inclusive, whole years on `today`
  std::optional<int> age_max;            // inclusive
  std::optional<Gender> gender;
  std::vector<std::string> tags;  // has all of these tag codes
  std::optional<ResidenceStatus> residence_status;
  std::optional<Id> household_id;
  std::optional<std::vector<Id>> only_ids;  // only these residents (a segment's page)
  ResidentSort sort = ResidentSort::kName;
  bool descending = false;
  int page = 1;        // from 1
  int page_size = 20;  // 1..200
};

struct ResidentListItem {
  Id id = 0;
  std::string name;
  std::string gender;  // male | female
  std::optional<std::string> birth_date;
  std::optional<int> age;
  std::optional<std::string> id_number_masked;
  std::optional<std::string> phone_masked;  // the first phone
  Id unit_id = 0;
  std::string unit_name;
  std::string unit_path;  // for the caller's per-record access decisions
  std::optional<Id> household_id;
  std::string residence_status;
  std::string relation_to_head;
  std::vector<std::string> tags;  // codes, sorted; the caller hides sensitive ones
  int64_t version = 0;
};

struct ResidentPage {
  int64_t total = 0;  // matching residents in scope, over all pages
  std::vector<ResidentListItem> items;
};

// The condition over `u.path` (the resident's unit's path) that bounds every listing.
struct UnitCondition {
  std::string sql;
  std::vector<storage::Value> params;
};

// kInvalidArgument for a page size out of range or an ID number / phone that cannot be one (with a
// detail naming the filter).
Result<ResidentPage> ListResidents(storage::Connection& connection, ResidentStore& residents,
                                   Date today, const ResidentFilter& filter,
                                   const UnitCondition& scope);

}  // namespace steward::registry
