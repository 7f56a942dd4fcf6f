// The TLS server's read path (TlsTransport over a real TCP socket, as `serve --tls` and the
// embedded server run it) on arbitrary bytes from a client: whatever arrives where a ClientHello
// belongs, or after a handshake that never completed, must end in a counted end of the
// connection (on_read_end) and a clean close, never a crash, a hang or a leak (ASan checks).
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>
#include <uv.h>

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <memory>

#include "net/tls_transport.hpp"

namespace {

void check(bool condition) {
  if (!condition) std::abort();
}

class Events final : public th::TransportEvents {
 public:
  explicit Events(th::Transport** transport) : transport_(transport) {}
  void on_connected(int status) override { check(status == 0); }  // a handshake done
  void on_data(const char*, size_t size) override { check(size > 0); }
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
    check(bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) == 0);
    socklen_t length = sizeof address;
    check(getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length) == 0);
    check(listen(fd, 16) == 0);
  }
  int fd = -1;
  sockaddr_in address{};
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const Listener listener;
  static const std::shared_ptr<const th::TlsContext> context =
      th::TlsContext::make_server(th::TlsOptions{});

  const int client = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  check(connect(client, reinterpret_cast<const sockaddr*>(&listener.address),
                sizeof listener.address) == 0);
  const int accepted = accept4(listener.fd, nullptr, nullptr, SOCK_CLOEXEC);
  check(accepted >= 0);
  // The client's bytes and its end of stream are in the server's socket before the loop runs;
  // what the server answers fits the client's receive buffer and is never read.
  for (size_t sent = 0; sent < size;) {
    const ssize_t wrote = write(client, data + sent, size - sent);
    check(wrote > 0);
    sent += static_cast<size_t>(wrote);
  }
  shutdown(client, SHUT_WR);

  uv_loop_t loop;
  check(uv_loop_init(&loop) == 0);
  th::Transport* transport_pointer = nullptr;
  Events events(&transport_pointer);
  {
    th::TlsTransport transport(&loop, &events, nullptr, context, "");
    transport_pointer = &transport;
    check(transport.open_accepted(accepted) == 0);
    check(transport.start_reading() == 0);
    // Every input ends: the end of stream at the latest ends the connection.
    while (!events.closed) check(uv_run(&loop, UV_RUN_ONCE) >= 0 || events.closed);
    check(events.ended);
  }
  check(uv_loop_close(&loop) == 0);
  // A reset, not a FIN: it ends the server side's TIME_WAIT too, which after some 100,000 inputs
  // had used up the ports a connect to the listener can take.
  const linger reset{1, 0};
  setsockopt(client, SOL_SOCKET, SO_LINGER, &reset, sizeof reset);
  close(client);
  return 0;
}
