// The embedded http server under attack while a well-behaved keep-alive load runs against it:
// slowloris connections, garbage, a 1 MB header, pipelined junk and a client that reads nothing
// of a large response. The good load must see no error, and the server must count each refusal.
// scripts/hostile-clients runs the full-size version (1,000 slowloris) against `serve`.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "blocking_client.hpp"
#include "run_helpers.hpp"
#include "server/server.hpp"
#include "test_support.hpp"

namespace th {
namespace {

using testing::Client;
using Clock = std::chrono::steady_clock;

constexpr int kSlowlorisConnections = 200;
constexpr int kGarbageConnections = 20;
constexpr int kJunkPipelinedRequests = 5;

// Slowloris: a head that never ends, one more header line every 100 ms, until the server closes.
// Returns how many connections the server closed (all of them, when the header timeout works).
int run_slowloris(const SocketAddress& address, int connections, Clock::time_point give_up) {
  std::vector<std::unique_ptr<Client>> clients;
  for (int index = 0; index < connections; ++index) {
    clients.push_back(std::make_unique<Client>(address));
    clients.back()->send_all("GET / HTTP/1.1\r\nHost: slow\r\n");
    fcntl(clients.back()->fd(), F_SETFL, O_NONBLOCK);
  }
  int closed = 0;
  std::vector<bool> open(clients.size(), true);
  while (closed < connections && Clock::now() < give_up) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    for (size_t index = 0; index < clients.size(); ++index) {
      if (!open[index]) continue;
      const int fd = clients[index]->fd();
      char buffer[512];
      const ssize_t got = recv(fd, buffer, sizeof buffer, 0);
      if (got == 0 || (got < 0 && errno != EAGAIN)) {
        open[index] = false;
        ++closed;
        continue;
      }
      send(fd, "X-Slow: 1\r\n", 11, MSG_NOSIGNAL);
    }
  }
  return closed;
}

// Sends `bytes` and returns the first status line the server answers with ("" if none).
std::string status_line_for(const SocketAddress& address, const std::string& bytes) {
  Client client(address);
  client.send_all(bytes);  // may fail part-way: the server refuses before reading it all
  const std::string answer = client.receive_until_close(4096);
  return answer.substr(0, answer.find("\r\n"));
}

TEST(HostileClients, GoodLoadFinishesCleanWhileTheServerIsAttacked) {
  ServerConfig config;
  config.protocol = Protocol::http;
  config.response_size = 256;
  config.limits.header_timeout_ms = 1000;
  config.limits.idle_timeout_ms = 1500;
  Server server(config);
  const SocketAddress address = server.address();

  int slowloris_closed = 0;
  std::vector<std::string> garbage_answers;
  std::string huge_header_answer;
  std::string junk_answer;
  std::thread slowloris([&] {
    slowloris_closed =
        run_slowloris(address, kSlowlorisConnections, Clock::now() + std::chrono::seconds(15));
  });
  std::thread attacker([&] {
    for (int index = 0; index < kGarbageConnections; ++index) {
      // A TLS ClientHello's first bytes: what a confused client sends to a plain-text port.
      garbage_answers.push_back(status_line_for(
          address,
          std::string("\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03", 11) + std::to_string(index)));
    }
    huge_header_answer = status_line_for(
        address, "GET / HTTP/1.1\r\nX-Huge: " + std::string(1 << 20, 'h') + "\r\n\r\n");
    std::string junk;
    for (int index = 0; index < kJunkPipelinedRequests; ++index) junk += "GET / HTTP/1.1\r\n\r\n";
    junk += "GET / HTTP/1.1\r\nBad Header Without Colon\r\n\r\n";
    Client pipeliner(address);
    pipeliner.send_all(junk);
    junk_answer = pipeliner.receive_until_close();
  });
  // Reads nothing of a 1 GB response: the server must not buffer it, and closes the connection
  // once nothing has moved for the idle timeout.
  Client non_reader(address, 4096);
  ASSERT_TRUE(non_reader.send_all("GET /bytes/1000000000 HTTP/1.1\r\n\r\n"));

  const RunResult result = testing::run_scenario({{"target", address.to_string()},
                                                  {"connections", 4},
                                                  {"duration_s", 3},
                                                  {"timeout_ms", 5000}});
  attacker.join();
  slowloris.join();

  EXPECT_EQ(result.recorder.error_total(), 0u);
  EXPECT_GT(result.recorder.requests_ok, 0u);
  EXPECT_EQ(slowloris_closed, kSlowlorisConnections);
  for (const std::string& answer : garbage_answers) EXPECT_EQ(answer, "HTTP/1.1 400 Bad Request");
  EXPECT_EQ(huge_header_answer, "HTTP/1.1 431 Request Header Fields Too Large");
  size_t ok_responses = 0;
  for (size_t at = junk_answer.find("HTTP/1.1 200 OK"); at != std::string::npos;
       at = junk_answer.find("HTTP/1.1 200 OK", at + 1)) {
    ++ok_responses;
  }
  EXPECT_EQ(ok_responses, static_cast<size_t>(kJunkPipelinedRequests));
  EXPECT_NE(junk_answer.find("HTTP/1.1 400 Bad Request"), std::string::npos);

  // Still up: a new client is served.
  Client after(address);
  ASSERT_TRUE(after.send_all("GET / HTTP/1.1\r\n\r\n"));
  EXPECT_EQ(after.receive_response().body.size(), 256u);

  testing::eventually([&] { return server.stats().idle_timeouts > 0; });
  server.stop();
  const ServerStats stats = server.stats();
  EXPECT_GE(stats.header_timeouts, static_cast<uint64_t>(kSlowlorisConnections));
  EXPECT_EQ(stats.bad_requests, static_cast<uint64_t>(kGarbageConnections + 1));
  EXPECT_EQ(stats.headers_too_large, 1u);
  EXPECT_GE(stats.idle_timeouts, 1u);  // the non-reader
  EXPECT_LT(stats.bytes_sent, 1'000'000'000u);
}

}  // namespace
}  // namespace th
