#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "base/config_error.hpp"
#include "config_errors.hpp"
#include "scenario/loader.hpp"

namespace th {
namespace {

using nlohmann::json;
using testing::error_of;

std::vector<RunSpec> runs_of(const std::string& text) {
  return expand_runs(parse_scenario_text(text, "x.json"));
}

std::vector<std::string> names_of(const std::vector<RunSpec>& runs) {
  std::vector<std::string> names;
  for (const auto& run : runs) names.push_back(run.name);
  return names;
}

TEST(Sweep, NoSweepGivesOneRunNamedAfterTheScenario) {
  const auto runs = runs_of(R"({"name": "baseline", "connections": 3})");
  ASSERT_EQ(runs.size(), 1u);
  EXPECT_EQ(runs[0].name, "baseline");
  EXPECT_TRUE(runs[0].params.empty());
  EXPECT_EQ(runs[0].scenario.connections, 3u);
}

TEST(Sweep, TwoByThreeGivesSixRunsWithTheLastKeyVaryingFastest) {
  const auto runs = runs_of(R"({"threads": 2, "sweep": {
      "connections": [1, 8, 64], "client.tcp_nodelay": [false, true]}})");
  // Keys expand in alphabetical order: "client.tcp_nodelay" before "connections".
  EXPECT_EQ(names_of(runs),
            (std::vector<std::string>{
                "tcp_nodelay=false,connections=1", "tcp_nodelay=false,connections=8",
                "tcp_nodelay=false,connections=64", "tcp_nodelay=true,connections=1",
                "tcp_nodelay=true,connections=8", "tcp_nodelay=true,connections=64"}));
  ASSERT_EQ(runs.size(), 6u);
  EXPECT_EQ(runs[4].scenario.client.tcp_nodelay, true);
  EXPECT_EQ(runs[4].scenario.connections, 8u);
  EXPECT_EQ(runs[4].scenario.threads, 2u);
  ASSERT_EQ(runs[4].params.size(), 2u);
  EXPECT_EQ(runs[4].params[0], (std::pair<std::string, json>{"client.tcp_nodelay", true}));
  EXPECT_EQ(runs[4].params[1], (std::pair<std::string, json>{"connections", 8}));
}

TEST(Sweep, KeysSharingALastPartAreNamedInFull) {
  const auto runs = runs_of(R"({"sweep": {"client.tcp_nodelay": [true],
      "server.tcp_nodelay": [true, false], "client.so_sndbuf": [4096]}})");
  EXPECT_EQ(names_of(runs),
            (std::vector<std::string>{
                "so_sndbuf=4096,client.tcp_nodelay=true,server.tcp_nodelay=true",
                "so_sndbuf=4096,client.tcp_nodelay=true,server.tcp_nodelay=false"}));
  EXPECT_EQ(runs[1].scenario.server.tcp_nodelay, false);
  EXPECT_EQ(runs[1].scenario.client.so_sndbuf, 4096);
}

TEST(Sweep, StringValuesAreUnquotedInNames) {
  const auto runs = runs_of(R"({"sweep": {"connection": ["per_request", "keep_alive"]}})");
  EXPECT_EQ(names_of(runs),
            (std::vector<std::string>{"connection=per_request", "connection=keep_alive"}));
  EXPECT_EQ(runs[0].scenario.connection, ConnectionModel::per_request);
}

TEST(Sweep, SweptValueReplacesTheBaseValue) {
  const auto runs = runs_of(R"({"client": {"so_rcvbuf": 1}, "connections": 5,
      "sweep": {"connections": [2]}})");
  ASSERT_EQ(runs.size(), 1u);
  EXPECT_EQ(runs[0].name, "connections=2");
  EXPECT_EQ(runs[0].scenario.connections, 2u);
  EXPECT_EQ(runs[0].scenario.client.so_rcvbuf, 1);
}

TEST(Sweep, BadValueIsReportedAtItsSweepPointer) {
  EXPECT_EQ(error_of([] { runs_of(R"({"sweep": {"client.tcp_nodelay": [true, "no"]}})"); }),
            "x.json: /sweep/client.tcp_nodelay/1: must be true or false, got \"no\"");
  EXPECT_EQ(error_of([] { runs_of(R"({"sweep": {"connections": [1, 2, 0]}})"); }),
            "x.json: /sweep/connections/2: must be an integer from 1 to 100000, got 0");
}

