// A bad --set value is the command line's mistake: its error names the assignment, not the file.
#include <gtest/gtest.h>

#include <string>

#include "cli_runner.hpp"
#include "config_errors.hpp"

namespace th {
namespace {

using testing::error_of;

std::string expansion_error(const std::string& file_text, const std::string& assignment) {
  ScenarioDocument doc = parse_scenario_text(file_text, "x.json");
  apply_override(doc, assignment);
  return error_of([&] { expand_runs(doc); });
}

TEST(OverrideErrors, ABadValueNamesTheAssignmentNotTheFile) {
  EXPECT_EQ(expansion_error("{}", "connections=0"),
            "--set connections=0: /connections: must be an integer from 1 to 100000, got 0");
  // Inside a JSON value: the assignment, then where in it.
  EXPECT_EQ(expansion_error("{}", R"(link={"rate_mbit": -1})")
                .rfind(R"(--set link={"rate_mbit": -1}: /link/rate_mbit: must be)", 0),
            0u);
  // A dotted key into an object of the file: only that key is the assignment's.
  EXPECT_EQ(expansion_error(R"({"client": {"so_sndbuf": -5}})", "client.tcp_nodelay=true")
                .rfind("x.json: /client/so_sndbuf: ", 0),
            0u);
  EXPECT_EQ(expansion_error(R"({"client": {"so_sndbuf": 4096}})", "client.tcp_nodelay=3")
                .rfind("--set client.tcp_nodelay=3: /client/tcp_nodelay: must be true or false", 0),
            0u);
  // The values of a sweep list given with --set.
  EXPECT_EQ(expansion_error("{}", R"(sweep.client.tcp_nodelay=[true, "no"])"),
            R"(--set sweep.client.tcp_nodelay=[true, "no"]: /sweep/client.tcp_nodelay/1: )"
            R"(must be true or false, got "no")");
}

TEST(OverrideErrors, TheLatestAssignmentOfAValueIsTheOneNamed) {
  ScenarioDocument doc = parse_scenario_text("{}", "x.json");
  apply_override(doc, "connections=0");
  apply_override(doc, "connections=-1");
  EXPECT_EQ(error_of([&] { expand_runs(doc); }).rfind("--set connections=-1: /connections: ", 0),
            0u);
  // A flag that stands for a key is named as the user typed it.
  ScenarioDocument flagged = parse_scenario_text("{}", "x.json");
  apply_override(flagged, "connections=0", "-c 0");
  EXPECT_EQ(error_of([&] { expand_runs(flagged); }).rfind("-c 0: /connections: ", 0), 0u);
}

TEST(OverrideErrors, AnObjectOrListThatIsNotJsonIsAnErrorAtItsColumn) {
  ScenarioDocument doc = parse_scenario_text("{}", "x.json");
  EXPECT_EQ(error_of([&] { apply_override(doc, R"(link={"rate_mbit": 50)"); })
                .rfind(R"(--set link={"rate_mbit": 50: invalid JSON: parse error at line 1, )"
                       "column 17: ",
                       0),
            0u);
  EXPECT_NE(error_of([&] { apply_override(doc, "sweep.connections=[1, 2"); })
                .find("--set sweep.connections=[1, 2: invalid JSON: parse error at line 1, column "
                      "6: "),
            std::string::npos);
  // Plain text stays a string, and so does a bracketed IPv6 target.
  apply_override(doc, "target=[::1]:8080");
  apply_override(doc, "protocol=echo");
  EXPECT_EQ(doc.base["target"], "[::1]:8080");
  EXPECT_EQ(doc.base["protocol"], "echo");
}

TEST(OverrideErrors, TheCommandLineSaysWhichSetWasWrong) {
  const testing::ScratchDir scratch("tcpharness-override");
  const testing::CliOutcome outcome =
      testing::run_cli("validate scenarios/quickstart.json --set connections=0", scratch.path());
  testing::expect_refused(outcome, "tcpharness: --set connections=0: /connections: must be");
  EXPECT_EQ(outcome.err.find("quickstart.json"), std::string::npos) << outcome.err;
}

}  // namespace
}  // namespace th
