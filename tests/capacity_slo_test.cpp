// The --slo grammar, and how one probe's run (as the native report writes it) is judged.
#include <gtest/gtest.h>

#include "capacity/probe.hpp"
#include "capacity/slo.hpp"
#include "config_errors.hpp"
#include "host/sockstat.hpp"

namespace th {
namespace {

using testing::error_of;

TEST(CapacitySlo, ClausesNamePhasesStatisticsUnitsAndErrorShares) {
  const std::vector<SloClause> slo =
      parse_slo(" p99<=10ms , connect.p99.9 < 500us,first_byte.mean<=2s,errors<=0.1%,max<=900ns");
  ASSERT_EQ(slo.size(), 5u);
  EXPECT_EQ(slo[0].phase, "total");
  EXPECT_EQ(slo[0].statistic, "p99");
  EXPECT_DOUBLE_EQ(slo[0].limit, 10'000);
  EXPECT_TRUE(slo[0].inclusive);
  EXPECT_EQ(slo[0].text, "p99<=10ms");
  EXPECT_EQ(slo[1].phase, "connect");
  EXPECT_EQ(slo[1].statistic, "p999");
  EXPECT_FALSE(slo[1].inclusive);
  EXPECT_DOUBLE_EQ(slo[1].limit, 500);
  EXPECT_DOUBLE_EQ(slo[2].limit, 2e6);
  EXPECT_EQ(slo[3].kind, SloClause::Kind::errors);
  EXPECT_DOUBLE_EQ(slo[3].limit, 0.1);
  EXPECT_DOUBLE_EQ(slo[4].limit, 0.9);
  EXPECT_TRUE(slo[0].admits(10'000));
  EXPECT_FALSE(slo[1].admits(500));
}

TEST(CapacitySlo, AMalformedClauseIsRefusedWithItsPositionAndWhatIsAllowed) {
  EXPECT_EQ(error_of([] { parse_slo("p99<=10xs"); }),
            "--slo 'p99<=10xs': at position 8: unknown unit 'xs'; allowed: ns, us, ms, s");
  EXPECT_EQ(error_of([] { parse_slo("p99<=10"); }),
            "--slo 'p99<=10': at position 8: a latency needs a unit, got ''; allowed: ns, us, "
            "ms, s");
  EXPECT_NE(error_of([] { parse_slo("p98<=1ms"); }).find("at position 1: unknown metric 'p98'"),
            std::string::npos);
  EXPECT_NE(
      error_of([] {
        parse_slo("p99<=1ms,conect.p99<=1ms");
      }).find("at position 10: unknown phase 'conect'; allowed: total, service_time, connect"),
      std::string::npos);
  EXPECT_EQ(error_of([] { parse_slo("p99>=1ms"); }),
            "--slo 'p99>=1ms': at position 4: expected '<=' or '<': an objective is an upper "
            "limit");
  EXPECT_EQ(error_of([] { parse_slo("errors<=1"); }),
            "--slo 'errors<=1': at position 10: errors take a percentage: errors<=0.1%");
  EXPECT_EQ(error_of([] { parse_slo("p99<=1ms,"); }),
            "--slo 'p99<=1ms,': at position 10: expected a metric such as p99, connect.p99 or "
            "errors");
  EXPECT_EQ(error_of([] { parse_slo("p99<=0ms"); }),
            "--slo 'p99<=0ms': at position 6: the limit must be above 0");
  EXPECT_EQ(error_of([] { parse_slo("p99<=1ms 2"); }),
            "--slo 'p99<=1ms 2': at position 10: unexpected text after the limit; clauses are "
            "separated by ','");
}

// A run object as the native report writes it, with what judge_probe reads.
nlohmann::json run_at(double target, double sent, double p99_us, double service_p50_us,
                      uint64_t waited = 0, uint64_t late = 0, uint64_t errors = 0,
                      double cpu_scale = 1) {
  const double requests = sent * 2;
  auto summary = [](double p99) {
    return nlohmann::json{{"count", 100}, {"p50", p99 / 2}, {"p90", p99 / 1.5}, {"p99", p99},
                          {"p999", p99},  {"max", p99},     {"mean", p99 / 2}};
  };
  return {{"name", "probe"},
          {"duration_s", 2.0},
          {"requests", {{"ok", requests - errors}, {"error_total", errors}}},
          {"throughput", {{"requests_per_s", sent}}},
          {"schedule",
           {{"target_rate_per_s", target},
            {"achieved_rate_per_s", sent},
            {"requests_sent", requests},
            {"waited_for_connection", waited},
            {"sent_late", late}}},
          {"cpu",
           {{"client_s", 0.2},
            {"client_us_per_request", 50 * cpu_scale},
            {"server_us_per_request", 30 * cpu_scale}}},
          {"latency_us",
           {{"total", summary(p99_us)},
            {"service_time", summary(service_p50_us * 2)},
            {"connect", {{"count", 0}}}}}};
}

// The unhurried machine: as run_at's CPU and service time at scale 1.
const ProbeBaseline kUsual{300, 50, 30};

ProbeRun judged(const nlohmann::json& run, const std::vector<SloClause>& slo) {
  ProbeRun probe = read_probe(run, slo, 1);
  judge_probe(probe, slo, kUsual);
  return probe;
}

TEST(CapacityProbe, ASustainedRateWithinEveryClauseIsMet) {
  const std::vector<SloClause> slo = parse_slo("p99<=10ms,errors<=1%");
  const ProbeRun probe = judged(run_at(1000, 1000, 5000, 300, 0, 0, 10), slo);
  EXPECT_EQ(probe.outcome, ProbeOutcome::met);
  EXPECT_DOUBLE_EQ(*probe.slo_values[1], 0.5);
  EXPECT_TRUE(probe.why.empty());
}

TEST(CapacityProbe, AServerThatQueuesMissesAndTheMissIsTheServers) {
  const std::vector<SloClause> slo = parse_slo("p99<=10ms");
  // Every connection busy, but the time from send to answer grew tenfold: the server's queue.
  const ProbeRun probe = judged(run_at(1000, 900, 80'000, 3000, 500), slo);
  EXPECT_EQ(probe.outcome, ProbeOutcome::missed);
  EXPECT_EQ(probe.why, "sent 900/s of 1000/s; p99 80 ms > 10 ms");
}

TEST(CapacityProbe, RequestsWaitingForAConnectionOfAnUnhurriedServerAreThePoolsFault) {
  const std::vector<SloClause> slo = parse_slo("p99<=10ms");
  const ProbeRun probe = judged(run_at(5000, 4000, 80'000, 320, 1500), slo);
  EXPECT_EQ(probe.outcome, ProbeOutcome::generator_bound);
  EXPECT_NE(probe.why.find("the connection pool, not the server, was full"), std::string::npos);
  // 5,000/s at 320 us each keeps 1.6 connections busy on average; twice that, rounded up.
  EXPECT_NE(probe.remedy.find("use at least 4"), std::string::npos) << probe.remedy;
}

TEST(CapacityProbe, AMissWithSendsLateAndAConnectionFreeIsTheGenerators) {
  const std::vector<SloClause> slo = parse_slo("p99<=10ms");
  const ProbeRun late = judged(run_at(1000, 1000, 20'000, 300, 0, 100), slo);
  EXPECT_EQ(late.outcome, ProbeOutcome::generator_bound);
  EXPECT_NE(late.why.find("5.0% of its requests over 1 ms late"), std::string::npos) << late.why;
  EXPECT_NE(late.remedy.find("client_cpus"), std::string::npos);
  // A few late sends (0.5 %) are the noise of any machine: the miss is the server's.
  const ProbeRun few = judged(run_at(1000, 1000, 20'000, 300, 0, 10), slo);
  EXPECT_EQ(few.outcome, ProbeOutcome::missed);
  // Met with the lateness inside every latency: the pass stands.
  const ProbeRun met = judged(run_at(1000, 1000, 2000, 300, 0, 100), slo);
  EXPECT_EQ(met.outcome, ProbeOutcome::met);
}

TEST(CapacityProbe, AMissWhileBothSidesCostTwiceTheCpuIsTheMachinesNotTheServers) {
  const std::vector<SloClause> slo = parse_slo("p99<=10ms");
  const ProbeRun slow = judged(run_at(1000, 1000, 20'000, 300, 0, 100, 0, 3), slo);
  EXPECT_EQ(slow.outcome, ProbeOutcome::disturbed);
  EXPECT_NE(slow.why.find("the machine slowed down: CPU per request 3x its usual on the "
                          "generator and 3x on the server"),
            std::string::npos)
      << slow.why;
  // Only one side's CPU rose: that side did more work, the machine did not slow down.
  nlohmann::json generator_only = run_at(1000, 1000, 20'000, 300, 0, 100, 0, 3);
  generator_only["cpu"]["server_us_per_request"] = 30;
  EXPECT_EQ(judged(generator_only, slo).outcome, ProbeOutcome::generator_bound);
  // Met: the figures stand, whatever the machine did.
  const ProbeRun met = judged(run_at(1000, 1000, 2000, 300, 0, 0, 0, 3), slo);
  EXPECT_EQ(met.outcome, ProbeOutcome::met);
}

TEST(CapacityProbe, APhaseWithoutSamplesHasNoValue) {
  const std::vector<SloClause> slo = parse_slo("connect.p99<=1ms,tls_handshake.p99<=1ms");
  const ProbeRun probe = judged(run_at(1000, 1000, 2000, 300), slo);
  EXPECT_FALSE(probe.slo_values[0]);
  EXPECT_FALSE(probe.slo_values[1]);
  EXPECT_EQ(probe.outcome, ProbeOutcome::missed);
  EXPECT_EQ(probe.why, "connect.p99: no sample to judge; tls_handshake.p99: no sample to judge");
}

TEST(CapacityProbe, SockstatCountsAreReadFromTheTcpLine) {
  const std::optional<TcpSocketCounts> counts =
      parse_tcp_socket_counts("sockets: used 120\nTCP: inuse 7 orphan 2 tw 31 alloc 9 mem 1\n");
  ASSERT_TRUE(counts);
  EXPECT_EQ(counts->in_use, 7u);
  EXPECT_EQ(counts->orphaned, 2u);
  EXPECT_EQ(counts->time_wait, 31u);
  EXPECT_FALSE(parse_tcp_socket_counts("UDP: inuse 1\n"));
}

}  // namespace
}  // namespace th
