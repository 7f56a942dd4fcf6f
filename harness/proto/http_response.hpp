#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "proto/http_request_parser.hpp"

namespace th {

// The bytes of the embedded server's HTTP/1.1 response, built once per server and written
// unchanged for every request, so answering never formats text.
struct HttpResponseBytes {
  // "Connection: keep-alive" and the body in one buffer: the response a keep-alive connection
  // gets on nearly every request goes out in one write(2) instead of a two-buffer writev(2).
  std::string keep_alive;
  size_t keep_alive_header_bytes = 0;
  std::string header_close;  // "Connection: close": the last response on a connection

  std::string_view header() const {
    return std::string_view(keep_alive).substr(0, keep_alive_header_bytes);
  }
  std::string_view body() const {
    return std::string_view(keep_alive).substr(keep_alive_header_bytes);
  }
};

HttpResponseBytes build_http_response(uint64_t body_bytes);

// Every response body is a prefix of this pattern repeated. Its length is a multiple of the
// pattern's period, so a body of any size can be written from it in chunks of this length.
inline constexpr size_t kHttpBodyChunkBytes = 64 * 1024;
std::string_view http_body_chunk();

// The byte at `offset` of every response body, for checks on the receiving side.
char http_body_byte(uint64_t offset);

// The header build_http_response uses, written into `out` for a size known only per request
// (the server's /bytes/N). Returns its length, or 0 when `capacity` is too small.
inline constexpr size_t kHttpResponseHeaderCapacity = 160;
size_t format_http_response_header(uint64_t body_bytes, bool keep_alive, char* out,
                                   size_t capacity);

// The answer to a refused request, sent once before the connection closes: a status line,
// "Content-Length: 0" and "Connection: close" (405 adds the Allow header RFC 9110 §15.5.6 asks
// for). Empty for HttpRejection::none.
std::string_view http_rejection_response(HttpRejection rejection);

}  // namespace th
