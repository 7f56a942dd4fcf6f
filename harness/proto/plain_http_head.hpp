#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace th {

// Fast scans of the HTTP heads a load test exchanges on nearly every request, so that
// http-parser's byte-at-a-time state machine runs only for the rest.
//
// The head a load test gets back on nearly every request: HTTP/1.1, a 2xx status, one
// Content-Length, no Transfer-Encoding, no Connection other than keep-alive or close (the
// answer to a connection-per-request client), all in one read.
// http-parser walks such a head a byte at a time through its state machine (about 450 ns for
// nginx's 155-byte head, 6 % of the client's CPU per request); this scan takes a fraction of that.
struct PlainResponseHead {
  size_t head_bytes = 0;  // through the blank line that ends the header
  uint64_t content_length = 0;
  int status_code = 0;
  bool keep_alive = true;  // false after "Connection: close"
};

// True only for a head that http-parser would read to the same status, body length and
// keep-alive: anything outside the plain subset (other versions or statuses, framing or
// connection headers, unusual bytes, a head split over reads or longer than 8 KiB) returns
// false, and the caller leaves the head to http-parser. tests/http_response_parser_test.cpp and
// the http_response fuzz target check both paths against each other.
bool scan_plain_response_head(const char* data, size_t size, PlainResponseHead* head);

// The embedded server's counterpart: GET or HEAD of an origin-form URL, HTTP/1.1, no body, no
// framing or connection headers other than keep-alive or close, the whole head within
// max_head_bytes.
// True only where http-parser would find the same request (tests/http_request_parser_test.cpp).
struct PlainRequestHead {
  size_t head_bytes = 0;
  std::string_view url;  // points into the scanned bytes
  bool head_method = false;
  bool keep_alive = true;  // false after "Connection: close"
};
bool scan_plain_request_head(const char* data, size_t size, size_t max_head_bytes,
                             PlainRequestHead* head);

}  // namespace th
