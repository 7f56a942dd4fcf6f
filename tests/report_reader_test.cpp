#include "report/report_reader.hpp"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <filesystem>
#include <fstream>

#include "base/config_error.hpp"
#include "cli_runner.hpp"
#include "report_fixtures.hpp"

namespace th {
namespace {

using testing::recorded_run;
using testing::report_of;

// The message a user sees for `text` read as a report named "r.json".
std::string error_for(const std::string& text) {
  try {
    parse_report(text, "r.json");
  } catch (const ConfigError& error) {
    return error.what();
  }
  return "accepted";
}

std::string error_after(void (*edit)(nlohmann::json&)) {
  nlohmann::json document = report_of({recorded_run("run", {100, 200})}).document;
  edit(document);
  return error_for(document.dump());
}

TEST(ReportReader, AcceptsWhatRunWrites) {
  const LoadedReport report = report_of({recorded_run("run", {100}), recorded_run("run", {200})});
  EXPECT_EQ(report.document["runs"][1]["repetition_index"], 1);
}

TEST(ReportReader, NamesFilePointerAndExpectation) {
  EXPECT_EQ(error_for("{\"schema\": 1,"), error_for("{\"schema\": 1,"));  // deterministic
  EXPECT_NE(error_for("{\"schema\": 1,").find("r.json: invalid JSON: parse error at line 1"),
            std::string::npos);
  EXPECT_EQ(error_for("[]"), "r.json: /: expected a tcpharness report object, got an array");
  EXPECT_EQ(error_after([](nlohmann::json& d) { d["schema"] = "other/2"; }),
            "r.json: /schema: expected \"tcpharness.report/2\" (or /1), got \"other/2\"");
  EXPECT_EQ(error_after([](nlohmann::json& d) { d.erase("runs"); }), "r.json: /runs: missing");
  EXPECT_EQ(error_after([](nlohmann::json& d) { d["runs"][0]["requests"]["ok"] = -1; }),
            "r.json: /runs/0/requests/ok: expected an integer >= 0, got -1");
  EXPECT_EQ(
      error_after([](nlohmann::json& d) { d["runs"][0]["throughput"]["requests_per_s"] = "x"; }),
      "r.json: /runs/0/throughput/requests_per_s: expected a number >= 0, got \"x\"");
  EXPECT_EQ(error_after([](nlohmann::json& d) { d["runs"][0]["latency_us"]["a/b"] = 1; }),
            "r.json: /runs/0/latency_us/a~1b: expected an object, got 1");
}

TEST(ReportReader, RefusesInconsistentHistograms) {
  const std::string message =
      error_after([](nlohmann::json& d) { d["runs"][0]["histograms"]["total"]["count"] = 5; });
  EXPECT_NE(message.find("r.json: /runs/0/histograms/total: not a valid histogram"),
            std::string::npos)
      << message;
  const std::string huge = error_after([](nlohmann::json& d) {
    d["runs"][0]["histograms"]["total"]["highest_trackable"] = 9223372036854775807LL;
  });
  EXPECT_NE(huge.find("/runs/0/histograms/total/highest_trackable: expected at most"),
            std::string::npos)
      << huge;
}

TEST(ReportReader, RefusesDuplicateRepetitions) {
  const std::string message =
      error_after([](nlohmann::json& d) { d["runs"].push_back(d["runs"][0]); });
  EXPECT_NE(message.find("run 'run' repetition 0 appears twice"), std::string::npos) << message;
}

TEST(ReportReader, RefusesDeepNestingWithoutRecursing) {
  const std::string deep = std::string(200000, '[') + std::string(200000, ']');
  EXPECT_NE(error_for(deep).find("nested deeper than 64 levels"), std::string::npos);
}

TEST(ReportReader, RefusesWhatIsNotARegularFile) {
  EXPECT_THROW(read_report("/dev/zero"), ConfigError);
  EXPECT_THROW(read_report("/nonexistent/report.json"), ConfigError);
}

TEST(ReportReader, CompareOfAHostileFileIsOneLineAndExitTwo) {
  const testing::ScratchDir scratch_dir("tcpharness-reader");
  const std::string& scratch = scratch_dir.path();
  const std::string good = scratch + "/good.json";
  const std::string bad = scratch + "/bad.json";
  std::ofstream(good) << report_of({recorded_run("run", {100})}).document.dump();
  std::ofstream(bad) << R"({"schema": "tcpharness.report/1", "runs": "all of them"})";
  for (const std::string& command :
       {"compare " + good + " " + bad, "merge " + good + " " + bad + " -o " + scratch + "/m.json",
        "convert " + bad, "plot " + bad + " -o " + scratch + "/p"}) {
    const testing::CliOutcome outcome = testing::run_cli(command, scratch);
    EXPECT_EQ(outcome.exit_code, 2) << command << ": " << outcome.err;
    EXPECT_NE(outcome.err.find(bad + ": /"), std::string::npos) << command << ": " << outcome.err;
    EXPECT_EQ(std::count(outcome.err.begin(), outcome.err.end(), '\n'), 1) << outcome.err;
  }
}

}  // namespace
}  // namespace th
