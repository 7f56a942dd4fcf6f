#include <fmt/format.h>

#include <cstdint>
#include <string>

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
    } else {
      c.unknown_key(item_pointer, {"rate_mbit", "queue_ms", "delay_ms", "loss_pct"});
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

void check_link_rules(const Checks& checks, const Scenario& scenario) {
  if (scenario.link && scenario.target) {
    checks.fail("/link",
                "shapes the path to the embedded server only (the harness puts that server in a "
                "network namespace of its own); remove target or link");
  }
}

}  // namespace th::scenario_detail
