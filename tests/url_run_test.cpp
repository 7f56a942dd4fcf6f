// `tcpharness run http://host:port/path` with the flags a wrk user types: a first number without a
// scenario file.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <string>

#include "cli_runner.hpp"
#include "config_errors.hpp"
#include "scenario/command_line_scenario.hpp"
#include "serve_process.hpp"

namespace th {
namespace {

using nlohmann::json;
using testing::error_of;

Scenario only_run(const ScenarioDocument& document) { return expand_runs(document).at(0).scenario; }

TEST(RunShorthands, DurationsTakeWrksUnitsOrPlainSeconds) {
  EXPECT_DOUBLE_EQ(duration_seconds("10s", "-d"), 10);
  EXPECT_DOUBLE_EQ(duration_seconds("1m", "-d"), 60);
  EXPECT_DOUBLE_EQ(duration_seconds("500ms", "-d"), 0.5);
  EXPECT_DOUBLE_EQ(duration_seconds("1h", "-d"), 3600);
  EXPECT_DOUBLE_EQ(duration_seconds("2.5", "-d"), 2.5);
  for (const char* bad : {"10x", "", "s", "1 s", "inf", "10sec"}) {
    EXPECT_EQ(
        error_of([&] { duration_seconds(bad, "-d"); }),
        "-d " + std::string(bad) + ": expected a duration such as 10s, 1m, 500ms or 2.5 (seconds)");
  }
}

TEST(RunShorthands, UrlRunHasQuickstartsLoadAimedAtTheUrl) {
  const ScenarioDocument url = url_scenario("http://127.0.0.1:8080/status?x=1");
  const ScenarioDocument quickstart =
      load_scenario_file(std::string(TCPHARNESS_SOURCE_DIR) + "/scenarios/quickstart.json");
  for (const auto& [key, value] : quickstart.base.items()) {
    // Pinning and the embedded server's response size concern quickstart's own server only.
    if (key == "name" || key == "description" || key == "client_cpus" || key == "server_cpus" ||
        key == "response_size") {
      continue;
    }
    EXPECT_EQ(url.base.value(key, json()), value) << key;
  }
  const Scenario scenario = only_run(url);
  EXPECT_EQ(scenario.name, "127.0.0.1:8080");
  ASSERT_TRUE(scenario.target.has_value());
  EXPECT_EQ(scenario.target->port, 8080);
  EXPECT_EQ(scenario.path, "/status?x=1");
  EXPECT_TRUE(scenario.client_cpus.empty());
  EXPECT_EQ(only_run(url_scenario("http://[::1]/")).name, "[::1]:80");
}

TEST(RunShorthands, FlagsApplyAfterTheUrlAndBeforeSet) {
  ScenarioShorthands flags;
  flags.connections = "2";
  flags.threads = "2";
  flags.duration = "1500ms";
  flags.rate = "200";
  flags.per_request = true;
  const Scenario flagged =
      only_run(command_line_scenario("http://127.0.0.1:8080/", flags, {"connections=3"}));
  EXPECT_EQ(flagged.connections, 3u);  // --set has the last word
  EXPECT_EQ(flagged.threads, 2u);
  EXPECT_DOUBLE_EQ(flagged.duration_s, 1.5);
  EXPECT_EQ(flagged.rate, 200.0);
  EXPECT_EQ(flagged.connection, ConnectionModel::per_request);
  // The same flags work on a scenario file.
  const Scenario file = only_run(command_line_scenario(
      std::string(TCPHARNESS_SOURCE_DIR) + "/scenarios/quickstart.json", flags, {}));
  EXPECT_EQ(file.connections, 2u);
  EXPECT_EQ(file.name, "quickstart");
}

TEST(RunShorthands, ABadFlagValueIsRefusedUnderTheFlagsName) {
  const auto refusal = [](std::string ScenarioShorthands::*flag, const std::string& value) {
    ScenarioShorthands flags;
    flags.*flag = value;
    return error_of([&] { only_run(command_line_scenario("http://h:1/", flags, {})); });
  };
  EXPECT_EQ(refusal(&ScenarioShorthands::connections, "0"),
            "-c 0: /connections: must be an integer from 1 to 100000, got 0");
  EXPECT_EQ(refusal(&ScenarioShorthands::threads, "many")
                .rfind("-t many: /threads: must be an integer", 0),
            0u);
  EXPECT_EQ(refusal(&ScenarioShorthands::duration, "0s")
                .rfind("-d 0s: /duration_s: must be a number greater", 0),
            0u);
  EXPECT_EQ(
      refusal(&ScenarioShorthands::rate, "-5").rfind("-R -5: /rate: must be a number greater", 0),
      0u);
}

TEST(RunShorthands, OnlyHttpAndHttpsUrlsAreTaken) {
  EXPECT_NO_THROW(url_scenario("https://example.com/"));
  for (const char* bad :
       {"ftp://h/", "http://h:99999/", "http:///x", "http://h/#top", "https://h:0/"}) {
    EXPECT_EQ(
        error_of([&] { url_scenario(bad); }),
        std::string(bad) +
            ": expected http[s]://host[:port][/path] (port 1 to 65535, 80 or 443 by default)");
  }
}

// One run against `tcpharness serve`, through the binary as a user types it; the report.
json url_run(const testing::ServeProcess& serve, const std::string& flags,
             const std::string& scratch) {
  const std::string report = scratch + "/report.json";
  const testing::CliOutcome outcome = testing::run_cli(
      "run http://" + serve.address() + "/ " + flags + " --set warmup_s=0 -q -o " + report,
      scratch);
  EXPECT_EQ(outcome.exit_code, 0) << outcome.err;
  return json::parse(testing::read_file(report), nullptr, false);
}

TEST(UrlRun, RunsQuickstartsLoadAgainstTheUrlWithWrksFlags) {
  testing::ServeProcess serve({});
  ASSERT_FALSE(serve.address().empty()) << serve.err();
  const testing::ScratchDir scratch("tcpharness-url-run");

  const json closed = url_run(serve, "-c 2 -t 1 -d 1s", scratch.path());
  ASSERT_TRUE(closed.is_object());
  EXPECT_EQ(closed["scenario_source"], "http://" + serve.address() + "/");
  EXPECT_EQ(closed["scenario"]["name"], serve.address());
  EXPECT_EQ(closed["scenario"]["target"], serve.address());
  EXPECT_EQ(closed["scenario"]["connections"], 2);
  EXPECT_EQ(closed["scenario"]["duration_s"], 1.0);
  EXPECT_EQ(closed["scenario"]["connection"], "keep_alive");
  EXPECT_GT(closed["runs"][0]["requests"]["ok"].get<uint64_t>(), 0u);
  EXPECT_EQ(closed["runs"][0]["requests"]["error_total"], 0);

  const json open = url_run(serve, "-c 2 -d 500ms -R 200 --per-request", scratch.path());
  ASSERT_TRUE(open.is_object());
  EXPECT_EQ(open["scenario"]["rate"], 200.0);
  EXPECT_EQ(open["scenario"]["connection"], "per_request");
  EXPECT_EQ(open["scenario"]["duration_s"], 0.5);
  EXPECT_GT(open["runs"][0]["requests"]["ok"].get<uint64_t>(), 0u);
  EXPECT_EQ(serve.stop(), 0);
}

}  // namespace
}  // namespace th
