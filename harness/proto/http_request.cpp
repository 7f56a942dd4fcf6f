#include "proto/http_request.hpp"

#include <fmt/format.h>

namespace th {

HttpRequestBytes build_http_request(const std::string& host_header, const std::string& path,
                                    uint32_t body_bytes, bool keep_alive) {
  HttpRequestBytes request;
  // HTTP/1.1 connections persist by default (RFC 9112 §9.3); "close" asks the server to end the
  // connection after its response, which is what a per_request client does anyway.
  const char* connection = keep_alive ? "keep-alive" : "close";
  if (body_bytes == 0) {
    request.header = fmt::format("GET {} HTTP/1.1\r\nHost: {}\r\nConnection: {}\r\n\r\n", path,
                                 host_header, connection);
  } else {
    request.header = fmt::format(
        "POST {} HTTP/1.1\r\nHost: {}\r\nConnection: {}\r\n"
        "Content-Type: application/octet-stream\r\nContent-Length: {}\r\n\r\n",
        path, host_header, connection, body_bytes);
    request.body = build_payload(body_bytes);
  }
  return request;
}

std::string build_payload(uint32_t bytes) {
  static constexpr char kPattern[] = "0123456789abcdefghijklmnopqrstuvwxyz";
  std::string payload(bytes, '\0');
  for (uint32_t index = 0; index < bytes; ++index) payload[index] = kPattern[index % 36];
  return payload;
}

}  // namespace th
