#include "geo/geometry.hpp"

#include <cmath>
#include <cstdio>
#include <numeric>

#include <nlohmann/json.hpp>

namespace steward::geo {
namespace {

void Tile(const Rect& area, std::span<const double> weights, std::vector<Rect>& out) {
  if (weights.size() == 1) {
    out.push_back(area);
    return;
  }
  const size_t half = weights.size() / 2;
  const double total = std::accumulate(weights.begin(), weights.end(), 0.0);
  const double first = std::accumulate(weights.begin(), weights.begin() + half, 0.0);
  const double share = total > 0 ? first / total : 0.5;
  Rect a = area, b = area;
  // Compare in metres-ish: a degree of longitude is shorter than a degree of latitude.
  const double lon_scale = std::cos(area.Center().lat * M_PI / 180.0);
  if (area.Width() * lon_scale >= area.Height()) {
    a.east = b.west = area.west + area.Width() * share;
  } else {
    a.north = b.south = area.south + area.Height() * share;
  }
  Tile(a, weights.first(half), out);
  Tile(b, weights.subspan(half), out);
}

}  // namespace

std::vector<Rect> TileRect(const Rect& area, std::span<const double> weights) {
  std::vector<Rect> out;
  if (weights.empty()) return out;
  out.reserve(weights.size());
  Tile(area, weights, out);
  return out;
}

Ring RectRing(const Rect& r) {
  return {{r.west, r.south},
          {r.east, r.south},
          {r.east, r.north},
          {r.west, r.north},
          {r.west, r.south}};
}

bool RingContains(const Ring& ring, LonLat p) {
  bool inside = false;
  for (size_t i = 0, j = ring.size() - 1; i < ring.size(); j = i++) {
    const LonLat& a = ring[i];
    const LonLat& b = ring[j];
    if ((a.lat > p.lat) != (b.lat > p.lat) &&
        p.lon < (b.lon - a.lon) * (p.lat - a.lat) / (b.lat - a.lat) + a.lon) {
      inside = !inside;
    }
  }
  return inside;
}

double RingArea(const Ring& ring) {
  double twice = 0;
  for (size_t i = 0, j = ring.size() - 1; i < ring.size(); j = i++) {
    twice += (ring[j].lon * ring[i].lat) - (ring[i].lon * ring[j].lat);
  }
  return std::fabs(twice) / 2;
}

std::string PolygonGeoJson(const Ring& ring) {
  std::string text = R"({"type":"Polygon","coordinates":[[)";
  char buffer[64];
  for (size_t i = 0; i < ring.size(); ++i) {
    std::snprintf(buffer, sizeof buffer, "%s[%.7f,%.7f]", i ? "," : "", ring[i].lon, ring[i].lat);
    text += buffer;
  }
  text += "]]}";
  return text;
}

Ring ParsePolygonGeoJson(std::string_view text) {
  Ring ring;
  const auto json = nlohmann::json::parse(text, nullptr, false);
  if (!json.is_object() || json.value("type", "") != "Polygon") return ring;
  const auto& coordinates = json["coordinates"];
  if (!coordinates.is_array() || coordinates.empty() || !coordinates[0].is_array()) return ring;
  for (const auto& point : coordinates[0]) {
    if (point.is_array() && point.size() >= 2 && point[0].is_number() && point[1].is_number()) {
      ring.push_back({point[0].get<double>(), point[1].get<double>()});
    }
  }
  return ring;
}

}  // namespace steward::geo
