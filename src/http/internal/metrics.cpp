#include "http/internal/metrics.hpp"

#include <cstdio>

namespace steward::http::internal {
namespace {

// Label values are route patterns and methods; escape what the format requires anyway.
std::string Escape(std::string_view value) {
  std::string out;
  for (char c : value) {
    if (c == '\\' || c == '"') out.push_back('\\');
    if (c == '\n') {
      out += "\\n";
      continue;
    }
    out.push_back(c);
  }
  return out;
}

std::string Number(double value) {
  char text[32];
  std::snprintf(text, sizeof text, "%.6g", value);
  return text;
}

}  // namespace

void Metrics::Record(std::string_view method, std::string_view route, int status, double seconds) {
  std::lock_guard lock(mutex_);
  Series& series = series_[{std::string(method), std::string(route), status}];
  ++series.count;
  series.sum += seconds;
  for (size_t i = 0; i < kBuckets.size(); ++i) {
    if (seconds <= kBuckets[i]) {
      ++series.buckets[i];
      break;
    }
  }
}

std::string Metrics::Render() const {
  std::string out;
  out += "# HELP steward_http_open_connections Open HTTP connections.\n";
  out += "# TYPE steward_http_open_connections gauge\n";
  out += "steward_http_open_connections " + std::to_string(open_connections_.load()) + "\n";
  out += "# HELP steward_http_requests_total HTTP requests answered, by route and status.\n";
  out += "# TYPE steward_http_requests_total counter\n";
  std::lock_guard lock(mutex_);
  for (const auto& [key, series] : series_) {
    const auto& [method, route, status] = key;
    out += "steward_http_requests_total{method=\"" + Escape(method) + "\",route=\"" +
           Escape(route) + "\",status=\"" + std::to_string(status) + "\"} " +
           std::to_string(series.count) + "\n";
  }
  out += "# HELP steward_http_request_duration_seconds Time from request header to response.\n";
  out += "# TYPE steward_http_request_duration_seconds histogram\n";
  // One histogram per method and route, summed over statuses.
  std::map<std::pair<std::string, std::string>, Series> by_route;
  for (const auto& [key, series] : series_) {
    Series& total = by_route[{std::get<0>(key), std::get<1>(key)}];
    total.count += series.count;
    total.sum += series.sum;
    for (size_t i = 0; i < kBuckets.size(); ++i) total.buckets[i] += series.buckets[i];
  }
  for (const auto& [key, series] : by_route) {
    const std::string labels =
        "method=\"" + Escape(key.first) + "\",route=\"" + Escape(key.second) + "\"";
    uint64_t cumulative = 0;
    for (size_t i = 0; i < kBuckets.size(); ++i) {
      cumulative += series.buckets[i];
      out += "steward_http_request_duration_seconds_bucket{" + labels + ",le=\"" +
             Number(kBuckets[i]) + "\"} " + std::to_string(cumulative) + "\n";
    }
    out += "steward_http_request_duration_seconds_bucket{" + labels + ",le=\"+Inf\"} " +
           std::to_string(series.count) + "\n";
    out += "steward_http_request_duration_seconds_sum{" + labels + "} " + Number(series.sum) + "\n";
    out += "steward_http_request_duration_seconds_count{" + labels + "} " +
           std::to_string(series.count) + "\n";
  }
  return out;
}

}  // namespace steward::http::internal
