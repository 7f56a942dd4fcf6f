#pragma once

#include <cmath>

// Number helpers that every reader of a report shares, so that the console, the JSON report,
// merge and tune round and divide the same way and a figure read back compares equal.
namespace th {

// Rounded to 1/scale: 3 decimals by default, which keeps reports short without losing a
// microsecond of a millisecond figure.
inline double rounded(double value, double scale = 1000.0) {
  return std::round(value * scale) / scale;
}

// A rate over a window that may be empty (an interrupted or failed run): 0, never a division by
// zero that a JSON writer would turn into null or inf.
inline double per_second(double amount, double seconds) {
  return seconds > 0 ? amount / seconds : 0.0;
}

}  // namespace th
