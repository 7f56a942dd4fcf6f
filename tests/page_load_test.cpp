// The page workload under each connection model, and the resolve phase, on loopback.
#include <gtest/gtest.h>

#include <string>

#include "free_port.hpp"
#include "run_helpers.hpp"
#include "server/server.hpp"

namespace th {
namespace {

using nlohmann::json;
using testing::run_scenario;

constexpr uint64_t kObjects = 6;
constexpr uint64_t kPages = 15;
constexpr uint64_t kRequestsPerPage = 1 + kObjects;

// The sum of the phases a request goes through, each weighted by how many requests had it.
double mean_phase_sum(const Recorder& recorder) {
  const double count = static_cast<double>(recorder.total.count());
  double sum = 0;
  for (const Histogram* phase : {&recorder.resolve, &recorder.connect, &recorder.write,
                                 &recorder.first_byte, &recorder.transfer}) {
    sum += phase->mean() * static_cast<double>(phase->count()) / count;
  }
  return sum;
}

json page_scenario(const char* model) {
  // TCP_NODELAY as browsers and web servers set it: pipelined small writes would otherwise
  // wait for delayed ACKs, which is the Nagle scenario's subject, not this one's.
  return {{"connection", model},
          {"page", {{"objects", kObjects}, {"sizes", {1000, 20000}}}},
          {"parallel_connections", 3},
          {"response_size", 5000},
          {"connections", 2},
          {"requests", kPages * kRequestsPerPage},
          {"duration_s", 30},
          {"client", {{"tcp_nodelay", true}}},
          {"server", {{"tcp_nodelay", true}}}};
}

class PageLoad : public ::testing::TestWithParam<const char*> {};

TEST_P(PageLoad, WholePagesAreLoadedAndTheirPhasesAddUp) {
  const RunResult result = run_scenario(page_scenario(GetParam()));
  const Recorder& recorder = result.recorder;
  EXPECT_EQ(recorder.requests_ok, kPages * kRequestsPerPage);
  EXPECT_EQ(recorder.error_total(), 0u);
  EXPECT_EQ(recorder.pages_ok, kPages);
  EXPECT_EQ(recorder.pages_failed, 0u);
  EXPECT_EQ(recorder.page_load.count(), kPages);
  // Each page is its HTML (5000 bytes) and three objects of each size, plus headers.
  EXPECT_GE(recorder.bytes_received, kPages * (5000 + 3 * 1000 + 3 * 20000));
  // A page cannot load faster than its slowest request.
  EXPECT_GE(recorder.page_load.max(), recorder.total.max());
  EXPECT_NEAR(mean_phase_sum(recorder), recorder.total.mean(), recorder.total.mean() * 0.05);
  const std::string model = GetParam();
  const bool new_connection_each = model == "per_request" || model == "parallel";
  EXPECT_EQ(recorder.connect.count(), new_connection_each ? recorder.requests_ok : 2u);
  // One request at a time, a page takes at least the sum of its requests' times; with several
  // in flight (parallel connections, a pipeline) they overlap and it takes clearly less.
  const double sum_of_totals = static_cast<double>(kRequestsPerPage) * recorder.total.mean();
  if (model == "parallel" || model == "pipelined") {
    EXPECT_LT(recorder.page_load.mean(), 0.9 * sum_of_totals);
  } else {
    EXPECT_GE(recorder.page_load.mean(), 0.999 * sum_of_totals);
  }
}

INSTANTIATE_TEST_SUITE_P(ConnectionModels, PageLoad,
                         ::testing::Values("per_request", "keep_alive", "parallel", "pipelined"));

TEST(PageLoadBound, RequestsBoundCountsWholePages) {
  json scenario = page_scenario("keep_alive");
  scenario["requests"] = 100;  // 14 pages of 7 requests; a 15th would need 105
  const RunResult result = run_scenario(scenario);
  EXPECT_EQ(result.recorder.requests_ok, 98u);
  EXPECT_EQ(result.recorder.pages_ok, 14u);
  EXPECT_EQ(result.stopped_by, StopReason::requests);
}

TEST(PageLoadBound, APageWithAFailedObjectIsCountedAsFailed) {
  json scenario = page_scenario("keep_alive");
  scenario["page"] = {{"objects", 2}, {"sizes", {100}}};
  scenario["server"]["max_bytes_path"] = 50;  // /bytes/100 is refused with 400
  scenario["requests"] = 30;
  const RunResult result = run_scenario(scenario);
  EXPECT_EQ(result.recorder.pages_ok, 0u);
  EXPECT_EQ(result.recorder.pages_failed, 10u);
  EXPECT_EQ(result.recorder.page_load.count(), 0u);
  EXPECT_EQ(testing::errors_of(result, ErrorKind::bad_response), 20u);
}

// Requests begun while their pipelined connection is still connecting wait for it in their write
// phase; the connect itself is recorded once, for the request that opened the connection. The
// phases tile each request, so the sums agree far closer than the documented 5%.
TEST(Phases, PipelinedReconnectsStillAddUp) {
  const RunResult result = run_scenario({{"connection", "pipelined"},
                                         {"pipeline_depth", 8},
                                         {"max_requests_per_connection", 8},
                                         {"connections", 2},
                                         {"requests", 4000},
                                         {"duration_s", 30}});
  const Recorder& recorder = result.recorder;
  ASSERT_EQ(recorder.requests_ok, 4000u);
  EXPECT_EQ(recorder.connect.count(), 500u);
  EXPECT_NEAR(mean_phase_sum(recorder), recorder.total.mean(), recorder.total.mean() * 0.005);
}

TEST_P(PageLoad, AFailedHtmlSpendsOneRequestAndBacksOff) {
  json scenario = page_scenario(GetParam());
  // Nothing listens there.
  scenario["target"] = "127.0.0.1:" + std::to_string(testing::free_loopback_port());
  // Every page fails at its HTML and gives back its objects' tickets; pages go on until fewer
  // than a page's 7 requests remain: 34 pages, one request each.
  scenario["requests"] = 40;
  const RunResult result = run_scenario(scenario);
  EXPECT_EQ(result.recorder.requests_ok, 0u);
  EXPECT_EQ(testing::errors_of(result, ErrorKind::connect_refused), 34u);
  EXPECT_EQ(result.recorder.pages_failed, 34u);
  EXPECT_EQ(result.stopped_by, StopReason::requests);
}

class ResolvePhase : public ::testing::Test {
 protected:
  ResolvePhase() : server_(config()) {}
  static ServerConfig config() {
    ServerConfig config;
    config.protocol = Protocol::http;
    return config;
  }
  std::string url() const {
    return "http://127.0.0.1:" + std::to_string(server_.address().port()) + "/";
  }
  Server server_;
};

TEST_F(ResolvePhase, EveryNewConnectionResolvesWhenAsked) {
  const RunResult result = run_scenario({{"target", url()},
                                         {"resolve", "every_request"},
                                         {"connection", "per_request"},
                                         {"connections", 2},
                                         {"requests", 60},
                                         {"duration_s", 30}});
  EXPECT_EQ(result.recorder.requests_ok, 60u);
  EXPECT_EQ(result.recorder.error_total(), 0u);
  EXPECT_EQ(result.recorder.resolve.count(), 60u);
  EXPECT_EQ(result.recorder.connect.count(), 60u);
  EXPECT_NEAR(mean_phase_sum(result.recorder), result.recorder.total.mean(),
              result.recorder.total.mean() * 0.05);
}

TEST_F(ResolvePhase, OnceResolvesBeforeTheRunOnly) {
  const RunResult result = run_scenario({{"target", url()},
                                         {"connection", "per_request"},
                                         {"connections", 2},
                                         {"requests", 60},
                                         {"duration_s", 30}});
  EXPECT_EQ(result.recorder.requests_ok, 60u);
  EXPECT_EQ(result.recorder.resolve.count(), 1u);
}

}  // namespace
}  // namespace th
