#include <gtest/gtest.h>

#include <filesystem>

#include "cli_runner.hpp"

namespace th {
namespace {

TEST(Plot, ChartsOfASweepAreWrittenWithLabelsAndUnits) {
  if (std::system("/usr/bin/python3 -c 'import matplotlib' 2>/dev/null") != 0) {
    GTEST_SKIP() << "python3-matplotlib not installed";
  }
  const testing::ScratchDir scratch_dir("tcpharness-plot");
  const std::string& scratch = scratch_dir.path();
  const std::string report = scratch + "/nagle.json";
  const testing::CliOutcome run = testing::run_cli(
      "run scenarios/nagle.json --set duration_s=0.3 --set warmup_s=0 --out " + report, scratch);
  ASSERT_EQ(run.exit_code, 0) << run.err;
  const testing::CliOutcome plot =
      testing::run_cli("plot " + report + " -o " + scratch + "/charts", scratch);
  ASSERT_EQ(plot.exit_code, 0) << plot.err;
  for (const char* chart :
       {"spectrum", "timeline", "sweep-client.tcp_nodelay", "sweep-server.tcp_nodelay"}) {
    const std::string png = scratch + "/charts/nagle-" + chart + ".png";
    const std::string svg = scratch + "/charts/nagle-" + chart + ".svg";
    EXPECT_EQ(testing::read_file(png).substr(1, 3), "PNG") << png;
    EXPECT_NE(testing::read_file(svg).find("<svg"), std::string::npos) << svg;
  }
  // Text in SVG is drawn as paths but kept in comments; the spectrum names its axes and runs.
  const std::string spectrum = testing::read_file(scratch + "/charts/nagle-spectrum.svg");
  EXPECT_NE(spectrum.find("request latency (ms)"), std::string::npos);
  EXPECT_NE(spectrum.find("percentile"), std::string::npos);
  EXPECT_NE(spectrum.find("client.tcp_nodelay=false,server.tcp_nodelay=false"), std::string::npos);
}

// Base against new in one figure: both reports' runs, each line named after its report; a
// compressed report reads like a plain one.
TEST(Plot, SeveralReportsAreOverlaidInOneFigure) {
  if (std::system("/usr/bin/python3 -c 'import matplotlib' 2>/dev/null") != 0) {
    GTEST_SKIP() << "python3-matplotlib not installed";
  }
  const testing::ScratchDir scratch_dir("tcpharness-plot-overlay");
  const std::string& scratch = scratch_dir.path();
  for (const char* name : {"base.json", "new.json.gz"}) {
    const testing::CliOutcome run = testing::run_cli(
        "run scenarios/quickstart.json --set duration_s=0.3 --set warmup_s=0 -q --out " + scratch +
            "/" + name,
        scratch);
    ASSERT_EQ(run.exit_code, 0) << run.err;
  }
  const testing::CliOutcome plot = testing::run_cli(
      "plot " + scratch + "/base.json " + scratch + "/new.json.gz -o " + scratch + "/charts",
      scratch);
  ASSERT_EQ(plot.exit_code, 0) << plot.err;
  for (const char* chart : {"spectrum", "timeline"}) {
    const std::string svg = testing::read_file(scratch + "/charts/base-vs-new-" + chart + ".svg");
    EXPECT_NE(svg.find("base: quickstart"), std::string::npos) << chart;
    EXPECT_NE(svg.find("new: quickstart"), std::string::npos) << chart;
  }
}

}  // namespace
}  // namespace th
