// The link key: how it is read, what it refuses, and how tbf is sized from it.
#include <gtest/gtest.h>

#include <functional>
#include <string>

#include "base/config_error.hpp"
#include "config_errors.hpp"
#include "host/link_address.hpp"
#include "host/shaped_link.hpp"
#include "scenario/loader.hpp"

namespace th {
namespace {

using nlohmann::json;
using testing::parse;
using testing::parse_error;

TEST(LinkScenario, AbsentByDefaultAndNullInTheResolvedScenario) {
  const Scenario scenario = parse("{}");
  EXPECT_FALSE(scenario.link.has_value());
  EXPECT_TRUE(json(scenario)["link"].is_null());
}

TEST(LinkScenario, EveryKeyIsReadAndQueueDefaultsToFiftyMs) {
  const Scenario full =
      parse(R"({"link": {"rate_mbit": 12.5, "queue_ms": 200, "delay_ms": 10, "loss_pct": 0.5}})");
  ASSERT_TRUE(full.link.has_value());
  EXPECT_DOUBLE_EQ(full.link->rate_mbit, 12.5);
  EXPECT_EQ(full.link->queue_ms, 200u);
  EXPECT_DOUBLE_EQ(full.link->delay_ms, 10);
  EXPECT_DOUBLE_EQ(full.link->loss_pct, 0.5);
  EXPECT_TRUE(full.link->needs_netem());

  const Scenario rate_only = parse(R"({"link": {"rate_mbit": 100}})");
  EXPECT_EQ(rate_only.link->queue_ms, 50u);
  EXPECT_FALSE(rate_only.link->needs_netem());
}

TEST(LinkScenario, ResolvedScenarioReadsBackAsTheSameLink) {
  const Scenario first = parse(R"({"link": {"rate_mbit": 50, "queue_ms": 20, "loss_pct": 1}})");
  const json resolved = first;
  EXPECT_EQ(resolved["link"],
            json::parse(R"({"rate_mbit": 50.0, "queue_ms": 20, "delay_ms": 0.0, "loss_pct": 1.0,
                      "initcwnd": 0, "initrwnd": 0, "server_sysctl": {}})"));
  const Scenario again = scenario_from_json(resolved, "report");
  EXPECT_EQ(json(again)["link"], resolved["link"]);
}

TEST(LinkScenario, InitialWindowsAndServerSysctlsReadBackAsGiven) {
  const Scenario scenario = parse(R"({"link": {"rate_mbit": 100, "initcwnd": 40, "initrwnd": 20,
      "server_sysctl": {"net.ipv4.tcp_slow_start_after_idle": 0,
                        "net.ipv4.tcp_no_metrics_save": 1}}})");
  EXPECT_EQ(scenario.link->initcwnd, 40u);
  EXPECT_EQ(scenario.link->initrwnd, 20u);
  EXPECT_EQ(scenario.link->server_sysctl,
            (std::vector<std::pair<std::string, int64_t>>{
                {"net.ipv4.tcp_no_metrics_save", 1}, {"net.ipv4.tcp_slow_start_after_idle", 0}}));
  const json resolved = scenario;
  EXPECT_EQ(json(scenario_from_json(resolved, "report"))["link"], resolved["link"]);
}

// A getsockopt per response costs about 1.3 us of server CPU on loopback: on by default only
// where slow start is measured, over a link.
TEST(LinkScenario, ServerCwndPerResponseDefaultsToOnOverALinkOnly) {
  EXPECT_FALSE(samples_cwnd_per_response(parse("{}")));
  EXPECT_TRUE(samples_cwnd_per_response(parse(R"({"link": {"rate_mbit": 10}})")));
  EXPECT_FALSE(samples_cwnd_per_response(
      parse(R"({"link": {"rate_mbit": 10}, "server": {"tcp_info_per_response": false}})")));
  EXPECT_TRUE(samples_cwnd_per_response(parse(R"({"server": {"tcp_info_per_response": true}})")));
  // Unset stays unset in the resolved scenario, so a sweep that adds a link still samples.
  EXPECT_TRUE(
      json(parse(R"({"link": {"rate_mbit": 10}})"))["server"]["tcp_info_per_response"].is_null());
}

