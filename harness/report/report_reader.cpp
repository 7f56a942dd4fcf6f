#include "report/report_reader.hpp"

#include <fmt/format.h>

#include <cerrno>
#include <cmath>
#include <cstring>
#include <map>
#include <utility>
#include <vector>

#include "base/config_error.hpp"
#include "scenario/bounded_json.hpp"
#include "stats/histogram.hpp"

namespace th {
namespace {

using json = nlohmann::json;

// File size and nesting depth are bounded by read_bounded_file and parse_bounded_json (comparing
// and printing JSON recurses, so depth is checked while parsing); this bounds histograms.
constexpr int64_t kMaxHistogramRangeNs = 10'000'000'000'000;  // ~2.8 hours

std::string pointer_token(const std::string& key) { return json_pointer_token(key); }

// Scalars are shown as written (shortened); containers only by kind, since printing an arbitrary
// structure recurses.
std::string describe(const json& value) {
  if (value.is_object()) return "an object";
  if (value.is_array()) return "an array";
  std::string text = value.dump(-1, ' ', false, json::error_handler_t::replace);
  if (text.size() > 40) text = text.substr(0, 37) + "...";
  return text;
}

class Checker {
 public:
  explicit Checker(std::string path) : path_(std::move(path)) {}

  [[noreturn]] void fail(const std::string& pointer, const std::string& message) const {
    throw ConfigError(fmt::format("{}: {}: {}", path_, pointer.empty() ? "/" : pointer, message));
  }
  void expect(bool ok, const std::string& pointer, const char* what, const json& got) const {
    if (!ok) fail(pointer, fmt::format("expected {}, got {}", what, describe(got)));
  }

