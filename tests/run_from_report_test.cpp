// A report keeps the scenario it ran, resolved (docs/report.md): `run REPORT.json` runs that
// scenario again, and `validate` and `tune` read it the same way, --set still applying.
#include <gtest/gtest.h>

#include <filesystem>
#include <nlohmann/json.hpp>

#include "base/config_error.hpp"
#include "cli_runner.hpp"
#include "scenario/loader.hpp"

namespace th {
namespace {

using testing::CliOutcome;
using testing::read_file;
using testing::run_cli;

std::string shipped(const std::string& name) {
  return (std::filesystem::path(TCPHARNESS_SOURCE_DIR) / "scenarios" / name).string();
}

// The top of a report as `run` writes it: the resolved scenario with its sweep.
nlohmann::json report_of_scenario(const std::string& path) {
  const ScenarioDocument document = load_scenario_file(path);
  nlohmann::json resolved;
  to_json(resolved, scenario_from_json(document.base, document.source));
  resolved["sweep"] = document.sweep;
  return {{"schema", "tcpharness.report/1"},
          {"scenario", resolved},
          {"scenario_source", path},
          {"runs", nlohmann::json::array()}};
}

std::vector<nlohmann::json> resolved_runs(const ScenarioDocument& document) {
  std::vector<nlohmann::json> runs;
  for (const RunSpec& spec : expand_runs(document)) {
    nlohmann::json scenario;
    to_json(scenario, spec.scenario);
    runs.push_back({{"name", spec.name}, {"scenario", scenario}});
  }
  return runs;
}

TEST(RunFromReport, EveryShippedScenarioComesBackFromItsReport) {
  for (const auto& entry : std::filesystem::directory_iterator(shipped(""))) {
    const std::string path = entry.path().string();
    const ScenarioDocument stored =
        parse_scenario_text(report_of_scenario(path).dump(), "report.json");
    EXPECT_EQ(stored.source, "report.json (the scenario stored in the report)");
    EXPECT_EQ(resolved_runs(stored), resolved_runs(load_scenario_file(path))) << path;
  }
}

class RunFromReportCli : public testing::ScratchDirTest {};

TEST_F(RunFromReportCli, ValidateReadsTheStoredScenarioWithSetApplied) {
  const std::string report =
      write_file("report.json", report_of_scenario(shipped("nagle.json")).dump());
  const CliOutcome all = run_cli("validate " + report, scratch_);
  EXPECT_EQ(all.exit_code, 0) << all.err;
  EXPECT_NE(all.out.find(report + " (the scenario stored in the report): valid, 8 runs"),
            std::string::npos)
      << all.out;
  const CliOutcome narrowed = run_cli(
      "validate " + report + " --set client.tcp_nodelay=true " + "--set server.tcp_nodelay=true",
      scratch_);
  EXPECT_NE(narrowed.out.find("valid, 2 runs"), std::string::npos) << narrowed.out << narrowed.err;
  // A bad --set is named by the assignment that put it there, as for a scenario file.
  testing::expect_refused(run_cli("validate " + report + " --set connections=0", scratch_),
                          "--set connections=0: /connections:");
}

TEST_F(RunFromReportCli, AGoogleBenchmarkReportIsRefusedSayingWhatToGive) {
  const std::string gbench = (std::filesystem::path(TCPHARNESS_SOURCE_DIR) / "tests" / "data" /
                              "google_benchmark_1.7.1_repetitions.json")
                                 .string();
  testing::expect_refused(run_cli("run " + gbench, scratch_),
                          "a Google Benchmark report, which keeps no scenario");
}

TEST_F(RunFromReportCli, RunRepeatsTheScenarioStoredInAReport) {
  const std::string first = scratch_ + "/first.json";
  const std::string second = scratch_ + "/second.json";
  const CliOutcome original = run_cli(
      "run scenarios/keepalive.json -q --set duration_s=0.2 --set warmup_s=0 --set connections=2 "
      "-o " +
          first,
      scratch_);
  ASSERT_EQ(original.exit_code, 0) << original.err;
  const CliOutcome again =
      run_cli("run " + first + " -q --set duration_s=0.3 -o " + second, scratch_);
  ASSERT_EQ(again.exit_code, 0) << again.err;

  const nlohmann::json before = nlohmann::json::parse(read_file(first));
  const nlohmann::json after = nlohmann::json::parse(read_file(second));
  nlohmann::json expected = before["scenario"];
  expected["duration_s"] = 0.3;
  EXPECT_EQ(after["scenario"], expected);
  EXPECT_EQ(after["scenario_source"], first);
  ASSERT_EQ(after["runs"].size(), before["runs"].size());
  for (size_t index = 0; index < after["runs"].size(); ++index) {
    EXPECT_EQ(after["runs"][index]["name"], before["runs"][index]["name"]);
    EXPECT_GT(after["runs"][index]["requests"]["ok"].get<uint64_t>(), 0u);
  }
}

}  // namespace
}  // namespace th