TEST(Sweep, BadValueInsideASweptObjectIsReportedBelowItsElement) {
  EXPECT_EQ(error_of([] { runs_of(R"({"sweep": {"server": [{}, {"so_sndbuf": -5}]}})"); }),
            "x.json: /sweep/server/1/so_sndbuf: must be an integer from 1 to 2147483647, got -5");
}

TEST(Sweep, EmptyListIsRejected) {
  EXPECT_EQ(error_of([] { runs_of(R"({"sweep": {"connections": []}})"); }),
            "x.json: /sweep/connections: must be a non-empty list of values");
  EXPECT_EQ(error_of([] { runs_of(R"({"sweep": {"connections": 4}})"); }),
            "x.json: /sweep/connections: must be a non-empty list of values, got 4");
}

TEST(Sweep, SweepMustBeAnObject) {
  EXPECT_EQ(error_of([] { runs_of(R"({"sweep": [1]})"); }),
            "x.json: /sweep: must be an object, got [1]");
}

TEST(Sweep, UnknownOrUnsweepableKeysAreRejected) {
  for (const char* key :
       {"conections", "name", "sweep", "client.nodelay", "threads.x", "client."}) {
    const std::string message = error_of([&] { runs_of(json({{"sweep", {{key, {1}}}}}).dump()); });
    EXPECT_EQ(message.rfind("x.json: /sweep/" + std::string(key) + ": unknown key; ", 0), 0u)
        << message;
    EXPECT_NE(message.find(", client, client.tcp_nodelay, client.tcp_quickack, client.so_sndbuf, "
                           "client.so_rcvbuf, client.so_linger, "),
              std::string::npos)
        << message;
  }
}

TEST(Sweep, OverlappingKeysAreRejected) {
  EXPECT_EQ(
      error_of([] { runs_of(R"({"sweep": {"client": [{}], "client.tcp_nodelay": [true]}})"); }),
      "x.json: /sweep/client.tcp_nodelay: overlaps the swept key \"client\"");
}

TEST(Sweep, MoreThanTenThousandRunsIsRejected) {
  json sweep;
  sweep["connections"] = json::array();
  sweep["request_size"] = json::array();
  for (int i = 1; i <= 101; ++i) {
    sweep["connections"].push_back(i);
    sweep["request_size"].push_back(i);
  }
  EXPECT_EQ(error_of([&] {
              runs_of(json({{"sweep", sweep}}).dump());
            }),
            "x.json: /sweep: expands to 10201 runs, more than the 10000 allowed; split it into "
            "smaller sweeps");
  sweep["connections"].erase(100);
  sweep["request_size"].erase(100);
  EXPECT_EQ(runs_of(json({{"sweep", sweep}}).dump()).size(), 10000u);
}

TEST(Sweep, OverrideAddsASweepWithADottedKey) {
  ScenarioDocument doc = parse_scenario_text("{}", "x.json");
  apply_override(doc, "sweep.client.tcp_nodelay=[true,false]");
  EXPECT_EQ(doc.sweep, json({{"client.tcp_nodelay", {true, false}}}));
  EXPECT_EQ(names_of(expand_runs(doc)),
            (std::vector<std::string>{"tcp_nodelay=true", "tcp_nodelay=false"}));
}

TEST(Sweep, OverrideOfASweptKeyWinsAndEndsThatSweep) {
  ScenarioDocument doc = parse_scenario_text(
      R"({"sweep": {"connections": [1, 2], "client.tcp_nodelay": [true, false]}})", "x.json");
  apply_override(doc, "connections=7");
  apply_override(doc, "client={}");
  EXPECT_TRUE(doc.sweep.empty());
  const auto runs = expand_runs(doc);
  ASSERT_EQ(runs.size(), 1u);
  EXPECT_EQ(runs[0].scenario.connections, 7u);
}

TEST(Sweep, BadOverrideSweepIsCaughtAtExpansion) {
  ScenarioDocument doc = parse_scenario_text("{}", "x.json");
  apply_override(doc, "sweep.threads=[]");
  EXPECT_EQ(error_of([&] { expand_runs(doc); }),
            "--set sweep.threads=[]: /sweep/threads: must be a non-empty list of values");
}

