// `tune` from the first round to the report on disk, with the runs injected: a run that fails
// mid-tune, and a setting that never has a value, as the report and the console show them.
#include "tune/tune_session.hpp"

#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "base/config_error.hpp"
#include "cli_runner.hpp"
#include "report_fixtures.hpp"
#include "scenario/loader.hpp"

namespace th {
namespace {

using testing::read_file;
using testing::steady_run;

class TuneSession : public testing::ScratchDirTest {
 protected:
  // A p99 tune of the given settings (one swept key), reported to scratch_/tune.json.
  TuneJob job(const std::vector<TuneSetting>& settings, unsigned max_rounds) {
    TuneJob job;
    job.objective = find_objective("p99");
    job.plan = TunePlan{.alpha = 0.05,
                        .min_rounds = 3,
                        .max_rounds = max_rounds,
                        .comparisons = static_cast<unsigned>(settings.size() - 1)};
    job.settings = settings;
    job.budget_s = 1e6;
    job.max_rounds_asked = max_rounds;
    job.round_estimate_s = 1;
    to_json(job.report.scenario, scenario_from_json(nlohmann::json::object(), "fixture.json"));
    job.report.scenario["sweep"] = {{"client.so_sndbuf", nlohmann::json::array()}};
    for (const TuneSetting& setting : settings) {
      job.report.scenario["sweep"]["client.so_sndbuf"].push_back(setting.params.at(0).second);
    }
    job.report.scenario_source = "fixture.json";
    job.report.started_at = "2026-01-02T03:04:05Z";
    job.report.host = collect_host_info();
    job.out_path = report_path();
    return job;
  }

  // Each run a second on a fake clock.
  RoundHooks hooks() {
    return RoundHooks{.stop_requested = [] { return false; },
                      .elapsed_s = [this] { return clock_s_; },
                      .on_missing = nullptr,
                      .on_look = nullptr};
  }

  std::string report_path() const { return scratch_ + "/tune.json"; }

  void expect_valid_report() const {
    EXPECT_TRUE(testing::matches_schema("report.schema.json", report_path()))
        << "report does not match docs/report.schema.json";
  }

