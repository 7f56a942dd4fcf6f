#include "report/compare.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "base/config_error.hpp"
#include "cli_runner.hpp"
#include "report_fixtures.hpp"

namespace th {
namespace {

using testing::report_of;
using testing::steady_run;

// Five repetitions of one run whose p99 takes each of `latencies_us`.
LoadedReport repeated(const std::vector<double>& latencies_us, const std::string& path,
                      const std::string& name = "run") {
  std::vector<RunResult> runs;
  for (double latency : latencies_us) runs.push_back(steady_run(name, latency));
  return report_of(std::move(runs), path, static_cast<unsigned>(latencies_us.size()));
}

const MetricComparison& metric_of(const Comparison& comparison, const char* key) {
  for (const MetricComparison& metric : comparison.runs.at(0).metrics) {
    if (metric.metric->key == key) return metric;
  }
  throw std::runtime_error(std::string("no metric ") + key);
}

CompareOptions fail_on(const std::string& rules) { return {parse_fail_on(rules), 0.05}; }

TEST(Compare, SignificantRiseBeyondTheLimitIsARegression) {
  const LoadedReport base = repeated({100, 102, 98, 101, 99}, "base.json");
  const LoadedReport slow = repeated({150, 149, 155, 151, 148}, "new.json");
  const Comparison comparison = compare_reports(base, slow, fail_on("p99:+10%"));
  const MetricComparison& p99 = metric_of(comparison, "p99_us");
  EXPECT_TRUE(p99.regressed);
  EXPECT_NEAR(*p99.p_value, 0.0079, 1e-3);
  EXPECT_EQ(comparison.regression_count(), 1u);
  EXPECT_NE(comparison_to_text(comparison).find("p99_us of run"), std::string::npos);
}

TEST(Compare, NoiseWithinTheLimitPasses) {
  const LoadedReport base = repeated({100, 102, 98, 101, 99}, "base.json");
  const LoadedReport same = repeated({101, 99, 100, 103, 97}, "new.json");
  EXPECT_EQ(compare_reports(base, same, fail_on("p99:+10%,requests_per_s:-5%")).regression_count(),
            0u);
}

TEST(Compare, ChangeBeyondTheLimitThatIsNotSignificantPasses) {
  // The medians differ by 20%, but the repetitions overlap: noise, not a regression.
  const LoadedReport base = repeated({100, 200, 90, 105, 250}, "base.json");
  const LoadedReport noisy = repeated({120, 80, 260, 95, 210}, "new.json");
  const Comparison comparison = compare_reports(base, noisy, fail_on("p99:+10%"));
  const MetricComparison& p99 = metric_of(comparison, "p99_us");
  EXPECT_TRUE(p99.beyond_limit);
  EXPECT_GT(*p99.p_value, 0.05);
  EXPECT_FALSE(p99.regressed);
}

TEST(Compare, WithoutRepetitionsTheLimitAloneDecides) {
  const LoadedReport base = repeated({100}, "base.json");
  const LoadedReport slow = repeated({120}, "new.json");
  const Comparison comparison = compare_reports(base, slow, fail_on("p99:+10%"));
  EXPECT_FALSE(metric_of(comparison, "p99_us").p_value.has_value());
  EXPECT_TRUE(metric_of(comparison, "p99_us").regressed);
  ASSERT_EQ(comparison.notes.size(), 1u);
  EXPECT_NE(comparison.notes[0].find("no significance test"), std::string::npos);
}

TEST(Compare, ThreeAgainstThreeIsJudgedOnTheLimitWithANote) {
  const LoadedReport base = repeated({100, 101, 99}, "base.json");
  const LoadedReport slow = repeated({150, 151, 149}, "new.json");
  const Comparison comparison = compare_reports(base, slow, fail_on("p99:+10%"));
  const MetricComparison& p99 = metric_of(comparison, "p99_us");
  EXPECT_NEAR(*p99.p_value, 0.1, 1e-9);  // the smallest p-value 3 against 3 can give
  EXPECT_FALSE(p99.testable);
  EXPECT_TRUE(p99.regressed);
  ASSERT_EQ(comparison.notes.size(), 1u);
  EXPECT_NE(comparison.notes[0].find("use >= 5 repetitions"), std::string::npos);
}

TEST(Compare, FallingThroughputIsARegressionOnlyWhenItFalls) {
  std::vector<RunResult> fast;
  std::vector<RunResult> slow;
  for (double duration : {1.0, 1.01, 0.99, 1.02, 0.98}) {
    fast.push_back(steady_run("run", 100, 1000, duration));
    slow.push_back(steady_run("run", 100, 1000, duration * 1.25));
  }
  const LoadedReport base = report_of(fast, "base.json", 5);
  const LoadedReport latest = report_of(slow, "new.json", 5);
  EXPECT_EQ(compare_reports(base, latest, fail_on("requests_per_s:-5%")).regression_count(), 1u);
  EXPECT_EQ(compare_reports(latest, base, fail_on("requests_per_s:-5%")).regression_count(), 0u);
  // Without a sign, a limit means the metric's bad direction (down for requests/s).
  EXPECT_EQ(compare_reports(base, latest, fail_on("requests_per_s:5%")).regression_count(), 1u);
}

TEST(Compare, RunsOnOneSideOnlyAreListed) {
  const LoadedReport base =
      report_of({steady_run("kept", 100), steady_run("dropped", 100)}, "base.json");
  const LoadedReport latest =
      report_of({steady_run("kept", 100), steady_run("added", 100)}, "new.json");
  const Comparison comparison = compare_reports(base, latest, {});
  ASSERT_EQ(comparison.runs.size(), 1u);
  EXPECT_EQ(comparison.only_in_base, std::vector<std::string>{"dropped"});
  EXPECT_EQ(comparison.only_in_new, std::vector<std::string>{"added"});
  const std::string text = comparison_to_text(comparison);
  EXPECT_NE(text.find("only in base: dropped"), std::string::npos) << text;
  EXPECT_NE(text.find("only in new: added"), std::string::npos) << text;
  const nlohmann::json json = comparison_to_json(comparison);
  EXPECT_EQ(json["only_in_new"][0], "added");
}

TEST(Compare, MarkdownIsATableForPullRequestComments) {
  const LoadedReport base = repeated({100, 102, 98, 101, 99}, "base.json", "a|b");
  const LoadedReport slow = repeated({150, 149, 155, 151, 148}, "new.json", "a|b");
  const std::string markdown =
      comparison_to_markdown(compare_reports(base, slow, fail_on("p99:+10%")));
  EXPECT_NE(markdown.find("| run | metric | base | new | change | p | verdict |"),
            std::string::npos);
  EXPECT_NE(markdown.find("`a\\|b (5v5)`"), std::string::npos) << markdown;  // pipe escaped
  EXPECT_NE(markdown.find(":x: **REGRESSED"), std::string::npos) << markdown;
}

TEST(FailOn, NamesWhatIsWrong) {
  auto message_of = [](const std::string& text) {
    try {
      parse_fail_on(text);
    } catch (const ConfigError& error) {
      return std::string(error.what());
    }
    return std::string("no error");
  };
  EXPECT_NE(message_of("p98:+10%").find("unknown metric 'p98'"), std::string::npos);
  EXPECT_NE(message_of("p99:+10").find("expected METRIC:[+|-]PERCENT%"), std::string::npos);
  EXPECT_NE(message_of("p99").find("expected"), std::string::npos);
  EXPECT_NE(message_of("p99:+x%").find("percentage"), std::string::npos);
  EXPECT_NE(message_of(",").find("empty"), std::string::npos);
  const std::vector<FailRule> rules = parse_fail_on("p99.9:+10%, cpu_us_per_request:+20%");
  ASSERT_EQ(rules.size(), 2u);
  EXPECT_EQ(rules[0].metric->key, "p999_us");
  EXPECT_DOUBLE_EQ(rules[1].limit, 0.2);
}

class CompareCli : public testing::ScratchDirTest {
 protected:
  std::string write(const std::string& name, const LoadedReport& report) {
    return write_file(name, report.document.dump());
  }
};

TEST_F(CompareCli, ExitCodeSaysWhetherALimitWasExceeded) {
  const std::string base = write("base.json", repeated({100, 102, 98, 101, 99}, "base.json"));
  const std::string same = write("same.json", repeated({101, 99, 100, 103, 97}, "same.json"));
  const std::string slow = write("slow.json", repeated({150, 149, 155, 151, 148}, "slow.json"));
  const std::string rules = " --fail-on 'p99:+10%,requests_per_s:-5%'";
  const testing::CliOutcome pass =
      testing::run_cli("compare " + base + " " + same + rules, scratch_);
  EXPECT_EQ(pass.exit_code, 0) << pass.out << pass.err;
  const testing::CliOutcome fail =
      testing::run_cli("compare " + base + " " + slow + rules, scratch_);
  EXPECT_EQ(fail.exit_code, 1) << fail.out << fail.err;
  EXPECT_NE(fail.out.find("p99_us of run"), std::string::npos) << fail.out;
  const testing::CliOutcome json =
      testing::run_cli("compare --format json " + base + " " + slow + rules, scratch_);
  EXPECT_EQ(json.exit_code, 1);
  EXPECT_EQ(nlohmann::json::parse(json.out)["regressions"], 1);
  const testing::CliOutcome bad =
      testing::run_cli("compare " + base + " " + slow + " --fail-on 'p99:ten'", scratch_);
  EXPECT_EQ(bad.exit_code, 2);
  EXPECT_EQ(bad.out, "");
}

}  // namespace
}  // namespace th
