// The load generator's response parsing (HttpResponseParser) on arbitrary bytes from a server,
// pipelined responses included, with the input split into arbitrary reads and an EOF at the end.
#include <cstddef>
#include <cstdint>
#include <cstdlib>

#include "proto/http_response_parser.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 1) return 0;
  th::HttpResponseParser parser;
  const char* input = reinterpret_cast<const char*>(data + 1);
  size_t left = size - 1;
  size_t read_size = 1 + data[0];
  while (left > 0) {
    const size_t chunk = read_size < left ? read_size : left;
    size_t used = 0;
    while (used < chunk) {
      size_t consumed = 0;
      const auto result = parser.feed(input + used, chunk - used, &consumed);
      if (consumed > chunk - used) std::abort();
      used += consumed;
      if (result == th::HttpResponseParser::Result::error) {
        (void)parser.error_name();
        return 0;
      }
      if (result == th::HttpResponseParser::Result::need_more) break;
      (void)parser.status_code();
      (void)parser.body_bytes();
      // A complete response that took no byte would make a client loop on the same input.
      if (consumed == 0) std::abort();
    }
    input += chunk;
    left -= chunk;
    read_size = read_size * 7 % 509 + 1;
  }
  (void)parser.feed_eof();
  return 0;
}
