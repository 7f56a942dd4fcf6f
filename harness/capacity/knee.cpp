#include "capacity/knee.hpp"

namespace th {

std::optional<double> kneedle_knee(std::span<const CurvePoint> points) {
  if (points.size() < 3) return std::nullopt;
  const CurvePoint& first = points.front();
  const CurvePoint& last = points.back();
  const double rate_span = last.rate - first.rate;
  double latency_low = first.latency;
  double latency_high = first.latency;
  for (const CurvePoint& point : points) {
    latency_low = std::min(latency_low, point.latency);
    latency_high = std::max(latency_high, point.latency);
  }
  const double latency_span = latency_high - latency_low;
  if (rate_span <= 0 || latency_span <= 0) return std::nullopt;
  // A convex increasing curve lies below the diagonal of the unit square; Kneedle's difference
  // curve is the distance below it, and its maximum is the knee.
  std::optional<double> knee;
  double largest = 0;
  for (const CurvePoint& point : points) {
    const double x = (point.rate - first.rate) / rate_span;
    const double y = (point.latency - latency_low) / latency_span;
    if (x - y > largest) {
      largest = x - y;
      knee = point.rate;
    }
  }
  return knee;
}

}  // namespace th
