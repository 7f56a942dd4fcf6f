#include <fmt/format.h>

#include <algorithm>
#include <cstdint>
#include <iterator>
#include <string>
#include <utility>
#include <vector>

#include "scenario/fields.hpp"

namespace th::scenario_detail {

using nlohmann::json;

namespace {

// tbf takes a 64-bit rate, but past 100 Gbit/s a veth pair between two namespaces of one host
// is CPU-bound long before the shaper limits anything.
constexpr int64_t kMaxRateMbit = 100'000;
// A queue longer than 10 s holds more than any buffer worth studying.
constexpr int64_t kMaxQueueMs = 10'000;
constexpr int64_t kMaxDelayMs = 10'000;
// Far beyond any initial window worth studying (RFC 6928 argues for 10), small enough that a
// typo of an extra digit or two is caught.
constexpr int64_t kMaxInitialWindowSegments = 1000;

// The sysctls a scenario may set in the server's namespace: per-namespace TCP settings that
// shape what the chapter measures (slow start, TIME_WAIT, closing), with what the kernel takes.
struct NamespaceSysctl {
  const char* name;
  int64_t min;
  int64_t max;
};
constexpr NamespaceSysctl kServerSysctls[] = {
    {"net.ipv4.tcp_slow_start_after_idle", 0, 1},
    {"net.ipv4.tcp_no_metrics_save", 0, 1},
    {"net.ipv4.tcp_autocorking", 0, 1},
    {"net.ipv4.tcp_ecn", 0, 2},
    {"net.ipv4.tcp_tw_reuse", 0, 2},
    {"net.ipv4.tcp_fin_timeout", 1, 3600},
    {"net.ipv4.tcp_max_tw_buckets", 0, 2147483647},
    {"net.ipv4.tcp_notsent_lowat", 1, 4294967295},
};

std::vector<std::pair<std::string, int64_t>> read_server_sysctl(const Checks& c, const json& v,
                                                                const std::string& p) {
  c.object(v, p);
  std::vector<std::pair<std::string, int64_t>> sysctls;
  for (const auto& [key, item] : v.items()) {  // JSON objects iterate in name order
    const std::string item_pointer = p + "/" + pointer_token(key);
    // A named copy: clang before C++20's P1091 cannot capture a structured binding.
    const std::string& name = key;
    const auto* known = std::find_if(std::begin(kServerSysctls), std::end(kServerSysctls),
                                     [&](const NamespaceSysctl& s) { return name == s.name; });
    if (known == std::end(kServerSysctls)) {
      std::vector<std::string> allowed;
      for (const NamespaceSysctl& sysctl : kServerSysctls) allowed.emplace_back(sysctl.name);
      c.unknown_key(item_pointer, allowed);
    }
    sysctls.emplace_back(key, c.integer(item, item_pointer, known->min, known->max));
  }
  return sysctls;
}

}  // namespace

LinkShape read_link(const Checks& c, const json& v, const std::string& p) {
  c.object(v, p);
  LinkShape link;
  bool has_rate = false;
  for (const auto& [key, item] : v.items()) {
    const std::string item_pointer = p + "/" + pointer_token(key);
    if (key == "rate_mbit") {
      link.rate_mbit = c.number(item, item_pointer, 0, true, kMaxRateMbit);
      has_rate = true;
    } else if (key == "queue_ms") {
      link.queue_ms = static_cast<uint32_t>(c.integer(item, item_pointer, 1, kMaxQueueMs));
    } else if (key == "delay_ms") {
      link.delay_ms = c.number(item, item_pointer, 0, false, kMaxDelayMs);
    } else if (key == "loss_pct") {
      link.loss_pct = c.number(item, item_pointer, 0, false, 100);
    } else if (key == "initcwnd") {
      link.initcwnd =
          static_cast<uint32_t>(c.integer(item, item_pointer, 0, kMaxInitialWindowSegments));
    } else if (key == "initrwnd") {
      link.initrwnd =
          static_cast<uint32_t>(c.integer(item, item_pointer, 0, kMaxInitialWindowSegments));
    } else if (key == "server_sysctl") {
      link.server_sysctl = read_server_sysctl(c, item, item_pointer);
    } else {
      c.unknown_key(item_pointer, link_keys());
    }
  }
  // Without a rate there is nothing for tbf to shape, and its queue has no length in time.
  if (!has_rate) c.fail(p, "needs rate_mbit ({\"rate_mbit\": 100, \"queue_ms\": 50})");
  // tbf's limit (the bucket plus queue_ms of data at the rate) is a 32-bit byte count in the
  // kernel's tc_tbf_qopt: refuse here what tc would refuse with a less helpful message.
  const double queue_bytes = link.rate_mbit * 1e6 / 8 * link.queue_ms / 1000;
  if (queue_bytes > 4.0e9) {
    c.fail(p, fmt::format("rate_mbit {} with queue_ms {} is a queue of {:.0f} bytes; tbf's limit "
                          "holds at most 4294967295 (4 GB): lower queue_ms or rate_mbit",
                          link.rate_mbit, link.queue_ms, queue_bytes));
  }
  return link;
}

const std::vector<std::string>& link_keys() {
  static const std::vector<std::string> keys = {"rate_mbit", "queue_ms", "delay_ms",     "loss_pct",
                                                "initcwnd",  "initrwnd", "server_sysctl"};
  return keys;
}

void check_link_rules(const Checks& checks, const Scenario& scenario) {
  if (scenario.link && scenario.target) {
    checks.fail("/link",
                "shapes the path to the embedded server only (the harness puts that server in a "
                "network namespace of its own); remove target or link");
  }
}

}  // namespace th::scenario_detail
