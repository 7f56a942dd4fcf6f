#include <gtest/gtest.h>

#include <cstdio>
#include <fstream>
#include <string>

#include "base/config_error.hpp"
#include "config_errors.hpp"
#include "scenario/loader.hpp"

namespace th {
namespace {

using nlohmann::json;
using testing::error_of;
using testing::parse;
using testing::parse_error;

TEST(ScenarioLoader, EmptyObjectGivesDocumentedDefaults) {
  const Scenario s = parse("{}");
  EXPECT_EQ(s.name, "unnamed");
  EXPECT_EQ(s.description, "");
  EXPECT_FALSE(s.target.has_value());
  EXPECT_EQ(s.protocol, Protocol::http);
  EXPECT_EQ(s.request_size, 64u);
  EXPECT_EQ(s.response_size, 64u);
  EXPECT_EQ(s.path, "/");
  EXPECT_EQ(s.connection, ConnectionModel::keep_alive);
  EXPECT_EQ(s.connections, 16u);
  EXPECT_EQ(s.threads, 1u);
  EXPECT_EQ(s.server_threads, 1u);
  EXPECT_DOUBLE_EQ(s.duration_s, 5.0);
  EXPECT_DOUBLE_EQ(s.warmup_s, 0.0);
  EXPECT_FALSE(s.requests.has_value());
  EXPECT_EQ(s.timeout_ms, 5000u);
  EXPECT_FALSE(s.client.tcp_nodelay.has_value());
  EXPECT_FALSE(s.server.so_sndbuf.has_value());
  EXPECT_EQ(s.write_pattern, WritePattern::single);
  EXPECT_TRUE(s.client_cpus.empty());
  EXPECT_TRUE(s.server_cpus.empty());
}

TEST(ScenarioLoader, EveryKeyIsParsed) {
  const Scenario s = parse(R"({
    "name": "nagle", "description": "the 40 ms stall", "target": "example.com:8080",
    "protocol": "echo", "request_size": 100, "response_size": 0, "path": "/x?y=1",
    "connection": "per_request", "connections": 4, "threads": 2, "server_threads": 3,
    "duration_s": 1.5, "warmup_s": 0.5, "requests": 1000, "timeout_ms": 250,
    "client": {"tcp_nodelay": true, "so_sndbuf": 4096, "so_rcvbuf": 8192},
    "server": {"tcp_nodelay": false}, "write_pattern": "split",
    "client_cpus": [0], "server_cpus": [1, 2]})");
  EXPECT_EQ(s.name, "nagle");
  EXPECT_EQ(s.description, "the 40 ms stall");
  ASSERT_TRUE(s.target.has_value());
  EXPECT_EQ(s.target->host, "example.com");
  EXPECT_EQ(s.target->port, 8080);
  EXPECT_EQ(s.protocol, Protocol::echo);
  EXPECT_EQ(s.request_size, 100u);
  EXPECT_EQ(s.response_size, 0u);
  EXPECT_EQ(s.path, "/x?y=1");
  EXPECT_EQ(s.connection, ConnectionModel::per_request);
  EXPECT_EQ(s.connections, 4u);
  EXPECT_EQ(s.threads, 2u);
  EXPECT_EQ(s.server_threads, 3u);
  EXPECT_DOUBLE_EQ(s.duration_s, 1.5);
  EXPECT_DOUBLE_EQ(s.warmup_s, 0.5);
  EXPECT_EQ(s.requests, 1000u);
  EXPECT_EQ(s.timeout_ms, 250u);
  EXPECT_EQ(s.client.tcp_nodelay, true);
  EXPECT_EQ(s.client.so_sndbuf, 4096);
  EXPECT_EQ(s.client.so_rcvbuf, 8192);
  EXPECT_EQ(s.server.tcp_nodelay, false);
  EXPECT_FALSE(s.server.so_rcvbuf.has_value());
  EXPECT_EQ(s.write_pattern, WritePattern::split);
  EXPECT_EQ(s.client_cpus, std::vector<int>{0});
  EXPECT_EQ(s.server_cpus, (std::vector<int>{1, 2}));
}

TEST(ScenarioLoader, UnknownKeyIsRejectedWithItsPathAndAllowedKeys) {
  const std::string message = parse_error(R"({"clinet": {}})");
  EXPECT_EQ(message.rfind("x.json: /clinet: unknown key; did you mean \"client\"? allowed keys: "
                          "name, description, ",
                          0),
            0u)
      << message;
  EXPECT_NE(message.find("server_cpus, link, tls, sweep"), std::string::npos) << message;
}

TEST(ScenarioLoader, UnknownSocketOptionIsRejectedWithItsPath) {
  EXPECT_EQ(
      parse_error(R"({"client": {"nodelay": true}})"),
      "x.json: /client/nodelay: unknown key; allowed keys: tcp_nodelay, tcp_quickack, so_sndbuf, "
      "so_rcvbuf, so_linger, tcp_cork, tcp_notsent_lowat, tcp_congestion, tcp_maxseg, "
      "tcp_user_timeout, so_keepalive, tcp_keepidle, tcp_keepintvl, tcp_keepcnt, ip_tos, "
      "so_priority, so_busy_poll, close, tcp_fastopen");
  // The server side also takes the embedded server's own keys after the socket options.
  EXPECT_EQ(parse_error(R"({"server": {"nodelay": true}})")
                .rfind("x.json: /server/nodelay: unknown key; allowed keys: tcp_nodelay, "
                       "tcp_quickack, so_sndbuf, "
                       "so_rcvbuf, so_linger, tcp_cork, tcp_notsent_lowat, tcp_congestion, "
                       "tcp_maxseg, tcp_user_timeout, so_keepalive, tcp_keepidle, tcp_keepintvl, "
                       "tcp_keepcnt, ip_tos, so_priority, so_busy_poll, close, tcp_fastopen, "
                       "tcp_defer_accept, "
                       "delay_us, stall",
                       0),
            0u);
}

TEST(ScenarioLoader, ServerBehaviourKeysAreServerOnly) {
  const Scenario s = scenario_from_json(
      json::parse(R"({"server": {"delay_us": 250, "stall": {"every_s": 2, "for_ms": 200}}})"),
      "x.json");
  EXPECT_EQ(s.server.delay_us, 250u);
  ASSERT_TRUE(s.server.stall.has_value());
  EXPECT_EQ(s.server.stall->for_ms, 200u);
  EXPECT_NE(parse_error(R"({"client": {"delay_us": 5}})").find("/client/delay_us: unknown key"),
            std::string::npos);
  EXPECT_NE(parse_error(R"({"server": {"stall": {"for_s": 1}}})").find("/server/stall/for_s"),
            std::string::npos);
}

TEST(ScenarioLoader, WrongTypeNamesPointerAndValue) {
  EXPECT_EQ(parse_error(R"({"connections": "16"})"),
            "x.json: /connections: must be an integer from 1 to 100000, got \"16\"");
  EXPECT_EQ(parse_error(R"({"client": {"tcp_nodelay": 1}})"),
            "x.json: /client/tcp_nodelay: must be true or false, got 1");
  EXPECT_EQ(parse_error(R"({"client": []})"), "x.json: /client: must be an object, got []");
}

TEST(ScenarioLoader, BooleansAndFloatsAreNotIntegers) {
  EXPECT_NE(parse_error(R"({"threads": true})").find("/threads: must be an integer"),
            std::string::npos);
  EXPECT_NE(parse_error(R"({"request_size": 64.0})").find("got 64.0"), std::string::npos);
}

TEST(ScenarioLoader, NegativeBufferSizeIsRejected) {
  EXPECT_EQ(parse_error(R"({"client": {"so_sndbuf": -5}})"),
            "x.json: /client/so_sndbuf: must be an integer from 1 to 2147483647, got -5");
}

TEST(ScenarioLoader, OutOfRangeValuesAreRejectedAtTheirPointer) {
  const std::pair<const char*, const char*> cases[] = {
      {R"({"protocol": "echo", "request_size": 0})", "/request_size: "},
      {R"({"request_size": 67108865})", "/request_size: "},
      {R"({"response_size": 1073741825})", "/response_size: "},
      {R"({"connections": 100001})", "/connections: "},
      {R"({"threads": 257})", "/threads: "},
      {R"({"server_threads": 0})", "/server_threads: "},
      {R"({"duration_s": 0})", "/duration_s: must be a number greater than 0 and at most 86400"},
      {R"({"warmup_s": -1})", "/warmup_s: must be a number from 0 to 3600"},
      {R"({"requests": 0})", "/requests: "},
      {R"({"timeout_ms": 3600001})", "/timeout_ms: "},
      {R"({"path": "index.html"})", "/path: must be a string starting with \"/\""},
      {R"({"path": "/a b"})", "/path: "},
      {R"({"name": ""})", "/name: must be a non-empty string"},
      {R"({"protocol": "ftp"})", "/protocol: must be one of \"echo\", \"http\", \"stream\""},
      {R"({"connection": "serial"})", "/connection: must be one of"},
      {R"({"write_pattern": 1})", "/write_pattern: must be one of"},
      {R"({"server_cpus": [0, -1]})", "/server_cpus/1: "},
      {R"({"client_cpus": 0})", "/client_cpus: must be a list"},
  };
  for (const auto& [text, expected] : cases) {
    EXPECT_NE(parse_error(text).find(expected), std::string::npos) << text;
  }
}

TEST(ScenarioLoader, TopLevelMustBeAnObject) {
  EXPECT_EQ(error_of([] { parse_scenario_text("[1]", "x.json"); }),
            "x.json: /: must be an object, got [1]");
}

TEST(ScenarioLoader, MissingFileNamesPathAndReason) {
  EXPECT_EQ(error_of([] { load_scenario_file("/nonexistent/x.json"); }),
            "/nonexistent/x.json: cannot open: No such file or directory");
}

TEST(ScenarioLoader, InvalidJsonNamesLineAndColumn) {
  const std::string message =
      error_of([] { parse_scenario_text("{\n  \"connections\": 4,\n}", "x.json"); });
  EXPECT_EQ(message.rfind("x.json: invalid JSON: parse error at line 3, column 1", 0), 0u)
      << message;
  EXPECT_EQ(message.find('\n'), std::string::npos);
}

TEST(ScenarioLoader, CommentsAreAccepted) {
  const auto doc = parse_scenario_text(
      "// Nagle\n{ /* many */ \"connections\": 2, // pairs\n \"sweep\": {} }", "x.json");
  EXPECT_EQ(doc.base, json({{"connections", 2}}));
  EXPECT_EQ(expand_runs(doc).at(0).scenario.connections, 2u);
}

TEST(ScenarioLoader, FileIsReadAndErrorsNameIt) {
  const std::string path = ::testing::TempDir() + "scenario_loader_test.json";
  std::ofstream(path) << "{\"name\": \"disk\", \"threads\": 0}";
  const auto doc = load_scenario_file(path);
  EXPECT_EQ(doc.source, path);
  EXPECT_EQ(error_of([&] { expand_runs(doc); }),
            path + ": /threads: must be an integer from 1 to 256, got 0");
  std::remove(path.c_str());
}

TEST(Target, HostAndPortAreParsed) {
  const Scenario s = parse(R"({"target": "127.0.0.1:8080"})");
  ASSERT_TRUE(s.target.has_value());
  EXPECT_EQ(s.target->host, "127.0.0.1");
  EXPECT_EQ(s.target->port, 8080);
}

TEST(Target, BracketedIpv6IsParsed) {
  const Scenario s = parse(R"({"target": "[fe80::1]:65535"})");
  ASSERT_TRUE(s.target.has_value());
  EXPECT_EQ(s.target->host, "fe80::1");
  EXPECT_EQ(s.target->port, 65535);
}

TEST(Target, NullMeansEmbeddedServer) {
  EXPECT_FALSE(parse(R"({"target": null})").target.has_value());
}

TEST(Target, MalformedTargetsAreRejected) {
  for (const char* text : {"localhost", "localhost:0", "localhost:65536", ":80", "::1:80",
                           "[::1]80", "[]:80", "host:8o", "host:", "[::1:80", "host:+80"}) {
    const std::string message = parse_error(json({{"target", text}}).dump());
    EXPECT_NE(message.find("x.json: /target: must be null (embedded server)"), std::string::npos)
        << text << ": " << message;
  }
  EXPECT_NE(parse_error(R"({"target": 8080})").find("got 8080"), std::string::npos);
}

TEST(ScenarioJson, EnumsAndUnsetValuesAreWrittenReadably) {
  const json out = parse(R"({"target": "[::1]:9000", "client": {"so_rcvbuf": 1}})");
  EXPECT_EQ(out["target"], "[::1]:9000");
  EXPECT_EQ(out["protocol"], "http");
  EXPECT_EQ(out["connection"], "keep_alive");
  EXPECT_EQ(out["write_pattern"], "single");
  EXPECT_TRUE(out["requests"].is_null());
  EXPECT_TRUE(out["client"]["tcp_nodelay"].is_null());
  EXPECT_EQ(out["client"]["so_rcvbuf"], 1);
  EXPECT_TRUE(out["link"].is_null());
  EXPECT_EQ(out["tcp_info"], true);
  EXPECT_TRUE(out["tls"].is_null());
  EXPECT_EQ(out["poll"], "sleep");
  EXPECT_EQ(out["poll_spin_us"], 1000);
  EXPECT_EQ(out["timestamps"], false);
  EXPECT_EQ(out["think_time_ms"], 0.0);
  EXPECT_EQ(out["think_time_distribution"], "fixed");
  EXPECT_TRUE(out["closer"].is_null()) << "keep_alive: no closer";
  EXPECT_EQ(out["client"]["close"], "graceful");
  EXPECT_EQ(out.size(), 38u);
}

TEST(ScenarioJson, ResolvedScenarioReadsBackUnchanged) {
  const json original = parse(R"({"name": "n", "target": "h:1", "protocol": "stream",
      "requests": 7, "server": {"so_sndbuf": 9}, "write_pattern": "split", "client_cpus": [1]})");
  EXPECT_EQ(json(scenario_from_json(original, "report")), original);
}

