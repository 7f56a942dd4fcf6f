// "Did you mean": one edit distance for commands, options and scenario keys.
#include "base/closest_match.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "config_errors.hpp"

namespace th {
namespace {

using testing::parse_error;

TEST(ClosestMatch, CountsInsertionsDeletionsSubstitutionsAndSwapsAsOneEditEach) {
  EXPECT_EQ(edit_distance("run", "run"), 0u);
  EXPECT_EQ(edit_distance("rn", "run"), 1u);
  EXPECT_EQ(edit_distance("runn", "run"), 1u);
  EXPECT_EQ(edit_distance("rum", "run"), 1u);
  EXPECT_EQ(edit_distance("clinet", "client"), 1u);  // a swap of neighbours, as typists make it
  EXPECT_EQ(edit_distance("", "abc"), 3u);
  EXPECT_EQ(edit_distance("kitten", "sitting"), 3u);
}

TEST(ClosestMatch, SuggestsOnlyWhatIsCloseEnoughToBeATypo) {
  const std::vector<std::string> commands{"run", "serve", "validate", "compare", "tune"};
  EXPECT_EQ(closest_match("rn", commands), "run");
  EXPECT_EQ(closest_match("serv", commands), "serve");
  EXPECT_EQ(closest_match("comapre", commands), "compare");
  EXPECT_EQ(closest_match("deploy", commands), std::nullopt);
  EXPECT_EQ(closest_match("x", commands), std::nullopt);
  EXPECT_EQ(closest_match("duraton", {"duration", "connections"}), "duration");
}

TEST(ClosestMatch, UnknownScenarioKeysNameTheClosestKey) {
  EXPECT_NE(parse_error(R"({"conections": 4})")
                .find("/conections: unknown key; did you mean "
                      "\"connections\"? allowed keys: "),
            std::string::npos);
  EXPECT_NE(parse_error(R"({"client": {"tcp_nodelya": true}})")
                .find("/client/tcp_nodelya: unknown key; did you mean \"tcp_nodelay\"?"),
            std::string::npos);
  EXPECT_EQ(parse_error(R"({"zzzzzz": 1})").find("did you mean"), std::string::npos);
}

}  // namespace
}  // namespace th
