// `merge` and the shaped link: each load generator shapes its own link, so the links' settings
// must agree while their names and counters are each generator's own (docs/report.md, `link`).
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "base/config_error.hpp"
#include "cli_runner.hpp"
#include "config_errors.hpp"
#include "host/link_reading.hpp"
#include "report/merge.hpp"
#include "report_fixtures.hpp"

namespace th {
namespace {

using nlohmann::json;
using testing::report_of;
using testing::steady_run;

// A 10 Mbit/s link as the generator with process id `pid` built it, its tbf having sent
// `sent_bytes` each way and dropped `dropped` packets.
RunResult run_with_link(uint64_t pid, uint64_t sent_bytes, uint64_t dropped,
                        uint64_t rate_bit_per_s = 10'000'000) {
  RunResult run = steady_run("run", 100);
  LinkReading& link = run.link.emplace();
  link.netns = "/proc/" + std::to_string(pid) + "/fd/7";
  link.router_netns = "/proc/" + std::to_string(pid) + "/fd/8";
  link.client_address = "169.254." + std::to_string(pid % 250) + ".2";
  link.server_address = "169.254." + std::to_string(pid % 250) + ".6";
  link.offloads = "off";
  for (auto [side, role] :
       {std::pair{&link.client_to_server, 'b'}, std::pair{&link.server_to_client, 'a'}}) {
    side->device = link_device_name(pid, 0, role);
    side->rate_bit_per_s = rate_bit_per_s;
    side->burst_bytes = 6056;
    side->limit_bytes = 68556;
    QdiscReading tbf;
    tbf.kind = "tbf";
    tbf.options = {{"rate", rate_bit_per_s / 8}, {"burst", 6056}, {"lat", 50000}};
    tbf.sent_bytes = sent_bytes;
    tbf.sent_packets = sent_bytes / 1000;
    tbf.dropped_packets = dropped;
    tbf.overlimits = 3 * dropped;
    tbf.backlog_bytes = 1514;
    tbf.backlog_packets = 1;
    side->qdiscs.push_back(tbf);
  }
  return run;
}

json merged_run(const RunResult& a, const RunResult& b) {
  return merge_reports({report_of({a}, "a.json"), report_of({b}, "b.json")})["runs"][0];
}

RunResult run_with_delay_line(uint64_t pid, uint64_t forwarded, uint64_t late,
                              uint64_t max_lateness_ns, bool realtime) {
  RunResult run = run_with_link(pid, 500'000, 0);
  run.link->delay_mechanism = "tun_relay";
  DelayLineReading& line = run.link->delay_line.emplace();
  line.mechanism = "tun_relay";
  line.device = link_device_name(pid, 0, 'd');
  line.capacity_packets = 1024;
  line.counters.forwarded_packets = forwarded;
  line.counters.forwarded_bytes = forwarded * 1000;
  line.counters.late_packets = late;
  line.counters.max_lateness_ns = max_lateness_ns;
  line.counters.realtime = realtime;
  return run;
}

TEST(MergeLink, DelayLinesSumTheirCountersAndKeepTheWorstLateness) {
  const json merged = merged_run(run_with_delay_line(1234, 3000, 2, 4'000'000, true),
                                 run_with_delay_line(98765, 5000, 7, 1'500'000, false));
  EXPECT_EQ(merged["warnings"], json::array()) << merged["warnings"].dump();
  const json& line = merged["link"]["delay_line"];
  EXPECT_EQ(line["forwarded_packets"], 8000);
  EXPECT_EQ(line["forwarded_bytes"], 8'000'000);
  EXPECT_EQ(line["late_packets"], 9);
  EXPECT_EQ(line["max_lateness_us"], 4000);
  EXPECT_EQ(line["realtime"], false);  // not every generator's line had the priority
}

TEST(MergeLink, ADelayLineAgainstNoneIsADifferentLink) {
  const json merged =
      merged_run(run_with_delay_line(1234, 3000, 0, 0, true), run_with_link(98765, 700'000, 5));
  ASSERT_EQ(merged["warnings"].size(), 1u) << merged["warnings"].dump();
  EXPECT_NE(merged["warnings"][0].get<std::string>().find("link/delay_mechanism"),
            std::string::npos)
      << merged["warnings"][0];
}

TEST(MergeLink, SameSettingsOnEachGeneratorSumTheCountersWithoutAWarning) {
  const json merged = merged_run(run_with_link(1234, 500'000, 2), run_with_link(98765, 700'000, 5));
  EXPECT_EQ(merged["warnings"], json::array()) << merged["warnings"].dump();
  for (const char* direction : {"client_to_server", "server_to_client"}) {
    const json& side = merged["link"][direction];
    EXPECT_EQ(side["rate_bit_per_s"], 10'000'000);
    const json& tbf = side["qdiscs"][0];
    EXPECT_EQ(tbf["kind"], "tbf");
    EXPECT_EQ(tbf["sent_bytes"], 1'200'000);
    EXPECT_EQ(tbf["sent_packets"], 1200);
    EXPECT_EQ(tbf["dropped_packets"], 7);
    EXPECT_EQ(tbf["overlimits"], 21);
    EXPECT_EQ(tbf["backlog_packets"], 2);
  }
  // Names are per generator: the first report's stand for the merged link.
  EXPECT_EQ(merged["link"]["netns"], "/proc/1234/fd/7");
  EXPECT_EQ(merged["link"]["client_to_server"]["device"], "th1234x0b");
}

TEST(MergeLink, AnotherRateIsNamedAndTheFirstLinkKeptWhole) {
  const json merged =
      merged_run(run_with_link(1234, 500'000, 2), run_with_link(98765, 700'000, 5, 20'000'000));
  ASSERT_EQ(merged["warnings"].size(), 1u) << merged["warnings"].dump();
  EXPECT_EQ(merged["warnings"][0],
            "merge: link/client_to_server/qdiscs/0/options/rate: 2500000 in b.json but 1250000 in "
            "a.json: the links were set up differently; kept the link of a.json, its counters not "
            "summed");
  EXPECT_EQ(merged["link"]["client_to_server"]["qdiscs"][0]["sent_bytes"], 500'000);
}

TEST(MergeLink, OffloadsAgreeWhenOnForReasonsNamingEachGeneratorsDevice) {
  RunResult a = run_with_link(1234, 1000, 0);
  RunResult b = run_with_link(98765, 1000, 0);
  a.link->offloads = "on: `ethtool -K th1234x0c tso off gso off gro off`: exit 1";
  b.link->offloads = "on: `ethtool -K th98765x0c tso off gso off gro off`: exit 1";
  EXPECT_EQ(merged_run(a, b)["warnings"], json::array());
  b.link->offloads = "off";
  const json warnings = merged_run(a, b)["warnings"];
  ASSERT_EQ(warnings.size(), 1u);
  EXPECT_EQ(warnings[0].get<std::string>().rfind("merge: link/offloads_off: true in b.json but "
                                                 "false in a.json",
                                                 0),
            0u)
      << warnings[0];
}

TEST(MergeLink, ADeviceIsComparedByItsRoleNotItsName) {
  EXPECT_EQ(link_device_role(link_device_name(1234, 7, 'b')), "b");
  EXPECT_EQ(link_device_role("th4194304x999s"), "s");
  for (const char* foreign : {"eth0", "th1234x0", "thx0b", "th12y3b", "th1x2bc", "tb1x2b"}) {
    EXPECT_EQ(link_device_role(foreign), foreign);
  }
  RunResult a = run_with_link(1234, 1000, 0);
  RunResult b = run_with_link(98765, 1000, 0);
  b.link->client_to_server.device = link_device_name(98765, 0, 'a');  // the wrong end
  const json warnings = merged_run(a, b)["warnings"];
  ASSERT_EQ(warnings.size(), 1u);
  EXPECT_EQ(warnings[0].get<std::string>().rfind(
                "merge: link/client_to_server/device_role: \"a\" in b.json but \"b\" in a.json", 0),
            0u)
      << warnings[0];
}

TEST(MergeLink, MergedReportMatchesTheSchema) {
  const testing::ScratchDir scratch_dir("tcpharness-merge-link");
  const std::string& scratch = scratch_dir.path();
  const std::string a = scratch + "/a.json";
  const std::string b = scratch + "/b.json";
  std::ofstream(a) << report_of({run_with_link(1234, 500'000, 2)}, a).document.dump();
  std::ofstream(b) << report_of({run_with_link(98765, 700'000, 5)}, b).document.dump();
  const std::string out = scratch + "/all.json";
  const testing::CliOutcome outcome =
      testing::run_cli("merge " + a + " " + b + " -o " + out, scratch);
  EXPECT_EQ(outcome.exit_code, 0) << outcome.err;
  EXPECT_TRUE(testing::matches_schema("report.schema.json", out));
}

TEST(MergeLink, AMalformedLinkIsRefusedWithItsPointer) {
  json document = report_of({run_with_link(1234, 1000, 0)}).document;
  document["runs"][0]["link"]["server_to_client"]["qdiscs"][0]["dropped_packets"] = "many";
  const std::string message = testing::error_of([&] { parse_report(document.dump(), "bad.json"); });
  EXPECT_NE(message.find("bad.json: /runs/0/link/server_to_client/qdiscs/0/dropped_packets: "
                         "expected an integer >= 0"),
            std::string::npos)
      << message;
}

}  // namespace
}  // namespace th