TEST(Override, PlainValueIsParsedAsJson) {
  ScenarioDocument doc = parse_scenario_text("{}", "x.json");
  apply_override(doc, "connections=64");
  apply_override(doc, "duration_s=0.25");
  apply_override(doc, "requests=null");
  const Scenario s = expand_runs(doc).at(0).scenario;
  EXPECT_EQ(s.connections, 64u);
  EXPECT_DOUBLE_EQ(s.duration_s, 0.25);
  EXPECT_FALSE(s.requests.has_value());
}

TEST(Override, DottedKeySetsNestedValue) {
  ScenarioDocument doc = parse_scenario_text(R"({"client": {"so_sndbuf": 4096}})", "x.json");
  apply_override(doc, "client.tcp_nodelay=true");
  apply_override(doc, "server.so_rcvbuf=1024");
  EXPECT_EQ(doc.base["client"], json({{"so_sndbuf", 4096}, {"tcp_nodelay", true}}));
  const Scenario s = expand_runs(doc).at(0).scenario;
  EXPECT_EQ(s.client.tcp_nodelay, true);
  EXPECT_EQ(s.client.so_sndbuf, 4096);
  EXPECT_EQ(s.server.so_rcvbuf, 1024);
}

TEST(Override, TextThatIsNotJsonIsTakenAsAString) {
  ScenarioDocument doc = parse_scenario_text("{}", "x.json");
  apply_override(doc, "target=127.0.0.1:8080");
  apply_override(doc, "protocol=echo");
  apply_override(doc, "name=a=b");  // split at the first '=' only
  const Scenario s = expand_runs(doc).at(0).scenario;
  ASSERT_TRUE(s.target.has_value());
  EXPECT_EQ(s.target->port, 8080);
  EXPECT_EQ(s.protocol, Protocol::echo);
  EXPECT_EQ(s.name, "a=b");
}

