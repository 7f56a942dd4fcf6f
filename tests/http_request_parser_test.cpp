#include "proto/http_request_parser.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace th {
namespace {

using Status = HttpRequestParser::Status;

struct Outcome {
  std::vector<HttpAnswer> answers;
  HttpRejection rejection = HttpRejection::none;
  bool complete = true;  // the input ended between requests
};

// Feeds `input` in pieces of `piece` bytes, the way reads would deliver it, and collects what the
// parser makes of it.
Outcome parse_all(const std::string& input, size_t piece, const HttpRequestLimits& limits = {}) {
  HttpRequestParser parser(limits);
  Outcome outcome;
  for (size_t offset = 0; offset < input.size();) {
    const size_t size = std::min(piece, input.size() - offset);
    size_t used = 0;
    while (used < size) {
      size_t consumed = 0;
      const Status status = parser.parse(input.data() + offset + used, size - used, &consumed);
      used += consumed;
      if (status == Status::request) outcome.answers.push_back(parser.answer());
      if (status == Status::rejected) {
        outcome.rejection = parser.rejection();
        return outcome;
      }
    }
    offset += size;
  }
  outcome.complete = !parser.head_started() && parser.awaiting_head();
  return outcome;
}

const std::string kGet = "GET / HTTP/1.1\r\nHost: t\r\n\r\n";

TEST(HttpRequestParser, PipelinedRequestsComeOutOneByOneWhateverTheReadSizes) {
  const std::string input = kGet + "GET /bytes/7 HTTP/1.1\r\n\r\n" +
                            "POST / HTTP/1.1\r\nContent-Length: 3\r\n\r\nabc" + kGet;
  for (size_t piece : {1u, 2u, 7u, 64u, 4096u}) {
    const Outcome outcome = parse_all(input, piece);
    ASSERT_EQ(outcome.rejection, HttpRejection::none) << "piece " << piece;
    ASSERT_EQ(outcome.answers.size(), 4u) << "piece " << piece;
    EXPECT_EQ(outcome.answers[1], HttpAnswer::sized);
    EXPECT_TRUE(outcome.complete);
  }
}

TEST(HttpRequestParser, HeadOfExactlyTheLimitPassesOneMoreByteGets431) {
  HttpRequestLimits limits;
  limits.max_header_bytes = 100;
  std::string head = "GET / HTTP/1.1\r\nX: ";
  head += std::string(100 - head.size() - 4, 'a') + "\r\n\r\n";
  ASSERT_EQ(head.size(), 100u);
  for (size_t piece : {1u, 10u, 1000u}) {
    EXPECT_EQ(parse_all(head + head, piece, limits).answers.size(), 2u) << "piece " << piece;
    // One more byte of the header's value (built by concatenation: GCC 12 warns falsely about
    // string::insert inlined here, -Wstringop-overflow).
    const std::string longer = head.substr(0, 20) + "b" + head.substr(20);
    EXPECT_EQ(parse_all(longer, piece, limits).rejection, HttpRejection::header_too_large);
  }
}

TEST(HttpRequestParser, EndlessBlankLinesCountAgainstTheHeadLimit) {
  HttpRequestLimits limits;
  limits.max_header_bytes = 256;
  EXPECT_EQ(parse_all(std::string(10000, '\n'), 100, limits).rejection,
            HttpRejection::header_too_large);
}

TEST(HttpRequestParser, BodyOverTheCapGets413BeforeItIsRead) {
  HttpRequestLimits limits;
  limits.max_body_bytes = 10;
  EXPECT_EQ(parse_all("POST / HTTP/1.1\r\nContent-Length: 10\r\n\r\n0123456789", 3, limits)
                .answers.size(),
            1u);
  EXPECT_EQ(parse_all("POST / HTTP/1.1\r\nContent-Length: 11\r\n\r\n", 3, limits).rejection,
            HttpRejection::body_too_large);
  const std::string chunked =
      "POST / HTTP/1.1\r\nTransfer-Encoding: "
      "chunked\r\n\r\n6\r\nabcdef\r\n6\r\nabcdef\r\n0\r\n\r\n";
  EXPECT_EQ(parse_all(chunked, 5, limits).rejection, HttpRejection::body_too_large);
}

TEST(HttpRequestParser, UnknownMethodTokenIs501GarbageIs400KnownButUnservedIs405) {
  EXPECT_EQ(parse_all("FROB / HTTP/1.1\r\n\r\n", 100).rejection, HttpRejection::not_implemented);
  EXPECT_EQ(parse_all("GETX / HTTP/1.1\r\n\r\n", 1).rejection, HttpRejection::not_implemented);
  EXPECT_EQ(parse_all("get / HTTP/1.1\r\n\r\n", 100).rejection, HttpRejection::not_implemented);
  EXPECT_EQ(parse_all("\x01\x02 junk\r\n\r\n", 100).rejection, HttpRejection::bad_request);
  EXPECT_EQ(parse_all("GET /\x01 HTTP/1.1\r\n\r\n", 100).rejection, HttpRejection::bad_request);
  EXPECT_EQ(parse_all("DELETE / HTTP/1.1\r\n\r\n", 100).rejection,
            HttpRejection::method_not_allowed);
  EXPECT_EQ(parse_all("CONNECT a:1 HTTP/1.1\r\n\r\n", 100).rejection,
            HttpRejection::method_not_allowed);
  for (const char* served : {"GET", "HEAD", "POST", "PUT"}) {
    EXPECT_EQ(parse_all(std::string(served) + " / HTTP/1.1\r\n\r\n", 100).answers.size(), 1u);
  }
}

TEST(HttpRequestParser, BytesPathAboveTheCapGets400) {
  HttpRequestLimits limits;
  limits.max_bytes_path = 1000;
  EXPECT_EQ(parse_all("GET /bytes/1000 HTTP/1.1\r\n\r\n", 100, limits).answers.size(), 1u);
  EXPECT_EQ(parse_all("GET /bytes/1001 HTTP/1.1\r\n\r\n", 100, limits).rejection,
            HttpRejection::bad_request);
  EXPECT_EQ(parse_all("GET /bytes/x HTTP/1.1\r\n\r\n", 100, limits).rejection,
            HttpRejection::bad_request);
}

TEST(HttpRequestParser, HeadStartsWithItsFirstByteAndEndsWithItsHeaders) {
  HttpRequestParser parser;
  EXPECT_TRUE(parser.awaiting_head());
  EXPECT_FALSE(parser.head_started());
  size_t consumed = 0;
  ASSERT_EQ(parser.parse("GET / HT", 8, &consumed), Status::need_more);
  EXPECT_TRUE(parser.head_started());
  const std::string rest = "TP/1.1\r\nContent-Length: 5\r\n\r\nab";
  ASSERT_EQ(parser.parse(rest.data(), rest.size(), &consumed), Status::need_more);
  EXPECT_FALSE(parser.awaiting_head());  // in the body now
  ASSERT_EQ(parser.parse("cde", 3, &consumed), Status::request);
  EXPECT_TRUE(parser.awaiting_head());
  EXPECT_FALSE(parser.head_started());
}

TEST(HttpRequestParser, HeadRequestIsMarkedHeadOnlyAndConnectionCloseEndsKeepAlive) {
  HttpRequestParser parser;
  size_t consumed = 0;
  const std::string head = "HEAD / HTTP/1.1\r\nConnection: close\r\n\r\n";
  ASSERT_EQ(parser.parse(head.data(), head.size(), &consumed), Status::request);
  EXPECT_TRUE(parser.head_only());
  EXPECT_FALSE(parser.keep_alive());
}

}  // namespace
}  // namespace th