TEST(LinkScenario, OnlyKnownPerNamespaceSysctlsInTheirRangeAreTaken) {
  EXPECT_EQ(parse_error(R"({"link": {"rate_mbit": 10, "initcwnd": 1001}})"),
            "x.json: /link/initcwnd: must be an integer from 0 to 1000, got 1001");
  EXPECT_EQ(parse_error(R"({"link": {"rate_mbit": 10,
                "server_sysctl": {"net.ipv4.tcp_slow_start_after_idle": 2}}})"),
            "x.json: /link/server_sysctl/net.ipv4.tcp_slow_start_after_idle: must be an integer "
            "from 0 to 1, got 2");
  const std::string unknown =
      parse_error(R"({"link": {"rate_mbit": 10, "server_sysctl": {"net.core.rmem_max": 1}}})");
  EXPECT_EQ(unknown.rfind("x.json: /link/server_sysctl/net.core.rmem_max: unknown key; allowed "
                          "keys: net.ipv4.tcp_slow_start_after_idle",
                          0),
            0u)
      << unknown;
}

TEST(ThinkTimeScenario, NeedsOneRequestAtATimeOnAConnection) {
  const Scenario fixed = parse(R"({"think_time_ms": 250})");
  EXPECT_EQ(fixed.think_time_ms, 250);
  EXPECT_EQ(fixed.think_time_distribution, ThinkTime::fixed);
  EXPECT_EQ(parse(R"({"think_time_ms": 5, "think_time_distribution": "exponential",
                      "connection": "per_request"})")
                .think_time_distribution,
            ThinkTime::exponential);
  EXPECT_EQ(parse_error(R"({"think_time_ms": 5, "connection": "pipelined"})"),
            "x.json: /think_time_ms: needs connection keep_alive or per_request without a page, "
            "and protocol echo or http: it is a virtual user's pause between one response and "
            "its next request");
  EXPECT_EQ(parse_error(R"({"think_time_ms": -1})"),
            "x.json: /think_time_ms: must be a number from 0 to 3600000, got -1");
  EXPECT_EQ(parse_error(R"({"think_time_distribution": "normal"})")
                .rfind("x.json: /think_time_distribution: must be one of", 0),
            0u);
}

TEST(LinkScenario, BadValuesNameTheKeyAndWhatIsAllowed) {
  EXPECT_EQ(parse_error(R"({"link": {"rate_mbit": 0}})"),
            "x.json: /link/rate_mbit: must be a number greater than 0 and at most 100000, got 0");
  EXPECT_EQ(parse_error(R"({"link": {"rate_mbit": 10, "queue_ms": 0}})"),
            "x.json: /link/queue_ms: must be an integer from 1 to 10000, got 0");
  EXPECT_EQ(parse_error(R"({"link": {"rate_mbit": 10, "queue_ms": 2.5}})"),
            "x.json: /link/queue_ms: must be an integer from 1 to 10000, got 2.5");
  EXPECT_EQ(parse_error(R"({"link": {"rate_mbit": 10, "loss_pct": 101}})"),
            "x.json: /link/loss_pct: must be a number from 0 to 100, got 101");
  EXPECT_EQ(parse_error(R"({"link": {"rate_mbit": 10, "delay_ms": -1}})"),
            "x.json: /link/delay_ms: must be a number from 0 to 10000, got -1");
  EXPECT_EQ(parse_error(R"({"link": {"rate_mbit": 10, "jitter_ms": 1}})"),
            "x.json: /link/jitter_ms: unknown key; allowed keys: rate_mbit, queue_ms, delay_ms, "
            "loss_pct, initcwnd, initrwnd, server_sysctl");
  // 100 Gbit/s for 10 s is 125 GB of queue: more than tbf's 32-bit limit can hold.
  EXPECT_EQ(parse_error(R"({"link": {"rate_mbit": 100000, "queue_ms": 10000}})"),
            "x.json: /link: rate_mbit 100000 with queue_ms 10000 is a queue of 125000000000 "
            "bytes; tbf's limit holds at most 4294967295 (4 GB): lower queue_ms or rate_mbit");
  EXPECT_EQ(parse_error(R"({"link": "100mbit"})"),
            "x.json: /link: must be an object, got \"100mbit\"");
  EXPECT_NE(parse_error(R"({"link": {"queue_ms": 20}})").find("/link: needs rate_mbit"),
            std::string::npos);
}

