#include "run/load_plan_builder.hpp"

#include <gtest/gtest.h>

#include "net/address.hpp"

// make_load_plan is pure: these build plans from scenarios without a socket or a thread.
namespace th {
namespace {

PlanTarget local_target() { return embedded_plan_target(resolve_address("127.0.0.1", 8080)); }

TEST(LoadPlanBuilder, ClockCountsWarmupThenDurationFromTheGivenStart) {
  Scenario scenario;
  scenario.warmup_s = 1.5;
  scenario.duration_s = 2.0;
  const auto plan = make_load_plan(scenario, local_target(), 1'000);
  EXPECT_EQ(plan->start_ns, 1'000u);
  EXPECT_EQ(plan->warmup_end_ns, 1'000u + 1'500'000'000u);
  EXPECT_EQ(plan->deadline_ns, 1'000u + 3'500'000'000u);
}

TEST(LoadPlanBuilder, ThreadsNeverOutnumberConnectionsAndShareTheRate) {
  Scenario scenario;
  scenario.threads = 8;
  scenario.connections = 3;
  scenario.rate = 9000;
  const auto plan = make_load_plan(scenario, local_target(), 0);
  EXPECT_EQ(plan->threads, 3u);
  EXPECT_DOUBLE_EQ(plan->rate_per_thread, 3000);
  EXPECT_EQ(load_threads(scenario), 3u);
}

TEST(LoadPlanBuilder, PerRequestAndParallelCarryOneRequestPerConnection) {
  Scenario scenario;
  for (const auto model : {ConnectionModel::per_request, ConnectionModel::parallel}) {
    scenario.connection = model;
    EXPECT_TRUE(make_load_plan(scenario, local_target(), 0)->one_request_per_connection);
  }
  scenario.connection = ConnectionModel::keep_alive;
  EXPECT_FALSE(make_load_plan(scenario, local_target(), 0)->one_request_per_connection);
}

TEST(LoadPlanBuilder, StreamIsAlwaysOneLongConnection) {
  Scenario scenario;
  scenario.protocol = Protocol::stream;
  scenario.connection = ConnectionModel::per_request;
  EXPECT_EQ(make_load_plan(scenario, local_target(), 0)->model, ConnectionModel::keep_alive);
}

TEST(LoadPlanBuilder, PipelineDepthOnlyForPipelinedConnections) {
  Scenario scenario;
  scenario.pipeline_depth = 8;
  EXPECT_EQ(make_load_plan(scenario, local_target(), 0)->pipeline_depth, 1u);
  scenario.connection = ConnectionModel::pipelined;
  EXPECT_EQ(make_load_plan(scenario, local_target(), 0)->pipeline_depth, 8u);
}

TEST(LoadPlanBuilder, GraceIsTheTimeoutCappedAtTwoSeconds) {
  Scenario scenario;
  scenario.timeout_ms = 500;
  EXPECT_EQ(make_load_plan(scenario, local_target(), 0)->grace_ns, 500'000'000u);
  scenario.timeout_ms = 30'000;
  EXPECT_EQ(make_load_plan(scenario, local_target(), 0)->grace_ns, 2'000'000'000u);
}

TEST(LoadPlanBuilder, PageUsersGetParallelConnectionsOnlyWithParallel) {
  Scenario scenario;
  scenario.page = PageWorkload{.objects = 4, .sizes = {100}, .paths = {}};
  scenario.parallel_connections = 6;
  auto plan = make_load_plan(scenario, local_target(), 0);
  EXPECT_TRUE(plan->page);
  EXPECT_EQ(plan->page_objects, 4u);
  EXPECT_EQ(plan->connections_per_user, 1u);
  EXPECT_EQ(plan->requests.size(), 5u);  // the HTML and each object
  scenario.connection = ConnectionModel::parallel;
  EXPECT_EQ(make_load_plan(scenario, local_target(), 0)->connections_per_user, 6u);
}

TEST(LoadPlanBuilder, HostHeaderOfAnExternalIpv6TargetKeepsItsBrackets) {
  const Target target{.host = "::1", .port = 8080, .path = std::nullopt};
  const PlanTarget plan_target = external_plan_target(target, resolve_address("::1", 8080));
  EXPECT_EQ(plan_target.host_header, "[::1]:8080");
  EXPECT_EQ(plan_target.host, "::1");
  Scenario scenario;
  const auto plan = make_load_plan(scenario, plan_target, 0);
  EXPECT_NE(plan->requests[0].head.find("Host: [::1]:8080\r\n"), std::string::npos)
      << plan->requests[0].head;
  EXPECT_EQ(plan->target_service, "8080");
}

TEST(LoadPlanBuilder, EmbeddedTargetIsNamedByItsBoundAddress) {
  const PlanTarget v4 = embedded_plan_target(resolve_address("127.0.0.1", 4000));
  EXPECT_EQ(v4.host, "127.0.0.1");
  EXPECT_EQ(v4.host_header, "127.0.0.1:4000");
  const PlanTarget v6 = embedded_plan_target(resolve_address("::1", 4000));
  EXPECT_EQ(v6.host, "::1");
  EXPECT_EQ(v6.host_header, "[::1]:4000");
}

TEST(LoadPlanBuilder, RequestLimitAndTicketsFollowTheScenario) {
  Scenario scenario;
  scenario.requests = 2;
  auto plan = make_load_plan(scenario, local_target(), 0);
  EXPECT_TRUE(plan->claim_ticket());
  EXPECT_TRUE(plan->claim_ticket());
  EXPECT_FALSE(plan->claim_ticket());
  EXPECT_TRUE(plan->tickets_exhausted());
}

}  // namespace
}  // namespace th
