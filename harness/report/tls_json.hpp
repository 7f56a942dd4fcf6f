#pragma once

#include <nlohmann/json.hpp>
#include <vector>

#include "stats/tls_stats.hpp"

namespace th {

// A run's `tls` section (docs/report.md): handshakes by kind, the bytes they took, and each
// negotiated version, cipher and group with its count.
nlohmann::json tls_to_json(const TlsStats& stats);

// CPU per completed handshake (full or resumed), user and system, client and server (null
// without the embedded server), from a run's `cpu` section (its *_user_s and *_system_s); null
// with no handshake or a report from before the split. Over per_request each handshake carries
// one request, so this is what a new HTTPS connection costs with its request.
nlohmann::json cpu_per_handshake(const nlohmann::json& cpu, const nlohmann::json& tls);

// The sections of several generators' runs summed; null when no run has one.
nlohmann::json merge_tls(const std::vector<const nlohmann::json*>& runs);

}  // namespace th
