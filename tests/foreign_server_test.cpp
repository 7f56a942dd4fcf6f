#include <gtest/gtest.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <thread>

#include "nginx_process.hpp"
#include "run_helpers.hpp"
#include "scripted_http_server.hpp"
#include "test_support.hpp"

namespace th {
namespace {

using testing::run_scenario;
using testing::ScriptedHttpServer;

TEST(ForeignServer, ChunkedBodiesAreParsedAndCountedOk) {
  ScriptedHttpServer server(
      "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
      "5\r\nhello\r\n7\r\n, world\r\n0\r\n\r\n",
      false);
  const RunResult result = run_scenario({{"target", server.target()},
                                         {"request_size", 0},
                                         {"connections", 2},
                                         {"requests", 500},
                                         {"duration_s", 30}});
  EXPECT_EQ(result.recorder.requests_ok, 500u);
  EXPECT_EQ(result.recorder.error_total(), 0u);
  EXPECT_EQ(result.recorder.connect.count(), 2u) << "chunked responses keep the connection";
}

TEST(ForeignServer, CloseDelimitedBodiesAreParsedAndCountedOk) {
  ScriptedHttpServer server("HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n\r\nbody until close",
                            true);
  const RunResult result = run_scenario({{"target", server.target()},
                                         {"request_size", 0},
                                         {"connections", 2},
                                         {"requests", 300},
                                         {"duration_s", 30}});
  EXPECT_EQ(result.recorder.requests_ok, 300u);
  EXPECT_EQ(result.recorder.error_total(), 0u);
  // The server ends every response by closing, so every request needed a new connection.
  EXPECT_EQ(result.recorder.connect.count(), 300u);
}

TEST(ForeignServer, ErrorStatusIsABadResponse) {
  ScriptedHttpServer server("HTTP/1.1 503 Service Unavailable\r\nContent-Length: 0\r\n\r\n", false);
  const RunResult result = run_scenario({{"target", server.target()},
                                         {"request_size", 0},
                                         {"connections", 1},
                                         {"requests", 20},
                                         {"duration_s", 30}});
  EXPECT_EQ(result.recorder.requests_ok, 0u);
  EXPECT_EQ(testing::errors_of(result, ErrorKind::bad_response), 20u);
}

// nginx with a fixed 32-byte answer: the reference HTTP/1.1 server the client must get along with.
class Nginx : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!testing::NginxProcess::installed()) {
      GTEST_SKIP() << "nginx is not installed (scripts/test installs nginx-light)";
    }
    nginx_ = std::make_unique<testing::NginxProcess>(
        "  listen {listen};\n"
        "  location / { return 200 \"0123456789abcdef0123456789abcdef\"; }\n",
        " access_log off;\n");
    ASSERT_TRUE(nginx_->listening()) << "nginx did not start listening";
  }

  std::string target() const { return nginx_->target(); }

  std::unique_ptr<testing::NginxProcess> nginx_;
};

TEST_F(Nginx, KeepAliveCompletesWithNoErrors) {
  const RunResult result = run_scenario({{"target", target()},
                                         {"request_size", 0},
                                         {"connections", 8},
                                         {"requests", 5000},
                                         {"duration_s", 30}});
  EXPECT_EQ(result.recorder.requests_ok, 5000u);
  EXPECT_EQ(result.recorder.error_total(), 0u);
}

TEST_F(Nginx, PerRequestCompletesWithNoErrors) {
  const RunResult result = run_scenario({{"target", target()},
                                         {"request_size", 0},
                                         {"connection", "per_request"},
                                         {"connections", 4},
                                         {"requests", 1000},
                                         {"duration_s", 30}});
  EXPECT_EQ(result.recorder.requests_ok, 1000u);
  EXPECT_EQ(result.recorder.error_total(), 0u);
  EXPECT_EQ(result.recorder.connect.count(), 1000u);
}

TEST_F(Nginx, PostBodiesCompleteWithNoErrors) {
  const RunResult result = run_scenario({{"target", target()},
                                         {"request_size", 2048},
                                         {"connections", 4},
                                         {"requests", 1000},
                                         {"duration_s", 30}});
  EXPECT_EQ(result.recorder.requests_ok, 1000u);
  EXPECT_EQ(result.recorder.error_total(), 0u);
}

TEST_F(Nginx, EveryConnectionModelLoadsPagesWithNoErrors) {
  for (const char* model : {"per_request", "parallel", "keep_alive", "pipelined"}) {
    const RunResult result =
        run_scenario({{"target", "http://" + target() + "/index.html"},
                      {"request_size", 0},
                      {"connection", model},
                      {"page", {{"paths", {"/style.css", "/app.js", "/logo.png", "/font.woff2"}}}},
                      {"connections", 4},
                      {"requests", 500},  // 100 pages of 5 requests
                      {"duration_s", 30}});
    EXPECT_EQ(result.recorder.requests_ok, 500u) << model;
    EXPECT_EQ(result.recorder.error_total(), 0u) << model;
    EXPECT_EQ(result.recorder.pages_ok, 100u) << model;
  }
}

}  // namespace
}  // namespace th