  const json& member(const json& object, const std::string& pointer, const std::string& key) const {
    if (!object.contains(key)) fail(pointer + "/" + pointer_token(key), "missing");
    return object.at(key);
  }
  const json& object(const json& parent, const std::string& pointer, const std::string& key) const {
    const json& value = member(parent, pointer, key);
    expect(value.is_object(), pointer + "/" + pointer_token(key), "an object", value);
    return value;
  }
  void number(const json& parent, const std::string& pointer, const std::string& key,
              bool nullable = false) const {
    const json& value = member(parent, pointer, key);
    if (nullable && value.is_null()) return;
    expect(value.is_number() && std::isfinite(value.get<double>()) && value.get<double>() >= 0,
           pointer + "/" + pointer_token(key), nullable ? "a number >= 0 or null" : "a number >= 0",
           value);
  }
  void count(const json& parent, const std::string& pointer, const std::string& key,
             bool nullable = false) const {
    const json& value = member(parent, pointer, key);
    if (nullable && value.is_null()) return;
    expect(value.is_number_unsigned() || (value.is_number_integer() && value.get<int64_t>() >= 0),
           pointer + "/" + pointer_token(key), "an integer >= 0", value);
  }
  void string(const json& parent, const std::string& pointer, const std::string& key) const {
    const json& value = member(parent, pointer, key);
    expect(value.is_string(), pointer + "/" + pointer_token(key), "a string", value);
  }

  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

void check_histograms(const Checker& checker, const json& run, const std::string& pointer) {
  const json& histograms = checker.object(run, pointer, "histograms");
  const std::string where = pointer + "/histograms";
  const json& unit = checker.member(histograms, where, "unit");
  checker.expect(unit == "ns", where + "/unit", "\"ns\"", unit);
  checker.object(histograms, where, "total");
  for (const auto& [name, histogram] : histograms.items()) {
    if (name == "unit") continue;
    const std::string at = where + "/" + pointer_token(name);
    checker.expect(histogram.is_object(), at, "a histogram object", histogram);
    checker.count(histogram, at, "highest_trackable");
    checker.expect(histogram["highest_trackable"].get<int64_t>() <= kMaxHistogramRangeNs,
                   at + "/highest_trackable", "at most 10^13 ns", histogram["highest_trackable"]);
    checker.expect(histogram.contains("buckets") && histogram["buckets"].is_structured(),
                   at + "/buckets", "{\"from\": value, \"counts\": [...]} (or schema 1's pairs)",
                   histogram.value("buckets", json()));
    try {
      (void)Histogram::from_json(histogram);
    } catch (const std::exception& error) {
      checker.fail(at, fmt::format("not a valid histogram: {}", error.what()));
    }
  }
}

void check_timeline(const Checker& checker, const json& run, const std::string& pointer) {
  if (!run.contains("timeline")) return;  // reports from before per-second timelines
  const json& timeline = run["timeline"];
  checker.expect(timeline.is_array(), pointer + "/timeline", "an array", timeline);
  for (size_t index = 0; index < timeline.size(); ++index) {
    const std::string at = fmt::format("{}/timeline/{}", pointer, index);
    const json& second = timeline[index];
    checker.expect(second.is_object(), at, "an object", second);
    checker.count(second, at, "t_unix_s");
    for (const char* key : {"requests_ok", "errors", "bytes_sent", "bytes_received"}) {
      checker.count(second, at, key);
    }
    for (const char* key : {"p50_us", "p99_us", "max_us"}) checker.number(second, at, key, true);
  }
}

// Optional (runs with tcp_info off, reports from before it); when present, everything merge and
// compare read from it.
void check_tcp_info(const Checker& checker, const json& run, const std::string& pointer) {
  if (!run.contains("tcp_info")) return;
  const json& section = checker.object(run, pointer, "tcp_info");
  const std::string at = pointer + "/tcp_info";
  for (const char* key :
       {"connections_sampled", "samples", "delivery_rate_app_limited_samples", "retransmits",
        "bytes_acked", "bytes_received", "busy_us", "rwnd_limited_us", "sndbuf_limited_us"}) {
    checker.count(section, at, key);
  }
  const json& histograms = checker.object(section, at, "histograms");
  for (const auto& [name, histogram] : histograms.items()) {
    const std::string where = at + "/histograms/" + pointer_token(name);
    checker.expect(histogram.is_object(), where, "a histogram object", histogram);
    checker.count(histogram, where, "highest_trackable");
    checker.expect(histogram["highest_trackable"].get<int64_t>() <= kMaxHistogramRangeNs,
                   where + "/highest_trackable", "at most 10^13", histogram["highest_trackable"]);
    try {
      (void)Histogram::from_json(histogram);
    } catch (const std::exception& error) {
      checker.fail(where, fmt::format("not a valid histogram: {}", error.what()));
    }
  }
  const json& limited_by = checker.member(section, at, "limited_by");
  if (!limited_by.is_null()) {
    checker.expect(limited_by.is_object(), at + "/limited_by", "an object or null", limited_by);
    for (const char* key : {"application", "network", "receive_window", "send_buffer"}) {
      checker.number(limited_by, at + "/limited_by", key);
    }
  }
  const json& dominant = checker.member(section, at, "dominant_limit");
  checker.expect(dominant.is_null() || dominant == "application" || dominant == "network" ||
                     dominant == "receive_window" || dominant == "send_buffer",
                 at + "/dominant_limit",
                 "application, network, receive_window, send_buffer or null", dominant);
}

// Null or absent without a shaped link; when present, what merge reads from it.
void check_link(const Checker& checker, const json& run, const std::string& pointer) {
  if (!run.contains("link") || run["link"].is_null()) return;
  const json& link = checker.object(run, pointer, "link");
  const std::string at = pointer + "/link";
  checker.string(link, at, "offloads");
  // Reports written before the delay line have neither key.
  if (link.contains("delay_line") && !link["delay_line"].is_null()) {
    const json& line = checker.object(link, at, "delay_line");
    for (const char* key : {"forwarded_packets", "forwarded_bytes", "lost_packets",
                            "dropped_packets", "late_packets", "max_lateness_us"}) {
      checker.count(line, at + "/delay_line", key);
    }
    const json& realtime = checker.member(line, at + "/delay_line", "realtime");
    checker.expect(realtime.is_boolean(), at + "/delay_line/realtime", "true or false", realtime);
  }
  for (const char* direction : {"client_to_server", "server_to_client"}) {
    const json& side = checker.object(link, at, direction);
    const std::string where = at + "/" + direction;
    checker.string(side, where, "device");
    for (const char* key : {"rate_bit_per_s", "burst_bytes", "limit_bytes"}) {
      checker.count(side, where, key);
    }
    const json& qdiscs = checker.member(side, where, "qdiscs");
    checker.expect(qdiscs.is_array(), where + "/qdiscs", "an array", qdiscs);
    for (size_t index = 0; index < qdiscs.size(); ++index) {
      const std::string qdisc = fmt::format("{}/qdiscs/{}", where, index);
      checker.expect(qdiscs[index].is_object(), qdisc, "an object", qdiscs[index]);
      checker.string(qdiscs[index], qdisc, "kind");
      for (const char* key : {"sent_bytes", "sent_packets", "dropped_packets", "overlimits",
                              "requeues", "backlog_bytes", "backlog_packets"}) {
        checker.count(qdiscs[index], qdisc, key);
      }
    }
  }
}

// Absent for plain TCP; when present, what merge sums.
void check_tls(const Checker& checker, const json& run, const std::string& pointer) {
  if (!run.contains("tls")) return;
  const json& tls = checker.object(run, pointer, "tls");
  const std::string at = pointer + "/tls";
  const json& handshakes = checker.object(tls, at, "handshakes");
  for (const char* key : {"full", "resumed", "failed"})
    checker.count(handshakes, at + "/handshakes", key);
  if (tls.contains("early_data")) {
    const json& early = checker.object(tls, at, "early_data");
    for (const char* key : {"accepted", "rejected"}) checker.count(early, at + "/early_data", key);
  }
  const json& bytes = checker.object(tls, at, "handshake_bytes");
  for (const char* key : {"sent", "received"}) checker.count(bytes, at + "/handshake_bytes", key);
  const json& negotiated = checker.member(tls, at, "negotiated");
  checker.expect(negotiated.is_array(), at + "/negotiated", "an array", negotiated);
  for (size_t index = 0; index < negotiated.size(); ++index) {
    const std::string entry = fmt::format("{}/negotiated/{}", at, index);
    checker.expect(negotiated[index].is_object(), entry, "an object", negotiated[index]);
    for (const char* key : {"version", "cipher", "group"})
      checker.string(negotiated[index], entry, key);
    for (const char* key : {"full", "resumed"}) checker.count(negotiated[index], entry, key);
  }
  if (tls.contains("beyond_table")) checker.count(tls, at, "beyond_table");
  if (tls.contains("cpu_us_per_handshake") && !tls["cpu_us_per_handshake"].is_null()) {
    const json& per_handshake = checker.object(tls, at, "cpu_us_per_handshake");
    for (const char* key : {"client_user", "client_system", "server_user", "server_system"})
      checker.number(per_handshake, at + "/cpu_us_per_handshake", key, true);
  }
}

// Present with the scenario key `timestamps`; what merge sums.
void check_timestamps(const Checker& checker, const json& run, const std::string& pointer) {
  if (!run.contains("timestamps")) return;
  const json& timestamps = checker.object(run, pointer, "timestamps");
  const std::string at = pointer + "/timestamps";
  for (const char* key : {"split", "missing_transmit", "missing_receive", "inconsistent"})
    checker.count(timestamps, at, key);
  if (timestamps.contains("clock_stepped")) checker.count(timestamps, at, "clock_stepped");
  const json& share = checker.object(timestamps, at, "harness_share");
  for (const char* key : {"p50", "p99"}) checker.number(share, at + "/harness_share", key, true);
}

void check_run(const Checker& checker, const json& run, const std::string& pointer) {
  checker.expect(run.is_object(), pointer, "a run object", run);
  checker.string(run, pointer, "name");
  checker.expect(!run["name"].get<std::string>().empty(), pointer + "/name", "a non-empty name",
                 run["name"]);
  checker.object(run, pointer, "params");
  if (run.contains("repetition_index")) checker.count(run, pointer, "repetition_index");
  checker.string(run, pointer, "target");
  checker.string(run, pointer, "stopped_by");
  checker.number(run, pointer, "duration_s");

  const json& requests = checker.object(run, pointer, "requests");
  for (const char* key : {"ok", "error_total", "in_flight_at_end", "connections_opened"}) {
    checker.count(requests, pointer + "/requests", key);
  }
  const json& errors = checker.object(requests, pointer + "/requests", "errors");
  for (const auto& [kind, value] : errors.items()) {
    (void)value;
    checker.count(errors, pointer + "/requests/errors", kind);
  }
  const json& throughput = checker.object(run, pointer, "throughput");
  for (const char* key : {"requests_per_s", "bytes_sent_per_s", "bytes_received_per_s",
                          "bits_sent_per_s", "bits_received_per_s"}) {
    checker.number(throughput, pointer + "/throughput", key);
  }
  checker.count(throughput, pointer + "/throughput", "server_bytes_received", true);
  if (run.contains("bytes")) {
    const json& bytes = checker.object(run, pointer, "bytes");
    checker.count(bytes, pointer + "/bytes", "sent");
    checker.count(bytes, pointer + "/bytes", "received");
  }

  const json& latency = checker.object(run, pointer, "latency_us");
  for (const auto& [phase, summary] : latency.items()) {
    const std::string at = pointer + "/latency_us/" + pointer_token(phase);
    checker.expect(summary.is_object(), at, "an object", summary);
    checker.count(summary, at, "count");
    for (const char* key : {"min", "mean", "stddev", "p50", "p90", "p99", "p999", "max"}) {
      checker.number(summary, at, key);
    }
  }
  checker.object(latency, pointer + "/latency_us", "total");

  const json& cpu = checker.object(run, pointer, "cpu");
  checker.number(cpu, pointer + "/cpu", "client_s");
  for (const char* key : {"server_s", "client_us_per_request", "server_us_per_request"}) {
    checker.number(cpu, pointer + "/cpu", key, true);
  }
  for (const char* key : {"client_user_s", "client_system_s", "server_user_s", "server_system_s"}) {
    if (cpu.contains(key)) checker.number(cpu, pointer + "/cpu", key, true);  // since the split
  }
  check_histograms(checker, run, pointer);
  check_timeline(checker, run, pointer);
  check_tcp_info(checker, run, pointer);
  check_link(checker, run, pointer);
  check_tls(checker, run, pointer);
  check_timestamps(checker, run, pointer);
  if (run.contains("warnings")) {
    const json& warnings = run["warnings"];
    checker.expect(warnings.is_array(), pointer + "/warnings", "an array of strings", warnings);
    for (size_t index = 0; index < warnings.size(); ++index) {
      checker.expect(warnings[index].is_string(), fmt::format("{}/warnings/{}", pointer, index),
                     "a string", warnings[index]);
    }
  }
}

// Repetitions of a run share its name; their index is stored, or (in reports from before
// repetitions) is the order in which the name appears.
void number_repetitions(const Checker& checker, json& runs) {
  std::map<std::string, std::map<uint64_t, size_t>> seen;  // name -> index -> run
  std::map<std::string, uint64_t> next;
  for (size_t position = 0; position < runs.size(); ++position) {
    json& run = runs[position];
    const std::string name = run["name"];
    if (!run.contains("repetition_index")) run["repetition_index"] = next[name];
    const uint64_t index = run["repetition_index"].get<uint64_t>();
    next[name] = std::max(next[name], index + 1);
    if (auto [it, fresh] = seen[name].emplace(index, position); !fresh) {
      checker.fail(fmt::format("/runs/{}/repetition_index", position),
                   fmt::format("run '{}' repetition {} appears twice (also /runs/{})", name, index,
                               it->second));
    }
  }
}

}  // namespace

LoadedReport parse_report(const std::string& text, const std::string& path) {
  const Checker checker(path);
  LoadedReport report{path, json()};
  report.document = parse_bounded_json(text, path, /*allow_comments=*/false);
  json& document = report.document;
  checker.expect(document.is_object(), "", "a tcpharness report object", document);
  const json& schema = checker.member(document, "", "schema");
  checker.expect(schema == "tcpharness.report/2" || schema == "tcpharness.report/1", "/schema",
                 "\"tcpharness.report/2\" (or /1)", schema);
  checker.string(document, "", "started_at");
  checker.string(checker.object(document, "", "scenario"), "/scenario", "name");
  checker.string(checker.object(document, "", "host"), "/host", "hostname");
  if (document.contains("interrupted")) {
    checker.expect(document["interrupted"].is_boolean(), "/interrupted", "true or false",
                   document["interrupted"]);
  }
  if (document.contains("labels")) {
    const json& labels = checker.object(document, "", "labels");
    for (const auto& [key, value] : labels.items()) {
      checker.expect(value.is_string(), "/labels/" + pointer_token(key), "a string", value);
    }
  }
  const json& runs = checker.member(document, "", "runs");
  checker.expect(runs.is_array(), "/runs", "an array of runs", runs);
  for (size_t index = 0; index < runs.size(); ++index) {
    check_run(checker, runs[index], fmt::format("/runs/{}", index));
  }
  number_repetitions(checker, document["runs"]);
  return report;
}

LoadedReport read_report(const std::string& path) {
  return parse_report(read_bounded_file(path), path);
}

}  // namespace th
