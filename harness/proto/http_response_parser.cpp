#include "proto/http_response_parser.hpp"

namespace th {
void HttpResponseParser::reset() {
  http_parser_init(&parser_, HTTP_RESPONSE);
  parser_.data = this;
  status_code_ = 0;
  keep_alive_ = true;
  complete_ = false;
  body_bytes_ = 0;
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
  *consumed = http_parser_execute(&parser_, &settings, data, size);
  if (complete_) {
    http_parser_pause(&parser_, 0);
    return Result::complete;
  }
  return HTTP_PARSER_ERRNO(&parser_) == HPE_OK ? Result::need_more : Result::error;
}

HttpResponseParser::Result HttpResponseParser::feed_eof() {
  size_t consumed = 0;
  const Result result = feed(nullptr, 0, &consumed);
  return result == Result::need_more ? Result::error : result;
}

const char* HttpResponseParser::error_name() const {
  return http_errno_name(HTTP_PARSER_ERRNO(&parser_));
}

}  // namespace th
