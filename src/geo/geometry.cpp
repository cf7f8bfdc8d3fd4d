#include "geo/geometry.hpp"

#include <algorithm>
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

std::string CheckBoundaryGeoJson(std::string_view text, std::string* problem) {
  auto json = nlohmann::json::parse(text, nullptr, false);
  if (json.is_object() && json.value("type", "") == "Feature" && json.contains("geometry")) {
    json = json["geometry"];
  }
  if (!json.is_object() || json.value("type", "") != "Polygon") {
    *problem = "边界应为 GeoJSON 多边形 / the boundary must be a GeoJSON Polygon";
    return "";
  }
  Ring ring = ParsePolygonGeoJson(json.dump());
  if (ring.size() < 4 || ring.front().lon != ring.back().lon ||
      ring.front().lat != ring.back().lat) {
    *problem = "边界须为闭合的环，至少 4 个点 / the ring must be closed with at least 4 points";
    return "";
  }
  for (const auto& point : ring) {
    if (!std::isfinite(point.lon) || !std::isfinite(point.lat) || point.lon < -180 ||
        point.lon > 180 || point.lat < -90 || point.lat > 90) {
      *problem = "坐标超出经纬度范围 / coordinates out of longitude/latitude range";
      return "";
    }
  }
  if (RingArea(ring) <= 0) {
    *problem = "边界面积为零 / the boundary encloses no area";
    return "";
  }
  return PolygonGeoJson(ring);
}

namespace {

double SegmentDistance(LonLat p, LonLat a, LonLat b) {
  const double dx = b.lon - a.lon, dy = b.lat - a.lat;
  const double length = dx * dx + dy * dy;
  double t = length > 0 ? ((p.lon - a.lon) * dx + (p.lat - a.lat) * dy) / length : 0;
  t = std::max(0.0, std::min(1.0, t));
  const double x = a.lon + t * dx - p.lon, y = a.lat + t * dy - p.lat;
  return std::sqrt(x * x + y * y);
}

void Simplify(const Ring& ring, size_t first, size_t last, double tolerance,
              std::vector<bool>& keep) {
  if (last <= first + 1) return;
  double farthest = -1;
  size_t index = first;
  for (size_t i = first + 1; i < last; ++i) {
    const double distance = SegmentDistance(ring[i], ring[first], ring[last]);
    if (distance > farthest) {
      farthest = distance;
      index = i;
    }
  }
  if (farthest <= tolerance) return;
  keep[index] = true;
  Simplify(ring, first, index, tolerance, keep);
  Simplify(ring, index, last, tolerance, keep);
}

}  // namespace

Ring SimplifyRing(const Ring& ring, double tolerance) {
  if (ring.size() <= 4 || tolerance <= 0) return ring;
  // Split the closed ring at its first point and the point farthest from it, so both halves
  // are open polylines.
  size_t opposite = 1;
  double farthest = -1;
  for (size_t i = 1; i + 1 < ring.size(); ++i) {
    const double dx = ring[i].lon - ring[0].lon, dy = ring[i].lat - ring[0].lat;
    if (dx * dx + dy * dy > farthest) {
      farthest = dx * dx + dy * dy;
      opposite = i;
    }
  }
  std::vector<bool> keep(ring.size(), false);
  keep[0] = keep[opposite] = keep[ring.size() - 1] = true;
  Simplify(ring, 0, opposite, tolerance, keep);
  Simplify(ring, opposite, ring.size() - 1, tolerance, keep);
  Ring simplified;
  for (size_t i = 0; i < ring.size(); ++i) {
    if (keep[i]) simplified.push_back(ring[i]);
  }
  if (simplified.size() < 4) return ring;  // too few to stay a polygon: keep the original
  return simplified;
}

}  // namespace steward::geo
