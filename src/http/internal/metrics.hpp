// Metrics: request counts and durations per route and status, and open connections, rendered in
// the Prometheus text format for GET /metrics.
//
// Labels are route patterns, never raw paths (no ids or personal data in label values).
// Threads: every member is safe to call from any thread (one mutex; recording is a map update).
#pragma once

#include <array>
#include <atomic>
#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <string_view>
#include <tuple>

namespace steward::http::internal {

class Metrics {
 public:
  void ConnectionOpened() { ++open_connections_; }
  void ConnectionClosed() { --open_connections_; }
  void Record(std::string_view method, std::string_view route, int status, double seconds);
  std::string Render() const;

  static constexpr std::array<double, 10> kBuckets = {0.001, 0.0025, 0.005, 0.01, 0.025,
                                                      0.05,  0.1,    0.25,  1,    5};

 private:
  struct Series {
    uint64_t count = 0;
    double sum = 0;
    std::array<uint64_t, kBuckets.size()> buckets{};  // cumulative at render time
  };
  mutable std::mutex mutex_;
  std::map<std::tuple<std::string, std::string, int>, Series> series_;  // guarded by mutex_
  std::atomic<int64_t> open_connections_{0};
};

}  // namespace steward::http::internal
