#include "server/server.hpp"

#include <gtest/gtest.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <cstring>
#include <string>
#include <thread>
#include <vector>

#include "base/config_error.hpp"
#include "blocking_client.hpp"
#include "free_port.hpp"
#include "proto/http_response.hpp"
#include "test_support.hpp"

namespace th {
namespace {

using testing::Client;

ServerConfig config_for(Protocol protocol) {
  ServerConfig config;
  config.protocol = protocol;
  config.response_size = 1000;
  return config;
}

std::string expected_body(size_t size) {
  std::string body(size, '\0');
  for (size_t offset = 0; offset < size; ++offset) body[offset] = http_body_byte(offset);
  return body;
}

std::string varied_bytes(size_t size) {
  std::string bytes(size, '\0');
  for (size_t index = 0; index < size; ++index) bytes[index] = static_cast<char>(index * 7 % 251);
  return bytes;
}

const std::string kGetWithHost = "GET / HTTP/1.1\r\nHost: test\r\n\r\n";

TEST(EchoServer, ReturnsTheExactBytes) {
  Server server(config_for(Protocol::echo));
  Client client(server.address());
  ASSERT_TRUE(client.connected());
  const std::string message = varied_bytes(4096);
  for (int round = 0; round < 8; ++round) {
    ASSERT_TRUE(client.send_all(message));
    EXPECT_EQ(client.receive(message.size()), message);
  }
}

TEST(EchoServer, ReturnsTheExactBytesWhenTheClientReadsSlowly) {
  Server server(config_for(Protocol::echo));
  // A small receive window fills quickly, so the server's writes queue and it must stop reading.
  Client client(server.address(), 4096);
  ASSERT_TRUE(client.connected());
  const std::string message = varied_bytes(4 << 20);
  std::thread sender([&] { client.send_all(message); });
  const std::string echoed = client.receive(message.size());
  sender.join();
  EXPECT_TRUE(echoed == message);
  server.stop();
  EXPECT_EQ(server.stats().bytes_sent, message.size());
}

// The keep-alive response is one buffer (one write per request); its body crosses the
// pattern's chunk size here, and must read as the pattern all the way.
TEST(HttpResponseBytes, KeepAliveResponseIsHeaderThenBodyInOneBuffer) {
  const size_t body_bytes = 2 * kHttpBodyChunkBytes + 100;
  const HttpResponseBytes response = build_http_response(body_bytes);
  EXPECT_EQ(response.keep_alive.size(), response.header().size() + body_bytes);
  EXPECT_TRUE(response.header().ends_with("\r\nConnection: keep-alive\r\n\r\n"));
  EXPECT_TRUE(response.header_close.ends_with("\r\nConnection: close\r\n\r\n"));
  EXPECT_EQ(response.body(), expected_body(body_bytes));
  EXPECT_TRUE(build_http_response(0).body().empty());
}

TEST(HttpServer, AnswersAGetWithTheConfiguredBody) {
  Server server(config_for(Protocol::http));
  Client client(server.address());
  ASSERT_TRUE(client.send_all(kGetWithHost));
  const Client::Response response = client.receive_response();
  EXPECT_EQ(response.header.rfind("HTTP/1.1 200 OK\r\n", 0), 0u);
  EXPECT_NE(response.header.find("Content-Length: 1000\r\n"), std::string::npos);
  EXPECT_EQ(response.body, expected_body(1000));
  server.stop();
  EXPECT_EQ(server.stats().requests_served, 1u);
}

TEST(HttpServer, AnswersTwoPipelinedRequestsSentInOneWrite) {
  Server server(config_for(Protocol::http));
  Client client(server.address());
  ASSERT_TRUE(client.send_all(kGetWithHost + kGetWithHost));
  EXPECT_EQ(client.receive_response().body, expected_body(1000));
  EXPECT_EQ(client.receive_response().body, expected_body(1000));
}

TEST(HttpServer, SplitWritePatternSendsTheSameResponse) {
  ServerConfig config = config_for(Protocol::http);
  config.write_pattern = WritePattern::split;
  config.options.tcp_nodelay = true;  // else Nagle holds each body back for a delayed ACK
  Server server(config);
  Client client(server.address());
  ASSERT_TRUE(client.send_all(kGetWithHost + kGetWithHost + kGetWithHost));
  for (int index = 0; index < 3; ++index) {
    EXPECT_EQ(client.receive_response().body, expected_body(1000));
  }
}

TEST(HttpServer, DiscardsRequestBodies) {
  Server server(config_for(Protocol::http));
  Client client(server.address());
  const std::string post = "POST / HTTP/1.1\r\nContent-Length: 5\r\n\r\nhello";
  const std::string chunked =
      "POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n";
  ASSERT_TRUE(client.send_all(post + chunked + kGetWithHost));
  for (int index = 0; index < 3; ++index) {
    EXPECT_EQ(client.receive_response().body.size(), 1000u);
  }
}

TEST(HttpServer, ConnectionCloseGetsTheResponseThenEof) {
  Server server(config_for(Protocol::http));
  Client client(server.address());
  ASSERT_TRUE(client.send_all("GET / HTTP/1.1\r\nConnection: close\r\n\r\n"));
  const Client::Response response = client.receive_response();
  EXPECT_NE(response.header.find("Connection: close\r\n"), std::string::npos);
  EXPECT_EQ(response.body.size(), 1000u);
  EXPECT_TRUE(client.sees_close());
}

TEST(HttpServer, Http10WithoutKeepAliveIsClosedAfterTheResponse) {
  Server server(config_for(Protocol::http));
  Client client(server.address());
  ASSERT_TRUE(client.send_all("GET / HTTP/1.0\r\n\r\n"));
  EXPECT_EQ(client.receive_response().body.size(), 1000u);
  EXPECT_TRUE(client.sees_close());
}

TEST(HttpServer, BytesPathReturnsThatManyBodyBytes) {
  Server server(config_for(Protocol::http));
  Client client(server.address());
  ASSERT_TRUE(client.send_all("GET /bytes/1000 HTTP/1.1\r\n\r\nGET /bytes/0 HTTP/1.1\r\n\r\n"));
  const Client::Response response = client.receive_response();
  EXPECT_NE(response.header.find("Content-Length: 1000\r\n"), std::string::npos);
  EXPECT_EQ(response.body, expected_body(1000));
  EXPECT_EQ(client.receive_response().header.find("Content-Length: 0\r\n") != std::string::npos,
            true);
}

TEST(HttpServer, LargeBytesResponseIsFollowedByThePipelinedOnes) {
  Server server(config_for(Protocol::http));
  Client client(server.address());
  const size_t large = 300 * 1024 + 17;  // several pattern chunks and a partial one
  ASSERT_TRUE(client.send_all(kGetWithHost + "GET /bytes/" + std::to_string(large) +
                              "?x=1 HTTP/1.1\r\n\r\n" + kGetWithHost));
  EXPECT_EQ(client.receive_response().body.size(), 1000u);
  EXPECT_EQ(client.receive_response().body, expected_body(large));
  EXPECT_EQ(client.receive_response().body.size(), 1000u);
  server.stop();
  EXPECT_EQ(server.stats().requests_served, 3u);
}

TEST(HttpServer, PipelinedRequestAfterAQueuedBytesResponseIsAnswered) {
  Server server(config_for(Protocol::http));
  // A small window makes the large response queue, with the next request still unparsed in the
  // server's read buffer; it must survive until the response is out.
  Client client(server.address(), 4096);
  const size_t large = 4 << 20;
  ASSERT_TRUE(client.send_all("GET /bytes/" + std::to_string(large) + " HTTP/1.1\r\n\r\n" +
                              "GET /bytes/7 HTTP/1.1\r\n\r\n" + kGetWithHost));
  std::this_thread::sleep_for(std::chrono::milliseconds(50));
  EXPECT_EQ(client.receive_response().body, expected_body(large));
  EXPECT_EQ(client.receive_response().body, expected_body(7));
  EXPECT_EQ(client.receive_response().body, expected_body(1000));
}

TEST(HttpServer, BytesPathBeyondTheCapGets400) {
  Server server(config_for(Protocol::http));
  Client client(server.address());
  ASSERT_TRUE(client.send_all("GET /bytes/1073741825 HTTP/1.1\r\n\r\n"));
  EXPECT_EQ(client.receive_response().header.rfind("HTTP/1.1 400 ", 0), 0u);
  EXPECT_TRUE(client.sees_close());
}

TEST(HttpServer, GarbageGets400AndClose) {
  Server server(config_for(Protocol::http));
  Client client(server.address());
  ASSERT_TRUE(client.send_all("\x01\x02 this is not http\r\n\r\n"));
  const Client::Response response = client.receive_response();
  EXPECT_EQ(response.header.rfind("HTTP/1.1 400 Bad Request\r\n", 0), 0u);
  EXPECT_TRUE(client.sees_close());
  server.stop();
  EXPECT_EQ(server.stats().bad_requests, 1u);
  EXPECT_EQ(server.stats().requests_served, 0u);
}

TEST(StreamServer, CountsReceivedBytes) {
  Server server(config_for(Protocol::stream));
  {
    Client client(server.address());
    ASSERT_TRUE(client.send_all(varied_bytes(100000)));
  }  // closing lets the server read to EOF
  testing::eventually([&] { return server.stats().bytes_received >= 100000; },
                      std::chrono::seconds(5));
  server.stop();
  EXPECT_EQ(server.stats().bytes_received, 100000u);
  EXPECT_EQ(server.stats().bytes_sent, 0u);
}

TEST(Server, EveryLoopOfATwoThreadServerAccepts) {
  ServerConfig config = config_for(Protocol::echo);
  config.threads = 2;
  Server server(config);
  // SO_REUSEPORT hashes each connection's 4-tuple to one loop: with 32 connections both loops get
  // some (all on one: chance 2^-31), and each echo proves its loop accepted and answered.
  std::vector<std::unique_ptr<Client>> clients;
  for (int index = 0; index < 32; ++index) {
    clients.push_back(std::make_unique<Client>(server.address()));
    ASSERT_TRUE(clients.back()->send_all("ping"));
  }
  for (auto& client : clients) EXPECT_EQ(client->receive(4), "ping");
  EXPECT_EQ(server.stats().connections_accepted, 32u);
  // Every echo came back, so every connection has been accepted: each loop's count is final.
  const std::vector<uint64_t> per_loop = server.connections_accepted_per_loop();
  ASSERT_EQ(per_loop.size(), 2u);
  EXPECT_GT(per_loop[0], 0u) << "the first loop accepted nothing";
  EXPECT_GT(per_loop[1], 0u) << "the second loop accepted nothing";
  EXPECT_EQ(per_loop[0] + per_loop[1], 32u);
  EXPECT_GE(server.cpu_seconds(), 0.0);
}

TEST(Server, StopWithOpenConnectionsReturnsPromptly) {
  Server server(config_for(Protocol::http));
  Client idle(server.address());
  Client half_request(server.address());
  Client not_reading(server.address(), 4096);
  ASSERT_TRUE(half_request.send_all("GET / HT"));
  ASSERT_TRUE(not_reading.send_all("GET /bytes/100000000 HTTP/1.1\r\n\r\n"));  // queues writes
  std::this_thread::sleep_for(std::chrono::milliseconds(50));
  const auto started = std::chrono::steady_clock::now();
  server.stop();
  EXPECT_LT(std::chrono::steady_clock::now() - started, std::chrono::seconds(1));
  EXPECT_TRUE(idle.sees_close());
  server.stop();  // idempotent
  EXPECT_EQ(server.stats().connections_accepted, 3u);
}

TEST(Server, AppliedOptionsReportTcpNodelay) {
  ServerConfig config = config_for(Protocol::echo);
  config.options.tcp_nodelay = true;
  Server server(config);
  Client client(server.address());
  ASSERT_TRUE(client.send_all("x"));
  ASSERT_EQ(client.receive(1), "x");  // the connection has been accepted
  bool found = false;
  for (const OptionReading& reading : server.applied_options()) {
    if (reading.name != "tcp_nodelay") continue;
    found = true;
    EXPECT_EQ(reading.requested, 1);
    EXPECT_NE(reading.applied, 0);
  }
  EXPECT_TRUE(found);
}

TEST(Server, BindFailureThrowsConfigErrorNamingTheAddress) {
  // A socket without SO_REUSEPORT holds the port, so the server's bind must fail.
  const testing::LoopbackSocket holder(1);
  ASSERT_TRUE(holder.ok());
  ServerConfig config = config_for(Protocol::echo);
  config.port = holder.port();
  config.share_port = true;  // past the held-port probe (ServePort.*), to the listeners' bind
  try {
    Server server(config);
    ADD_FAILURE() << "bound a port that is in use";
  } catch (const ConfigError& error) {
    EXPECT_NE(std::string(error.what()).find("cannot listen on 127.0.0.1:"), std::string::npos);
    EXPECT_NE(std::string(error.what()).find("address already in use"), std::string::npos);
  }
}

}  // namespace
}  // namespace th
