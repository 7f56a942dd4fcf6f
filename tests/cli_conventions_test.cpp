// The command line behaves as users of other tools expect: --version, "did you mean" for a typo,
// every refusal prefixed and followed by the command's usage, every exit code in --help.
#include <gtest/gtest.h>

#include <regex>
#include <string>

#include "cli_runner.hpp"

namespace th {
namespace {

using testing::CliOutcome;
using testing::run_cli;

class CliConventions : public testing::ScratchDirTest {
 protected:
  // Exit 2, nothing on stdout, and on stderr exactly `first_line` then a usage line that starts
  // with `usage_start`.
  void expect_usage_error(const std::string& arguments, const std::string& first_line,
                          const std::string& usage_start) {
    const CliOutcome outcome = run_cli(arguments, scratch_);
    EXPECT_EQ(outcome.exit_code, 2) << arguments;
    EXPECT_EQ(outcome.out, "") << arguments;
    const size_t end = outcome.err.find('\n');
    ASSERT_NE(end, std::string::npos) << outcome.err;
    EXPECT_EQ(outcome.err.substr(0, end), first_line);
    EXPECT_EQ(outcome.err.compare(end + 1, usage_start.size(), usage_start), 0) << outcome.err;
    EXPECT_TRUE(outcome.err.ends_with("\n")) << outcome.err;
  }
};

TEST_F(CliConventions, VersionNamesTheVersionTheCommitAndTheBuildType) {
  const CliOutcome outcome = run_cli("--version", scratch_);
  EXPECT_EQ(outcome.exit_code, 0) << outcome.err;
  EXPECT_TRUE(std::regex_match(
      outcome.out,
      std::regex(R"(tcpharness \d+\.\d+\.\d+ \(commit ([0-9a-f]{12}|unknown), [^,]+ build\)\n)")))
      << outcome.out;
}

TEST_F(CliConventions, AMistypedCommandGetsTheClosestOne) {
  expect_usage_error("rn scenarios/quickstart.json",
                     "tcpharness: unknown command 'rn'; did you mean 'run'?",
                     "Usage: tcpharness COMMAND [OPTIONS], COMMAND one of run, ");
  expect_usage_error("deploy", "tcpharness: unknown command 'deploy'", "Usage: tcpharness COMMAND");
}

TEST_F(CliConventions, AMistypedOptionGetsTheClosestOneOfItsCommand) {
  expect_usage_error("run scenarios/quickstart.json --duraton 5s",
                     "tcpharness: run: unknown option '--duraton'; did you mean '--duration'?",
                     "Usage: tcpharness run [OPTIONS] scenario");
  expect_usage_error("validate scenarios/quickstart.json --zzzzzz",
                     "tcpharness: validate: unknown option '--zzzzzz'",
                     "Usage: tcpharness validate [OPTIONS] scenario");
  // The typo is what left `new` missing: it is named rather than the missing argument.
  expect_usage_error("compare base.json --fail-onn p99:+5%",
                     "tcpharness: compare: unknown option '--fail-onn'; did you mean '--fail-on'?",
                     "Usage: tcpharness compare [OPTIONS] base new");
  expect_usage_error("--versoin",
                     "tcpharness: unknown option '--versoin'; did you mean '--version'?",
                     "Usage: tcpharness COMMAND");
}

TEST_F(CliConventions, CommandLineParserMessagesCarryThePrefixAndTheUsageLine) {
  expect_usage_error("run scenarios/quickstart.json -r 0",
                     "tcpharness: run: --repetitions: Value 0 not in range 1 to 1000",
                     "Usage: tcpharness run [OPTIONS] scenario; tcpharness run --help lists every "
                     "option");
  expect_usage_error("merge one.json",
                     "tcpharness: merge: reports: At least 2 required but received 1",
                     "Usage: tcpharness merge [OPTIONS] reports...");
  expect_usage_error("", "tcpharness: A subcommand is required", "Usage: tcpharness COMMAND");
}

TEST_F(CliConventions, HelpListsEveryExitCode) {
  const CliOutcome outcome = run_cli("--help", scratch_);
  EXPECT_EQ(outcome.exit_code, 0);
  for (const char* code : {"0 success", "1 the run finished but counted errors",
                           "2 usage, configuration", "70 internal error", "130 interrupted"}) {
    EXPECT_NE(outcome.out.find(code), std::string::npos) << code << "\n" << outcome.out;
  }
}

}  // namespace
}  // namespace th
