#include "demo/demo.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <map>
#include <random>
#include <set>
#include <unordered_map>

#include "demo/internal/names.hpp"
#include "geo/geometry.hpp"
#include "org/unit.hpp"
#include "registry/id_number.hpp"
#include "registry/place.hpp"
#include "registry/resident.hpp"

namespace steward::demo {
namespace {

using registry::Gender;
using registry::NewHousehold;
using registry::NewResident;
using registry::ResidenceStatus;

// The document's figures for Longquan's urban area (2023).
constexpr int64_t kBaseResidents = 70000;
constexpr int kBaseGrids = 239;
constexpr int kBaseMicroGrids = 1388;
constexpr int kBaseComplexes = 46;
// 882 assistance households with 1,511 members: 353 of one person, 429 of two, 100 of three.
constexpr int kAssistSingles = 353, kAssistPairs = 429, kAssistTriples = 100;
constexpr const char* kLonglongStreets[] = {"331181001", "331181002", "331181003"};
constexpr std::string_view kConvertedVillage = "331181001211";  // 张村村委会
constexpr std::string_view kConvertedCode = "331181001010";
constexpr Date kConversionDate{2021, 6, 1};
constexpr Date kAssistanceSince{2023, 1, 1};
// Around the city centre (28.07°N, 119.14°E), about 8 km by 6.7 km at 70,000 residents.
constexpr geo::Rect kBaseArea{119.10, 28.04, 119.18, 28.10};
constexpr int kChunkResidents = 5000;

// Share `total` among `parts` as evenly as possible.
std::vector<int64_t> Share(int64_t total, size_t parts) {
  std::vector<int64_t> shares(parts, parts ? total / static_cast<int64_t>(parts) : 0);
  for (size_t i = 0; i < static_cast<size_t>(total % std::max<int64_t>(1, parts)); ++i) ++shares[i];
  return shares;
}

std::string Pad(int64_t value, int width) {
  char buffer[24];
  std::snprintf(buffer, sizeof buffer, "%0*lld", width, static_cast<long long>(value));
  return buffer;
}

struct CommunityPlan {
  std::string code, name, official_name, street_code;
  bool converted_village = false;
  std::string village_name, village_official_name;
  std::string village_code;
};

struct StreetPlan {
  std::string code, name, official_name, subtype;
  std::vector<CommunityPlan> communities;
};

struct MicroGridSite {
  Id unit_id = 0;
  geo::Rect area;
  std::string street_name, community_name;
  std::optional<Id> complex_id;
  std::string complex_name;
  Id community_id = 0;
};

// The random person factory: names, ages, ID numbers, phones.
class People {
 public:
  explicit People(uint64_t seed, const Date& today) : random_(seed), today_(today) {}

  std::mt19937_64& random() { return random_; }
  bool Chance(double p) { return std::uniform_real_distribution<double>(0, 1)(random_) < p; }
  int Uniform(int lo, int hi) { return std::uniform_int_distribution<int>(lo, hi)(random_); }
  template <typename T>
  const T& Pick(std::span<const T> items) {
    return items[static_cast<size_t>(Uniform(0, static_cast<int>(items.size()) - 1))];
  }

  // An age from an ageing mountain county's pyramid (5-year bands, 0-4 up to 95-99).
  int Age(int min_age = 0, int max_age = 99) {
    static constexpr double kBands[] = {3.2, 3.8, 4.2, 4.4, 4.0, 4.8, 5.8, 6.2, 6.8, 7.8,
                                        8.4, 8.6, 8.2, 7.4, 6.3, 4.6, 3.0, 1.6, 0.6, 0.2};
    for (;;) {
      std::discrete_distribution<int> band(std::begin(kBands), std::end(kBands));
      const int age = band(random_) * 5 + Uniform(0, 4);
      if (age >= min_age && age <= max_age) return age;
    }
  }

  Date BirthDate(int age) {
    const int64_t latest = Date{today_.year - age, today_.month, today_.day}.ToDays();
    return Date::FromDays(latest - Uniform(0, 364));
  }

  std::string Name(Gender gender) {
    std::string name(Pick(internal::Surnames()));
    const auto chars =
        gender == Gender::kMale ? internal::MaleGivenChars() : internal::FemaleGivenChars();
    name += Pick(chars);
    if (Chance(0.7)) name += Pick(chars);
    return name;
  }

