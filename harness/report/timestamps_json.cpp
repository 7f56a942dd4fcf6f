#include "report/timestamps_json.hpp"

#include <optional>

#include "base/numbers.hpp"
#include "report/reporter.hpp"

namespace th {
namespace {

nlohmann::json share_json(const Histogram& harness, const Histogram& stack_and_peer) {
  nlohmann::json out;
  for (const auto& [key, percentile] : {std::pair{"p50", 50.0}, std::pair{"p99", 99.0}}) {
    const std::optional<double> share = harness_share(harness, stack_and_peer, percentile);
    out[key] = share ? nlohmann::json(rounded(*share, 1e3)) : nlohmann::json(nullptr);
  }
  return out;
}

}  // namespace

nlohmann::json timestamps_to_json(const TimestampSplit& split) {
  return {{"split", split.split},
          {"missing_transmit", split.missing_transmit},
          {"missing_receive", split.missing_receive},
          {"clock_stepped", split.clock_stepped},
          {"inconsistent", split.inconsistent},
          {"harness_share", share_json(split.harness, split.stack_and_peer)}};
}

void add_timestamp_parts(const TimestampSplit& split, nlohmann::json& run) {
  const Histogram* parts[] = {&split.harness, &split.harness_send, &split.stack_and_peer,
                              &split.harness_receive};
  for (size_t index = 0; index < std::size(parts); ++index) {
    run["latency_us"][kTimestampParts[index]] = latency_summary_us(*parts[index]);
    run["histograms"][kTimestampParts[index]] = parts[index]->to_json();
  }
}

nlohmann::json merge_timestamps(const std::vector<const nlohmann::json*>& runs,
                                const nlohmann::json& merged_histograms) {
  nlohmann::json out;
  for (const nlohmann::json* run : runs) {
    if (!run->contains("timestamps")) continue;
    if (out.is_null()) out = nlohmann::json::object();
    for (const char* key :
         {"split", "missing_transmit", "missing_receive", "clock_stepped", "inconsistent"}) {
      const uint64_t before = out.contains(key) ? out[key].get<uint64_t>() : 0;
      // clock_stepped may be missing from a hand-made report the reader accepts.
      out[key] = before + run->at("timestamps").value(key, uint64_t{0});
    }
  }
  if (out.is_null()) return out;
  Histogram harness;
  Histogram stack_and_peer;
  if (merged_histograms.contains("harness") && merged_histograms.contains("stack_and_peer")) {
    harness = Histogram::from_json(merged_histograms["harness"]);
    stack_and_peer = Histogram::from_json(merged_histograms["stack_and_peer"]);
  }
  out["harness_share"] = share_json(harness, stack_and_peer);
  return out;
}

}  // namespace th
