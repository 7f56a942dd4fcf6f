#pragma once

#include <http_parser.h>

#include <cstdint>

#include "proto/http_response.hpp"
#include "server/session.hpp"

namespace th {

// HTTP/1.1: parses requests with http-parser and answers each with the server's prebuilt
// response. Responses are identical, so pipelined requests only raise a count of responses owed;
// answering allocates nothing. A /bytes/N request (or a 400) is the one response that differs: it
// waits at the tail of the owed ones, and parsing pauses until it is written.
class HttpSession final : public Session {
 public:
  explicit HttpSession(ServerLoop& loop) : Session(loop) {}

  static constexpr size_t kUrlCapacity = 64;  // "/bytes/1073741824" and some query
  static constexpr uint64_t kMaxSizedBodyBytes = uint64_t{1} << 30;

 private:
  enum class Kind : uint8_t { none, standard, sized, bad_request };

  void reset() override;
  void on_data(const char* data, size_t size) override;
  void on_write_done(int status) override;

  void pump();
  void parse();
  void reject();
  bool start_next_response();
  unsigned gather(uv_buf_t* buffers, uint64_t* bytes, uint64_t* responses);
  void credit(uint64_t bytes, uint64_t responses);
  int queue_response();

  static int on_message_begin(http_parser* parser);
  static int on_url(http_parser* parser, const char* at, size_t length);
  static int on_message_complete(http_parser* parser);
  static const http_parser_settings kSettings;

  http_parser parser_{};
  // Bytes read but not parsed yet, in the transport's read buffer, which stays untouched because
  // reading is paused whenever input is left over.
  const char* input_ = nullptr;
  size_t input_size_ = 0;
  bool input_done_ = false;  // parse nothing more: a close or a 400 is owed
  bool close_last_ = false;  // close once the owed responses are written

  char url_[kUrlCapacity];
  size_t url_size_ = 0;
  bool url_truncated_ = false;

  uint64_t owed_ = 0;       // standard responses owed, before the tail
  Kind tail_ = Kind::none;  // sized or bad_request, owed after them
  uint64_t tail_body_bytes_ = 0;
  char sized_header_[kHttpResponseHeaderCapacity];
  size_t sized_header_size_ = 0;

  Kind current_ = Kind::none;  // the response being gathered into writes
  bool header_written_ = false;
  const char* header_ = nullptr;
  size_t header_size_ = 0;
  uint64_t body_left_ = 0;

  uint64_t queued_bytes_ = 0;
  uint64_t queued_responses_ = 0;
};

}  // namespace th
