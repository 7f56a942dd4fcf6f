// The embedded http server against clients that break the rules: each limit answers with its
// status code, closes, and is counted by reason.
#include <gtest/gtest.h>

#include <chrono>
#include <string>
#include <thread>

#include "base/config_error.hpp"
#include "blocking_client.hpp"
#include "config_errors.hpp"
#include "run_helpers.hpp"
#include "scenario/loader.hpp"
#include "server/server.hpp"
#include "test_support.hpp"

namespace th {
namespace {

using testing::Client;

ServerConfig http_config() {
  ServerConfig config;
  config.protocol = Protocol::http;
  config.response_size = 100;
  return config;
}

const std::string kGet = "GET / HTTP/1.1\r\nHost: t\r\n\r\n";

bool starts_with(const std::string& text, const std::string& prefix) {
  return text.rfind(prefix, 0) == 0;
}

// For counters that the server updates on its own thread.
using testing::eventually;

TEST(ServerLimits, DefaultsAreTheScenarioDefaults) {
  const ServerLimits limits;
  const ServerOptions options;
  EXPECT_EQ(limits.max_header_bytes, 8192u);
  EXPECT_EQ(limits.max_header_bytes, options.max_header_bytes);
  EXPECT_EQ(limits.header_timeout_ms, options.header_timeout_ms);
  EXPECT_EQ(limits.idle_timeout_ms, options.idle_timeout_ms);
  EXPECT_EQ(limits.max_body_bytes, options.max_body_bytes);
  EXPECT_EQ(limits.max_bytes_path, options.max_bytes_path);
}

TEST(ServerLimits, OversizedHeadGets431AfterTheAnswersOwedThenClose) {
  Server server(http_config());
  Client client(server.address());
  // A good request, then a head of 20 KiB: the first is answered, the second refused.
  const std::string huge = "GET / HTTP/1.1\r\nX-Big: " + std::string(20000, 'a') + "\r\n\r\n";
  ASSERT_TRUE(client.send_all(kGet + huge));
  EXPECT_EQ(client.receive_response().body.size(), 100u);
  const Client::Response refused = client.receive_response();
  EXPECT_TRUE(starts_with(refused.header, "HTTP/1.1 431 Request Header Fields Too Large\r\n"))
      << refused.header;
  EXPECT_NE(refused.header.find("Connection: close\r\n"), std::string::npos);
  EXPECT_TRUE(client.sees_close());
  server.stop();
  EXPECT_EQ(server.stats().headers_too_large, 1u);
  EXPECT_EQ(server.stats().requests_served, 1u);
}

TEST(ServerLimits, ConfiguredHeaderLimitIsExact) {
  ServerConfig config = http_config();
  config.limits.max_header_bytes = 100;
  Server server(config);
  std::string head = "GET / HTTP/1.1\r\nX: ";
  head += std::string(100 - head.size() - 4, 'a') + "\r\n\r\n";
  {
    Client client(server.address());
    ASSERT_TRUE(client.send_all(head));
    EXPECT_TRUE(starts_with(client.receive_response().header, "HTTP/1.1 200 OK\r\n"));
  }
  Client client(server.address());
  ASSERT_TRUE(client.send_all(head.substr(0, 20) + "a" + head.substr(20)));
  EXPECT_TRUE(starts_with(client.receive_response().header, "HTTP/1.1 431 "));
}

TEST(ServerLimits, SlowHeadGets408AndTheConnectionCloses) {
  ServerConfig config = http_config();
  config.limits.header_timeout_ms = 200;
  Server server(config);
  Client silent(server.address());  // sends nothing at all
  Client slow(server.address());
  ASSERT_TRUE(slow.send_all("GET / HTTP/1.1\r\n"));
  // Trickling header lines does not reset the clock: it runs from the head's first byte.
  for (int line = 0; line < 3; ++line) {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    slow.send_all("X-Slow: 1\r\n");
  }
  const Client::Response response = slow.receive_response();
  EXPECT_TRUE(starts_with(response.header, "HTTP/1.1 408 Request Timeout\r\n")) << response.header;
  EXPECT_TRUE(slow.sees_close());
  EXPECT_TRUE(starts_with(silent.receive_response().header, "HTTP/1.1 408 "));
  server.stop();
  EXPECT_EQ(server.stats().header_timeouts, 2u);
}

TEST(ServerLimits, KeepAliveConnectionIsClosedAfterTheIdleTimeout) {
  ServerConfig config = http_config();
  config.limits.idle_timeout_ms = 200;
  Server server(config);
  Client client(server.address());
  ASSERT_TRUE(client.send_all(kGet));
  EXPECT_EQ(client.receive_response().body.size(), 100u);
  // No 408 for a connection between requests: it is closed without a word.
  EXPECT_EQ(client.receive_until_close(), "");
  EXPECT_TRUE(eventually([&] { return server.stats().idle_timeouts == 1; }));
  EXPECT_EQ(server.stats().header_timeouts, 0u);
}

TEST(ServerLimits, ActiveConnectionOutlivesTheIdleTimeout) {
  ServerConfig config = http_config();
  config.limits.idle_timeout_ms = 300;
  config.limits.header_timeout_ms = 300;
  Server server(config);
  Client client(server.address());
  for (int request = 0; request < 8; ++request) {
    ASSERT_TRUE(client.send_all(kGet));
    ASSERT_EQ(client.receive_response().body.size(), 100u) << "request " << request;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  server.stop();
  EXPECT_EQ(server.stats().idle_timeouts, 0u);
  EXPECT_EQ(server.stats().requests_served, 8u);
}

TEST(ServerLimits, BodyOverTheCapGets413WhichTheClientCanRead) {
  ServerConfig config = http_config();
  config.limits.max_body_bytes = 1000;
  Server server(config);
  Client small(server.address());
  ASSERT_TRUE(small.send_all("POST / HTTP/1.1\r\nContent-Length: 1000\r\n\r\n" +
                             std::string(1000, 'x') + kGet));
  EXPECT_EQ(small.receive_response().body.size(), 100u);
  EXPECT_EQ(small.receive_response().body.size(), 100u);
  // The client sends its whole 2 MB body regardless; the lingering close drains it, so the 413
  // arrives instead of a reset.
  Client large(server.address());
  // Appended, not "head" + body: GCC 12 warns falsely (-Warray-bounds) about the operator+.
  std::string request = "POST / HTTP/1.1\r\nContent-Length: 2000000\r\n\r\n";
  request.append(2000000, 'x');
  std::thread sender([&] { large.send_all(request); });
  const Client::Response response = large.receive_response();
  sender.join();
  EXPECT_TRUE(starts_with(response.header, "HTTP/1.1 413 Content Too Large\r\n"))
      << response.header;
  server.stop();
  EXPECT_EQ(server.stats().bodies_too_large, 1u);
}

TEST(ServerLimits, UnservedMethodGets405WithAllowAndUnknownOneGets501) {
  Server server(http_config());
  Client deleting(server.address());
  ASSERT_TRUE(deleting.send_all("DELETE / HTTP/1.1\r\n\r\n"));
  const Client::Response not_allowed = deleting.receive_response();
  EXPECT_TRUE(starts_with(not_allowed.header, "HTTP/1.1 405 Method Not Allowed\r\n"));
  EXPECT_NE(not_allowed.header.find("Allow: GET, HEAD, POST, PUT\r\n"), std::string::npos);
  Client inventing(server.address());
  ASSERT_TRUE(inventing.send_all("BREW /pot HTTP/1.1\r\n\r\n"));
  EXPECT_TRUE(starts_with(inventing.receive_response().header, "HTTP/1.1 501 Not Implemented\r\n"));
  EXPECT_TRUE(inventing.sees_close());
  server.stop();
  EXPECT_EQ(server.stats().methods_not_allowed, 1u);
  EXPECT_EQ(server.stats().methods_not_implemented, 1u);
}

TEST(ServerLimits, HeadGetsTheHeaderWithoutTheBody) {
  Server server(http_config());
  Client client(server.address());
  ASSERT_TRUE(client.send_all("HEAD / HTTP/1.1\r\n\r\nHEAD /bytes/5000 HTTP/1.1\r\n\r\n" + kGet));
  std::string header;
  while (header.find("\r\n\r\n") == std::string::npos) header += client.receive(1);
  EXPECT_NE(header.find("Content-Length: 100\r\n"), std::string::npos);
  header.clear();
  while (header.find("\r\n\r\n") == std::string::npos) header += client.receive(1);
  EXPECT_NE(header.find("Content-Length: 5000\r\n"), std::string::npos);
  // The next bytes are the GET's response, not a body of the HEADs.
  EXPECT_EQ(client.receive_response().body.size(), 100u);
}

TEST(ServerLimits, BytesPathCapIsConfigurable) {
  ServerConfig config = http_config();
  config.limits.max_bytes_path = 4096;
  Server server(config);
  Client client(server.address());
  ASSERT_TRUE(client.send_all("GET /bytes/4096 HTTP/1.1\r\n\r\nGET /bytes/4097 HTTP/1.1\r\n\r\n"));
  EXPECT_EQ(client.receive_response().body.size(), 4096u);
  EXPECT_TRUE(starts_with(client.receive_response().header, "HTTP/1.1 400 "));
}

TEST(ServerLimits, ScenarioKeysAreReadAndRangeChecked) {
  const Scenario scenario = scenario_from_json({{"server",
                                                 {{"max_header_bytes", 1024},
                                                  {"header_timeout_ms", 0},
                                                  {"idle_timeout_ms", 500},
                                                  {"max_body_bytes", 0},
                                                  {"max_bytes_path", 7}}}},
                                               "x.json");
  const ServerLimits limits = ServerLimits::of(scenario.server);
  EXPECT_EQ(limits.max_header_bytes, 1024u);
  EXPECT_EQ(limits.header_timeout_ms, 0u);
  EXPECT_EQ(limits.idle_timeout_ms, 500u);
  EXPECT_EQ(limits.max_body_bytes, 0u);
  EXPECT_EQ(limits.max_bytes_path, 7u);
  EXPECT_EQ(testing::error_of([] {
              scenario_from_json({{"server", {{"max_header_bytes", 10}}}}, "x.json");
            }),
            "x.json: /server/max_header_bytes: must be an integer from 64 to 65536, got 10");
}

TEST(ServerLimits, EmbeddedServerOfARunTakesTheScenarioLimits) {
  // /bytes/11 is over this run's cap: the embedded server answers 400, which the load
  // generator counts as a bad response.
  const RunResult result = testing::run_scenario({{"path", "/bytes/11"},
                                                  {"server", {{"max_bytes_path", 10}}},
                                                  {"connections", 1},
                                                  {"duration_s", 0.5}});
  EXPECT_EQ(result.recorder.requests_ok, 0u);
  EXPECT_GT(testing::errors_of(result, ErrorKind::bad_response), 0u);
}

}  // namespace
}  // namespace th
