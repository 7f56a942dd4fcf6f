#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace th {

// The "link" of one run as several generators recorded it, each through a shaped link of its own
// (its own namespaces, veth pairs and qdiscs). What must agree is the link's configuration: per
// direction the shaping device's role, tbf's rate, burst and limit, each qdisc's kind and tc's
// reading of its parameters, and whether offloads are off. The qdiscs' counters measure each
// generator's own link over its run, so they are summed qdisc by qdisc, as the run's requests and
// bytes are. Names unique to a generator (namespaces, addresses, devices) are the first report's.
// A configuration that differs is named in `warnings` and the first report's link kept whole.
nlohmann::json merge_link(const std::vector<const nlohmann::json*>& runs,
                          const std::vector<std::string>& paths, nlohmann::json& warnings);

}  // namespace th
