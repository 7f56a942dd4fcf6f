// `serve --port P` refuses a port another listener holds instead of splitting the load with it
// through SO_REUSEPORT; `--reuseport` shares it on purpose.
#include <gtest/gtest.h>

#include <string>

#include "cli_runner.hpp"
#include "free_port.hpp"
#include "serve_process.hpp"

namespace th {
namespace {

using ServeOnPort = testing::ServeProcess;

std::string held_port_message(uint16_t port) {
  return "tcpharness: port " + std::to_string(port) +
         " is already in use (another listener holds it; --reuseport shares it on purpose)\n";
}

TEST(ServePort, ASecondServeOnTheSamePortIsRefused) {
  const std::string port = std::to_string(testing::free_loopback_port());
  ServeOnPort first({"--port", port, "--threads", "2"});
  ASSERT_FALSE(first.address().empty()) << first.err();
  ServeOnPort second({"--port", port});
  EXPECT_TRUE(second.address().empty()) << "the second server started on " << second.address();
  EXPECT_EQ(second.stop(), 2);
  EXPECT_EQ(second.err(), held_port_message(first.port()));
  EXPECT_EQ(first.stop(), 0);
}

TEST(ServePort, APortAnotherProgramListensOnIsRefused) {
  const testing::LoopbackSocket other(16);
  ASSERT_TRUE(other.ok());
  ServeOnPort serve({"--port", std::to_string(other.port())});
  EXPECT_TRUE(serve.address().empty());
  EXPECT_EQ(serve.stop(), 2);
  EXPECT_EQ(serve.err(), held_port_message(other.port()));
}

TEST(ServePort, ReuseportOnBothSharesThePort) {
  const std::string port = std::to_string(testing::free_loopback_port());
  ServeOnPort first({"--port", port, "--reuseport"});
  ASSERT_FALSE(first.address().empty()) << first.err();
  ServeOnPort second({"--port", port, "--reuseport"});
  EXPECT_EQ(second.address(), first.address()) << second.err();
  // A run's embedded server takes a port of its own (port 0), whatever holds another.
  const testing::ScratchDir scratch("tcpharness-serve-port");
  const testing::CliOutcome run = testing::run_cli(
      "run scenarios/quickstart.json --set duration_s=0.3 --set warmup_s=0 -q -o " +
          scratch.path() + "/r.json",
      scratch.path());
  EXPECT_EQ(run.exit_code, 0) << run.err;
  EXPECT_EQ(second.stop(), 0);
  EXPECT_EQ(first.stop(), 0);
}

}  // namespace
}  // namespace th
