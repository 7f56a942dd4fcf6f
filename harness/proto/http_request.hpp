#pragma once

#include <cstdint>
#include <string>

namespace th {

// The bytes of one HTTP/1.1 request, built once per run and sent unchanged for every request.
// body_bytes == 0 gives a GET; otherwise a POST whose body is body_bytes of a fixed pattern.
struct HttpRequestBytes {
  std::string header;  // request line and headers, ending in the blank line
  std::string body;
};

HttpRequestBytes build_http_request(const std::string& host_header, const std::string& path,
                                    uint32_t body_bytes, bool keep_alive);

// The payload of echo and stream messages: a repeating printable pattern, so a mismatch in an
// echoed byte shows up and a capture is readable.
std::string build_payload(uint32_t bytes);

}  // namespace th
