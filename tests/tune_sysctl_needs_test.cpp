#include <gtest/gtest.h>

#include <map>

#include "tune/sysctl_needs.hpp"

namespace th {
namespace {

using Params = std::vector<std::pair<std::string, nlohmann::json>>;

// A host with these sysctls; any other reads as unreadable.
SysctlReader host(std::map<std::string, std::string> values) {
  return [values](const std::string& name) -> std::optional<std::string> {
    auto found = values.find(name);
    if (found == values.end()) return std::nullopt;
    return found->second;
  };
}

TEST(SysctlNeeds, SendBufferAboveWmemMaxNeedsItRaised) {
  const std::vector<SysctlNeed> needs =
      sysctl_needs(Params{{"client.so_sndbuf", 4194304}}, host({{"net.core.wmem_max", "212992"}}));
  ASSERT_EQ(needs.size(), 1u);
  EXPECT_EQ(needs[0].sysctl, "net.core.wmem_max");
  EXPECT_EQ(needs[0].requirement, ">= 4194304");
  EXPECT_EQ(needs[0].satisfied, false);
  EXPECT_EQ(needs[0].fix, "sysctl -w net.core.wmem_max=4194304");
}

TEST(SysctlNeeds, BufferWithinTheLimitIsSatisfied) {
  const std::vector<SysctlNeed> needs =
      sysctl_needs(Params{{"server.so_rcvbuf", 65536}}, host({{"net.core.rmem_max", "212992"}}));
  ASSERT_EQ(needs.size(), 1u);
  EXPECT_EQ(needs[0].satisfied, true);
}

TEST(SysctlNeeds, CongestionControlMustBeAvailableAndAllowed) {
  const std::vector<SysctlNeed> needs =
      sysctl_needs(Params{{"client.tcp_congestion", "bbr"}},
                   host({{"net.ipv4.tcp_available_congestion_control", "reno cubic bbr"},
                         {"net.ipv4.tcp_allowed_congestion_control", "reno cubic"}}));
  ASSERT_EQ(needs.size(), 2u);
  EXPECT_EQ(needs[0].satisfied, true);  // module loaded
  EXPECT_EQ(needs[1].sysctl, "net.ipv4.tcp_allowed_congestion_control");
  EXPECT_EQ(needs[1].satisfied, false);
  EXPECT_EQ(needs[1].fix, "sysctl -w net.ipv4.tcp_allowed_congestion_control=\"reno cubic bbr\"");
}

TEST(SysctlNeeds, FastOpenNeedsTheBitOfItsSide) {
  const std::vector<SysctlNeed> needs =
      sysctl_needs(Params{{"client.tcp_fastopen", true}, {"server.tcp_fastopen", true}},
                   host({{"net.ipv4.tcp_fastopen", "1"}}));
  ASSERT_EQ(needs.size(), 2u);
  EXPECT_EQ(needs[0].satisfied, true);  // 1 has the client bit
  EXPECT_EQ(needs[1].satisfied, false);
  EXPECT_EQ(needs[1].fix, "sysctl -w net.ipv4.tcp_fastopen=3");
}

// Behind a link the server's namespace is the harness's, which sets the server bit there; the
// client still runs in the host's namespace, and the buffer limits are global.
TEST(SysctlNeeds, BehindALinkTheServersFastOpenBitIsTheHarnesssToSet) {
  const std::vector<SysctlNeed> needs =
      sysctl_needs(Params{{"client.tcp_fastopen", true},
                          {"server.tcp_fastopen", true},
                          {"server.so_rcvbuf", 4194304}},
                   host({{"net.ipv4.tcp_fastopen", "1"}, {"net.core.rmem_max", "212992"}}), true);
  ASSERT_EQ(needs.size(), 2u);
  EXPECT_EQ(needs[0].key, "client.tcp_fastopen");
  EXPECT_EQ(needs[0].satisfied, true);
  EXPECT_EQ(needs[1].sysctl, "net.core.rmem_max");
  EXPECT_EQ(needs[1].satisfied, false);
}

TEST(SysctlNeeds, FastOpenOffNeedsNothing) {
  EXPECT_TRUE(sysctl_needs(Params{{"client.tcp_fastopen", false}}, host({})).empty());
}

TEST(SysctlNeeds, OptionsWithoutAHostLimitNeedNothing) {
  EXPECT_TRUE(sysctl_needs(Params{{"client.tcp_nodelay", true},
                                  {"server.tcp_quickack", true},
                                  {"client.tcp_notsent_lowat", 16384},
                                  {"connections", 8}},
                           host({}))
                  .empty());
}

TEST(SysctlNeeds, UnreadableSysctlLeavesSatisfiedUnknown) {
  const std::vector<SysctlNeed> needs = sysctl_needs(Params{{"so_sndbuf", 1 << 20}}, host({}));
  ASSERT_EQ(needs.size(), 1u);
  EXPECT_FALSE(needs[0].current);
  EXPECT_FALSE(needs[0].satisfied);
}

}  // namespace
}  // namespace th
