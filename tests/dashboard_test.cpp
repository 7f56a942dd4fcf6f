#include "report/dashboard.hpp"

#include <gtest/gtest.h>

#include <set>
#include <string>

#include "cli_runner.hpp"
#include "report/metrics.hpp"
#include "report/output_file.hpp"
#include "report/statistics.hpp"
#include "report_fixtures.hpp"

namespace th {
namespace {

using nlohmann::json;

// Two runs, "fast" repeated twice and "slow" once, as a sweep with -r would write them.
json sweep_report() {
  return testing::report_of({testing::steady_run("fast", 100), testing::steady_run("slow", 900),
                             testing::steady_run("fast", 140)},
                            "sweep.json", 2)
      .document;
}

const json* series_named(const json& series, const std::string& name) {
  for (const json& entry : series) {
    if (entry["name"] == name) return &entry;
  }
  return nullptr;
}

TEST(Dashboard, SmallerIsBetterHoldsLatencyAndCostOnePerRunAndMetric) {
  const json report = sweep_report();
  const json series = dashboard_from_report(report, /*bigger_is_better=*/false);
  std::set<std::string> names;
  for (const json& entry : series) {
    EXPECT_TRUE(names.insert(entry["name"].get<std::string>()).second)
        << "one chart per name: " << entry["name"];
    const std::string unit = entry["unit"];
    EXPECT_TRUE(unit == "us" || unit == "us/request" || unit == "count") << entry.dump();
    // Google Benchmark's aggregates charted as series were alerts on noise (issue #16, item 15).
    for (const char* noise : {"stddev", "_cv", "max"}) {
      EXPECT_EQ(entry["name"].get<std::string>().find(noise), std::string::npos) << entry["name"];
    }
  }
  // The repeated run is charted once, at the median of its repetitions, its spread a label.
  const json* fast_p99 = series_named(series, "fixture/fast p99");
  ASSERT_NE(fast_p99, nullptr) << series.dump(2);
  std::vector<double> p99s;
  for (const json& run : report["runs"]) {
    if (run["name"] == "fast") p99s.push_back(run["latency_us"]["total"]["p99"]);
  }
  EXPECT_DOUBLE_EQ((*fast_p99)["value"].get<double>(), median_of(p99s));
  EXPECT_EQ((*fast_p99)["unit"], "us");
  EXPECT_EQ((*fast_p99)["extra"], "median of 2 repetitions");
  EXPECT_TRUE((*fast_p99)["range"].get<std::string>().starts_with("± ")) << *fast_p99;
  const json* slow_p99 = series_named(series, "fixture/slow p99");
  ASSERT_NE(slow_p99, nullptr);
  EXPECT_FALSE(slow_p99->contains("range")) << "one repetition has no spread";
  EXPECT_NE(series_named(series, "fixture/slow cpu/req"), nullptr);
  EXPECT_EQ(series_named(series, "fixture/slow req/s"), nullptr) << "bigger is better";
}

TEST(Dashboard, BiggerIsBetterHoldsTheRates) {
  const json series = dashboard_from_report(sweep_report(), /*bigger_is_better=*/true);
  const json* rate = series_named(series, "fixture/slow req/s");
  ASSERT_NE(rate, nullptr) << series.dump(2);
  EXPECT_EQ((*rate)["unit"], "requests/s");
  EXPECT_DOUBLE_EQ((*rate)["value"].get<double>(), 1000.0);
  for (const json& entry : series) {
    const std::string unit = entry["unit"];
    EXPECT_TRUE(unit == "requests/s" || unit == "bit/s") << entry.dump();
  }
}

// The file is checked against the action's format (docs/dashboard.schema.json), as the action
// would read it: name, unit and value present, nothing it does not know.
TEST(Dashboard, BothFilesMatchTheActionsFormat) {
  if (std::system("/usr/bin/python3 -c 'import jsonschema' 2>/dev/null") != 0) {
    GTEST_SKIP() << "python3-jsonschema not installed";
  }
  const testing::ScratchDir scratch("tcpharness-dashboard");
  for (const bool bigger : {false, true}) {
    const std::string path = scratch.path() + (bigger ? "/bigger.json" : "/smaller.json");
    write_output_file(path, json_output_text(dashboard_from_report(sweep_report(), bigger), false));
    EXPECT_TRUE(testing::matches_schema("dashboard.schema.json", path)) << path;
  }
}

}  // namespace
}  // namespace th
