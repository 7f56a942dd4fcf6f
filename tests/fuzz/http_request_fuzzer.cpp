// The embedded server's request parsing (HttpRequestParser, exactly what HttpSession runs) on
// arbitrary bytes, delivered in arbitrary read sizes, under small limits so that every refusal is
// reached. It checks what the session relies on: the parser never claims more bytes than it was
// given, a request always consumes at least one byte (else the session would loop), and a refusal
// is final. The parser's fast path and plain http-parser must agree on every call
// (parser_lockstep.hpp).
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>

#include "../parser_lockstep.hpp"
#include "proto/http_request_parser.hpp"
#include "proto/http_response.hpp"

namespace {

void check(bool condition) {
  if (!condition) std::abort();
}

// One parse() call on both parsers; aborts when they disagree.
th::HttpRequestParser::Status parse_both(th::HttpRequestParser& parser,
                                         th::HttpRequestParser& reference, const char* data,
                                         size_t size, size_t* consumed) {
  size_t reference_consumed = 0;
  const auto status = parser.parse(data, size, consumed);
  const auto reference_status = reference.parse(data, size, &reference_consumed);
  if (const char* difference = th::testing::request_parsers_differ(
          parser, reference, status, reference_status, *consumed, reference_consumed)) {
    std::fprintf(stderr, "fast path and http-parser disagree: %s\n", difference);
    std::abort();
  }
  return status;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 2) return 0;
  th::HttpRequestLimits limits;
  limits.max_header_bytes = 64 + data[0] % 512;
  limits.max_body_bytes = data[1] % 64;
  limits.max_bytes_path = 4096;
  th::HttpRequestParser parser(limits);
  th::HttpRequestParser reference(limits, false);
  const char* input = reinterpret_cast<const char*>(data + 2);
  size_t left = size - 2;
  // Read sizes come from the input itself, so the fuzzer explores where reads split a request.
  size_t read_size = 1 + (data[0] >> 4);
  while (left > 0) {
    const size_t chunk = read_size < left ? read_size : left;
    size_t used = 0;
    while (used < chunk) {
      size_t consumed = 0;
      const auto status = parse_both(parser, reference, input + used, chunk - used, &consumed);
      check(consumed <= chunk - used);
      used += consumed;
      if (status == th::HttpRequestParser::Status::rejected) {
        check(parser.rejection() != th::HttpRejection::none);
        check(!th::http_rejection_response(parser.rejection()).empty());
        size_t after = 0;
        check(parser.parse(input, chunk, &after) == th::HttpRequestParser::Status::rejected);
        return 0;
      }
      if (status == th::HttpRequestParser::Status::request) {
        check(consumed > 0);
        if (parser.answer() == th::HttpAnswer::sized) check(parser.sized_body_bytes() <= 4096);
      } else {
        check(used == chunk);
      }
    }
    input += chunk;
    left -= chunk;
    read_size = read_size * 3 % 1021 + 1;
  }
  return 0;
}
