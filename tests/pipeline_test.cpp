#include <gtest/gtest.h>

#include "base/config_error.hpp"
#include "run_helpers.hpp"

namespace th {
namespace {

using testing::run_scenario;

TEST(Pipelined, HttpRequestsAreAllAnsweredInOrder) {
  const RunResult result = run_scenario({{"connection", "pipelined"},
                                         {"pipeline_depth", 8},
                                         {"connections", 2},
                                         {"requests", 5000},
                                         {"duration_s", 30}});
  EXPECT_EQ(result.recorder.requests_ok, 5000u);
  EXPECT_EQ(result.recorder.error_total(), 0u);
  EXPECT_EQ(result.recorder.connect.count(), 2u);
}

TEST(Pipelined, EchoMessagesAreVerifiedAcrossTheirBoundaries) {
  // 1,000-byte messages eight deep: reads split and join messages anywhere, and every byte must
  // still match the message it belongs to.
  const RunResult result = run_scenario({{"protocol", "echo"},
                                         {"connection", "pipelined"},
                                         {"pipeline_depth", 8},
                                         {"request_size", 1000},
                                         {"connections", 2},
                                         {"requests", 4000},
                                         {"duration_s", 30}});
  EXPECT_EQ(result.recorder.requests_ok, 4000u);
  EXPECT_EQ(result.recorder.error_total(), 0u);
  EXPECT_EQ(result.recorder.bytes_received, 4000u * 1000u);
}

TEST(KeepAlive, MaxRequestsPerConnectionRecyclesConnections) {
  const RunResult result = run_scenario({{"max_requests_per_connection", 10},
                                         {"connections", 1},
                                         {"requests", 200},
                                         {"duration_s", 30}});
  EXPECT_EQ(result.recorder.requests_ok, 200u);
  EXPECT_EQ(result.recorder.error_total(), 0u);
  EXPECT_EQ(result.recorder.connect.count(), 20u);
}

TEST(Phases, MeanPhasesAddUpToTheMeanTotal) {
  // connect + write + first_byte + transfer covers a per_request request from start to answer;
  // the gaps between them are a few instructions, so the sums agree closely.
  const RunResult result = run_scenario({{"connection", "per_request"},
                                         {"response_size", 100000},
                                         {"connections", 2},
                                         {"requests", 2000},
                                         {"duration_s", 30}});
  const Recorder& recorder = result.recorder;
  ASSERT_EQ(recorder.requests_ok, 2000u);
  const double phases = recorder.connect.mean() + recorder.write.mean() +
                        recorder.first_byte.mean() + recorder.transfer.mean();
  EXPECT_NEAR(phases, recorder.total.mean(), recorder.total.mean() * 0.05);
  EXPECT_EQ(recorder.close.count(), 2000u);
  EXPECT_GT(recorder.transfer.mean(), 0.0);
}

}  // namespace
}  // namespace th

namespace th {
namespace {

TEST(PerRequest, LingerZeroIsAppliedAndReadBack) {
  const RunResult result =
      testing::run_scenario({{"connection", "per_request"},
                             {"client", {{"so_linger", {{"on", true}, {"timeout_s", 0}}}}},
                             {"connections", 2},
                             {"requests", 500},
                             {"duration_s", 30}});
  EXPECT_EQ(result.recorder.requests_ok, 500u);
  EXPECT_EQ(result.recorder.error_total(), 0u);
  for (const OptionReading& reading : result.client_options) {
    if (reading.name == "so_linger") {
      EXPECT_EQ(reading.applied, 0) << "on, 0 s";
    }
  }
  EXPECT_TRUE(result.time_wait_before.has_value());
  EXPECT_TRUE(result.time_wait_after.has_value());
}

TEST(PerRequest, LocalAddressesSpreadConnections) {
  const RunResult result = testing::run_scenario({{"connection", "per_request"},
                                                  {"local_addresses", {"127.0.0.2", "127.0.0.3"}},
                                                  {"connections", 4},
                                                  {"requests", 1000},
                                                  {"duration_s", 30}});
  EXPECT_EQ(result.recorder.requests_ok, 1000u);
  EXPECT_EQ(result.recorder.error_total(), 0u);
}

TEST(PerRequest, LocalAddressOfAnotherFamilyIsAConfigurationError) {
  EXPECT_THROW(testing::run_scenario({{"local_addresses", {"::1"}}, {"requests", 1}}), ConfigError);
}

}  // namespace
}  // namespace th
