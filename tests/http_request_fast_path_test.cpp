// The embedded server's fast scan of a plain request head (plain_http_head.hpp) must find what
// http-parser finds, and leave everything outside the plain subset to it.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "parser_lockstep.hpp"
#include "proto/http_request_parser.hpp"
#include "proto/plain_http_head.hpp"

namespace th {
namespace {

using testing::request_parsers_differ;

// What wrk sends, and the load generator's own request.
const std::string kWrkGet = "GET / HTTP/1.1\r\nHost: 127.0.0.1:8080\r\n\r\n";
const std::string kSizedGet =
    "GET /bytes/1024?x=1 HTTP/1.1\r\nHost: 127.0.0.1:8080\r\nUser-Agent: tcpharness\r\n"
    "Connection: keep-alive\r\n\r\n";

TEST(PlainRequestHead, ReadsWrksGetAndASizedOne) {
  PlainRequestHead head;
  ASSERT_TRUE(scan_plain_request_head(kWrkGet.data(), kWrkGet.size(), 8192, &head));
  EXPECT_EQ(head.head_bytes, kWrkGet.size());
  EXPECT_EQ(head.url, "/");
  EXPECT_FALSE(head.head_method);
  ASSERT_TRUE(scan_plain_request_head(kSizedGet.data(), kSizedGet.size(), 8192, &head));
  EXPECT_EQ(head.url, "/bytes/1024?x=1");
  const std::string head_request = "HEAD /a HTTP/1.1\r\n\r\n";
  ASSERT_TRUE(scan_plain_request_head(head_request.data(), head_request.size(), 8192, &head));
  EXPECT_TRUE(head.head_method);
}

// What a client that opens a connection per request sends: the session closes after it.
const std::string kCloseGet = "GET /bytes/3 HTTP/1.1\r\nHost: a\r\nConnection: Close \r\n\r\n";

TEST(PlainRequestHead, ReadsAConnectionCloseHead) {
  PlainRequestHead head;
  ASSERT_TRUE(scan_plain_request_head(kCloseGet.data(), kCloseGet.size(), 8192, &head));
  EXPECT_FALSE(head.keep_alive);
  ASSERT_TRUE(scan_plain_request_head(kSizedGet.data(), kSizedGet.size(), 8192, &head));
  EXPECT_TRUE(head.keep_alive);
  HttpRequestParser parser(HttpRequestLimits{});
  size_t consumed = 0;
  ASSERT_EQ(parser.parse(kCloseGet.data(), kCloseGet.size(), &consumed),
            HttpRequestParser::Status::request);
  EXPECT_EQ(consumed, kCloseGet.size());
  EXPECT_FALSE(parser.keep_alive());
}

// Valid requests, refusals and garbage the scan leaves to http-parser.
const std::vector<std::string> kNotPlainRequests = {
    "POST / HTTP/1.1\r\nContent-Length: 3\r\n\r\nabc",
    "PUT / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n",
    "GET / HTTP/1.1\r\nContent-Length: 0\r\n\r\n",
    "GET / HTTP/1.1\r\nContent-Length: 99999999\r\n\r\n",
    "GET / HTTP/1.0\r\n\r\n",
    "GET / HTTP/1.1\r\nConnection: close\t\r\n\r\n",
    "GET / HTTP/1.1\r\nConnection: close, te\r\n\r\n",
    "GET / HTTP/1.1\r\nTransfer-Encodingx: y\r\n\r\n",
    "GET / HTTP/1.1\r\nUpgrade-Insecure-Requests: 1\r\n\r\n",
    "GET / HTTP/1.1\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n\r\nnot http",
    "GET http://example.test/ HTTP/1.1\r\n\r\n",
    "GET /a#frag HTTP/1.1\r\n\r\n",
    "GET /a b HTTP/1.1\r\n\r\n",
    "GET /\x80 HTTP/1.1\r\n\r\n",
    "DELETE / HTTP/1.1\r\n\r\n",
    "BREW / HTTP/1.1\r\n\r\n",
    "get / HTTP/1.1\r\n\r\n",
    "\r\nGET / HTTP/1.1\r\n\r\n",
    "GET / HTTP/1.1\nHost: a\n\n",
    "GET / HTTP/1.1\r\nHost : a\r\n\r\n",
    "GET / HTTP/1.1\r\nHost: a\r\n folded\r\n\r\n",
    "GET / HTTP/1.1\r\nX-Bin: \x01\r\n\r\n",
    "GET / HTTP/1.1\r\nHost: a\r\n",
};

// Plain heads whose /bytes/N the parser refuses, or cuts at its URL capacity: the parser leaves
// them to http-parser too, so that the refusal is the same.
const std::vector<std::string> kOddSizedPaths = {
    "GET /bytes/x HTTP/1.1\r\n\r\n",
    "GET /bytes/999999999999 HTTP/1.1\r\n\r\n",
    "GET /bytes/" + std::string(70, '0') + "1 HTTP/1.1\r\n\r\n",
    "GET /bytes/7?" + std::string(70, 'q') + " HTTP/1.1\r\n\r\n",
};

// Longer than the head limit: a plain head, but http-parser's refusal (431) must decide.
const std::string kLongHead = "GET / HTTP/1.1\r\nX-Long: " + std::string(200, 'a') + "\r\n\r\n";

TEST(PlainRequestHead, LeavesEverythingOutsideThePlainSubsetToHttpParser) {
  for (const std::string& request : kNotPlainRequests) {
    PlainRequestHead head;
    EXPECT_FALSE(scan_plain_request_head(request.data(), request.size(), 8192, &head)) << request;
  }
  PlainRequestHead head;
  EXPECT_FALSE(scan_plain_request_head(kLongHead.data(), kLongHead.size(), 100, &head));
  EXPECT_TRUE(scan_plain_request_head(kLongHead.data(), kLongHead.size(), kLongHead.size(), &head));
}

// Every input whole and split at every byte, with a plain request before and after it, under
// the default limits and under small ones (a head of 100 bytes, a body of 8).
TEST(HttpRequestParser, FastPathAgreesWithHttpParserOnEveryReadSplit) {
  std::vector<std::string> inputs = kNotPlainRequests;
  inputs.insert(inputs.end(), kOddSizedPaths.begin(), kOddSizedPaths.end());
  inputs.push_back(kLongHead);
  inputs.push_back(kWrkGet);
  inputs.push_back(kSizedGet + kWrkGet + kSizedGet);
  inputs.push_back("HEAD /bytes/5 HTTP/1.1\r\n\r\n");
  inputs.push_back(kCloseGet);
  inputs.push_back(kCloseGet + kWrkGet);
  const size_t single = inputs.size();
  for (size_t index = 0; index < single; ++index) {
    inputs.push_back(kWrkGet + inputs[index]);
    inputs.push_back(inputs[index] + kWrkGet);
  }
  HttpRequestLimits small;
  small.max_header_bytes = 100;
  small.max_body_bytes = 8;
  for (const HttpRequestLimits& limits : {HttpRequestLimits{}, small}) {
    for (const std::string& input : inputs) {
      for (size_t split = 1; split <= input.size(); ++split) {
        HttpRequestParser fast(limits);
        HttpRequestParser reference(limits, false);
        size_t offset = 0;
        bool rejected = false;
        while (offset < input.size() && !rejected) {
          const size_t size = std::min(split, input.size() - offset);
          size_t used = 0;
          while (used < size) {
            size_t fast_consumed = 0;
            size_t reference_consumed = 0;
            const char* at = input.data() + offset + used;
            const auto fast_status = fast.parse(at, size - used, &fast_consumed);
            const auto reference_status = reference.parse(at, size - used, &reference_consumed);
            const char* difference = request_parsers_differ(
                fast, reference, fast_status, reference_status, fast_consumed, reference_consumed);
            ASSERT_EQ(difference, nullptr) << difference << " with reads of " << split
                                           << " bytes at " << offset + used << " of: " << input;
            used += fast_consumed;
            if (fast_status == HttpRequestParser::Status::rejected) rejected = true;
            if (fast_status != HttpRequestParser::Status::request) break;
          }
          offset += size;
        }
      }
    }
  }
}

}  // namespace
}  // namespace th