  // A valid 18-digit ID number for this region, birth date and gender, unique by construction:
  // sequence numbers are handed out in turn per region, date and gender (odd for men), which
  // keeps memory small even for ten million residents.
  std::string IdNumber(std::string_view region, const Date& birth, Gender gender) {
    const uint64_t key = (std::stoull(std::string(region)) * 100000 +
                          static_cast<uint64_t>(birth.ToDays() + 50000)) *
                             2 +
                         (gender == Gender::kMale ? 1 : 0);
    const int turn = next_sequence_[key]++;
    // 500 numbers per region, date and gender; past that (never in practice) wrap around.
    const int sequence = (turn % 500) * 2 + (gender == Gender::kMale ? 1 : 0);
    char date[16];
    std::snprintf(date, sizeof date, "%04d%02d%02d", birth.year, birth.month, birth.day);
    std::string number = std::string(region) + date + Pad(sequence, 3);
    number += registry::IdNumberCheckChar(number);
    return number;
  }

  std::string DemoPhone() {
    return std::string(kDemoPhonePrefix) + Pad(next_phone_++ % 10000000, 7);
  }

 private:
  std::mt19937_64 random_;
  Date today_;
  std::unordered_map<uint64_t, int> next_sequence_;
  int64_t next_phone_ = 1;
};

std::vector<StreetPlan> PlanStreets(const org::CountyDivisions& longquan, double scale) {
  std::vector<StreetPlan> streets;
  for (const char* code : kLonglongStreets) {
    for (const auto& street : longquan.streets) {
      if (street.code != code) continue;
      StreetPlan plan{street.code, street.name, street.official_name, street.subtype, {}};
      for (const auto* community : longquan.CommunitiesOf(street.code)) {
        if (community->subtype == "社区") {
          plan.communities.push_back({community->code, community->name, community->official_name,
                                      street.code, false, "", "", ""});
        } else if (community->code == kConvertedVillage) {
          const std::string& base = community->name;  // 张村 (村委会 already stripped)
          plan.communities.push_back({std::string(kConvertedCode), base + "社区",
                                      base + "社区居民委员会", street.code, true, community->name,
                                      community->official_name, community->code});
        }
      }
      streets.push_back(std::move(plan));
    }
  }
  // A bigger city for benchmarks: more streets of ~9 communities each, with made-up names.
  const int64_t extra_streets = std::llround(3 * scale) - 3;
  for (int64_t s = 0; s < extra_streets; ++s) {
    StreetPlan plan;
    plan.code = "331181" + Pad(500 + s, 3);
    plan.name = "新城第" + std::to_string(s + 1) + "街道";
    plan.official_name = plan.name + "办事处";
    plan.subtype = "街道";
    for (int c = 1; c <= 9 + (s % 3 == 0 ? 1 : 0); ++c) {
      const std::string name = plan.name + "第" + std::to_string(c) + "社区";
      plan.communities.push_back(
          {plan.code + Pad(c, 3), name, name + "居民委员会", plan.code, false, "", "", ""});
    }
    streets.push_back(std::move(plan));
  }
  return streets;
}

class DemoBuilder {
 public:
  DemoBuilder(storage::Database& database, const crypto::PiiVault& vault, IdGenerator& ids,
              const Clock& clock, const DemoOptions& options)
      : database_(database),
        ids_(ids),
        clock_(clock),
        options_(options),
        org_(ids, clock),
        places_(ids, clock),
        residents_(vault, ids, clock),
        people_(options.seed, clock.Today()) {}

  Result<DemoReport> Build(const org::CountyDivisions& longquan) {
    STEWARD_TRY(CheckEmpty());
    const double scale = std::max(1.0, static_cast<double>(options_.residents) / kBaseResidents);
    streets_ = PlanStreets(longquan, scale);
    if (streets_.size() < 3) {
      return Fail(ErrorCode::kFailedPrecondition,
                  "the division list lacks Longquan's streets 331181001-003");
    }
    STEWARD_TRY(BuildHierarchy(longquan, scale));
    STEWARD_TRY(BuildComplexes(scale));
    STEWARD_TRY(BuildPeople());
    STEWARD_TRY(database_.Write(context_, [&](storage::WriteTransaction& transaction) -> Status {
      nlohmann::json marker = {
          {"residents", report_.residents}, {"seed", options_.seed}, {"built_at", clock_.NowIso()}};
      STEWARD_TRY(transaction.connection().Execute(
          "INSERT INTO meta (key, value) VALUES ('demo', ?)", {marker.dump()}));
      return Ok();
    }));
    return report_;
  }

