#include "geo/geometry.hpp"

#include <gtest/gtest.h>

#include <random>

namespace steward::geo {
namespace {

TEST(TileRect, PiecesTileTheAreaProportionallyWithoutGapsOrOverlaps) {
  const Rect area{119.10, 28.03, 119.18, 28.11};
  const std::vector<double> weights = {1, 2, 3, 1, 1, 5, 2};
  const auto pieces = TileRect(area, weights);
  ASSERT_EQ(pieces.size(), weights.size());
  double total = 0;
  for (size_t i = 0; i < pieces.size(); ++i) {
    total += pieces[i].Area();
    EXPECT_NEAR(pieces[i].Area() / area.Area(), weights[i] / 15.0, 1e-9);
  }
  EXPECT_NEAR(total, area.Area(), 1e-12);
  // Every random point of the area falls in exactly one piece's interior (ignoring edges).
  std::mt19937 random(7);
  std::uniform_real_distribution<double> lon(area.west, area.east), lat(area.south, area.north);
  for (int i = 0; i < 2000; ++i) {
    const LonLat p{lon(random), lat(random)};
    int hits = 0;
    for (const auto& piece : pieces) hits += RingContains(RectRing(piece), p);
    ASSERT_EQ(hits, 1);
  }
}

TEST(Geometry, GeoJsonRoundTripAndArea) {
  const Ring ring = RectRing(Rect{119.0, 28.0, 119.5, 28.25});
  const Ring back = ParsePolygonGeoJson(PolygonGeoJson(ring));
  ASSERT_EQ(back.size(), 5u);
  EXPECT_NEAR(RingArea(back), 0.125, 1e-9);
  EXPECT_TRUE(RingContains(back, {119.2, 28.1}));
  EXPECT_FALSE(RingContains(back, {119.6, 28.1}));
  EXPECT_TRUE(ParsePolygonGeoJson("not json").empty());
}

}  // namespace
}  // namespace steward::geo
