#include "report/merge_link.hpp"

#include <fmt/format.h>

#include <algorithm>

#include "host/link_reading.hpp"
#include "report/json_text.hpp"

namespace th {
namespace {

using json = nlohmann::json;

constexpr const char* kDirections[] = {"client_to_server", "server_to_client"};
// Per qdisc, what `tc -s qdisc show` counted over the run (docs/report.md, `link`).
constexpr const char* kCounters[] = {"sent_bytes", "sent_packets",  "dropped_packets", "overlimits",
                                     "requeues",   "backlog_bytes", "backlog_packets"};
// The delay line's, summed like the qdiscs'; its worst lateness is the worst of all.
constexpr const char* kDelayLineCounters[] = {"forwarded_packets", "forwarded_bytes",
                                              "lost_packets", "dropped_packets", "late_packets"};

// What two generators' links must share to be one experiment: everything but the counters and
// the names that differ by process. (Why offloads stayed on names a device, so only whether they
// are off is compared.) Null stays null: no link. The report reader checked the shape.
json configuration(const json& link) {
  if (link.is_null()) return link;
  json shape = {{"offloads_off", link.at("offloads") == "off"},
                {"delay_mechanism", link.value("delay_mechanism", "")},
                {"server_sysctl", link.value("server_sysctl", json::object())}};
  // The route to the server's network names an address block that differs by process.
  json routes = json::array();
  for (const json& route : link.value("routes", json::array())) {
    routes.push_back({{"netns", route.value("netns", "")},
                      {"initcwnd", route.value("initcwnd", json())},
                      {"initrwnd", route.value("initrwnd", json())}});
  }
  shape["routes"] = routes;
  for (const char* direction : kDirections) {
    const json& side = link.at(direction);
    json qdiscs = json::array();
    for (const json& qdisc : side.at("qdiscs")) {
      qdiscs.push_back({{"kind", qdisc.at("kind")}, {"options", qdisc.value("options", json())}});
    }
    shape[direction] = {{"device_role", link_device_role(side.at("device").get<std::string>())},
                        {"rate_bit_per_s", side.at("rate_bit_per_s")},
                        {"burst_bytes", side.at("burst_bytes")},
                        {"limit_bytes", side.at("limit_bytes")},
                        {"qdiscs", qdiscs}};
  }
  return shape;
}

}  // namespace

json merge_link(const std::vector<const json*>& runs, const std::vector<std::string>& paths,
                json& warnings) {
  const json& first = runs.front()->value("link", json());
  const json expected = configuration(first);
  for (size_t index = 1; index < runs.size(); ++index) {
    const json found = configuration(runs[index]->value("link", json()));
    if (found == expected) continue;
    const json patch = json::diff(expected, found);
    const std::string where = patch.empty() ? "" : patch[0].value("path", "");
    const json::json_pointer pointer(where);
    warnings.push_back(fmt::format(
        "merge: link{}: {} in {} but {} in {}: the links were set up differently; kept the "
        "link of {}, its counters not summed",
        where, found.contains(pointer) ? json_for_message(found.at(pointer)) : "(absent)",
        paths[index],
        expected.contains(pointer) ? json_for_message(expected.at(pointer)) : "(absent)",
        paths.front(), paths.front()));
    return first;
  }
  if (first.is_null()) return first;
  // Equal configurations: every link has the same qdiscs in the same order.
  json merged = first;
  for (const char* direction : kDirections) {
    json& qdiscs = merged[direction]["qdiscs"];
    for (size_t position = 0; position < qdiscs.size(); ++position) {
      for (const char* counter : kCounters) {
        uint64_t sum = 0;
        for (const json* run : runs) {
          sum += run->at("link")[direction]["qdiscs"][position][counter].get<uint64_t>();
        }
        qdiscs[position][counter] = sum;
      }
    }
  }
  json& line = merged["delay_line"];
  if (line.is_object()) {
    for (const json* run : runs) {
      if (run == runs.front()) continue;
      const json& other = run->at("link")["delay_line"];
      for (const char* counter : kDelayLineCounters) {
        line[counter] = line[counter].get<uint64_t>() + other[counter].get<uint64_t>();
      }
      line["max_lateness_us"] = std::max(line["max_lateness_us"].get<uint64_t>(),
                                         other["max_lateness_us"].get<uint64_t>());
      line["realtime"] = line["realtime"].get<bool>() && other["realtime"].get<bool>();
    }
  }
  return merged;
}

}  // namespace th
