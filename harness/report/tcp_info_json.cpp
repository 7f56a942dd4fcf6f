#include "report/tcp_info_json.hpp"

#include <fmt/format.h>

#include <cmath>
#include <stdexcept>

#include "base/config_error.hpp"
#include "base/numbers.hpp"

namespace th {
namespace {

using json = nlohmann::json;

// The histograms of the section, by the names the report gives them (under "histograms"), and
// their summaries' names: a histogram kept in hundredths is summarised in whole units.
struct NamedHistogram {
  const char* name;
  Histogram TcpInfoStats::*member;
  const char* summary_name;
  double divisor = 1;
};
constexpr NamedHistogram kHistograms[] = {
    {"rtt_us", &TcpInfoStats::rtt_us, "rtt_us"},
    {"min_rtt_us", &TcpInfoStats::min_rtt_us, "min_rtt_us"},
    {"snd_cwnd_segments", &TcpInfoStats::snd_cwnd_segments, "snd_cwnd_segments"},
    {"snd_ssthresh_segments", &TcpInfoStats::snd_ssthresh_segments, "snd_ssthresh_segments"},
    {"delivery_rate_bytes_per_s", &TcpInfoStats::delivery_rate_bytes_per_s,
     "delivery_rate_bytes_per_s"},
    {"response_round_trips_x100", &TcpInfoStats::response_round_trips_x100, "response_round_trips",
     100},
    {"server_snd_cwnd_at_response_segments", &TcpInfoStats::server_snd_cwnd_at_response_segments,
     "server_snd_cwnd_at_response_segments"},
};

// The counters, summed as they are.
struct NamedCount {
  const char* name;
  uint64_t TcpInfoStats::*member;
};
constexpr NamedCount kCounts[] = {
    {"connections_sampled", &TcpInfoStats::connections_sampled},
    {"samples", &TcpInfoStats::samples},
    {"delivery_rate_app_limited_samples", &TcpInfoStats::delivery_rate_app_limited_samples},
    {"retransmits", &TcpInfoStats::retransmitted_segments},
    {"bytes_acked", &TcpInfoStats::bytes_acked},
    {"bytes_received", &TcpInfoStats::bytes_received},
    {"open_us", &TcpInfoStats::open_us},
    {"busy_us", &TcpInfoStats::busy_us},
    {"rwnd_limited_us", &TcpInfoStats::rwnd_limited_us},
    {"sndbuf_limited_us", &TcpInfoStats::sndbuf_limited_us},
    {"send_buffer_wait_us", &TcpInfoStats::send_buffer_wait_us},
};

// The same figures as a latency summary, in the histogram's own unit, or in units of `divisor`
// of it (then as numbers with two decimals).
json distribution_summary(const Histogram& histogram, double divisor) {
  auto value = [](double number) { return rounded(number); };
  if (divisor == 1) {
    return {{"count", histogram.count()},      {"min", histogram.min()},
            {"mean", value(histogram.mean())}, {"stddev", value(histogram.stddev())},
            {"p50", histogram.percentile(50)}, {"p90", histogram.percentile(90)},
            {"p99", histogram.percentile(99)}, {"p999", histogram.percentile(99.9)},
            {"max", histogram.max()}};
  }
  auto scaled = [&](double number) { return rounded(number / divisor, 100); };
  return {{"count", histogram.count()},
          {"min", scaled(double(histogram.min()))},
          {"mean", scaled(histogram.mean())},
          {"stddev", scaled(histogram.stddev())},
          {"p50", scaled(double(histogram.percentile(50)))},
          {"p90", scaled(double(histogram.percentile(90)))},
          {"p99", scaled(double(histogram.percentile(99)))},
          {"p999", scaled(double(histogram.percentile(99.9)))},
          {"max", scaled(double(histogram.max()))}};
}

}  // namespace

json tcp_info_to_json(const TcpInfoStats& stats, const Histogram& first_byte) {
  json out = json::object();
  for (const NamedCount& count : kCounts) out[count.name] = stats.*count.member;
  json histograms = json::object();
  for (const NamedHistogram& named : kHistograms) {
    out[named.summary_name] = distribution_summary(stats.*named.member, named.divisor);
    histograms[named.name] = (stats.*named.member).to_json();
  }
  out["histograms"] = histograms;
  out["limited_by"] = nullptr;
  out["dominant_limit"] = nullptr;
  if (const std::optional<LimitShares> shares = stats.shares()) {
    out["limited_by"] = {{"application", rounded(shares->application, 1e4)},
                         {"network", rounded(shares->network, 1e4)},
                         {"receive_window", rounded(shares->receive_window, 1e4)},
                         {"send_buffer", rounded(shares->send_buffer, 1e4)}};
    out["dominant_limit"] = dominant_limit(*shares);
  }
  out["diagnosis"] = nullptr;
  if (const std::optional<LimitDiagnosis> diagnosis = diagnose_limit(stats, first_byte)) {
    out["diagnosis"] = {{"limit", diagnosis->limit},
                        {"share", rounded(diagnosis->share, 1e4)},
                        {"measured_by", diagnosis->by_harness ? "harness" : "kernel"}};
  }
  return out;
}

json merge_tcp_info(const std::vector<const json*>& runs, const Histogram& first_byte) {
  std::optional<TcpInfoStats> merged;
  for (const json* run : runs) {
    if (!run->contains("tcp_info") || !(*run)["tcp_info"].is_object()) continue;
    const json& section = (*run)["tcp_info"];
    const std::string name = run->at("name").get<std::string>();
    TcpInfoStats stats;
    for (const NamedCount& count : kCounts) {
      stats.*count.member = section.value(count.name, uint64_t{0});
    }
    for (const NamedHistogram& named : kHistograms) {
      const json& histograms = section.at("histograms");
      if (!histograms.contains(named.name)) continue;
      try {
        stats.*named.member = Histogram::from_json(histograms[named.name]);
      } catch (const std::invalid_argument& error) {
        throw ConfigError(
            fmt::format("run '{}': tcp_info/histograms/{}: {}", name, named.name, error.what()));
      }
    }
    if (!merged) {
      merged = std::move(stats);
      continue;
    }
    try {
      merged->merge(stats);
    } catch (const std::invalid_argument&) {
      throw ConfigError(fmt::format(
          "run '{}': tcp_info histograms have different layouts in the reports and cannot be "
          "merged exactly",
          name));
    }
  }
  return merged ? tcp_info_to_json(*merged, first_byte) : json(nullptr);
}

}  // namespace th
