#pragma once

#include <http_parser.h>

#include <cstddef>

namespace th {

// Incremental HTTP/1.1 response parsing over http-parser (the parser wrk uses): Content-Length,
// chunked and close-delimited bodies. One per connection, reset per connection; no allocation.
// A plain head that arrives whole (plain_http_head.hpp) is read by a fast scan instead, with
// the same results; `fast_path` false leaves every byte to http-parser, for comparing the two.
class HttpResponseParser {
 public:
  enum class Result { need_more, complete, error };

  explicit HttpResponseParser(bool fast_path = true) : fast_path_(fast_path) { reset(); }
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
  Result take_plain_body(size_t available, size_t head_bytes, size_t* consumed);

  http_parser parser_{};
  bool fast_path_;
  bool parser_has_message_ = false;  // http-parser holds part of the current response
  bool in_plain_body_ = false;       // the fast scan read this head; its body is being counted
  bool eof_in_plain_body_ = false;
  uint64_t plain_body_left_ = 0;
  int status_code_ = 0;
  bool keep_alive_ = true;
  bool complete_ = false;
  size_t body_bytes_ = 0;
};

}  // namespace th
