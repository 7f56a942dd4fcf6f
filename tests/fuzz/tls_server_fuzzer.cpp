// The TLS server's read path (TlsTransport over a real TCP socket, as `serve --tls` and the
// embedded server run it) on arbitrary bytes from a client: whatever arrives where a ClientHello
// belongs, or after a handshake that never completed, must end in a counted end of the
// connection (on_read_end) and a clean close, never a crash, a hang or a leak (ASan checks).
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>
#include <uv.h>

#include <csignal>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <memory>

#include "net/tls_transport.hpp"

namespace {

// An invariant of the code under test: a failure is a finding.
void check(bool condition, const char* what) {
  if (condition) return;
  std::fprintf(stderr, "tls_server fuzzer: %s\n", what);
  std::abort();
}

class Events final : public th::TransportEvents {
 public:
  explicit Events(th::Transport** transport) : transport_(transport) {}
  void on_connected(int status) override {
    check(status == 0, "a failed handshake reported as a connect");
  }  // a handshake done
  void on_data(const char*, size_t size) override { check(size > 0, "empty data"); }
  void on_read_end(int) override {
    ended = true;
    (*transport_)->close();
  }
  void on_write_done(int) override {}
  void on_closed() override { closed = true; }

  bool ended = false;
  bool closed = false;

 private:
  th::Transport** transport_;
};

// One listening socket for the whole process: each input is one accepted connection.
struct Listener {
  Listener() {
    fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    check(bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) == 0, "bind");
    socklen_t length = sizeof address;
    check(getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length) == 0, "getsockname");
    check(listen(fd, 16) == 0, "listen");
  }
  int fd = -1;
  sockaddr_in address{};
};

}  // namespace

// Every tcpharness process ignores SIGPIPE (run, serve): a write to a peer that is gone must be
// an EPIPE the transport counts, as it is in the product. Without this a hostile input that
// makes the server write after its own end of stream killed the fuzzer silently (exit 141).
extern "C" int LLVMFuzzerInitialize(int*, char***) {
  signal(SIGPIPE, SIG_IGN);
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const Listener listener;
  // Tickets and early data on: the server reads every ClientHello through SSL_read_early_data,
  // the path with the most state of its own.
  static const std::shared_ptr<const th::TlsContext> context = [] {
    th::TlsOptions options;
    options.resumption = th::TlsResumption::tickets;
    options.early_data = true;
    return th::TlsContext::make_server(options);
  }();

  // The socket pair is the fuzzer's own plumbing, not the code under test: when the machine
  // refuses it (ports or descriptors run out over 100,000 inputs), the input is skipped.
  const int client = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (client < 0) return 0;
  const linger reset{1, 0};
  setsockopt(client, SOL_SOCKET, SO_LINGER, &reset, sizeof reset);
  if (connect(client, reinterpret_cast<const sockaddr*>(&listener.address),
              sizeof listener.address) != 0) {
    close(client);
    return 0;
  }
  const int accepted = accept4(listener.fd, nullptr, nullptr, SOCK_CLOEXEC);
  if (accepted < 0) {
    close(client);
    return 0;
  }
  // The client's bytes and its end of stream are in the server's socket before the loop runs;
  // what the server answers fits the client's receive buffer and is never read.
  for (size_t sent = 0; sent < size;) {
    const ssize_t wrote = write(client, data + sent, size - sent);
    if (wrote <= 0) break;
    sent += static_cast<size_t>(wrote);
  }
  shutdown(client, SHUT_WR);

  uv_loop_t loop;
  if (uv_loop_init(&loop) != 0) {
    close(accepted);
    close(client);
    return 0;
  }
  th::Transport* transport_pointer = nullptr;
  Events events(&transport_pointer);
  {
    th::TlsTransport transport(&loop, &events, nullptr, context, "");
    transport_pointer = &transport;
    check(transport.open_accepted(accepted) == 0, "open_accepted");
    check(transport.start_reading() == 0, "start_reading");
    // Every input ends: the end of stream at the latest ends the connection.
    while (!events.closed) uv_run(&loop, UV_RUN_ONCE);
    check(events.ended, "closed without on_read_end");
  }
  check(uv_loop_close(&loop) == 0, "a handle left open on the loop");
  // A reset, not a FIN (SO_LINGER 0 above): it also ends the server side's TIME_WAIT, which over
  // 100,000 inputs would use up the ports a connect to the listener can take.
  close(client);
  return 0;
}