 private:
  Status CheckEmpty() {
    return database_.Read([&](storage::Connection& connection) -> Status {
      STEWARD_ASSIGN_OR_RETURN(auto marker,
                               connection.QueryInt("SELECT count(*) FROM meta WHERE key = 'demo'"));
      if (marker.value_or(0) > 0) {
        return Fail(ErrorCode::kAlreadyExists, "the demo city is already in this database");
      }
      STEWARD_ASSIGN_OR_RETURN(auto units, connection.QueryInt("SELECT count(*) FROM org_unit"));
      if (units.value_or(0) > 0) {
        return Fail(ErrorCode::kFailedPrecondition,
                    "this database already holds units (perhaps a demo that did not finish); "
                    "use an empty database for the demo");
      }
      return Ok();
    });
  }

  Status BuildHierarchy(const org::CountyDivisions& longquan, double scale) {
    const int64_t grid_total = std::llround(kBaseGrids * scale);
    const int64_t micro_total = std::llround(kBaseMicroGrids * scale);
    std::vector<const CommunityPlan*> communities;
    for (const auto& street : streets_) {
      for (const auto& community : street.communities) communities.push_back(&community);
    }
    const auto grids_per_community = Share(grid_total, communities.size());
    const auto micro_per_grid = Share(micro_total, static_cast<size_t>(grid_total));
    // Micro-grids per community and street, as weights for the boundary tiling.
    std::vector<double> street_weights;
    size_t community_index = 0, grid_index = 0;
    std::vector<std::vector<int64_t>> micro_by_community_grid;
    for (const auto& street : streets_) {
      double street_weight = 0;
      for (size_t c = 0; c < street.communities.size(); ++c, ++community_index) {
        std::vector<int64_t> grids;
        for (int64_t g = 0; g < grids_per_community[community_index]; ++g) {
          grids.push_back(micro_per_grid[grid_index++]);
          street_weight += static_cast<double>(grids.back());
        }
        micro_by_community_grid.push_back(std::move(grids));
      }
      street_weights.push_back(street_weight);
    }
    const double side = std::sqrt(scale);
    const geo::Rect area{kBaseArea.Center().lon - kBaseArea.Width() * side / 2,
                         kBaseArea.Center().lat - kBaseArea.Height() * side / 2,
                         kBaseArea.Center().lon + kBaseArea.Width() * side / 2,
                         kBaseArea.Center().lat + kBaseArea.Height() * side / 2};
    const auto street_areas = geo::TileRect(area, street_weights);
    org::Unit city;
    STEWARD_TRY(database_.Write(context_, [&](storage::WriteTransaction& transaction) -> Status {
      org::NewUnit spec{std::nullopt,
                        org::UnitKind::kCity,
                        "县级市",
                        longquan.county.code,
                        longquan.county.name,
                        longquan.county.official_name,
                        geo::PolygonGeoJson(geo::RectRing(area)),
                        org::kSinceEver};
      STEWARD_ASSIGN_OR_RETURN(city, org_.Create(transaction, spec));
      return Ok();
    }));
    community_index = 0;
    for (size_t s = 0; s < streets_.size(); ++s) {
      const StreetPlan& street = streets_[s];
      STEWARD_TRY(database_.Write(context_, [&](storage::WriteTransaction& transaction) -> Status {
        org::NewUnit street_spec{city.id,
                                 org::UnitKind::kStreet,
                                 street.subtype,
                                 street.code,
                                 street.name,
                                 street.official_name,
                                 geo::PolygonGeoJson(geo::RectRing(street_areas[s])),
                                 org::kSinceEver};
        STEWARD_ASSIGN_OR_RETURN(org::Unit street_unit, org_.Create(transaction, street_spec));
        ++report_.streets;
        std::vector<double> community_weights;
        for (size_t c = 0; c < street.communities.size(); ++c) {
          const auto& grids = micro_by_community_grid[community_index + c];
          double weight = 0;
          for (auto m : grids) weight += static_cast<double>(m);
          community_weights.push_back(weight);
        }
        const auto community_areas = geo::TileRect(street_areas[s], community_weights);
        for (size_t c = 0; c < street.communities.size(); ++c, ++community_index) {
          STEWARD_TRY(BuildCommunity(transaction, street, street_unit, street.communities[c],
                                     community_areas[c], micro_by_community_grid[community_index]));
        }
        return Ok();
      }));
    }
    return Ok();
  }