TEST(LinkScenario, WithAnExternalTargetIsAConfigError) {
  const std::string message =
      parse_error(R"({"target": "127.0.0.1:8080", "link": {"rate_mbit": 10}})");
  EXPECT_EQ(message.rfind("x.json: /link: shapes the path to the embedded server only", 0), 0u)
      << message;
}

TEST(LinkScenario, CanBeSweptAsAWholeObject) {
  const auto specs = expand_runs(parse_scenario_text(
      R"({"sweep": {"link": [{"rate_mbit": 10}, {"rate_mbit": 20, "queue_ms": 5}]}})", "x.json"));
  ASSERT_EQ(specs.size(), 2u);
  EXPECT_DOUBLE_EQ(specs[1].scenario.link->rate_mbit, 20);
  EXPECT_EQ(specs[1].scenario.link->queue_ms, 5u);
}

TEST(TbfParameters, QueueHoldsQueueMsOfDataAtTheRateOnTopOfTheBucket) {
  LinkShape shape;
  shape.rate_mbit = 100;
  shape.queue_ms = 200;
  const TbfParameters tbf = tbf_parameters(shape);
  EXPECT_EQ(tbf.rate_bytes_per_s, 12'500'000u);
  EXPECT_EQ(tbf.burst_bytes, 12'500u);  // 1 ms at the rate
  EXPECT_EQ(tbf.limit_bytes, 12'500u + 2'500'000u);
}

TEST(TbfParameters, SlowLinksKeepABucketOfAFewFramesAndAQueueOfAtLeastOne) {
  LinkShape shape;
  shape.rate_mbit = 1;
  shape.queue_ms = 1;
  const TbfParameters tbf = tbf_parameters(shape);
  EXPECT_EQ(tbf.rate_bytes_per_s, 125'000u);
  EXPECT_EQ(tbf.burst_bytes, 4u * 1514u);
  EXPECT_EQ(tbf.limit_bytes, 4u * 1514u + 1514u);
}

TEST(LinkAddresses, OverlapIsJudgedOnTheShorterPrefix) {
  const uint32_t block = 0xA9FE0104;  // 169.254.1.4/30
  EXPECT_TRUE(prefixes_overlap(block, 30, 0xA9FE0106, 32));
  EXPECT_FALSE(prefixes_overlap(block, 30, 0xA9FE0108, 30));
  EXPECT_TRUE(prefixes_overlap(block, 30, 0xA9FE0000, 16));  // a zeroconf /16 covers it all
  EXPECT_FALSE(prefixes_overlap(block, 30, 0x7F000001, 8));
}

TEST(LinkAddresses, PicksAFreeSlashThirtyOutsideTheReservedAndMetadataBlocks) {
  for (uint64_t seed : {0ull, 1ull, 255ull * 64, 168ull * 64}) {
    const auto addresses = free_link_addresses(seed);
    ASSERT_TRUE(addresses.has_value());
    EXPECT_TRUE(addresses->client.starts_with("169.254.")) << addresses->client;
    EXPECT_FALSE(addresses->client.starts_with("169.254.169.")) << addresses->client;
    EXPECT_FALSE(addresses->client.starts_with("169.254.0.")) << addresses->client;
  }
}

}  // namespace
}  // namespace th
