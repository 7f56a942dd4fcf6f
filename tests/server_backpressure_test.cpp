// A peer that sends but does not read must not make the server queue without limit: the server
// stops reading from it, and the peer's own sends block.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/socket.h>

#include <chrono>
#include <string>
#include <thread>

#include "blocking_client.hpp"
#include "net/tcp_transport.hpp"
#include "server/server.hpp"
#include "test_support.hpp"

namespace th {
namespace {

using testing::Client;

// Sends `message` over and over without reading until the kernel has refused every byte for
// `quiet` in a row (the server stopped reading), or `limit` bytes went out. Returns bytes sent.
uint64_t send_until_blocked(int fd, const std::string& message, uint64_t limit,
                            std::chrono::milliseconds quiet) {
  fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
  uint64_t sent = 0;
  auto last_progress = std::chrono::steady_clock::now();
  const auto give_up = last_progress + std::chrono::seconds(20);
  size_t offset = 0;
  while (sent < limit && std::chrono::steady_clock::now() < give_up) {
    const ssize_t written =
        send(fd, message.data() + offset, message.size() - offset, MSG_NOSIGNAL);
    if (written > 0) {
      sent += static_cast<uint64_t>(written);
      offset = (offset + static_cast<size_t>(written)) % message.size();
      last_progress = std::chrono::steady_clock::now();
      continue;
    }
    if (written < 0 && errno != EAGAIN) break;
    if (std::chrono::steady_clock::now() - last_progress >= quiet) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK);
  return sent;
}

constexpr uint64_t kUnbounded = uint64_t{1} << 30;  // what a server without back-pressure takes

TEST(Backpressure, EchoServerStopsReadingFromAPeerThatDoesNotRead) {
  ServerConfig config;
  config.protocol = Protocol::echo;
  Server server(config);
  Client client(server.address(), 4096);
  ASSERT_TRUE(client.connected());
  const uint64_t sent = send_until_blocked(client.fd(), std::string(65536, 'e'), kUnbounded,
                                           std::chrono::milliseconds(300));
  EXPECT_LT(sent, kUnbounded) << "the echo server kept reading from a peer that reads nothing";
  // What the server read but could not yet write sits in one read buffer, never more.
  const ServerStats stats = server.stats();
  EXPECT_LE(stats.bytes_received - stats.bytes_sent, TcpTransport::kReadBufferBytes);
  // Reading again lets everything through: nothing was lost on the way.
  EXPECT_EQ(client.receive(sent).size(), sent);
}

TEST(Backpressure, HttpServerStopsReadingFromAPipelinerThatDoesNotRead) {
  ServerConfig config;
  config.protocol = Protocol::http;
  config.response_size = 4096;
  Server server(config);
  Client client(server.address(), 4096);
  ASSERT_TRUE(client.connected());
  std::string requests;
  for (int index = 0; index < 1000; ++index) requests += "GET / HTTP/1.1\r\n\r\n";
  const uint64_t sent =
      send_until_blocked(client.fd(), requests, kUnbounded, std::chrono::milliseconds(300));
  EXPECT_LT(sent, kUnbounded) << "the http server kept reading from a peer that reads nothing";
  // The stalled connection holds only its own session: another client is served meanwhile.
  Client other(server.address());
  ASSERT_TRUE(other.send_all("GET / HTTP/1.1\r\n\r\n"));
  EXPECT_EQ(other.receive_response().body.size(), 4096u);
}

TEST(Backpressure, LargeResponseToAPeerThatDoesNotReadStaysBounded) {
  ServerConfig config;
  config.protocol = Protocol::http;
  config.limits.idle_timeout_ms = 300;
  Server server(config);
  Client client(server.address(), 4096);
  ASSERT_TRUE(client.send_all("GET /bytes/1000000000 HTTP/1.1\r\n\r\n"));
  // The server writes what the socket buffers take, then waits; with no progress for the idle
  // timeout it gives up on the connection instead of holding it forever.
  testing::eventually([&] { return server.stats().idle_timeouts > 0; });
  const ServerStats stats = server.stats();
  EXPECT_EQ(stats.idle_timeouts, 1u);
  EXPECT_LT(stats.bytes_sent, 100'000'000u);
}

}  // namespace
}  // namespace th