  Status BuildCommunity(storage::WriteTransaction& transaction, const StreetPlan& street,
                        const org::Unit& street_unit, const CommunityPlan& plan,
                        const geo::Rect& area, const std::vector<int64_t>& micro_per_grid) {
    const std::string boundary = geo::PolygonGeoJson(geo::RectRing(area));
    org::Unit community;
    if (plan.converted_village) {
      // 村改居: the village existed until the conversion date; the community since.
      org::NewUnit village{
          street_unit.id,    org::UnitKind::kCommunity,  "村",     plan.village_code,
          plan.village_name, plan.village_official_name, boundary, org::kSinceEver};
      STEWARD_ASSIGN_OR_RETURN(org::Unit village_unit, org_.Create(transaction, village));
      STEWARD_ASSIGN_OR_RETURN(
          community, org_.ConvertVillageToCommunity(transaction, village_unit.id, kConversionDate,
                                                    plan.code, plan.name, plan.official_name));
    } else {
      org::NewUnit spec{street_unit.id, org::UnitKind::kCommunity, "社区",   plan.code,
                        plan.name,      plan.official_name,        boundary, org::kSinceEver};
      STEWARD_ASSIGN_OR_RETURN(community, org_.Create(transaction, spec));
    }
    ++report_.communities;
    std::vector<double> grid_weights(micro_per_grid.begin(), micro_per_grid.end());
    const auto grid_areas = geo::TileRect(area, grid_weights);
    const Date grids_since = plan.converted_village ? kConversionDate : org::kSinceEver;
    for (size_t g = 0; g < micro_per_grid.size(); ++g) {
      const std::string grid_code = community.division_code + Pad(static_cast<int64_t>(g + 1), 3);
      const std::string grid_name = community.name + "第" + std::to_string(g + 1) + "网格";
      org::NewUnit grid_spec{community.id,
                             org::UnitKind::kGrid,
                             "",
                             grid_code,
                             grid_name,
                             grid_name,
                             geo::PolygonGeoJson(geo::RectRing(grid_areas[g])),
                             grids_since};
      STEWARD_ASSIGN_OR_RETURN(org::Unit grid, org_.Create(transaction, grid_spec));
      ++report_.grids;
      const std::vector<double> equal(static_cast<size_t>(micro_per_grid[g]), 1.0);
      const auto micro_areas = geo::TileRect(grid_areas[g], equal);
      for (size_t m = 0; m < micro_areas.size(); ++m) {
        const std::string name = grid_name + "第" + std::to_string(m + 1) + "微网格";
        org::NewUnit micro_spec{grid.id,
                                org::UnitKind::kMicroGrid,
                                "",
                                grid_code + Pad(static_cast<int64_t>(m + 1), 3),
                                name,
                                name,
                                geo::PolygonGeoJson(geo::RectRing(micro_areas[m])),
                                grids_since};
        STEWARD_ASSIGN_OR_RETURN(org::Unit micro, org_.Create(transaction, micro_spec));
        ++report_.micro_grids;
        sites_.push_back({micro.id, micro_areas[m], street.name, community.name, std::nullopt, "",
                          community.id});
        site_community_.push_back(community.id);
      }
    }
    return Ok();
  }

