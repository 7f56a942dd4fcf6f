// Steady state allocates nothing: a run of 4x the requests must not call malloc more often than a
// run of 1x, beyond what the longer run's extra seconds need (timeline entries). Its own
// executable, since it replaces malloc for the whole process (the embedded server included).
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <openssl/crypto.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <cstddef>
#include <cstdio>

#include "../free_port.hpp"
#include "load/tcp_info_probe.hpp"
#include "run/run_executor.hpp"
#include "scenario/loader.hpp"

extern "C" {
void* __libc_malloc(size_t size);
void* __libc_calloc(size_t count, size_t size);
void* __libc_realloc(void* pointer, size_t size);
}

namespace {
std::atomic<uint64_t> g_allocations{0};
// OpenSSL's own, counted apart through its allocator hooks (and not in g_allocations): the TLS
// path is judged on what the harness allocates, and OpenSSL's figure is reported beside it.
std::atomic<uint64_t> g_openssl_allocations{0};

void* openssl_malloc(size_t size, const char*, int) {
  g_openssl_allocations.fetch_add(1, std::memory_order_relaxed);
  return __libc_malloc(size);
}
void* openssl_realloc(void* pointer, size_t size, const char*, int) {
  g_openssl_allocations.fetch_add(1, std::memory_order_relaxed);
  return __libc_realloc(pointer, size);
}
void openssl_free(void* pointer, const char*, int) { free(pointer); }

// Before main, so before OpenSSL's first allocation (it refuses new hooks after one).
const bool g_openssl_hooked =
    CRYPTO_set_mem_functions(openssl_malloc, openssl_realloc, openssl_free) == 1;
}  // namespace

extern "C" void* malloc(size_t size) {
  g_allocations.fetch_add(1, std::memory_order_relaxed);
  return __libc_malloc(size);
}
extern "C" void* calloc(size_t count, size_t size) {
  g_allocations.fetch_add(1, std::memory_order_relaxed);
  return __libc_calloc(count, size);
}
extern "C" void* realloc(void* pointer, size_t size) {
  g_allocations.fetch_add(1, std::memory_order_relaxed);
  return __libc_realloc(pointer, size);
}

