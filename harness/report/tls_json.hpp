#pragma once

#include <nlohmann/json.hpp>
#include <vector>

#include "stats/tls_stats.hpp"

namespace th {

// A run's `tls` section (docs/report.md): handshakes by kind, the bytes they took, and each
// negotiated version, cipher and group with its count.
nlohmann::json tls_to_json(const TlsStats& stats);

// The sections of several generators' runs summed; null when no run has one.
nlohmann::json merge_tls(const std::vector<const nlohmann::json*>& runs);

}  // namespace th