  Status BuildComplexes(double scale) {
    const int64_t count = std::min<int64_t>(std::llround(kBaseComplexes * scale),
                                            static_cast<int64_t>(sites_.size()));
    if (count == 0) return Ok();
    std::vector<registry::NewComplex> complexes;
    std::vector<size_t> chosen;
    const auto names = internal::ComplexNames();
    for (int64_t i = 0; i < count; ++i) {
      // Spread over the city: every k-th micro-grid holds a complex.
      const size_t site = static_cast<size_t>(i * static_cast<int64_t>(sites_.size()) / count);
      chosen.push_back(site);
      std::string name(names[static_cast<size_t>(i) % names.size()]);
      if (i >= static_cast<int64_t>(names.size()))
        name += std::to_string(i / names.size() + 1) + "期";
      sites_[site].complex_name = name;
      complexes.push_back(
          {site_community_[site], name,
           "龙泉市" + sites_[site].street_name + std::string(people_.Pick(internal::Roads())) +
               std::to_string(people_.Uniform(1, 300)) + "号",
           std::string(people_.Pick(internal::PropertyCompanies())), name + "业主委员会"});
    }
    STEWARD_TRY(database_.Write(context_, [&](storage::WriteTransaction& transaction) -> Status {
      STEWARD_ASSIGN_OR_RETURN(auto ids, places_.CreateComplexes(transaction, complexes));
      for (size_t i = 0; i < ids.size(); ++i) sites_[chosen[i]].complex_id = ids[i];
      report_.complexes = static_cast<int64_t>(ids.size());
      return Ok();
    }));
    return Ok();
  }

  struct Batch {
    std::vector<registry::NewBuilding> buildings;
    std::vector<NewHousehold> households;
    std::vector<size_t> household_building;  // index into buildings
    std::vector<NewResident> residents;
  };

  // One household's members: the head first.
  // `place` is the household's index in its building: it picks a distinct unit and room.
  void AddHousehold(Batch& batch, const MicroGridSite& site, int place, int size,
                    std::optional<registry::AssistanceType> assistance) {
    const size_t building = batch.buildings.size() - 1;
    NewHousehold household;
    household.id = ids_.Next();
    const int units = batch.buildings.back().units.value_or(1);
    const int in_unit = place / units;  // two flats a floor
    household.unit_no = std::to_string(place % units + 1);
    household.room = std::to_string(in_unit / 2 + 1) + Pad(in_unit % 2 + 1, 2);
    household.assistance = assistance;
    if (assistance) household.assistance_from = kAssistanceSince;
    const bool migrant_household = !assistance && people_.Chance(0.14);
    const int head_age = size == 1 ? people_.Age(20) : people_.Age(24, 90);
    const Gender head_gender = people_.Chance(0.62) ? Gender::kMale : Gender::kFemale;
    for (int member = 0; member < size; ++member) {
      NewResident resident;
      resident.id = ids_.Next();
      resident.household_id = household.id;
      resident.unit_id = site.unit_id;
      int age;
      if (member == 0) {
        age = head_age;
        resident.gender = head_gender;
        resident.relation_to_head = "户主";
      } else if (member == 1 && head_age >= 24) {
        age = std::clamp(head_age + people_.Uniform(-4, 4), 20, 99);
        resident.gender = head_gender == Gender::kMale ? Gender::kFemale : Gender::kMale;
        resident.relation_to_head = "配偶";
      } else if (head_age >= 70 && people_.Chance(0.5)) {
        age = std::max(0, head_age - people_.Uniform(50, 62));
        resident.gender = people_.Chance(0.5) ? Gender::kMale : Gender::kFemale;
        resident.relation_to_head = resident.gender == Gender::kMale ? "孙子" : "孙女";
      } else {
        age = std::max(0, head_age - people_.Uniform(22, 34));
        resident.gender = people_.Chance(0.5) ? Gender::kMale : Gender::kFemale;
        resident.relation_to_head = resident.gender == Gender::kMale ? "子" : "女";
      }
      FillPerson(resident, site, age, migrant_household, size);
      if (assistance) resident.tags.push_back(registry::AssistanceTypeName(*assistance));
      if (member == 0) household.head_resident_id = resident.id;
      batch.residents.push_back(std::move(resident));
    }
    batch.households.push_back(std::move(household));
    batch.household_building.push_back(building);
    ++report_.households;
    if (assistance) {
      ++report_.assistance_households;
      report_.assistance_members += size;
    }
  }

