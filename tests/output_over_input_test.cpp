// A command that writes never replaces a file it reads: `-o` naming the scenario or a report
// given as input (itself, through a symlink or a hard link) is refused before anything runs.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>

#include "cli_runner.hpp"
#include "report/atomic_file.hpp"
#include "report_fixtures.hpp"

namespace th {
namespace {

using testing::CliOutcome;
using testing::read_file;
using testing::run_cli;

class OutputOverInput : public testing::ScratchDirTest {
 protected:
  std::string scenario_copy() {
    return write_file("scenario.json",
                      read_file(std::string(TCPHARNESS_SOURCE_DIR) + "/scenarios/nagle.json"));
  }
  std::string saved_report(const std::string& name) {
    return write_file(name,
                      testing::report_of({testing::steady_run("run", 100)}, name).document.dump());
  }

  // Refused with exit 2, nothing run, and `input` unchanged.
  void expect_kept(const CliOutcome& outcome, const std::string& input, const std::string& before) {
    testing::expect_refused(outcome, "is the input " + input + " itself");
    EXPECT_EQ(read_file(input), before) << input << " was replaced";
  }
};

TEST_F(OutputOverInput, RunAndTuneRefuseToWriteOverTheScenario) {
  const std::string scenario = scenario_copy();
  const std::string before = read_file(scenario);
  expect_kept(run_cli("run " + scenario + " -o " + scenario, scratch_), scenario, before);
  expect_kept(run_cli("run " + scenario + " --gbench-out " + scenario, scratch_), scenario, before);
  const std::string link = scratch_ + "/link.json";
  ASSERT_EQ(symlink(scenario.c_str(), link.c_str()), 0);
  expect_kept(run_cli("run " + scenario + " -o " + link, scratch_), scenario, before);
  expect_kept(run_cli("run " + scenario + " -o " + scratch_ + "/../" +
                          std::filesystem::path(scratch_).filename().string() + "/scenario.json",
                      scratch_),
              scenario, before);
  expect_kept(run_cli("tune " + scenario +
                          " --objective p99 --set duration_s=1 --set warmup_s=0 "
                          "-o " +
                          scenario,
                      scratch_),
              scenario, before);
}

TEST_F(OutputOverInput, RunRefusesTheSameFileForBothReports) {
  const std::string out = scratch_ + "/r.json";
  testing::expect_refused(
      run_cli("run scenarios/quickstart.json -o " + out + " --gbench-out " + out, scratch_),
      "--gbench-out " + out + ": is the file --out names");
}

TEST_F(OutputOverInput, MergeConvertAndPlotRefuseToWriteOverAReportTheyRead) {
  const std::string first = saved_report("first.json");
  const std::string second = saved_report("second.json");
  const std::string before = read_file(second);
  expect_kept(run_cli("merge " + first + " " + second + " -o " + second, scratch_), second, before);
  const std::string hard_link = scratch_ + "/hard.json";
  ASSERT_EQ(link(second.c_str(), hard_link.c_str()), 0);
  expect_kept(run_cli("merge " + first + " " + second + " -o " + hard_link, scratch_), second,
              before);
  expect_kept(run_cli("convert " + second + " -o " + second, scratch_), second, before);
  expect_kept(run_cli("plot " + second + " -o " + second, scratch_), second, before);
  // Another file is fine.
  EXPECT_EQ(run_cli("convert " + second + " -o " + scratch_ + "/g.json", scratch_).exit_code, 0);
}

TEST(SameFile, ComparesPathsThatDoNotExistYetByTheirNormalisedForm) {
  EXPECT_TRUE(same_file("/tmp/no-such-dir/../no-such.json", "/tmp/./no-such.json"));
  EXPECT_FALSE(same_file("/tmp/no-such-a.json", "/tmp/no-such-b.json"));
}

}  // namespace
}  // namespace th
