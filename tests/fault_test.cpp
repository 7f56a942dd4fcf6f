#include <gtest/gtest.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <string>
#include <thread>

#include "base/config_error.hpp"
#include "host/open_files.hpp"
#include "run_helpers.hpp"
#include "scripted_http_server.hpp"
#include "serve_process.hpp"

namespace th {
namespace {

using testing::errors_of;
using testing::run_scenario;
using testing::ScriptedHttpServer;

RunResult load(const ScriptedHttpServer& server, nlohmann::json extra = nlohmann::json::object()) {
  nlohmann::json scenario = {{"target", server.target()}, {"request_size", 0},
                             {"connections", 1},          {"requests", 5},
                             {"timeout_ms", 1000},        {"duration_s", 10}};
  scenario.update(extra);
  return run_scenario(scenario);
}

TEST(BadResponse, BodyBeyondTheCapIsCountedAndReplaced) {
  ScriptedHttpServer server(
      "HTTP/1.1 200 OK\r\nContent-Length: 5000\r\n\r\n" + std::string(5000, 'x'), false);
  const RunResult result = load(server, {{"max_response_bytes", 1000}});
  EXPECT_EQ(errors_of(result, ErrorKind::bad_response), 5u);
  EXPECT_EQ(result.recorder.requests_ok, 0u);
}

TEST(BadResponse, OversizedHeaderIsCounted) {
  ScriptedHttpServer server(
      "HTTP/1.1 200 OK\r\nX-Big: " + std::string(200'000, 'h') + "\r\nContent-Length: 0\r\n\r\n",
      false);
  EXPECT_EQ(errors_of(load(server), ErrorKind::bad_response), 5u);
}

TEST(BadResponse, GarbageIsCounted) {
  ScriptedHttpServer server("SSH-2.0-OpenSSH_9.2\r\n", false);
  EXPECT_EQ(errors_of(load(server), ErrorKind::bad_response), 5u);
}

TEST(Faults, ServerKilledMidRunIsCountedAndTheRunFinishes) {
  const testing::ServeProcess server({"--protocol", "http"});
  ASSERT_FALSE(server.address().empty()) << server.err();
  std::thread killer([&server] {
    std::this_thread::sleep_for(std::chrono::milliseconds(400));
    server.kill();
  });
  const RunResult result = run_scenario(
      {{"target", server.address()}, {"connections", 4}, {"duration_s", 1.2}, {"timeout_ms", 500}});
  killer.join();
  EXPECT_GT(result.recorder.requests_ok, 0u);
  EXPECT_GT(result.recorder.error_total(), 0u);
  // After the kill every new connection is refused: the run went on to its end and counted them.
  EXPECT_GT(errors_of(result, ErrorKind::connect_refused), 0u);
  EXPECT_GE(result.duration_s, 0.3);
}

TEST(OpenFiles, TooLowAHardLimitIsRefusedWithTheNumbers) {
  const pid_t child = fork();
  if (child == 0) {
    rlimit limit{100, 100};
    setrlimit(RLIMIT_NOFILE, &limit);
    try {
      ensure_open_files(5000, "connections=5000");
    } catch (const ConfigError& error) {
      const std::string message = error.what();
      _exit(message.find("5000") != std::string::npos && message.find("100") != std::string::npos
                ? 0
                : 2);
    }
    _exit(1);
  }
  int status = 0;
  waitpid(child, &status, 0);
  ASSERT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 0);
}

TEST(OpenFiles, SoftLimitIsRaisedToWhatIsNeeded) {
  rlimit before{};
  getrlimit(RLIMIT_NOFILE, &before);
  const rlim_t wanted = std::min<rlim_t>(before.rlim_max, before.rlim_cur + 10);
  ensure_open_files(wanted, "test");
  rlimit after{};
  getrlimit(RLIMIT_NOFILE, &after);
  EXPECT_GE(after.rlim_cur, wanted);
}

}  // namespace
}  // namespace th