  void FillPerson(NewResident& resident, const MicroGridSite& site, int age, bool migrant,
                  int household_size) {
    resident.name = people_.Name(resident.gender);
    const Date birth = people_.BirthDate(age);
    resident.birth_date = birth;
    resident.ethnicity = people_.Chance(0.03) ? "畲族" : "汉族";
    const std::string local_address = "浙江省龙泉市" + site.street_name + site.community_name;
    if (migrant) {
      resident.residence_status = ResidenceStatus::kResidentOnly;
      const std::string region(people_.Pick(internal::MigrantRegions()));
      resident.hukou_address = "户籍地行政区划 " + region;
      if (!people_.Chance(0.05))
        resident.id_number = people_.IdNumber(region, birth, resident.gender);
      resident.tags.push_back("migrant");
    } else {
      resident.hukou_address = local_address;
      if (age >= 3 || people_.Chance(0.5)) {
        resident.id_number = people_.IdNumber("331181", birth, resident.gender);
      }
    }
    if (age >= 16 && age <= 85 && people_.Chance(0.9)) {
      resident.phones.push_back({people_.DemoPhone(), registry::PhoneKind::kMobile});
    }
    if (age >= 60 && household_size == 1) resident.tags.push_back("lives_alone");
    if (age >= 18 && people_.Chance(0.085)) resident.tags.push_back("party_member");
    if (resident.gender == Gender::kMale && age >= 38 && people_.Chance(0.025)) {
      resident.tags.push_back("veteran");
    }
    if (people_.Chance(age >= 60 ? 0.05 : 0.015)) resident.tags.push_back("disabled");
    if (resident.gender == Gender::kFemale && age >= 22 && age <= 38 && people_.Chance(0.02)) {
      resident.tags.push_back("pregnant");
    }
    if (age >= 18 && people_.Chance(0.004)) resident.tags.push_back("key_group");
  }

  void AddBuilding(Batch& batch, const MicroGridSite& site, int number) {
    const double margin_lon = site.area.Width() * 0.1, margin_lat = site.area.Height() * 0.1;
    std::uniform_real_distribution<double> lon(site.area.west + margin_lon,
                                               site.area.east - margin_lon);
    std::uniform_real_distribution<double> lat(site.area.south + margin_lat,
                                               site.area.north - margin_lat);
    registry::NewBuilding building;
    building.complex_id = site.complex_id;
    building.unit_id = site.unit_id;
    if (site.complex_id) {
      building.name = site.complex_name + std::to_string(number) + "幢";
      building.address = "龙泉市" + site.street_name + building.name;
    } else {
      // Houses outside complexes go by their street address, unique within the community, as
      // offices write them in their sheets (楼栋: 华楼街12号).
      auto& used = building_names_[site.community_id];
      do {
        building.name = std::string(people_.Pick(internal::Roads())) +
                        std::to_string(people_.Uniform(1, 999)) + "号";
      } while (!used.insert(building.name).second);
      building.address = "龙泉市" + site.street_name + building.name;
    }
    building.lon = lon(people_.random());
    building.lat = lat(people_.random());
    building.floors = site.complex_id ? people_.Uniform(6, 18) : people_.Uniform(2, 6);
    building.units = site.complex_id ? people_.Uniform(1, 3) : 1;
    batch.buildings.push_back(std::move(building));
    ++report_.buildings;
  }