namespace th {
namespace {

constexpr uint64_t kFewer = 5'000;
constexpr uint64_t kMore = 20'000;

// Allocations during one run of `requests` requests: setup and teardown included, which cost
// the same whatever the count.
struct Allocations {
  uint64_t own = 0;
  uint64_t openssl = 0;
};

Allocations allocations_for(nlohmann::json scenario, uint64_t requests) {
  scenario["requests"] = requests;
  scenario["duration_s"] = 60;
  RunSpec spec;
  spec.scenario = scenario_from_json(scenario, "test");
  spec.name = "alloc";
  const uint64_t before = g_allocations.load();
  const uint64_t openssl_before = g_openssl_allocations.load();
  const RunResult result = execute_run(spec);
  const Allocations counted{g_allocations.load() - before,
                            g_openssl_allocations.load() - openssl_before};
  EXPECT_EQ(result.recorder.requests_ok, requests);
  EXPECT_EQ(result.recorder.error_total(), 0u);
  if (result.recorder.timestamps) {  // the work whose allocations were counted was done
    EXPECT_EQ(result.recorder.timestamps->split + result.recorder.timestamps->clock_stepped,
              requests);
  }
  return counted;
}

double per_extra_request(uint64_t fewer, uint64_t more) {
  return (static_cast<double>(more) - static_cast<double>(fewer)) /
         static_cast<double>(kMore - kFewer);
}

void expect_no_allocation_per_request(const nlohmann::json& scenario) {
  ASSERT_TRUE(g_openssl_hooked) << "OpenSSL allocated before its hooks were set";
  const Allocations fewer_counted = allocations_for(scenario, kFewer);
  const Allocations more_counted = allocations_for(scenario, kMore);
  const uint64_t fewer = fewer_counted.own;
  const uint64_t more = more_counted.own;
  const double per_request = per_extra_request(fewer, more);
  const double openssl_per_request = per_extra_request(fewer_counted.openssl, more_counted.openssl);
  ::testing::Test::RecordProperty("allocations_per_request", std::to_string(per_request));
  if (scenario.contains("tls")) {
    ::testing::Test::RecordProperty("openssl_allocations_per_request",
                                    std::to_string(openssl_per_request));
    std::printf("allocations per request: harness %.4f, OpenSSL %.2f (client and server)\n",
                per_request, openssl_per_request);
  }
  // Each extra second of the longer run adds a timeline entry; 1 in 100 requests is far above
  // that and far below one allocation per request.
  EXPECT_LT(per_request, 0.01) << fewer << " allocations for " << kFewer << " requests, " << more
                               << " for " << kMore;
}

TEST(HotPath, KeepAliveAllocatesNothingPerRequest) {
  expect_no_allocation_per_request({{"connection", "keep_alive"}, {"connections", 8}});
}

TEST(HotPath, PerRequestAllocatesNothingPerRequest) {
  expect_no_allocation_per_request({{"connection", "per_request"}, {"connections", 8}});
}

TEST(HotPath, PipelinedAllocatesNothingPerRequest) {
  expect_no_allocation_per_request({{"connection", "pipelined"}, {"connections", 4}});
}

TEST(HotPath, EchoAllocatesNothingPerRequest) {
  expect_no_allocation_per_request({{"protocol", "echo"}, {"connections", 8}});
}

// OpenSSL included: records are encrypted and decrypted in buffers each SSL object keeps, and the
// transport's ciphertext buffers are reused (docs/performance.md, "TLS").
TEST(HotPath, TlsKeepAliveAllocatesNothingPerRequest) {
  expect_no_allocation_per_request(
      {{"connection", "keep_alive"}, {"connections", 8}, {"tls", nlohmann::json::object()}});
}

// recvmsg with its control data on the stack, the error queue drained the same way.
TEST(HotPath, TimestampsAllocateNothingPerRequest) {
  expect_no_allocation_per_request(
      {{"protocol", "echo"}, {"connections", 8}, {"timestamps", true}});
  expect_no_allocation_per_request(
      {{"connections", 8}, {"timestamps", true}, {"tls", nlohmann::json::object()}});
}

// A pause restarts the connection's own timer (made once); each response's round trips go into a
// histogram and the server reads its cwnd into a struct on the stack.
TEST(HotPath, ThinkTimeAndPerResponseTcpInfoAllocateNothingPerRequest) {
  const nlohmann::json server = {{"tcp_info_per_response", true}};
  expect_no_allocation_per_request(
      {{"connections", 8}, {"think_time_ms", 0.1}, {"server", server}});
  expect_no_allocation_per_request({{"connections", 8},
                                    {"connection", "per_request"},
                                    {"think_time_ms", 0.1},
                                    {"think_time_distribution", "exponential"},
                                    {"server", server}});
}

TEST(HotPath, OpenLoopAllocatesNothingPerRequest) {
  expect_no_allocation_per_request({{"connections", 8}, {"rate", 20000}});
}

// The per-second and at-close TCP_INFO sample, on a real loopback connection: a fixed struct on
// the stack and histograms allocated up front, so ten thousand samples allocate nothing.
TEST(HotPath, TcpInfoSampleAllocatesNothing) {
  const testing::LoopbackSocket listener(1);
  ASSERT_TRUE(listener.ok());
  const int client = socket(AF_INET, SOCK_STREAM, 0);
  ASSERT_EQ(
      connect(client, reinterpret_cast<const sockaddr*>(&listener.address()), sizeof(sockaddr_in)),
      0);
  const int server = accept(listener.fd(), nullptr, nullptr);
  ASSERT_GE(server, 0);
  const char bytes[512] = {};
  ASSERT_EQ(write(client, bytes, sizeof bytes), static_cast<ssize_t>(sizeof bytes));

  TcpInfoStats stats;
  TcpInfoProbe probe;
  probe.opened(1);
  const uint64_t before = g_allocations.load();
  for (uint64_t sample = 0; sample < 10'000; ++sample)
    probe.sample(client, 2 + sample, 1, UINT64_MAX, stats);
  const uint64_t after = g_allocations.load();
  EXPECT_EQ(after - before, 0u);
  EXPECT_EQ(stats.samples, 10'000u);
  EXPECT_EQ(stats.connections_sampled, 1u);
  close(server);
  close(client);
}

}  // namespace
}  // namespace th
