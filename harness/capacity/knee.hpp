#pragma once

#include <optional>
#include <span>

namespace th {

struct CurvePoint {
  double rate = 0;
  double latency = 0;
};

// The knee of an increasing latency-versus-rate curve by Kneedle (Satopaa, Albrecht, Irwin and
// Raghavan, "Finding a 'Kneedle' in a Haystack", ICDCS workshops 2011): both axes scaled to
// 0..1, the knee is the point farthest below the straight line from the first point to the
// last, where the curve turns from flat to steep. `points` in increasing rate; nothing with fewer
// than three points or a curve that never rises above that line's chord.
std::optional<double> kneedle_knee(std::span<const CurvePoint> points);

}  // namespace th