  double clock_s_ = 0;
};

TuneSetting sndbuf(int bytes) {
  TuneSetting setting;
  setting.params = {{"client.so_sndbuf", bytes}};
  setting.name = format_params(setting.params);
  return setting;
}

// p99 of 900 us for setting 1, 40 ms for the others, a little different every round (no ties).
RunResult run_of(const TuneSetting& setting, size_t index, unsigned round) {
  RunResult run = steady_run(setting.name, (index == 1 ? 900.0 : 40'000.0) + round);
  run.params = setting.params;
  return run;
}

// Setting 1's link cannot be set up any more from round 3 on: its runs finished in rounds 1 and
// 2, failed in 3 (a missing repetition) and in 4 (a second in a row: tune stops, exit 2).
TEST_F(TuneSession, ARunThatFailsMidTuneKeepsTheFinishedRoundsInTheReport) {
  const std::vector<TuneSetting> settings = {sndbuf(4096), sndbuf(65536)};
  std::vector<std::pair<size_t, unsigned>> calls;
  const SettingRunner run = [&](size_t index, unsigned round) {
    calls.emplace_back(index, round);
    clock_s_ += 1;
    if (index == 1 && round >= 3) throw ConfigError("run client.so_sndbuf=65536: link: tc failed");
    return run_of(settings[index], index, round);
  };
  const TuneSummary summary = tune_and_report(job(settings, 10), run, hooks());

  EXPECT_EQ(summary.stopped_by, TuneStop::run_failed);
  ASSERT_TRUE(summary.stopping_failure);
  EXPECT_EQ(summary.stopping_failure->round, 4u);
  EXPECT_TRUE(summary.stopping_failure->config_error);
  EXPECT_EQ(calls.size(), 8u);

  const nlohmann::json report = nlohmann::json::parse(read_file(report_path()));
  const nlohmann::json& tune = report.at("tune");
  EXPECT_EQ(tune["stopped_by"], "run_failed");
  EXPECT_EQ(tune["rounds"], 3);  // round 4 was cut short by the failure
  EXPECT_EQ(tune["failed_runs"], 2);
  ASSERT_EQ(tune["missing"].size(), 2u);
  for (unsigned round : {3u, 4u}) {
    const nlohmann::json& missing = tune["missing"][round - 3];
    EXPECT_EQ(missing["setting"], "client.so_sndbuf=65536");
    EXPECT_EQ(missing["round"], round);
    EXPECT_EQ(missing["kind"], "config_error");
    EXPECT_EQ(missing["reason"], "run client.so_sndbuf=65536: link: tc failed");
  }
  EXPECT_NE(tune["stop_reason"].get<std::string>().find("two rounds in a row"), std::string::npos)
      << tune["stop_reason"];
  EXPECT_EQ(tune["settings"][0]["values"].size(), 3u);
  EXPECT_EQ(tune["settings"][1]["values"].size(), 2u);
  // Every run that finished, the cut round's included: 4 of setting 0, 2 of setting 1.
  ASSERT_EQ(report["runs"].size(), 6u);
  EXPECT_EQ(report["runs"][3]["name"], "client.so_sndbuf=4096");
  EXPECT_EQ(report["runs"][4]["name"], "client.so_sndbuf=65536");
  EXPECT_EQ(report["repetitions"], 3);
  EXPECT_FALSE(report["interrupted"].get<bool>());
  expect_valid_report();
  EXPECT_FALSE(std::filesystem::exists(report_path() + "." + std::to_string(getpid()) + ".tmp"));

  const std::string text = tune_to_text(summary);
  EXPECT_NE(text.find("3 rounds (2 runs failed)"), std::string::npos) << text;
  EXPECT_NE(text.find("missing: client.so_sndbuf=65536: rounds 3, 4: run failed: run "
                      "client.so_sndbuf=65536: link: tc failed"),
            std::string::npos)
      << text;
}

// Setting 0 (first in the sweep, where a lower-is-better ranking of an absent value as 0 would put
// it) never has an answered request; setting 2 is far worse than setting 1.
TEST_F(TuneSession, SettingWithoutAValueIsNamedAndNeverRecommended) {
  const std::vector<TuneSetting> settings = {sndbuf(1024), sndbuf(65536), sndbuf(4096)};
  const SettingRunner run = [&](size_t index, unsigned round) {
    clock_s_ += 1;
    if (index == 0) {
      RunResult unanswered = steady_run(settings[0].name, 0, 0);
      unanswered.recorder.errors[0] = 5;  // five refused connections, say
      return unanswered;
    }
    return run_of(settings[index], index, round);
  };
  const TuneSummary summary = tune_and_report(job(settings, 10), run, hooks());

  ASSERT_TRUE(summary.recommendation.best);
  EXPECT_EQ(*summary.recommendation.best, 1u);
  EXPECT_EQ(summary.recommendation.verdict, Verdict::winner);
  EXPECT_FALSE(summary.final_look.standings[0].near_best);

  const nlohmann::json report = nlohmann::json::parse(read_file(report_path()));
  const nlohmann::json& tune = report.at("tune");
  ASSERT_EQ(tune["without_value"].size(), 1u);
  EXPECT_EQ(tune["without_value"][0]["name"], "client.so_sndbuf=1024");
  std::string every_round = "rounds 1";
  for (unsigned round = 2; round <= tune["rounds"].get<unsigned>(); ++round) {
    every_round += ", " + std::to_string(round);
  }
  EXPECT_EQ(tune["without_value"][0]["reason"],
            every_round + ": no answered request (5 errors counted), so no p99");
  EXPECT_EQ(tune["failed_runs"], 0);
  EXPECT_EQ(tune["missing"].size(), tune["rounds"].get<size_t>());
  EXPECT_EQ(tune["missing"][0]["kind"], "no_value");
  EXPECT_EQ(tune["recommendation"]["best"], "client.so_sndbuf=65536");
  expect_valid_report();

  const std::string text = tune_to_text(summary);
  EXPECT_NE(text.find("no value: client.so_sndbuf=1024: rounds 1, 2"), std::string::npos) << text;
  EXPECT_NE(text.find("not ranked, never recommended"), std::string::npos) << text;
  EXPECT_NE(text.find("every other setting with a value is significantly worse"), std::string::npos)
      << text;
  EXPECT_NE(text.find("not compared (no value): client.so_sndbuf=1024"), std::string::npos) << text;
}

}  // namespace
}  // namespace th