  Status BuildPeople() {
    const double scale = static_cast<double>(options_.residents) / kBaseResidents;
    // Assistance households, spread round-robin over the micro-grids.
    std::vector<int> assistance_sizes;
    for (int i = 0; i < std::llround(kAssistSingles * scale); ++i) assistance_sizes.push_back(1);
    for (int i = 0; i < std::llround(kAssistPairs * scale); ++i) assistance_sizes.push_back(2);
    for (int i = 0; i < std::llround(kAssistTriples * scale); ++i) assistance_sizes.push_back(3);
    std::shuffle(assistance_sizes.begin(), assistance_sizes.end(), people_.random());
    const auto per_site = Share(options_.residents, sites_.size());
    Batch batch;
    size_t next_assistance = 0;
    int64_t written = 0;
    for (size_t s = 0; s < sites_.size(); ++s) {
      const MicroGridSite& site = sites_[s];
      int64_t remaining = per_site[s];
      int building_number = 0;
      int households_in_building = 1 << 20;  // the first household opens a building
      // Opens a building when the current one is full; returns the household's place in it.
      auto household_slot = [&] {
        if (households_in_building >= (site.complex_id ? 8 : 4)) {
          AddBuilding(batch, site, ++building_number);
          households_in_building = 0;
        }
        return households_in_building++;
      };
      // Registered here, living elsewhere (户在人不在): counted under the micro-grid, no household.
      const int64_t registered_only =
          std::binomial_distribution<int64_t>(per_site[s], 0.08)(people_.random());
      for (int64_t r = registered_only; r > 0 && remaining > 0; --r, --remaining) {
        NewResident resident;
        resident.id = ids_.Next();
        resident.unit_id = site.unit_id;
        resident.gender = people_.Chance(0.5) ? Gender::kMale : Gender::kFemale;
        FillPerson(resident, site, people_.Age(16, 70), false, 0);
        resident.residence_status = ResidenceStatus::kRegisteredOnly;
        resident.notes = "外出务工";
        batch.residents.push_back(std::move(resident));
      }
      // This site's share of the assistance households, spread evenly over the city.
      const size_t due = (s + 1) * assistance_sizes.size() / sites_.size();
      while (next_assistance < due && remaining >= assistance_sizes[next_assistance]) {
        const int size = assistance_sizes[next_assistance++];
        registry::AssistanceType type = registry::AssistanceType::kSubsistenceAllowance;
        if (size == 1 && people_.Chance(0.35)) {
          type = registry::AssistanceType::kExtremePoverty;
        } else if (people_.Chance(0.25)) {
          type = registry::AssistanceType::kNearPoverty;
        }
        AddHousehold(batch, site, household_slot(), size, type);
        remaining -= size;
      }
      while (remaining > 0) {
        static constexpr double kSizes[] = {25, 30, 22, 13, 7, 3};
        std::discrete_distribution<int> size_distribution(std::begin(kSizes), std::end(kSizes));
        const int size =
            static_cast<int>(std::min<int64_t>(remaining, size_distribution(people_.random()) + 1));
        AddHousehold(batch, site, household_slot(), size, std::nullopt);
        remaining -= size;
      }
      if (batch.residents.size() >= kChunkResidents || s + 1 == sites_.size()) {
        written += static_cast<int64_t>(batch.residents.size());
        STEWARD_TRY(WriteBatch(batch));
        batch = Batch{};
        if (options_.progress) options_.progress("residents", written, options_.residents);
      }
    }
    report_.residents = written;
    return Ok();
  }

  Status WriteBatch(Batch& batch) {
    STEWARD_TRY(database_.Write(context_, [&](storage::WriteTransaction& transaction) -> Status {
      STEWARD_ASSIGN_OR_RETURN(auto building_ids,
                               places_.CreateBuildings(transaction, batch.buildings));
      for (size_t h = 0; h < batch.households.size(); ++h) {
        batch.households[h].building_id = building_ids[batch.household_building[h]];
      }
      STEWARD_TRY(places_.CreateHouseholds(transaction, batch.households));
      STEWARD_TRY(residents_.CreateMany(transaction, batch.residents));
      return Ok();
    }));
    return Ok();
  }

  storage::Database& database_;
  IdGenerator& ids_;
  const Clock& clock_;
  const DemoOptions& options_;
  org::OrgStore org_;
  registry::PlaceStore places_;
  registry::ResidentStore residents_;
  People people_;
  storage::WriteContext context_{"system:demo", storage::Source::kDemo};
  std::vector<StreetPlan> streets_;
  std::vector<MicroGridSite> sites_;
  std::vector<Id> site_community_;
  std::map<Id, std::set<std::string>> building_names_;  // per community
  DemoReport report_;
};

}  // namespace

bool IsDemoPhone(std::string_view normalized) {
  return normalized.size() == 11 && normalized.starts_with(kDemoPhonePrefix);
}

Result<DemoReport> BuildDemo(storage::Database& database, const org::CountyDivisions& longquan,
                             const crypto::PiiVault& vault, IdGenerator& ids, const Clock& clock,
                             const DemoOptions& options) {
  if (options.residents < 1000 || options.residents > 10'000'000) {
    return Fail(ErrorCode::kInvalidArgument, "the demo takes 1,000 to 10,000,000 residents");
  }
  DemoBuilder builder(database, vault, ids, clock, options);
  return builder.Build(longquan);
}

}  // namespace steward::demo
