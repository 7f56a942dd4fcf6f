#include <benchmark/benchmark.h>

#include <string>

#include "proto/http_request.hpp"
#include "proto/http_request_parser.hpp"
#include "proto/http_response_parser.hpp"

namespace {

// What nginx answers a keep-alive GET with a 64-byte body: the client's per-response work.
const std::string kResponse =
    "HTTP/1.1 200 OK\r\nServer: nginx/1.22.1\r\nDate: Wed, 25 Nov 2026 12:00:00 GMT\r\n"
    "Content-Type: text/plain\r\nContent-Length: 64\r\nConnection: keep-alive\r\n\r\n" +
    std::string(64, 'x');

// Arg 1: with the plain-head scan (what the load generator runs); 0: http-parser alone.
void BM_HttpResponseParse(benchmark::State& state) {
  th::HttpResponseParser parser(state.range(0) != 0);
  for (auto _ : state) {
    size_t consumed = 0;
    benchmark::DoNotOptimize(parser.feed(kResponse.data(), kResponse.size(), &consumed));
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * kResponse.size()));
}
BENCHMARK(BM_HttpResponseParse)->ArgName("fast_path")->Arg(1)->Arg(0);

// The embedded server's per-request work before it answers; Arg as above.
void BM_HttpRequestParse(benchmark::State& state) {
  const th::HttpRequestBytes request =
      th::build_http_request("127.0.0.1:8080", "/bytes/1024", 0, true);
  th::HttpRequestParser parser({}, state.range(0) != 0);
  for (auto _ : state) {
    size_t consumed = 0;
    benchmark::DoNotOptimize(parser.parse(request.header.data(), request.header.size(), &consumed));
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * request.header.size()));
}
BENCHMARK(BM_HttpRequestParse)->ArgName("fast_path")->Arg(1)->Arg(0);

// Requests are built once per run, so this is setup cost, not per-request cost; it is here to
// keep it that way when someone is tempted to build requests per send.
void BM_HttpRequestBuild(benchmark::State& state) {
  for (auto _ : state) {
    benchmark::DoNotOptimize(th::build_http_request("127.0.0.1:8080", "/", 0, true));
  }
}
BENCHMARK(BM_HttpRequestBuild);

}  // namespace
