// The load generator's response parser: the fast scan of a plain head (plain_http_head.hpp)
// must read what http-parser reads, and leave to it everything outside the plain subset.
#include "proto/http_response_parser.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "parser_lockstep.hpp"
#include "proto/plain_http_head.hpp"

namespace th {
namespace {

using testing::parse_in_lockstep;

const std::string kNginxHead =
    "HTTP/1.1 200 OK\r\nServer: nginx/1.22.1\r\nDate: Wed, 25 Nov 2026 12:00:00 GMT\r\n"
    "Content-Type: text/plain\r\nContent-Length: 64\r\nConnection: keep-alive\r\n\r\n";
const std::string kNginxResponse = kNginxHead + std::string(64, 'x');
const std::string kNginxCloseResponse =
    "HTTP/1.1 200 OK\r\nServer: nginx/1.22.1\r\nDate: Wed, 25 Nov 2026 12:00:00 GMT\r\n"
    "Content-Type: text/plain\r\nContent-Length: 64\r\nConnection: close\r\n\r\n" +
    std::string(64, 'x');

TEST(PlainResponseHead, ReadsNginxsKeepAliveHead) {
  PlainResponseHead head;
  ASSERT_TRUE(scan_plain_response_head(kNginxResponse.data(), kNginxResponse.size(), &head));
  EXPECT_EQ(head.head_bytes, kNginxHead.size());
  EXPECT_EQ(head.content_length, 64u);
  EXPECT_EQ(head.status_code, 200);
}

TEST(PlainResponseHead, ReadsTheEmbeddedServersHead) {
  const std::string response =
      "HTTP/1.1 201 Created\r\ncontent-length:\t 0010  \r\nX-Empty:\r\n\r\n0123456789";
  PlainResponseHead head;
  ASSERT_TRUE(scan_plain_response_head(response.data(), response.size(), &head));
  EXPECT_EQ(head.content_length, 10u);
  EXPECT_EQ(head.status_code, 201);
}

// What a server sends a client that asked for a connection per request.
TEST(PlainResponseHead, ReadsAConnectionCloseHeadAsTheLastOnTheConnection) {
  for (const std::string connection : {"close", "Close", " \tCLOSE  "}) {
    const std::string response =
        "HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection:" + connection +
        "\r\nConnection: keep-alive\r\n\r\nab";
    PlainResponseHead head;
    ASSERT_TRUE(scan_plain_response_head(response.data(), response.size(), &head)) << connection;
    EXPECT_FALSE(head.keep_alive) << connection;
    EXPECT_EQ(head.content_length, 2u);
  }
  PlainResponseHead head;
  ASSERT_TRUE(scan_plain_response_head(kNginxResponse.data(), kNginxResponse.size(), &head));
  EXPECT_TRUE(head.keep_alive);
}

// Each one is valid HTTP (or an error http-parser must name) that the scan leaves alone.
const std::vector<std::string> kNotPlainResponses = {
    "HTTP/1.0 200 OK\r\nContent-Length: 2\r\n\r\nab",
    "HTTP/1.1 204 No Content\r\nContent-Length: 2\r\n\r\n",
    "HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nab",
    "HTTP/1.1 304 Not Modified\r\nContent-Length: 2\r\n\r\n",
    "HTTP/1.1 404 Not Found\r\nContent-Length: 2\r\n\r\nab",
    "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nab\r\n0\r\n\r\n",
    "HTTP/1.1 200 OK\r\nContent-Length: 2\r\nContent-Length: 2\r\n\r\nab",
    "HTTP/1.1 200 OK\r\nContent-Length: 2\r\nContent-Length: 3\r\n\r\nabc",
    "HTTP/1.1 200 OK\r\nContent-Length: 2 3\r\n\r\nab",
    "HTTP/1.1 200 OK\r\nContent-Length: +2\r\n\r\nab",
    "HTTP/1.1 200 OK\r\nContent-Length: 99999999999999999999999\r\n\r\nab",
    "HTTP/1.1 200 OK\r\nContent-Length:\r\n\r\nab",
    "HTTP/1.1 200 OK\r\nContent-Length: 2\t\r\n\r\nab",  // found by the fuzzer
    "HTTP/1.1 200 OK\r\nContent-Length: 2 \t\r\n\r\nab",
    "HTTP/1.1 200 OK\r\nConnection: close\t\r\nContent-Length: 2\r\n\r\nab",
    "HTTP/1.1 200 OK\r\nConnection: close, x\r\nContent-Length: 2\r\n\r\nab",
    "HTTP/1.1 200 OK\r\nConnection: closed\r\nContent-Length: 2\r\n\r\nab",
    "HTTP/1.1 200 OK\r\nConnection: clos\r\nContent-Length: 2\r\n\r\nab",
    "HTTP/1.1 200 OK\r\nConnection: keep-alive, Upgrade\r\nContent-Length: 2\r\n\r\nab",
    "HTTP/1.1 200 OK\r\nProxy-Connection: close\r\nContent-Length: 2\r\n\r\nab",
    "HTTP/1.1 200 OK\r\nUpgrade: h2c\r\nContent-Length: 2\r\n\r\nab",
    "HTTP/1.1 200 OK\r\nTransfer-Encodingx: y\r\nContent-Length: 2\r\n\r\nab",  // fuzzer
    "HTTP/1.1 200 OK\r\nContent-Lengths: 3\r\nContent-Length: 2\r\n\r\nab",
    "HTTP/1.1 200 OK\r\nConnectionx: close\r\nContent-Length: 2\r\n\r\nab",
    "HTTP/1.1 200 OK\r\n\r\nclose-delimited body",
    "HTTP/1.1 200 OK\nContent-Length: 2\n\nab",
    "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n folded\r\n\r\nab",
    "HTTP/1.1 200 OK\r\nContent-Length : 2\r\n\r\nab",
    "HTTP/1.1 200 OK\r\nX(bad): 1\r\nContent-Length: 2\r\n\r\nab",
    "HTTP/1.1 200 OK\r\nX-Bin: \x01\x7f\xff\r\nContent-Length: 2\r\n\r\nab",
    "HTTP/1.1 200\r\nContent-Length: 2\r\n\r\nab",
    "HTTP/1.1 2000 OK\r\nContent-Length: 2\r\n\r\nab",
    "\r\nHTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nab",
    "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n",
    "HTTP/1.1 200 OK\r\nX-Long: " + std::string(9000, 'a') + "\r\nContent-Length: 2\r\n\r\nab",
};

TEST(PlainResponseHead, LeavesEverythingOutsideThePlainSubsetToHttpParser) {
  for (const std::string& response : kNotPlainResponses) {
    PlainResponseHead head;
    EXPECT_FALSE(scan_plain_response_head(response.data(), response.size(), &head)) << response;
  }
}

// Values are skipped 8 bytes at a time: a byte outside the plain set must be seen wherever it
// falls in a word. A tab is plain; the rest are left to http-parser, which agrees (next test).
TEST(PlainResponseHead, SeesAnUnplainValueByteAtEveryPositionOfAWord) {
  for (const char odd : {'\x01', '\t', '\x1f', '\x7f', '\x80', '\xff', '\n', '\r'}) {
    for (size_t position = 0; position < 24; ++position) {
      std::string value(24, 'v');
      value[position] = odd;
      const std::string response =
          "HTTP/1.1 200 OK\r\nX-Value: " + value + "\r\nContent-Length: 2\r\n\r\nab";
      PlainResponseHead head;
      EXPECT_EQ(scan_plain_response_head(response.data(), response.size(), &head), odd == '\t')
          << "byte " << static_cast<int>(static_cast<unsigned char>(odd)) << " at " << position;
      const auto outcome = testing::parse_in_lockstep(
          response.data(), response.size(), response.size(), [](size_t size) { return size; });
      EXPECT_TRUE(outcome.agreed) << outcome.difference << " at " << position;
    }
  }
}

size_t same_size(size_t previous) { return previous; }

// Every response whole, split at every byte into two reads, and after a plain one on the same
// connection (where the fast path has just run and http-parser has not).
TEST(HttpResponseParser, FastPathAgreesWithHttpParserOnEveryReadSplit) {
  std::vector<std::string> inputs = kNotPlainResponses;
  inputs.push_back(kNginxResponse);
  inputs.push_back(kNginxResponse + kNginxResponse + kNginxResponse);
  inputs.push_back(kNginxHead + "short");  // a body the close cuts short
  inputs.push_back(kNginxResponse + "garbage");
  inputs.push_back(kNginxHead.substr(0, 40));
  inputs.push_back(kNginxCloseResponse);
  inputs.push_back(kNginxCloseResponse + kNginxCloseResponse);
  inputs.push_back(kNginxCloseResponse.substr(0, kNginxCloseResponse.size() - 1));
  const size_t plain_inputs = inputs.size();
  for (size_t index = 0; index < plain_inputs; ++index) {
    inputs.push_back(kNginxResponse + inputs[index]);
    inputs.push_back(inputs[index] + kNginxResponse);
  }
  for (const std::string& input : inputs) {
    const size_t step = input.size() / 512 + 1;  // every byte but in the 9 KiB heads
    for (size_t split = 1; split <= input.size(); split += step) {
      const auto outcome = parse_in_lockstep(input.data(), input.size(), split, same_size);
      ASSERT_TRUE(outcome.agreed) << outcome.difference << " with reads of " << split
                                  << " bytes on: " << input;
    }
  }
}

TEST(HttpResponseParser, PipelinedPlainResponsesCompleteOneByOne) {
  const std::string input = kNginxResponse + kNginxResponse + kNginxResponse;
  const auto outcome = parse_in_lockstep(input.data(), input.size(), input.size(), same_size);
  EXPECT_TRUE(outcome.agreed) << outcome.difference;
  EXPECT_EQ(outcome.responses, 3u);
}

TEST(HttpResponseParser, APlainBodyCutShortByTheCloseIsAnError) {
  HttpResponseParser parser;
  size_t consumed = 0;
  const std::string truncated = kNginxHead + "short";
  EXPECT_EQ(parser.feed(truncated.data(), truncated.size(), &consumed),
            HttpResponseParser::Result::need_more);
  EXPECT_EQ(consumed, truncated.size());
  EXPECT_EQ(parser.body_bytes(), 5u);
  EXPECT_EQ(parser.feed_eof(), HttpResponseParser::Result::error);
  EXPECT_STREQ(parser.error_name(), "HPE_INVALID_EOF_STATE");
}

}  // namespace
}  // namespace th
