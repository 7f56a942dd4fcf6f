#include "proto/http_request_parser.hpp"

#include <algorithm>
#include <charconv>
#include <climits>
#include <cstring>
#include <string_view>

#include "proto/plain_http_head.hpp"

namespace th {
namespace {

constexpr std::string_view kSizedPrefix = "/bytes/";

// The N of "/bytes/N[?query]"; false when it is not a decimal number up to the cap.
bool parse_sized_path(std::string_view url, bool truncated, uint64_t cap, uint64_t* body_bytes) {
  std::string_view digits = url.substr(kSizedPrefix.size());
  const size_t query = digits.find('?');
  if (query == std::string_view::npos && truncated) return false;
  digits = digits.substr(0, query);
  if (digits.empty()) return false;
  const auto [end, error] =
      std::from_chars(digits.data(), digits.data() + digits.size(), *body_bytes);
  return error == std::errc() && end == digits.data() + digits.size() && *body_bytes <= cap;
}

// RFC 9110 §5.6.2: the characters of a token, which is what a method is.
bool is_token_char(unsigned char c) {
  if (c >= '0' && c <= '9') return true;
  if ((c | 0x20) >= 'a' && (c | 0x20) <= 'z') return true;
  return std::strchr("!#$%&'*+-.^_`|~", c) != nullptr && c != '\0';
}

// The methods every request of the load generator and of common peers (wrk, ab, h2load) uses;
// each gets the same response, bodies discarded.
bool is_served_method(unsigned method) {
  return method == HTTP_GET || method == HTTP_HEAD || method == HTTP_POST || method == HTTP_PUT;
}

}  // namespace

const http_parser_settings HttpRequestParser::kSettings = {
    .on_message_begin = on_message_begin,
    .on_url = on_url,
    .on_status = nullptr,
    .on_header_field = nullptr,
    .on_header_value = nullptr,
    .on_headers_complete = on_headers_complete,
    .on_body = on_body,
    .on_message_complete = on_message_complete,
    .on_chunk_header = nullptr,
    .on_chunk_complete = nullptr,
};

HttpRequestParser::HttpRequestParser(const HttpRequestLimits& limits, bool fast_path)
    : limits_(limits), fast_path_(fast_path) {
  reset();
}

void HttpRequestParser::reset() {
  http_parser_init(&parser_, HTTP_REQUEST);
  parser_.data = this;
  awaiting_head_ = true;
  message_begun_ = false;
  head_bytes_ = 0;
  body_bytes_ = 0;
  pending_ = rejection_ = HttpRejection::none;
  url_size_ = 0;
  url_truncated_ = false;
  keep_alive_ = true;
  upgrade_ = false;
}

HttpRequestParser::Status HttpRequestParser::parse(const char* data, size_t size,
                                                   size_t* consumed) {
  *consumed = 0;
  if (rejection_ != HttpRejection::none) return Status::rejected;
  while (*consumed < size) {
    const char* at = data + *consumed;
    size_t length = size - *consumed;
    if (take_plain_request(at, length, consumed)) return Status::request;
    if (awaiting_head_) {
      // Feeding at most the room left makes the limit exact without a copy of the head: the
      // parser either completes the headers within it or stops at the limit.
      const size_t room =
          limits_.max_header_bytes - std::min(head_bytes_, limits_.max_header_bytes);
      if (room == 0) return reject(HttpRejection::header_too_large);
      length = std::min(length, room);
    }
    const size_t parsed = http_parser_execute(&parser_, &kSettings, at, length);
    *consumed += parsed;
    const http_errno error = HTTP_PARSER_ERRNO(&parser_);
    if (error == HPE_PAUSED) {  // on_message_complete pauses after each request
      http_parser_pause(&parser_, 0);
      return Status::request;
    }
    // The call began awaiting a head (only a completed message starts a new one), so while one
    // is still awaited every byte it took was a head byte.
    if (awaiting_head_) head_bytes_ += static_cast<uint32_t>(parsed);
    if (error != HPE_OK) {
      if (pending_ != HttpRejection::none) return reject(pending_);
      if (error == HPE_HEADER_OVERFLOW) return reject(HttpRejection::header_too_large);
      if (error == HPE_INVALID_METHOD) return reject(classify(at, length));
      return reject(HttpRejection::bad_request);
    }
  }
  return Status::need_more;
}

// A whole plain head at the start of a request (plain_http_head.hpp), read without http-parser,
// which stays at the start of a message. Only while the connection stays open: what follows a
// close or an upgrade (the session answers none of it) is left to http-parser. A plain head
// never upgrades, so upgrade_ stays false.
bool HttpRequestParser::take_plain_request(const char* data, size_t size, size_t* consumed) {
  if (!fast_path_ || !awaiting_head_ || message_begun_ || head_bytes_ != 0 || !keep_alive_ ||
      upgrade_) {
    return false;
  }
  PlainRequestHead head;
  if (!scan_plain_request_head(data, size, limits_.max_header_bytes, &head)) return false;
  HttpAnswer answer = HttpAnswer::standard;
  uint64_t sized_body_bytes = 0;
  if (head.url.starts_with(kSizedPrefix)) {
    // Read as on_url keeps it, cut at kUrlCapacity; a bad N is refused by the http-parser path.
    const bool truncated = head.url.size() > kUrlCapacity;
    if (!parse_sized_path(head.url.substr(0, kUrlCapacity), truncated, limits_.max_bytes_path,
                          &sized_body_bytes)) {
      return false;
    }
    answer = HttpAnswer::sized;
  }
  answer_ = answer;
  sized_body_bytes_ = sized_body_bytes;
  head_only_ = head.head_method;
  keep_alive_ = head.keep_alive;
  *consumed += head.head_bytes;
  return true;
}

HttpRequestParser::Status HttpRequestParser::reject(HttpRejection rejection) {
  rejection_ = rejection;
  return Status::rejected;
}

// An unknown method is 501 when it is a well-formed token followed by a space (RFC 9110 §9.1),
// and 400 when the line is not a request line at all. The bytes of the method consumed by an
// earlier call were a prefix of a known method, so tokens too.
HttpRejection HttpRequestParser::classify(const char* at, size_t size) const {
  size_t index = 0;
  if (!message_begun_) {
    while (index < size && (at[index] == '\r' || at[index] == '\n')) ++index;
  }
  const size_t token_start = index;
  while (index < size && is_token_char(static_cast<unsigned char>(at[index]))) ++index;
  const bool has_token = index > token_start || message_begun_;
  const bool token_ends_well = index == size || at[index] == ' ';
  return has_token && token_ends_well ? HttpRejection::not_implemented : HttpRejection::bad_request;
}

int HttpRequestParser::on_message_begin(http_parser* parser) {
  auto* self = static_cast<HttpRequestParser*>(parser->data);
  self->message_begun_ = true;
  self->url_size_ = 0;
  self->url_truncated_ = false;
  self->body_bytes_ = 0;
  return 0;
}

// The URL may arrive in pieces when a read ends inside it; keep the start, which is all that
// /bytes/N needs.
int HttpRequestParser::on_url(http_parser* parser, const char* at, size_t length) {
  auto* self = static_cast<HttpRequestParser*>(parser->data);
  const size_t room = kUrlCapacity - self->url_size_;
  const size_t kept = std::min(room, length);
  std::memcpy(self->url_ + self->url_size_, at, kept);
  self->url_size_ += kept;
  if (kept < length) self->url_truncated_ = true;
  return 0;
}

// Refusing here, before the body, means a too-large body is never read.
int HttpRequestParser::on_headers_complete(http_parser* parser) {
  auto* self = static_cast<HttpRequestParser*>(parser->data);
  self->awaiting_head_ = false;
  if (!is_served_method(parser->method)) {
    self->pending_ = HttpRejection::method_not_allowed;
    return -1;
  }
  // ULLONG_MAX: no Content-Length (no body, or a chunked one that on_body counts).
  if (parser->content_length != ULLONG_MAX &&
      parser->content_length > self->limits_.max_body_bytes) {
    self->pending_ = HttpRejection::body_too_large;
    return -1;
  }
  return 0;
}

int HttpRequestParser::on_body(http_parser* parser, const char*, size_t length) {
  auto* self = static_cast<HttpRequestParser*>(parser->data);
  self->body_bytes_ += length;
  if (self->body_bytes_ <= self->limits_.max_body_bytes) return 0;
  self->pending_ = HttpRejection::body_too_large;
  return -1;
}

int HttpRequestParser::on_message_complete(http_parser* parser) {
  auto* self = static_cast<HttpRequestParser*>(parser->data);
  const std::string_view url(self->url_, self->url_size_);
  self->answer_ = HttpAnswer::standard;
  if (url.starts_with(kSizedPrefix)) {
    if (!parse_sized_path(url, self->url_truncated_, self->limits_.max_bytes_path,
                          &self->sized_body_bytes_)) {
      self->pending_ = HttpRejection::bad_request;
      return -1;
    }
    self->answer_ = HttpAnswer::sized;
  }
  self->head_only_ = parser->method == HTTP_HEAD;
  self->keep_alive_ = http_should_keep_alive(parser) != 0;
  self->upgrade_ = parser->upgrade != 0;
  self->awaiting_head_ = true;
  self->message_begun_ = false;
  self->head_bytes_ = 0;
  // One request per call: the caller learns where it ended, and the head limit counts from
  // the next request's first byte.
  http_parser_pause(parser, 1);
  return 0;
}

}  // namespace th
