// A capacity report read back: compare gates on the capacity, Google Benchmark's output and the
// dashboard's series carry it, and a bound never passes for an answer.
#include <gtest/gtest.h>

#include "report/compare.hpp"
#include "report/dashboard.hpp"
#include "report/gbench.hpp"
#include "report_fixtures.hpp"

namespace th {
namespace {

// A capacity report as `tcpharness capacity` writes it, reduced to what is read back here (its
// probes, under runs, change from one search to the next and are left out).
LoadedReport capacity_report(const std::string& verdict, double rate, double knee) {
  LoadedReport report = testing::report_of({}, "capacity-" + verdict + ".json", 1, "web");
  nlohmann::json setting = {{"name", "web"},      {"verdict", verdict}, {"rate_per_s", rate},
                            {"knee_per_s", knee}, {"probes_run", 20},   {"elapsed_s", 50.0}};
  report.document["capacity"] = {{"settings", {setting}}};
  return report;
}

Comparison gate(const LoadedReport& base, const LoadedReport& latest) {
  CompareOptions options;
  options.rules = parse_fail_on("capacity:-5%");
  return compare_reports(base, latest, options);
}

TEST(CapacityReport, CompareGatesOnTheCapacityOfEachSetting) {
  const LoadedReport base = capacity_report("found", 1000, 900);
  const Comparison steady = gate(base, capacity_report("found", 970, 880));
  ASSERT_EQ(steady.runs.size(), 1u);
  EXPECT_EQ(steady.runs[0].name, "web capacity");
  EXPECT_EQ(steady.outcome(), CompareOutcome::passed);
  const Comparison worse = gate(base, capacity_report("found", 900, 880));
  EXPECT_EQ(worse.outcome(), CompareOutcome::regressed);
  EXPECT_NE(comparison_to_text(worse).find("capacity_per_s of web capacity: -10.0%"),
            std::string::npos)
      << comparison_to_text(worse);
}

TEST(CapacityReport, ABoundWhereTheBaseHadACapacityFailsTheGate) {
  // Generator-bound at 2,000/s says "at least 2,000", not "2,000": it must not pass as one.
  const Comparison bound =
      gate(capacity_report("found", 1000, 900), capacity_report("generator_bound", 2000, 900));
  EXPECT_EQ(bound.outcome(), CompareOutcome::regressed);
}

TEST(CapacityReport, GoogleBenchmarkOutputAndTheDashboardCarryCapacityAndKnee) {
  const LoadedReport report = capacity_report("found", 1000, 900);
  const nlohmann::ordered_json gbench = gbench_from_report(report.document, {});
  ASSERT_EQ(gbench["benchmarks"].size(), 1u);
  EXPECT_EQ(gbench["benchmarks"][0]["name"], "web/web capacity");
  EXPECT_EQ(gbench["benchmarks"][0]["capacity_per_s"], 1000.0);
  EXPECT_EQ(gbench["benchmarks"][0]["knee_per_s"], 900.0);
  const nlohmann::ordered_json series = dashboard_from_report(report.document, true);
  ASSERT_EQ(series.size(), 2u);
  EXPECT_EQ(series[0]["name"], "web/web capacity capacity");
  EXPECT_EQ(series[0]["unit"], "requests/s");
  EXPECT_EQ(series[1]["value"], 900.0);
}

}  // namespace
}  // namespace th
