#pragma once
// The parsers' fast paths (proto/plain_http_head.hpp) against plain http-parser: the same reads
// go to a parser with its fast path and to one without, and the first disagreement is reported.
// The fast path is an optimisation: any difference is its bug.
#include <cstddef>
#include <string>

#include "proto/http_request_parser.hpp"
#include "proto/http_response_parser.hpp"

namespace th::testing {

struct LockstepOutcome {
  bool agreed = true;
  std::string difference;  // what differed, for a test's message
  unsigned responses = 0;  // complete responses both parsers read
};

// The load generator's side, fed the way ClientConnection::take_http does: reads of first_read
// bytes, then next_read(previous) bytes, and so on; an EOF after the last.
inline LockstepOutcome parse_in_lockstep(const char* input, size_t size, size_t first_read,
                                         size_t (*next_read)(size_t)) {
  HttpResponseParser fast(true);
  HttpResponseParser reference(false);
  LockstepOutcome outcome;
  auto differs = [&](const char* what) {
    outcome.agreed = false;
    outcome.difference = what;
    return outcome;
  };
  size_t read_size = first_read;
  while (size > 0) {
    const size_t chunk = read_size < size ? read_size : size;
    size_t used = 0;
    while (used < chunk) {
      size_t fast_consumed = 0;
      size_t reference_consumed = 0;
      const auto fast_result = fast.feed(input + used, chunk - used, &fast_consumed);
      const auto reference_result = reference.feed(input + used, chunk - used, &reference_consumed);
      if (fast_result != reference_result) return differs("result");
      if (fast_result == HttpResponseParser::Result::error) {
        if (std::string(fast.error_name()) != reference.error_name()) return differs("error");
        return outcome;
      }
      if (fast_consumed != reference_consumed) return differs("bytes consumed");
      if (fast_consumed > chunk - used) return differs("more bytes consumed than given");
      if (fast.body_bytes() != reference.body_bytes()) return differs("body bytes");
      if (fast_result == HttpResponseParser::Result::need_more) break;
      if (fast.status_code() != reference.status_code()) return differs("status code");
      if (fast.keep_alive() != reference.keep_alive()) return differs("keep-alive");
      ++outcome.responses;
      if (fast_consumed == 0) return differs("a complete response that took no byte");
      used += fast_consumed;
    }
    input += chunk;
    size -= chunk;
    read_size = next_read(read_size);
  }
  const auto fast_end = fast.feed_eof();
  const auto reference_end = reference.feed_eof();
  if (fast_end != reference_end) return differs("result at EOF");
  if (fast_end == HttpResponseParser::Result::error &&
      std::string(fast.error_name()) != reference.error_name()) {
    return differs("error name at EOF");
  }
  return outcome;
}

// The server's side: one parse() call on both, then everything the session reads afterwards.
// Returns what differed, or null.
inline const char* request_parsers_differ(const HttpRequestParser& fast,
                                          const HttpRequestParser& reference,
                                          HttpRequestParser::Status fast_status,
                                          HttpRequestParser::Status reference_status,
                                          size_t fast_consumed, size_t reference_consumed) {
  using Status = HttpRequestParser::Status;
  if (fast_status != reference_status) return "status";
  if (fast_consumed != reference_consumed) return "bytes consumed";
  if (fast.awaiting_head() != reference.awaiting_head()) return "awaiting_head";
  if (fast.head_started() != reference.head_started()) return "head_started";
  if (fast_status == Status::rejected && fast.rejection() != reference.rejection()) {
    return "rejection";
  }
  if (fast_status != Status::request) return nullptr;
  if (fast.answer() != reference.answer()) return "answer";
  if (fast.answer() == HttpAnswer::sized && fast.sized_body_bytes() != reference.sized_body_bytes())
    return "sized body bytes";
  if (fast.head_only() != reference.head_only()) return "head_only";
  if (fast.keep_alive() != reference.keep_alive()) return "keep_alive";
  if (fast.upgrade() != reference.upgrade()) return "upgrade";
  return nullptr;
}

}  // namespace th::testing
