#pragma once

#include <http_parser.h>

#include <cstddef>
#include <cstdint>

namespace th {

// What the embedded server accepts from one request (docs/reliability.md has the defaults).
struct HttpRequestLimits {
  uint32_t max_header_bytes = 8192;    // request line + headers, leading blank lines included
  uint64_t max_body_bytes = 64 << 20;  // Content-Length or the sum of the chunks
  uint64_t max_bytes_path = 1 << 30;   // largest N of /bytes/N
};

// Why a request is refused. Each is answered with its status code, then the connection closes.
enum class HttpRejection : uint8_t {
  none,
  bad_request,         // 400: does not parse, or /bytes/N beyond the cap
  method_not_allowed,  // 405: a method HTTP defines that this server does not serve
  request_timeout,     // 408: the head did not arrive in time (the session's clock decides)
  body_too_large,      // 413
  header_too_large,    // 431
  not_implemented,     // 501: a method token that HTTP-parser does not know
};

// What a parsed request asks for.
enum class HttpAnswer : uint8_t {
  standard,  // the server's prebuilt response
  sized,     // GET /bytes/N: a body of N bytes
};

// The embedded server's request parsing, kept apart from the session so that a fuzzer drives the
// same code with no socket: http-parser plus the server's limits. Bodies are parsed past and
// discarded; the URL is kept only as far as /bytes/N needs. No allocation.
class HttpRequestParser {
 public:
  enum class Status : uint8_t { need_more, request, rejected };

  // fast_path false leaves every byte to http-parser (plain_http_head.hpp), for comparing the two.
  explicit HttpRequestParser(const HttpRequestLimits& limits = {}, bool fast_path = true);
  void reset();  // a new connection

  // Parses until one request is complete (Status::request: `consumed` ends right after it, the
  // rest is the next one, pipelined), the input runs out (need_more: all of it consumed), or the
  // request is refused (rejected, for good: what follows is not parsed).
  Status parse(const char* data, size_t size, size_t* consumed);

  // After Status::request.
  HttpAnswer answer() const { return answer_; }
  uint64_t sized_body_bytes() const { return sized_body_bytes_; }
  bool head_only() const { return head_only_; }    // HEAD: the response header without its body
  bool keep_alive() const { return keep_alive_; }  // false: answer, then close
  bool upgrade() const { return upgrade_; }        // what follows is another protocol

  // After Status::rejected.
  HttpRejection rejection() const { return rejection_; }

  // A request head is awaited (none has started, or its headers are not complete yet).
  bool awaiting_head() const { return awaiting_head_; }
  // Bytes of the awaited head have arrived: the clock of the header timeout runs.
  bool head_started() const { return awaiting_head_ && head_bytes_ > 0; }

  static constexpr size_t kUrlCapacity = 64;  // "/bytes/1099511627776" and some query

 private:
  Status reject(HttpRejection rejection);
  bool take_plain_request(const char* data, size_t size, size_t* consumed);
  HttpRejection classify(const char* at, size_t size) const;

  static int on_message_begin(http_parser* parser);
  static int on_url(http_parser* parser, const char* at, size_t length);
  static int on_headers_complete(http_parser* parser);
  static int on_body(http_parser* parser, const char* at, size_t length);
  static int on_message_complete(http_parser* parser);
  static const http_parser_settings kSettings;

  HttpRequestLimits limits_;
  bool fast_path_;
  http_parser parser_{};
  bool awaiting_head_ = true;
  bool message_begun_ = false;
  uint32_t head_bytes_ = 0;
  uint64_t body_bytes_ = 0;
  HttpRejection pending_ = HttpRejection::none;  // decided in a callback that then fails parsing
  HttpRejection rejection_ = HttpRejection::none;

  char url_[kUrlCapacity];
  size_t url_size_ = 0;
  bool url_truncated_ = false;

  HttpAnswer answer_ = HttpAnswer::standard;
  uint64_t sized_body_bytes_ = 0;
  bool head_only_ = false;
  bool keep_alive_ = true;
  bool upgrade_ = false;
};

}  // namespace th
