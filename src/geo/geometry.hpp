// Plane geometry on WGS-84 coordinates (longitude, latitude in degrees) for boundaries and places.
//
// Boundaries are polygons with one outer ring (closed: first point == last point). The demo's
// boundaries are rectangles cut by guillotine splits, so siblings tile their parent exactly with
// no gaps or overlaps; the functions here work for any simple polygon.
// Thread-safety: pure functions.
#pragma once

#include <span>
#include <string>
#include <vector>

namespace steward::geo {

struct LonLat {
  double lon = 0;
  double lat = 0;
};

struct Rect {
  double west = 0;
  double south = 0;
  double east = 0;
  double north = 0;

  double Width() const { return east - west; }
  double Height() const { return north - south; }
  double Area() const { return Width() * Height(); }
  LonLat Center() const { return {(west + east) / 2, (south + north) / 2}; }
  bool Contains(LonLat point) const {
    return point.lon >= west && point.lon <= east && point.lat >= south && point.lat <= north;
  }
};

using Ring = std::vector<LonLat>;

// Cuts `area` into one rectangle per weight, each with area proportional to its weight, by
// recursive halving along the longer side. The pieces tile `area` exactly.
std::vector<Rect> TileRect(const Rect& area, std::span<const double> weights);

Ring RectRing(const Rect& rect);
// Even-odd rule; points on the boundary may fall either way.
bool RingContains(const Ring& ring, LonLat point);
double RingArea(const Ring& ring);  // in square degrees, positive

// GeoJSON geometry object text: {"type":"Polygon","coordinates":[[[lon,lat],...]]}.
std::string PolygonGeoJson(const Ring& ring);
// Reads the outer ring back from PolygonGeoJson's text; empty on anything else.
Ring ParsePolygonGeoJson(std::string_view text);

// A boundary someone uploads or draws: a GeoJSON Polygon geometry, or a Feature holding one. Its
// outer ring must be closed, have at least 4 points, stay within longitude -180..180 and latitude
// -90..90 and enclose an area. Returns the normalised geometry text (PolygonGeoJson of the outer
// ring; holes are dropped), or an empty string and a reason in `problem` ("中文 / English").
std::string CheckBoundaryGeoJson(std::string_view text, std::string* problem);

// Douglas-Peucker: removes points closer than `tolerance` degrees to the line that replaces them,
// for drawing at low zoom. The ring stays closed and keeps at least 4 points.
Ring SimplifyRing(const Ring& ring, double tolerance);

}  // namespace steward::geo