TEST(Override, MalformedAssignmentIsRejected) {
  ScenarioDocument doc = parse_scenario_text("{}", "x.json");
  EXPECT_EQ(error_of([&] { apply_override(doc, "connections"); }),
            "--set connections: expected key=value");
  EXPECT_EQ(error_of([&] { apply_override(doc, "=4"); }), "--set =4: expected key=value");
  EXPECT_NE(error_of([&] { apply_override(doc, "client..tcp_nodelay=true"); }).find("empty part"),
            std::string::npos);
}

TEST(Override, BadValueIsCaughtWhenRunsAreExpanded) {
  ScenarioDocument doc = parse_scenario_text("{}", "x.json");
  apply_override(doc, "client.so_sndbuf=-5");
  EXPECT_EQ(error_of([&] { expand_runs(doc); }),
            "--set client.so_sndbuf=-5: /client/so_sndbuf: must be an integer from 1 to "
            "2147483647, got -5");
  ScenarioDocument typo = parse_scenario_text("{}", "x.json");
  apply_override(typo, "clinet.tcp_nodelay=true");
  EXPECT_EQ(error_of([&] { expand_runs(typo); })
                .rfind("--set clinet.tcp_nodelay=true: /clinet: unknown key; did you mean "
                       "\"client\"?",
                       0),
            0u);
}

}  // namespace
}  // namespace th

namespace th {
namespace {

TEST(ScenarioLoader, DeeplyNestedJsonIsRefused) {
  const std::string text =
      "{\"description\": " + std::string(10000, '[') + std::string(10000, ']') + "}";
  const std::string message = error_of([&] { parse_scenario_text(text, "deep.json"); });
  EXPECT_NE(message.find("deep.json: invalid JSON: nested deeper than"), std::string::npos)
      << message;
}

}  // namespace
}  // namespace th
