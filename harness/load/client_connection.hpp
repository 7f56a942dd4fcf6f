#pragma once

#include <cstdint>
#include <memory>

#include "net/transport.hpp"
#include "proto/http_response_parser.hpp"
#include "stats/error_kind.hpp"

namespace th {

class Worker;

// One closed-loop client: sends a request, waits for the whole response, sends the next. Its
// state and buffers are allocated once; per_request reconnects reuse the same transport object.
class ClientConnection final : public TransportEvents {
 public:
  enum class Phase {
    idle,
    connecting,
    sending,
    awaiting,        // request written, response not complete
    awaiting_write,  // response complete before libuv reported the write done
    streaming,
    closing,
    backoff,
    done
  };

  explicit ClientConnection(Worker& worker) : worker_(worker) {}
  ~ClientConnection();
  void attach(std::unique_ptr<Transport> transport) { transport_ = std::move(transport); }

  void start();  // begins the first request
  // The worker's periodic check: enforces the request timeout, ends backoff, and past the
  // deadline stops connections that have no request in flight.
  void tick(uint64_t now_ns);
  void finish();  // stop now: close if open, count what is in flight
  Phase phase() const { return phase_; }

  void on_connected(int status) override;
  void on_data(const char* data, size_t size) override;
  void on_read_end(int status) override;
  void on_write_done(int status) override;
  void on_closed() override;

 private:
  void start_request();
  void send_request();
  void write_parts();
  void request_sent(uint64_t now_ns);
  void send_chunk();
  void complete(uint64_t now_ns, bool keep_connection);
  void continue_after_response(bool keep_connection);
  void fail(int uv_status);
  void fail_with(ErrorKind kind);

  Worker& worker_;
  std::unique_ptr<Transport> transport_;
  HttpResponseParser http_;
  Phase phase_ = Phase::idle;
  bool measured_ = false;  // started after warm-up: counts in the report
  bool backoff_after_close_ = false;
  bool keep_connection_ = false;
  unsigned next_write_ = 0;  // which of the plan's writes goes out next
  uint64_t request_start_ns_ = 0;
  uint64_t connect_start_ns_ = 0;
  uint64_t sent_ns_ = 0;
  uint64_t first_byte_ns_ = 0;
  uint64_t retry_at_ns_ = 0;
  size_t echo_received_ = 0;
};

}  // namespace th
