// Scenario keys of the connection-management workloads: URL targets, resolve, page, parallel.
#include <gtest/gtest.h>

#include <string>

#include "base/config_error.hpp"
#include "config_errors.hpp"
#include "load/request_plan.hpp"
#include "scenario/loader.hpp"

namespace th {
namespace {

using nlohmann::json;
using testing::parse;
using testing::parse_error;

TEST(UrlTarget, HostPortAndPathAreTaken) {
  const Scenario s = parse(R"({"target": "http://example.test:8080/index.html?x=1"})");
  ASSERT_TRUE(s.target.has_value());
  EXPECT_EQ(s.target->host, "example.test");
  EXPECT_EQ(s.target->port, 8080);
  EXPECT_EQ(s.path, "/index.html?x=1");
}

TEST(UrlTarget, PortDefaultsTo80AndPathToSlash) {
  const Scenario s = parse(R"({"target": "http://[::1]"})");
  ASSERT_TRUE(s.target.has_value());
  EXPECT_EQ(s.target->host, "::1");
  EXPECT_EQ(s.target->port, 80);
  EXPECT_EQ(s.path, "/");
}

TEST(UrlTarget, SchemeIsCaseInsensitiveAndAnEmptyPortIsTheDefault) {
  const Scenario s = parse(R"({"target": "HTTP://h:/x"})");
  ASSERT_TRUE(s.target.has_value());
  EXPECT_EQ(s.target->host, "h");
  EXPECT_EQ(s.target->port, 80);
  EXPECT_EQ(s.path, "/x");
  EXPECT_EQ(parse(R"({"target": "http://h?q=1"})").path, "/?q=1");
  EXPECT_NE(parse_error(R"({"target": "h:"})").find("/target: must be null"), std::string::npos);
}

TEST(UrlTarget, PathGivenTwiceMustAgree) {
  EXPECT_EQ(parse(R"({"target": "http://h/a", "path": "/a"})").path, "/a");
  EXPECT_NE(parse_error(R"({"target": "http://h/a", "path": "/b"})")
                .find("x.json: /path: differs from the path in target's URL \"/a\""),
            std::string::npos);
}

TEST(UrlTarget, MalformedUrlsAreRejected) {
  for (const char* text :
       {"http://", "http://:80/", "http://h:0/", "http://h:99999", "http://user@h/", "http://h/a b",
        "http://h/#frag", "ftp://h:21", "http://h#frag", "http://[127.0.0.1]:80/", "http://h\\x/",
        "http://h%41/"}) {
    EXPECT_NE(parse_error(json({{"target", text}}).dump()).find("x.json: /target: must be null"),
              std::string::npos)
        << text;
  }
}

// An https:// URL turns TLS on with its defaults, at port 443 unless the URL says otherwise; the
// resolved scenario keeps it as a tls object, so it reads back the same.
TEST(UrlTarget, HttpsUrlSpeaksTlsAtPort443) {
  const Scenario scenario = parse(R"({"target": "https://h/p"})");
  ASSERT_TRUE(scenario.target && scenario.tls);
  EXPECT_EQ(scenario.target->port, 443);
  EXPECT_EQ(scenario.path, "/p");
  const json resolved = json(scenario);
  EXPECT_EQ(resolved["target"], "h:443");
  EXPECT_EQ(json(scenario_from_json(resolved, "report")), resolved);
  EXPECT_EQ(parse(R"({"target": "https://h:8443/"})").target->port, 8443);
}

TEST(UrlTarget, ResolvedScenarioReadsBackUnchanged) {
  const json resolved = json(parse(R"({"target": "http://h:81/p", "resolve": "every_request"})"));
  EXPECT_EQ(resolved["target"], "h:81");
  EXPECT_EQ(resolved["path"], "/p");
  EXPECT_EQ(resolved["resolve"], "every_request");
  EXPECT_EQ(json(scenario_from_json(resolved, "report")), resolved);
}

TEST(Page, SizesAreCycledOverTheObjects) {
  const Scenario s = parse(R"({"page": {"objects": 5, "sizes": [100, 2000]},
                               "connection": "parallel", "parallel_connections": 3})");
  ASSERT_TRUE(s.page.has_value());
  EXPECT_EQ(s.page->objects, 5u);
  EXPECT_EQ(s.parallel_connections, 3u);
  EXPECT_EQ(page_object_path(*s.page, 0), "/bytes/100");
  EXPECT_EQ(page_object_path(*s.page, 1), "/bytes/2000");
  EXPECT_EQ(page_object_path(*s.page, 4), "/bytes/100");
  EXPECT_EQ(json(scenario_from_json(json(s), "report")), json(s));
}

TEST(Page, PathsDefineTheObjects) {
  const Scenario s = parse(R"({"page": {"paths": ["/a.css", "/b.png"]}})");
  ASSERT_TRUE(s.page.has_value());
  EXPECT_EQ(s.page->objects, 2u);
  EXPECT_EQ(page_object_path(*s.page, 1), "/b.png");
  EXPECT_EQ(parse(R"({})").parallel_connections, 6u);  // as browsers
}

TEST(Page, BadPagesAreRejectedAtTheirPointer) {
  EXPECT_NE(parse_error(R"({"page": {"objects": 3}})").find("/page: needs objects and sizes"),
            std::string::npos);
  EXPECT_NE(parse_error(R"({"page": {"objects": 3, "sizes": []}})")
                .find("/page/sizes: must list at least one size"),
            std::string::npos);
  EXPECT_NE(parse_error(R"({"page": {"objects": 1001, "sizes": [1]}})")
                .find("/page/objects: must be an integer from 0 to 1000"),
            std::string::npos);
  EXPECT_NE(parse_error(R"({"page": {"paths": ["x"]}})").find("/page/paths/0: must start with"),
            std::string::npos);
  EXPECT_NE(parse_error(R"({"page": {"paths": ["/x"], "sizes": [1]}})").find("not both"),
            std::string::npos);
  EXPECT_NE(parse_error(R"({"page": {"object": 3}})").find("/page/object"), std::string::npos);
}

TEST(Page, ParallelNeedsAPageAndPagesNeedHttpClosedLoop) {
  EXPECT_NE(parse_error(R"({"connection": "parallel"})").find("/connection: parallel"),
            std::string::npos);
  const std::string page = R"("page": {"objects": 2, "sizes": [10]})";
  EXPECT_NE(parse_error("{" + page + R"(, "protocol": "echo"})").find("/page: a page is"),
            std::string::npos);
  EXPECT_NE(parse_error("{" + page + R"(, "rate": 100})").find("/rate: page loads run closed loop"),
            std::string::npos);
  EXPECT_NE(parse_error(R"({"resolve": "always"})").find("/resolve: must be one of"),
            std::string::npos);
  EXPECT_NE(parse_error("{" + page + R"(, "requests": 2})")
                .find("/requests: counts whole pages: a page here is 3 requests"),
            std::string::npos);
}

}  // namespace
}  // namespace th
