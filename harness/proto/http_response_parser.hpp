#pragma once

#include <http_parser.h>

#include <cstddef>

namespace th {

// Incremental HTTP/1.1 response parsing over http-parser (the parser wrk uses): Content-Length,
// chunked and close-delimited bodies. One per connection, reset per connection; no allocation.
class HttpResponseParser {
 public:
  enum class Result { need_more, complete, error };

  HttpResponseParser() { reset(); }
  void reset();
  // Consumes bytes of at most one response. `consumed` says how many bytes belonged to it; any
  // rest is the start of a following (pipelined) response.
  Result feed(const char* data, size_t size, size_t* consumed);
  // The peer closed: completes a close-delimited body, else the response is incomplete.
  Result feed_eof();

  int status_code() const { return status_code_; }
  bool keep_alive() const { return keep_alive_; }
  size_t body_bytes() const { return body_bytes_; }
  const char* error_name() const;

 private:
  static int on_headers_complete(http_parser* parser);
  static int on_body(http_parser* parser, const char* data, size_t size);
  static int on_message_complete(http_parser* parser);

  http_parser parser_{};
  int status_code_ = 0;
  bool keep_alive_ = true;
  bool complete_ = false;
  size_t body_bytes_ = 0;
};

}  // namespace th