TEST(Sweep, NamedCasesSetSeveralKeysTogetherAndNameTheirRuns) {
  const auto runs = runs_of(R"({"connection": "keep_alive", "sweep": {
      "case": [{"name": "cold", "connection": "per_request"},
               {"name": "idle", "think_time_ms": 1000, "client.tcp_nodelay": true}],
      "connections": [1, 2]}})");
  EXPECT_EQ(names_of(runs), (std::vector<std::string>{"cold,connections=1", "cold,connections=2",
                                                      "idle,connections=1", "idle,connections=2"}));
  ASSERT_EQ(runs.size(), 4u);
  EXPECT_EQ(runs[0].scenario.connection, ConnectionModel::per_request);
  EXPECT_EQ(runs[2].scenario.connection, ConnectionModel::keep_alive);
  EXPECT_EQ(runs[2].scenario.think_time_ms, 1000);
  EXPECT_EQ(runs[2].scenario.client.tcp_nodelay, true);
  EXPECT_EQ(runs[3].params[0], (std::pair<std::string, json>{"case", "idle"}));
}

TEST(Sweep, ALinkKeyIsSweptInsideTheLink) {
  const auto runs = runs_of(
      R"({"link": {"rate_mbit": 100, "delay_ms": 10}, "sweep": {"link.initcwnd": [10, 40]}})");
  EXPECT_EQ(names_of(runs), (std::vector<std::string>{"initcwnd=10", "initcwnd=40"}));
  ASSERT_EQ(runs.size(), 2u);
  EXPECT_EQ(runs[1].scenario.link->initcwnd, 40u);
  EXPECT_EQ(runs[1].scenario.link->delay_ms, 10);
  EXPECT_EQ(error_of([] {
              runs_of(R"({"sweep": {"link.jitter_ms": [1]}})");
            }).rfind("x.json: /sweep/link.jitter_ms: unknown key", 0),
            0u);
}

TEST(Sweep, ACaseNeedsAUniqueNameAndKnownKeysNotSweptElsewhere) {
  EXPECT_EQ(error_of([] { runs_of(R"({"sweep": {"case": [{"connections": 2}]}})"); }),
            "x.json: /sweep/case/0/name: a case needs a name, a non-empty string: it names the "
            "case's runs");
  EXPECT_EQ(error_of([] {
              runs_of(R"({"sweep": {"case": [{"name": "a"}, {"name": "a", "threads": 2}]}})");
            }),
            "x.json: /sweep/case/1/name: names an earlier case too; each case needs its own name, "
            "got \"a\"");
  EXPECT_EQ(error_of([] {
              runs_of(R"({"sweep": {"case": [{"name": "a", "conections": 2}]}})");
            }).rfind("x.json: /sweep/case/0/conections: unknown key", 0),
            0u);
  EXPECT_EQ(error_of([] {
              runs_of(R"({"sweep": {"case": [{"name": "a", "client": {}}],
                                    "client.tcp_nodelay": [true]}})");
            }),
            "x.json: /sweep/case/0/client: is swept too (\"client.tcp_nodelay\"): set it in one "
            "place");
}

TEST(Sweep, ABadValueInACaseIsReportedWhereTheCaseWroteIt) {
  EXPECT_EQ(error_of([] { runs_of(R"({"sweep": {"case": [{"name": "a", "connections": 0}]}})"); }),
            "x.json: /sweep/case/0/connections: must be an integer from 1 to 100000, got 0");
}

TEST(Sweep, OverrideOfAKeyACaseSetsWinsOverTheCase) {
  ScenarioDocument doc = parse_scenario_text(
      R"({"sweep": {"case": [{"name": "a", "connections": 2, "threads": 2}]}})", "x.json");
  apply_override(doc, "connections=7");
  const auto runs = expand_runs(doc);
  ASSERT_EQ(runs.size(), 1u);
  EXPECT_EQ(runs[0].scenario.connections, 7u);
  EXPECT_EQ(runs[0].scenario.threads, 2u);
}

}  // namespace
}  // namespace th
