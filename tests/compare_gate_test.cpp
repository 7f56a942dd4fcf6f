// A --fail-on gate that cannot judge every run of the base must fail, not pass as "no
// regression": a renamed scenario or sweep value would otherwise switch the gate off.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "cli_runner.hpp"
#include "report/compare.hpp"
#include "report_fixtures.hpp"

namespace th {
namespace {

using testing::report_of;
using testing::run_cli;
using testing::steady_run;

LoadedReport report_with_runs(const std::vector<std::string>& names, const std::string& path,
                              double latency_us = 100) {
  std::vector<RunResult> runs;
  for (const std::string& name : names) runs.push_back(steady_run(name, latency_us));
  return report_of(std::move(runs), path);
}

CompareOptions p99_gate(bool allow_missing = false) {
  return {parse_fail_on("p99:+10%"), 0.05, allow_missing};
}

// The text, markdown and JSON outputs end with the same verdict.
void expect_every_format_says(const Comparison& comparison, const std::string& words) {
  EXPECT_NE(comparison_to_text(comparison).find("result: " + words), std::string::npos)
      << comparison_to_text(comparison);
  EXPECT_NE(comparison_to_markdown(comparison).find("**Result:** " + words), std::string::npos)
      << comparison_to_markdown(comparison);
  const std::string summary = comparison_to_json(comparison)["summary"].get<std::string>();
  EXPECT_EQ(summary.rfind(words, 0), 0u) << summary;
}

TEST(CompareGate, ReportsSharingNoRunAreIncompleteAndSayWhatEachSideHas) {
  // The sweep's key was renamed between the two reports.
  const LoadedReport base = report_with_runs({"tcp_nodelay=true", "tcp_nodelay=false"}, "b.json");
  const LoadedReport latest =
      report_with_runs({"client.tcp_nodelay=true", "client.tcp_nodelay=false"}, "n.json");
  const Comparison comparison = compare_reports(base, latest, p99_gate());
  EXPECT_EQ(comparison.outcome(), CompareOutcome::incomplete);
  expect_every_format_says(
      comparison,
      "incomplete: the reports share no run (base has tcp_nodelay=true, tcp_nodelay=false; new "
      "has client.tcp_nodelay=true, client.tcp_nodelay=false), so nothing was judged");
  EXPECT_EQ(comparison_to_json(comparison)["outcome"], "incomplete");
  // --allow-missing accepts runs left out, not a comparison of nothing.
  EXPECT_EQ(compare_reports(base, latest, p99_gate(true)).outcome(), CompareOutcome::incomplete);
}

TEST(CompareGate, ABaseRunMissingFromTheNewReportIsIncompleteUnlessAllowed) {
  const LoadedReport base = report_with_runs({"kept", "dropped", "gone"}, "b.json");
  const LoadedReport latest = report_with_runs({"kept", "added"}, "n.json");
  const Comparison comparison = compare_reports(base, latest, p99_gate());
  EXPECT_EQ(comparison.outcome(), CompareOutcome::incomplete);
  // "added", only in the new report, is no gap in the gate (a sweep may grow).
  expect_every_format_says(comparison,
                           "incomplete: 2 runs of the base are missing from the new report: "
                           "dropped, gone (--allow-missing accepts that); among the runs "
                           "compared: no regression");

  const Comparison allowed = compare_reports(base, latest, p99_gate(true));
  EXPECT_EQ(allowed.outcome(), CompareOutcome::passed);
  expect_every_format_says(allowed,
                           "no regression beyond the --fail-on limits; 2 runs of the base "
                           "missing from the new report, accepted by --allow-missing");
  EXPECT_NE(comparison_to_text(allowed).find("only in base: gone"), std::string::npos);
  EXPECT_EQ(comparison_to_json(allowed)["allow_missing"], true);
}

TEST(CompareGate, ARegressionAmongTheRunsComparedIsStillARegression) {
  const LoadedReport base = report_with_runs({"kept", "dropped"}, "b.json", 100);
  const LoadedReport latest = report_with_runs({"kept"}, "n.json", 150);
  const Comparison comparison = compare_reports(base, latest, p99_gate());
  EXPECT_EQ(comparison.outcome(), CompareOutcome::regressed);
  expect_every_format_says(comparison,
                           "incomplete: 1 run of the base is missing from the new report: dropped "
                           "(--allow-missing accepts that); among the runs compared: 1 regression: "
                           "p99_us of kept");
}

class CompareGateCli : public testing::ScratchDirTest {
 protected:
  std::string saved(const std::string& name, const std::vector<std::string>& runs) {
    return write_file(name, report_with_runs(runs, name).document.dump());
  }
};

TEST_F(CompareGateCli, AnIncompleteComparisonExitsTwoAndNamesTheRuns) {
  const std::string base = saved("base.json", {"tcp_nodelay=true", "tcp_nodelay=false"});
  const std::string renamed = saved("renamed.json", {"client.tcp_nodelay=true"});
  const std::string partial = saved("partial.json", {"tcp_nodelay=true"});
  const std::string rules = " --fail-on p99:+10%";

  const testing::CliOutcome none = run_cli("compare " + base + " " + renamed + rules, scratch_);
  EXPECT_EQ(none.exit_code, 2) << none.out << none.err;
  EXPECT_NE(none.err.find("share no run (base has tcp_nodelay=true, tcp_nodelay=false; new has "
                          "client.tcp_nodelay=true)"),
            std::string::npos)
      << none.err;
  EXPECT_NE(none.out.find("result: incomplete"), std::string::npos) << none.out;
  const testing::CliOutcome none_allowed =
      run_cli("compare --allow-missing " + base + " " + renamed + rules, scratch_);
  EXPECT_EQ(none_allowed.exit_code, 2) << none_allowed.out << none_allowed.err;

  const testing::CliOutcome missing =
      run_cli("compare --format json " + base + " " + partial + rules, scratch_);
  EXPECT_EQ(missing.exit_code, 2) << missing.out << missing.err;
  EXPECT_EQ(nlohmann::json::parse(missing.out)["outcome"], "incomplete");
  EXPECT_NE(missing.err.find("missing from the new report: tcp_nodelay=false"), std::string::npos)
      << missing.err;
  // Without limits, too: the comparison a user reads is as incomplete.
  EXPECT_EQ(run_cli("compare " + base + " " + partial, scratch_).exit_code, 2);

  const testing::CliOutcome allowed = run_cli(
      "compare --allow-missing --format markdown " + base + " " + partial + rules, scratch_);
  EXPECT_EQ(allowed.exit_code, 0) << allowed.out << allowed.err;
  EXPECT_NE(allowed.out.find("- only in base: `tcp_nodelay=false`"), std::string::npos)
      << allowed.out;
  EXPECT_EQ(allowed.err, "");
}

}  // namespace
}  // namespace th
