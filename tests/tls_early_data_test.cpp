// TLS 1.3 early data at the transport: a request sent in 0-RTT is answered whether the server
// takes it or not. Rejection needs a ticket the server cannot read, which no single server
// gives: here one server issues the ticket and another, with its own ticket keys, gets it.
#include <gtest/gtest.h>
#include <uv.h>

#include <csignal>
#include <memory>
#include <string>

#include "net/tls_context.hpp"
#include "net/tls_transport.hpp"
#include "server/server.hpp"

namespace th {
namespace {

constexpr char kRequest[] = "GET / HTTP/1.1\r\nHost: x\r\n\r\n";
constexpr uint32_t kBodyBytes = 64;

TlsOptions early_data_options() {
  TlsOptions options;
  options.resumption = TlsResumption::tickets;
  options.early_data = true;
  return options;
}

Server make_server() {
  ServerConfig config;
  config.protocol = Protocol::http;
  config.response_size = kBodyBytes;
  config.make_transport = tls_transport_factory(TlsContext::make_server(early_data_options()), "");
  return Server(config);
}

// One request per connection through one client transport, reused as a per_request connection
// slot is, so the session of each connection is there for the next.
class OneRequestClient final : public TransportEvents {
 public:
  explicit OneRequestClient(uv_loop_t* loop)
      : transport_(loop, this, nullptr, TlsContext::make_client(early_data_options()), "") {}

  // Connects, sends kRequest (as early data when the session allows), and reads one answer.
  // Returns the early data outcome of the handshake; answered() says whether the answer came.
  TlsEarlyData request(uv_loop_t* loop, const SocketAddress& server) {
    answer_.clear();
    answered_ = closed_ = false;
    facts_ = {};
    connected_before_handshake_ = false;
    if (transport_.connect(server.get(), nullptr, SocketOptions{}) != 0) return facts_.early_data;
    transport_.start_reading();
    uv_timer_t deadline;
    uv_timer_init(loop, &deadline);
    deadline.data = this;
    uv_timer_start(
        &deadline,
        [](uv_timer_t* timer) { static_cast<OneRequestClient*>(timer->data)->transport_.close(); },
        5000, 0);
    while (!closed_ && uv_run(loop, UV_RUN_ONCE) != 0) {
    }
    uv_close(reinterpret_cast<uv_handle_t*>(&deadline), nullptr);
    uv_run(loop, UV_RUN_NOWAIT);
    return facts_.early_data;
  }

  bool answered() const { return answered_; }
  bool resumed() const { return facts_.resumed; }
  // The transport said connected at TCP connected, before the handshake: it sent 0-RTT.
  bool connected_before_handshake() const { return connected_before_handshake_; }

 private:
  void on_connected(int status) override {
    if (status != 0) return transport_.close();
    if (transport_.tls_facts() == nullptr)
      connected_before_handshake_ = true;
    else
      facts_ = *transport_.tls_facts();
    uv_buf_t buffer = uv_buf_init(const_cast<char*>(kRequest), sizeof kRequest - 1);
    int error = 0;
    if (transport_.write(&buffer, 1, &error) == WriteOutcome::failed) transport_.close();
  }
  void on_handshake_done() override { facts_ = *transport_.tls_facts(); }
  void on_data(const char* data, size_t size) override {
    answer_.append(data, size);
    const size_t head_end = answer_.find("\r\n\r\n");
    if (head_end == std::string::npos || answer_.size() < head_end + 4 + kBodyBytes) return;
    answered_ = answer_.compare(0, 12, "HTTP/1.1 200") == 0;
    transport_.close();
  }
  void on_read_end(int) override { transport_.close(); }
  void on_write_done(int status) override {
    if (status != 0) transport_.close();
  }
  void on_closed() override { closed_ = true; }

  TlsTransport transport_;
  std::string answer_;
  TlsFacts facts_;
  bool answered_ = false;
  bool closed_ = false;
  bool connected_before_handshake_ = false;
};

class EarlyDataOverTls : public ::testing::Test {
 protected:
  void SetUp() override {
    // The server's ticket, sent after the client's Finished, can meet a client that has closed
    // on its answer: an error code, as in tcpharness itself, not a dead test process.
    signal(SIGPIPE, SIG_IGN);
    ASSERT_EQ(uv_loop_init(&loop_), 0);
  }
  void TearDown() override {
    client_.reset();
    uv_run(&loop_, UV_RUN_DEFAULT);
    uv_loop_close(&loop_);
  }
  uv_loop_t loop_;
  std::unique_ptr<OneRequestClient> client_;
};

TEST_F(EarlyDataOverTls, ARequestTheServerTakesEarlyIsAnsweredAndCountedOnBothSides) {
  Server server = make_server();
  client_ = std::make_unique<OneRequestClient>(&loop_);
  EXPECT_EQ(client_->request(&loop_, server.address()), TlsEarlyData::not_sent);
  EXPECT_TRUE(client_->answered());
  EXPECT_FALSE(client_->connected_before_handshake());  // no session yet: a full handshake
  for (int again = 0; again < 3; ++again) {  // the same ticket, as a per_request client does
    EXPECT_EQ(client_->request(&loop_, server.address()), TlsEarlyData::accepted);
    EXPECT_TRUE(client_->answered());
    EXPECT_TRUE(client_->resumed());
    EXPECT_TRUE(client_->connected_before_handshake());
  }
  server.stop();
  EXPECT_EQ(server.stats().tls_early_data_accepted, 3u);
  EXPECT_EQ(server.stats().tls_resumed, 3u);
  EXPECT_EQ(server.stats().requests_served, 4u);
}

// A server that cannot read the ticket does a full handshake and skips the early data; the
// client sends the request again after the handshake and gets its answer.
TEST_F(EarlyDataOverTls, ARejectedRequestIsSentAgainAfterTheHandshake) {
  Server issuer = make_server();
  Server stranger = make_server();
  client_ = std::make_unique<OneRequestClient>(&loop_);
  ASSERT_EQ(client_->request(&loop_, issuer.address()), TlsEarlyData::not_sent);
  EXPECT_EQ(client_->request(&loop_, stranger.address()), TlsEarlyData::rejected);
  EXPECT_TRUE(client_->answered());
  EXPECT_FALSE(client_->resumed());
  // The full handshake gave a ticket the stranger can read.
  EXPECT_EQ(client_->request(&loop_, stranger.address()), TlsEarlyData::accepted);
  EXPECT_TRUE(client_->answered());
  stranger.stop();
  EXPECT_EQ(stranger.stats().tls_early_data_rejected, 1u);
  EXPECT_EQ(stranger.stats().tls_early_data_accepted, 1u);
  EXPECT_EQ(stranger.stats().requests_served, 2u);
}

}  // namespace
}  // namespace th
