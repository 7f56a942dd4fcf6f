#include <gtest/gtest.h>
#include <signal.h>

#include <string>

#include "run_helpers.hpp"
#include "serve_process.hpp"

namespace th {
namespace {

using testing::ServeProcess;

TEST(ServeCommand, PrintsItsAddressServesLoadAndStopsOnSigint) {
  ServeProcess server({"--protocol", "http", "--threads", "2"});
  ASSERT_FALSE(server.address().empty()) << "serve did not print its address";
  EXPECT_EQ(server.address().rfind("127.0.0.1:", 0), 0u) << "serve must default to loopback";
  const RunResult result = testing::run_scenario(
      {{"target", server.address()}, {"connections", 4}, {"requests", 2000}, {"duration_s", 30}});
  EXPECT_EQ(result.recorder.requests_ok, 2000u);
  EXPECT_EQ(result.recorder.error_total(), 0u);
  EXPECT_EQ(server.stop(SIGINT), 0);
}

TEST(ServeCommand, EchoServerStopsOnSigtermWithConnectionsOpen) {
  ServeProcess server({"--protocol", "echo", "--threads", "2"});
  ASSERT_FALSE(server.address().empty());
  const RunResult result = testing::run_scenario({{"target", server.address()},
                                                  {"protocol", "echo"},
                                                  {"connections", 2},
                                                  {"requests", 500},
                                                  {"duration_s", 30}});
  EXPECT_EQ(result.recorder.requests_ok, 500u);
  EXPECT_EQ(server.stop(SIGTERM), 0);
}

}  // namespace
}  // namespace th
