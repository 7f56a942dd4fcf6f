// How connections close, on loopback: who holds TIME_WAIT with per_request, what an abortive
// close does to it, and a server that closes after N pipelined responses losing them to a reset
// (abortive) or not at all (half_close, with the unanswered requests sent again).
#include <gtest/gtest.h>

#include "config_errors.hpp"
#include "link_capabilities.hpp"
#include "run_helpers.hpp"
#include "scenario/loader.hpp"

namespace th {
namespace {

using nlohmann::json;

json per_request(const char* closer) {
  return {{"name", "closing"}, {"protocol", "http"}, {"connection", "per_request"},
          {"connections", 2},  {"requests", 300},    {"duration_s", 10},
          {"warmup_s", 0},     {"closer", closer}};
}

uint64_t response_resets(const RunResult& result) {
  return testing::errors_of(result, ErrorKind::response_reset);
}

TEST(Closing, TheSideThatClosesFirstHoldsTheTimeWait) {
  const RunResult server_first = testing::run_scenario(per_request("server"));
  const RunResult client_first = testing::run_scenario(per_request("client"));
  for (const RunResult* run : {&server_first, &client_first}) {
    ASSERT_EQ(run->recorder.requests_ok, 300u);
    ASSERT_EQ(run->recorder.error_total(), 0u);
    ASSERT_TRUE(run->closing.time_wait.has_value());
  }
  // Every connection leaves one TIME_WAIT on the side that sent the first FIN, but a new SYN may
  // take over a server-side one for the same ports (RFC 6191): most, not all.
  EXPECT_GE(server_first.closing.time_wait->server_side, 150u);
  EXPECT_LE(server_first.closing.time_wait->client_side, 2u);
  EXPECT_GE(client_first.closing.time_wait->client_side, 290u);
  EXPECT_LE(client_first.closing.time_wait->server_side, 2u);
}

TEST(Closing, AnAbortiveCloseLeavesNoTimeWaitButSendsAReset) {
  json scenario = per_request("client");
  scenario["client"] = {{"close", "abortive"}};
  const RunResult result = testing::run_scenario(scenario);
  ASSERT_EQ(result.recorder.requests_ok, 300u);
  EXPECT_EQ(result.recorder.error_total(), 0u) << "the reset comes after the answer";
  ASSERT_TRUE(result.closing.time_wait.has_value());
  EXPECT_EQ(result.closing.time_wait->client_side, 0u);
  EXPECT_EQ(result.closing.time_wait->server_side, 0u);
  ASSERT_TRUE(result.closing.client_namespace.has_value());
  EXPECT_GE(result.closing.client_namespace->resets_sent, 300u) << "one reset per connection";
}

TEST(Closing, AHalfCloseWaitsForThePeersEndAndStillLeavesTheTimeWaitToTheClient) {
  json scenario = per_request("client");
  scenario["client"] = {{"close", "half_close"}};
  const RunResult result = testing::run_scenario(scenario);
  ASSERT_EQ(result.recorder.requests_ok, 300u);
  EXPECT_EQ(result.recorder.error_total(), 0u);
  EXPECT_GE(result.closing.time_wait->client_side, 290u);
}

json closing_after_ten(const char* server_close) {
  return {{"name", "max-requests"},
          {"protocol", "http"},
          {"response_size", 16384},
          {"connection", "pipelined"},
          {"pipeline_depth", 8},
          {"connections", 2},
          {"duration_s", 0.5},
          {"warmup_s", 0},
          {"server", {{"max_requests", 10}, {"close", server_close}}}};
}

// Each connection's 10th response says "Connection: close" while requests pipelined after it are
// on their way: an abortive close resets the connection and the client loses what was in flight
// (unless the tenth response got through first: then it knows, and sends the rest again); a
// half-close lets every response arrive and the client sends the rest again.
TEST(Closing, AServerClosingAfterTenResponsesLosesThemOnlyToAnAbortiveClose) {
  const RunResult abortive = testing::run_scenario(closing_after_ten("abortive"));
  const RunResult half_close = testing::run_scenario(closing_after_ten("half_close"));
  EXPECT_GT(response_resets(abortive), 0u);
  EXPECT_EQ(half_close.recorder.error_total(), 0u);
  EXPECT_GT(half_close.recorder.requests_retried, 0u);
  EXPECT_GT(half_close.recorder.requests_ok, 100u);
  // Ten answers per connection: every connection past the first two was opened for more.
  EXPECT_GE(half_close.recorder.connections_opened, half_close.recorder.requests_ok / 10);
}

// Over a 20 Mbit/s link the server's ten responses are mostly still queued when it closes, with
// the client's next requests unread: close() then resets and drops them (tcp_close), a
// half-close delivers them all. The server's namespace is its own, so its counters are too.
TEST(ClosingOverALink, AGracefulCloseWithRequestsUnreadLosesResponsesAHalfCloseNone) {
  SKIP_WITHOUT_LINK_CAPABILITIES();
  json graceful = closing_after_ten("graceful");
  graceful["link"] = {{"rate_mbit", 20}, {"delay_ms", 5}};
  graceful["duration_s"] = 1;
  json half_close = graceful;
  half_close["server"]["close"] = "half_close";
  const RunResult lost = testing::run_scenario(graceful);
  const RunResult kept = testing::run_scenario(half_close);
  EXPECT_GT(response_resets(lost), 0u);
  ASSERT_TRUE(lost.closing.server_namespace.has_value());
  EXPECT_GT(lost.closing.server_namespace->aborts_on_close +
                lost.closing.server_namespace->aborts_on_data,
            0u);
  EXPECT_EQ(kept.recorder.error_total(), 0u);
  EXPECT_GT(kept.recorder.requests_retried, 0u);
  ASSERT_TRUE(kept.closing.server_namespace.has_value());
  EXPECT_EQ(kept.closing.server_namespace->resets_sent, 0u);
}

TEST(ClosingScenario, CloserAndCloseAreCheckedLikeEveryOtherKey) {
  auto error_of = [](const json& scenario) {
    return testing::error_of([&] { scenario_from_json(scenario, "x.json"); });
  };
  // Unset stays unset (a report's stored scenario must not pin it); the run takes the default.
  const Scenario http = scenario_from_json({{"connection", "per_request"}}, "x");
  EXPECT_FALSE(http.closer.has_value());
  EXPECT_EQ(effective_closer(http), Closer::server);
  EXPECT_EQ(effective_closer(
                scenario_from_json({{"connection", "per_request"}, {"protocol", "echo"}}, "x")),
            Closer::client);
  EXPECT_EQ(error_of({{"closer", "client"}}),
            "x.json: /closer: says which side ends a per_request or parallel connection; with "
            "connection keep_alive the server ends one only after server.max_requests");
  EXPECT_EQ(error_of({{"connection", "per_request"}, {"protocol", "echo"}, {"closer", "server"}}),
            "x.json: /closer: server needs protocol http: the request's \"Connection: close\" "
            "asks the server to close first");
  EXPECT_EQ(error_of({{"client", {{"close", "abortive"}, {"so_linger", {{"on", true}}}}}}),
            "x.json: /client/close: abortive sets SO_LINGER 0 itself; give it or so_linger, not "
            "both");
  EXPECT_EQ(error_of({{"protocol", "echo"}, {"server", {{"max_requests", 3}}}}),
            "x.json: /server/max_requests: counts http responses; protocol echo has none");
  EXPECT_EQ(error_of({{"server", {{"close", "linger"}}}})
                .rfind("x.json: /server/close: must be one of", 0),
            0u);
}

}  // namespace
}  // namespace th
