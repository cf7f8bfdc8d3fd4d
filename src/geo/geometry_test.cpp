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

namespace steward::geo {
namespace {

TEST(BoundaryTest, UploadedBoundariesAreCheckedAndNormalised) {
  std::string problem;
  const std::string square =
      R"({"type":"Polygon","coordinates":[[[119.1,28.0],[119.2,28.0],[119.2,28.1],[119.1,28.1],[119.1,28.0]]]})";
  EXPECT_FALSE(CheckBoundaryGeoJson(square, &problem).empty()) << problem;
  const std::string feature = R"({"type":"Feature","properties":{},"geometry":)" + square + "}";
  EXPECT_EQ(CheckBoundaryGeoJson(feature, &problem), CheckBoundaryGeoJson(square, &problem));
  for (
      const char* bad :
      {R"({"type":"Point","coordinates":[119,28]})",
       R"({"type":"Polygon","coordinates":[[[119.1,28.0],[119.2,28.0],[119.1,28.0]]]})",
       R"({"type":"Polygon","coordinates":[[[119.1,28.0],[119.2,28.0],[119.2,28.1],[119.1,28.1]]]})",
       R"({"type":"Polygon","coordinates":[[[219.1,28.0],[219.2,28.0],[219.2,28.1],[219.1,28.0]]]})",
       R"({"type":"Polygon","coordinates":[[[119.1,28.0],[119.2,28.0],[119.3,28.0],[119.1,28.0]]]})",
       "not json"}) {
    problem.clear();
    EXPECT_TRUE(CheckBoundaryGeoJson(bad, &problem).empty()) << bad;
    EXPECT_NE(problem.find(" / "), std::string::npos) << bad;
  }
}

TEST(BoundaryTest, SimplifyDropsNearlyStraightPointsAndKeepsTheRingClosed) {
  Ring ring;
  for (int i = 0; i <= 100; ++i) ring.push_back({i * 0.01, (i % 2) * 0.00001});  // a wiggly edge
  ring.push_back({1.0, 1.0});
  ring.push_back({0.0, 1.0});
  ring.push_back(ring.front());
  Ring simple = SimplifyRing(ring, 0.001);
  EXPECT_LT(simple.size(), 10u);
  EXPECT_GE(simple.size(), 4u);
  EXPECT_EQ(simple.front().lon, simple.back().lon);
  EXPECT_EQ(simple.front().lat, simple.back().lat);
  EXPECT_NEAR(RingArea(simple), RingArea(ring), 0.01);
  EXPECT_EQ(SimplifyRing(ring, 0).size(), ring.size());
}

}  // namespace
}  // namespace steward::geo
