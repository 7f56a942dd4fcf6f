#pragma once

#include <cstdint>

#include "proto/http_request_parser.hpp"
#include "proto/http_response.hpp"
#include "server/session.hpp"

namespace th {

// HTTP/1.1: parses requests with HttpRequestParser and answers each with the server's prebuilt
// response. Responses are identical, so pipelined requests only raise a count of responses owed;
// answering allocates nothing. A /bytes/N or HEAD request, or a refusal, is a response that
// differs: it waits at the tail of the owed ones, and parsing pauses until it is written.
//
// A refused request (400, 405, 408, 413, 431, 501) gets its status line, then the connection is
// shut down for writing and drained for up to kLingerMs before it closes (a lingering close), so
// that the client reads the error instead of a reset caused by the bytes it was still sending.
class HttpSession final : public Session {
 public:
  explicit HttpSession(ServerLoop& loop);

  void check_timeouts(uint64_t now_ms) override;

 private:
  // formatted: a header made for this request (HEAD, /bytes/N) and tail_body_bytes_ of the
  // body pattern (0 for HEAD).
  enum class Kind : uint8_t { none, standard, formatted, refusal };

  void reset() override;
  void on_data(const char* data, size_t size) override;
  void on_connected(int status) override;
  void on_write_done(int status) override;

  void pump();
  void parse();
  void queue_request();
  void refuse(HttpRejection rejection);
  void start_lingering();
  void close_as_configured();  // the server's own decision to end the connection (options.close)
  bool start_next_response();
  unsigned gather(uv_buf_t* buffers, uint64_t* bytes, uint64_t* responses);
  void credit(uint64_t bytes, uint64_t responses);

  HttpRequestParser parser_;
  // Bytes read but not parsed yet, in the transport's read buffer, which stays untouched because
  // reading is paused whenever input is left over.
  const char* input_ = nullptr;
  size_t input_size_ = 0;
  bool input_done_ = false;   // parse nothing more: a close or a refusal is owed
  bool close_last_ = false;   // close once the owed responses are written
  bool linger_last_ = false;  // ... after a lingering close (a refusal)
  bool lingering_ = false;
  uint64_t linger_since_ms_ = 0;
  // When the awaited request head started (its first byte, or the accept for the first one);
  // 0 when no head is awaited against the clock.
  uint64_t head_since_ms_ = 0;

  uint64_t owed_ = 0;            // standard responses owed, before the tail
  uint64_t requests_taken_ = 0;  // on this connection, for config.max_requests
  Kind tail_ = Kind::none;       // formatted or refusal, owed after them
  uint64_t tail_body_bytes_ = 0;
  HttpRejection tail_rejection_ = HttpRejection::none;
  char tail_header_[kHttpResponseHeaderCapacity];
  size_t tail_header_size_ = 0;

  Kind current_ = Kind::none;  // the response being gathered into writes
  bool header_written_ = false;
  bool body_follows_header_ = false;  // in memory: header and body go out as one buffer
  const char* header_ = nullptr;
  size_t header_size_ = 0;
  uint64_t body_left_ = 0;

  uint64_t queued_bytes_ = 0;
  // uv_hrtime() of the last read: an answer's own time runs from the read that completed its
  // request (pipelined requests read together share it) to its write.
  uint64_t read_ns_ = 0;
  uint64_t queued_responses_ = 0;
  uint64_t answers_begun_ = 0;  // by the write being gathered: their cwnd is read after it
};

}  // namespace th
