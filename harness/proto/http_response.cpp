#include "proto/http_response.hpp"

#include <algorithm>
#include <array>
#include <charconv>
#include <cstring>

namespace th {
namespace {

// 64 printable characters: a period that divides kHttpBodyChunkBytes, so chunk boundaries never
// break the pattern, and a capture of a body stays readable.
constexpr std::string_view kBodyPattern =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
static_assert(kHttpBodyChunkBytes % kBodyPattern.size() == 0);

// No Date header: it would have to be formatted per response, and clients do not need it.
// "Connection: keep-alive" is redundant in HTTP/1.1 (RFC 9112 §9.3) but HTTP/1.0 clients such as
// ab only keep a connection open when the response says so.
constexpr std::string_view kHeaderStart =
    "HTTP/1.1 200 OK\r\nServer: tcpharness\r\nContent-Type: application/octet-stream\r\n"
    "Content-Length: ";
constexpr std::string_view kKeepAliveEnd = "\r\nConnection: keep-alive\r\n\r\n";
constexpr std::string_view kCloseEnd = "\r\nConnection: close\r\n\r\n";

size_t append(char* out, size_t at, std::string_view text) {
  std::memcpy(out + at, text.data(), text.size());
  return at + text.size();
}

}  // namespace

HttpResponseBytes build_http_response(uint64_t body_bytes) {
  HttpResponseBytes response;
  char header[kHttpResponseHeaderCapacity];
  response.keep_alive_header_bytes =
      format_http_response_header(body_bytes, true, header, sizeof header);
  response.keep_alive.assign(header, response.keep_alive_header_bytes);
  // In pattern-sized chunks: a body may be up to 1 GiB.
  const std::string_view chunk = http_body_chunk();
  response.keep_alive.reserve(response.keep_alive_header_bytes + body_bytes);
  for (uint64_t offset = 0; offset < body_bytes; offset += chunk.size()) {
    response.keep_alive.append(
        chunk.substr(0, std::min<uint64_t>(chunk.size(), body_bytes - offset)));
  }
  response.header_close.assign(
      header, format_http_response_header(body_bytes, false, header, sizeof header));
  return response;
}

std::string_view http_body_chunk() {
  static const std::array<char, kHttpBodyChunkBytes> chunk = [] {
    std::array<char, kHttpBodyChunkBytes> bytes{};
    for (size_t offset = 0; offset < bytes.size(); ++offset) bytes[offset] = http_body_byte(offset);
    return bytes;
  }();
  return {chunk.data(), chunk.size()};
}

char http_body_byte(uint64_t offset) { return kBodyPattern[offset % kBodyPattern.size()]; }

size_t format_http_response_header(uint64_t body_bytes, bool keep_alive, char* out,
                                   size_t capacity) {
  const std::string_view end = keep_alive ? kKeepAliveEnd : kCloseEnd;
  char digits[20];
  const auto [digits_end, error] = std::to_chars(digits, digits + sizeof digits, body_bytes);
  const std::string_view length(digits, static_cast<size_t>(digits_end - digits));
  if (error != std::errc() || kHeaderStart.size() + length.size() + end.size() > capacity) return 0;
  size_t at = append(out, 0, kHeaderStart);
  at = append(out, at, length);
  return append(out, at, end);
}

std::string_view http_rejection_response(HttpRejection rejection) {
#define TH_REFUSAL(status_line, extra) \
  "HTTP/1.1 " status_line "\r\n" extra "Content-Length: 0\r\nConnection: close\r\n\r\n"
  switch (rejection) {
    case HttpRejection::none:
      return {};
    case HttpRejection::bad_request:
      return TH_REFUSAL("400 Bad Request", "");
    case HttpRejection::method_not_allowed:
      return TH_REFUSAL("405 Method Not Allowed", "Allow: GET, HEAD, POST, PUT\r\n");
    case HttpRejection::request_timeout:
      return TH_REFUSAL("408 Request Timeout", "");
    case HttpRejection::body_too_large:
      return TH_REFUSAL("413 Content Too Large", "");
    case HttpRejection::header_too_large:
      return TH_REFUSAL("431 Request Header Fields Too Large", "");
    case HttpRejection::not_implemented:
      return TH_REFUSAL("501 Not Implemented", "");
  }
#undef TH_REFUSAL
  return {};
}

}  // namespace th
