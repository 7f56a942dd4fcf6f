#include "proto/http_response_parser.hpp"

#include <algorithm>

#include "proto/plain_http_head.hpp"

namespace th {
void HttpResponseParser::reset() {
  http_parser_init(&parser_, HTTP_RESPONSE);
  parser_.data = this;
  status_code_ = 0;
  keep_alive_ = true;
  complete_ = false;
  body_bytes_ = 0;
  parser_has_message_ = false;
  in_plain_body_ = false;
  eof_in_plain_body_ = false;
  plain_body_left_ = 0;
}

int HttpResponseParser::on_headers_complete(http_parser* parser) {
  auto* self = static_cast<HttpResponseParser*>(parser->data);
  self->status_code_ = static_cast<int>(parser->status_code);
  return 0;
}

int HttpResponseParser::on_body(http_parser* parser, const char*, size_t size) {
  static_cast<HttpResponseParser*>(parser->data)->body_bytes_ += size;
  return 0;
}

int HttpResponseParser::on_message_complete(http_parser* parser) {
  auto* self = static_cast<HttpResponseParser*>(parser->data);
  self->complete_ = true;
  self->keep_alive_ = http_should_keep_alive(parser) != 0;
  // Pausing stops http-parser at the end of this response, so the caller learns where the next
  // pipelined one begins.
  http_parser_pause(parser, 1);
  return 0;
}

HttpResponseParser::Result HttpResponseParser::feed(const char* data, size_t size,
                                                    size_t* consumed) {
  static const http_parser_settings settings = [] {
    http_parser_settings s{};
    s.on_headers_complete = on_headers_complete;
    s.on_body = on_body;
    s.on_message_complete = on_message_complete;
    return s;
  }();
  if (complete_) {  // the previous response on this connection is done: start the next
    complete_ = false;
    status_code_ = 0;
    body_bytes_ = 0;
  }
  if (in_plain_body_) return take_plain_body(size, 0, consumed);
  // Whatever follows a response that announced a close is left to http-parser (the client
  // closes then anyway; Debian's non-strict build would parse it as a new response).
  PlainResponseHead head;
  if (fast_path_ && !parser_has_message_ && keep_alive_ &&
      scan_plain_response_head(data, size, &head)) {
    status_code_ = head.status_code;
    keep_alive_ = head.keep_alive;
    in_plain_body_ = true;
    plain_body_left_ = head.content_length;
    return take_plain_body(size - head.head_bytes, head.head_bytes, consumed);
  }
  *consumed = http_parser_execute(&parser_, &settings, data, size);
  if (complete_) {
    http_parser_pause(&parser_, 0);
    parser_has_message_ = false;
    return Result::complete;
  }
  parser_has_message_ = true;
  return HTTP_PARSER_ERRNO(&parser_) == HPE_OK ? Result::need_more : Result::error;
}

// The body is counted, not read: the load generator checks only its length.
HttpResponseParser::Result HttpResponseParser::take_plain_body(size_t available, size_t head_bytes,
                                                               size_t* consumed) {
  const uint64_t taken = std::min<uint64_t>(available, plain_body_left_);
  plain_body_left_ -= taken;
  body_bytes_ += taken;
  *consumed = head_bytes + taken;
  if (plain_body_left_ > 0) return Result::need_more;
  in_plain_body_ = false;
  complete_ = true;
  return Result::complete;
}

HttpResponseParser::Result HttpResponseParser::feed_eof() {
  // A Content-Length body cut short by the close, as http-parser would report it.
  if (in_plain_body_) {
    eof_in_plain_body_ = true;
    return Result::error;
  }
  size_t consumed = 0;
  const Result result = feed(nullptr, 0, &consumed);
  return result == Result::need_more ? Result::error : result;
}

const char* HttpResponseParser::error_name() const {
  if (eof_in_plain_body_) return http_errno_name(HPE_INVALID_EOF_STATE);
  return http_errno_name(HTTP_PARSER_ERRNO(&parser_));
}

}  // namespace th
