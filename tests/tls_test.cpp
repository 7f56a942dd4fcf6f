// TLS as a second transport: the client and the embedded server over OpenSSL, handshakes
// counted by kind, resumption, and handshakes that fail, each its own error kind.
#include <fmt/format.h>
#include <gtest/gtest.h>

#include <chrono>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "blocking_client.hpp"
#include "cli_runner.hpp"
#include "config_errors.hpp"
#include "free_port.hpp"
#include "net/address.hpp"
#include "nginx_process.hpp"
#include "scenario/loader.hpp"
#include "serve_process.hpp"

namespace th {
namespace {

using nlohmann::json;

class TlsOnLoopback : public testing::ScratchDirTest {
 protected:
  // A run of quickstart's load (0.4 s, no warm-up, 4 connections) with `arguments` added;
  // returns its only run, or null when it wrote no report.
  json run(const std::string& arguments, int expected_exit = 0) {
    const std::string report = scratch_ + "/tls.json";
    std::remove(report.c_str());
    outcome_ = testing::run_cli(
        "run " + arguments +
            " --set duration_s=0.4 --set warmup_s=0 --set connections=4 -q --out " + report,
        scratch_);
    EXPECT_EQ(outcome_.exit_code, expected_exit) << outcome_.err;
    const std::string text = testing::read_file(report);
    return text.empty() ? json() : json::parse(text)["runs"][0];
  }

  // A self-signed ECDSA certificate for localhost, by the openssl command, for foreign servers.
  static bool make_certificate(const std::string& key, const std::string& certificate) {
    return std::system(("openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -keyout " +
                        key + " -out " + certificate +
                        " -days 1 -nodes -subj /CN=localhost 2>/dev/null")
                           .c_str()) == 0;
  }

  static uint64_t count(const json& run, const char* kind) {
    return run["tls"]["handshakes"][kind].get<uint64_t>();
  }

  testing::CliOutcome outcome_;
};

TEST_F(TlsOnLoopback, KeepAliveAnswersEveryRequestAfterOneHandshakePerConnection) {
  const json run = this->run("scenarios/quickstart.json --set 'tls={}'");
  ASSERT_TRUE(run.is_object());
  EXPECT_GT(run["requests"]["ok"].get<uint64_t>(), 100u);
  EXPECT_EQ(run["requests"]["error_total"], 0);
  EXPECT_EQ(count(run, "full"), 4u);
  EXPECT_EQ(count(run, "resumed"), 0u);
  EXPECT_EQ(run["latency_us"]["tls_handshake"]["count"], 4);
  EXPECT_EQ(run["latency_us"]["connect"]["count"], 4);
  ASSERT_EQ(run["tls"]["negotiated"].size(), 1u);
  EXPECT_EQ(run["tls"]["negotiated"][0]["version"], "TLSv1.3");
  EXPECT_GT(run["tls"]["handshake_bytes"]["received"].get<uint64_t>(), 4u * 500);
}

// Every connection after a connection slot's first resumes with the ticket the one before got.
TEST_F(TlsOnLoopback, PerRequestConnectionsResumeWithTickets) {
  const json run = this->run(
      "scenarios/quickstart.json --per-request --set 'tls={\"resumption\": \"tickets\"}'");
  ASSERT_TRUE(run.is_object());
  const uint64_t opened = run["requests"]["connections_opened"].get<uint64_t>();
  EXPECT_GT(opened, 20u);
  EXPECT_EQ(run["requests"]["error_total"], 0);
  EXPECT_LE(count(run, "full"), 4u);
  EXPECT_EQ(count(run, "full") + count(run, "resumed"), opened);
}

// 0-RTT: every resumed connection's request goes as early data and the embedded server takes
// it; the client learns of the connection at TCP connected and of its handshake later.
TEST_F(TlsOnLoopback, EveryResumedConnectionSendsItsRequestAsEarlyData) {
  const json run = this->run(
      "scenarios/quickstart.json --per-request --set 'tls={\"resumption\": \"tickets\", "
      "\"early_data\": true}'");
  ASSERT_TRUE(run.is_object());
  const uint64_t opened = run["requests"]["connections_opened"].get<uint64_t>();
  EXPECT_GT(opened, 20u);
  EXPECT_EQ(run["requests"]["error_total"], 0);
  EXPECT_EQ(run["requests"]["ok"], opened);
  EXPECT_LE(count(run, "full"), 4u);
  EXPECT_EQ(count(run, "full") + count(run, "resumed"), opened);
  EXPECT_EQ(run["tls"]["early_data"]["accepted"], count(run, "resumed"));
  EXPECT_EQ(run["tls"]["early_data"]["rejected"], 0);
  EXPECT_EQ(run["latency_us"]["tls_handshake"]["count"], opened);
}

// serve --tls answers each 0-RTT request and closes (Connection: close) only once the
// client's Finished has ended the handshake, so its counts agree with the client's. Closing at
// once cut every handshake short: serve counted none of them.
TEST_F(TlsOnLoopback, ServeCountsEveryEarlyDataHandshakeTheClientCounts) {
  testing::ServeProcess server(
      {"--tls", "--set", "tls.resumption=tickets", "--set", "tls.early_data=true"});
  ASSERT_GT(server.port(), 0) << server.err();
  const json run = this->run("https://" + server.address() +
                             "/ --per-request --set 'tls={\"resumption\": \"tickets\", "
                             "\"early_data\": true}'");
  ASSERT_TRUE(run.is_object());
  EXPECT_EQ(run["requests"]["error_total"], 0);
  const uint64_t accepted = run["tls"]["early_data"]["accepted"].get<uint64_t>();
  EXPECT_GT(accepted, 20u);
  EXPECT_EQ(server.stop(), 0);
  EXPECT_NE(server.err().find(fmt::format("{} resumed, 0 failed, 0 timed out; early data: {} "
                                          "accepted, 0 rejected",
                                          count(run, "resumed"), accepted)),
            std::string::npos)
      << server.err();
}

TEST_F(TlsOnLoopback, WithoutResumptionEveryHandshakeIsFull) {
  const json run = this->run("scenarios/quickstart.json --per-request --set 'tls={}'");
  ASSERT_TRUE(run.is_object());
  EXPECT_EQ(count(run, "resumed"), 0u);
  EXPECT_EQ(count(run, "full"), run["requests"]["connections_opened"].get<uint64_t>());
  // The client's Finished and its request leave together: apart, Nagle held the request for the
  // server's delayed ACK and every request took 40 ms more (p50 44 ms instead of about 7).
  EXPECT_LT(run["latency_us"]["total"]["p50"].get<double>(), 30'000.0);
}

TEST_F(TlsOnLoopback, Tls12ResumesBySessionId) {
  const json run = this->run(
      "scenarios/quickstart.json --per-request --set 'tls={\"version\": \"1.2\", \"resumption\": "
      "\"session_id\"}'");
  ASSERT_TRUE(run.is_object());
  EXPECT_EQ(run["requests"]["error_total"], 0);
  EXPECT_GT(count(run, "resumed"), count(run, "full"));
  EXPECT_EQ(run["tls"]["negotiated"][0]["version"], "TLSv1.2");
}

// The server stops reading while its answer is queued; OpenSSL may hold more plaintext than it
// handed over, which must wait for the pause to end and then arrive (pipelined requests, echo
// messages larger than a socket buffer), byte for byte.
TEST_F(TlsOnLoopback, PipelinedRequestsAndLargeEchoesSurviveTheServersPauses) {
  const json pipelined = this->run(
      "scenarios/quickstart.json --set 'tls={}' --set connection=pipelined --set "
      "pipeline_depth=16");
  ASSERT_TRUE(pipelined.is_object());
  EXPECT_GT(pipelined["requests"]["ok"].get<uint64_t>(), 1000u);
  EXPECT_EQ(pipelined["requests"]["error_total"], 0) << pipelined["requests"];
  const json echo = this->run(
      "scenarios/quickstart.json --set 'tls={}' --set protocol=echo --set request_size=300000");
  ASSERT_TRUE(echo.is_object());
  EXPECT_GT(echo["requests"]["ok"].get<uint64_t>(), 20u);
  EXPECT_EQ(echo["requests"]["error_total"], 0) << echo["requests"];  // bad_response: a byte off
}

// `serve --tls` has a self-signed certificate: a client that verifies refuses it, and a target
// that fails every handshake stops the run at once, as a refusing one does.
TEST_F(TlsOnLoopback, ASelfSignedServerFailsVerificationAsACertificateError) {
  const testing::ServeProcess server({"--tls"});
  ASSERT_GT(server.port(), 0) << server.err();
  const json run = this->run("https://" + server.address() + "/ --set tls.verify=true", 2);
  EXPECT_NE(outcome_.err.find("cannot connect to " + server.address() +
                              ": the server's certificate did not verify (tls.verify)"),
            std::string::npos)
      << outcome_.err;
  ASSERT_TRUE(run.is_object());
  EXPECT_GT(run["requests"]["errors"]["tls_certificate"].get<uint64_t>(), 0u);
  EXPECT_EQ(run["requests"]["ok"], 0);
  EXPECT_GT(count(run, "failed"), 0u);
}

TEST_F(TlsOnLoopback, NoVersionInCommonIsAHandshakeErrorNotACrash) {
  const testing::ServeProcess server({"--tls", "--set", "tls.version=\"1.3\""});
  ASSERT_GT(server.port(), 0) << server.err();
  const json run = this->run("https://" + server.address() + "/ --set 'tls.version=\"1.2\"'", 2);
  ASSERT_TRUE(run.is_object());
  const json& errors = run["requests"]["errors"];
  EXPECT_GT(errors["tls_alert"].get<uint64_t>() + errors["tls_handshake_failed"].get<uint64_t>(),
            0u)
      << errors;
  EXPECT_EQ(run["requests"]["ok"], 0);
}

// Plaintext HTTP, random bytes and a connection cut mid-handshake, where a ClientHello belongs:
// each ends that connection only, and the server goes on answering TLS clients.
TEST_F(TlsOnLoopback, GarbageInsteadOfAClientHelloClosesOnlyThatConnection) {
  testing::ServeProcess server({"--tls"});
  ASSERT_GT(server.port(), 0) << server.err();
  const SocketAddress address = resolve_address("127.0.0.1", static_cast<uint16_t>(server.port()));
  for (const std::string& garbage :
       {std::string("GET / HTTP/1.1\r\nHost: x\r\n\r\n"), std::string(4096, '\x17'),
        std::string("\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03", 11)}) {
    testing::Client client(address);
    ASSERT_TRUE(client.connected());
    client.send_all(garbage);
    if (garbage.size() == 11) continue;  // a ClientHello cut short: dropped, closed by the client
    const std::string answer = client.receive_until_close();
    EXPECT_EQ(answer.find("HTTP/1.1 200"), std::string::npos) << "no plaintext answer";
  }
  const json run = this->run("https://" + server.address() + "/");
  ASSERT_TRUE(run.is_object());
  EXPECT_GT(run["requests"]["ok"].get<uint64_t>(), 0u);
  EXPECT_EQ(run["requests"]["error_total"], 0);
  EXPECT_EQ(server.stop(), 0);
  // Two refused (plaintext, random records), one left by its client, four done (the run's).
  EXPECT_NE(server.err().find("TLS handshakes: 4 full, 0 resumed, 3 failed, 0 timed out"),
            std::string::npos)
      << server.err();
}

// The server refuses TLS 1.2 renegotiation with a no_renegotiation alert; the client giving up
// on it afterwards ends a connection whose handshake was done, which is no failed handshake.
TEST_F(TlsOnLoopback, ARenegotiationIsRefusedAndIsNoFailedHandshake) {
  if (std::system("command -v openssl >/dev/null") != 0) GTEST_SKIP() << "openssl not installed";
  testing::ServeProcess server({"--tls"});
  ASSERT_GT(server.port(), 0) << server.err();
  const std::string said = scratch_ + "/s_client.txt";
  // "R" on its own line is s_client's command to renegotiate.
  std::system(("echo R | timeout 10 openssl s_client -connect " + server.address() + " -tls1_2 >" +
               said + " 2>&1")
                  .c_str());
  const std::string output = testing::read_file(said);
  EXPECT_NE(output.find("RENEGOTIATING"), std::string::npos) << output;
  EXPECT_NE(output.find("no renegotiation"), std::string::npos) << output;
  EXPECT_EQ(server.stop(), 0);
  EXPECT_NE(server.err().find("TLS handshakes: 1 full, 0 resumed, 0 failed"), std::string::npos)
      << server.err();
}

// A client that stops half-way through its ClientHello is cut after header_timeout_ms, as one
// that stops in the middle of its request headers is.
TEST_F(TlsOnLoopback, AHandshakeLeftHalfDoneIsCutAfterTheHeaderTimeout) {
  testing::ServeProcess server({"--tls", "--header-timeout-ms", "300"});
  ASSERT_GT(server.port(), 0) << server.err();
  testing::Client client(resolve_address("127.0.0.1", static_cast<uint16_t>(server.port())));
  ASSERT_TRUE(client.connected());
  client.send_all(std::string("\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03", 11));
  const auto sent = std::chrono::steady_clock::now();
  EXPECT_EQ(client.receive_until_close(), "");  // closed, nothing said
  EXPECT_LT(std::chrono::steady_clock::now() - sent, std::chrono::seconds(5));
  EXPECT_EQ(server.stop(), 0);
  EXPECT_NE(server.err().find("0 failed, 1 timed out"), std::string::npos) << server.err();
}

// A server it did not write: OpenSSL's own s_server, answering HTTP/1.0 with a close.
TEST_F(TlsOnLoopback, EveryResponseOfOpensslSServerIsCounted) {
  if (std::system("command -v openssl >/dev/null") != 0) GTEST_SKIP() << "openssl not installed";
  const std::string key = scratch_ + "/key.pem";
  const std::string certificate = scratch_ + "/cert.pem";
  ASSERT_TRUE(make_certificate(key, certificate));
  // s_server cannot report a port of the kernel's choice: the kernel picks one for a socket
  // that is closed again at once, and s_server takes it.
  testing::LoopbackSocket probe;
  const int port = probe.port();
  probe.close();
  const std::string server_log = scratch_ + "/s_server.log";
  ASSERT_EQ(std::system(("timeout 20 openssl s_server -accept 127.0.0.1:" + std::to_string(port) +
                         " -cert " + certificate + " -key " + key + " -www -quiet >" + server_log +
                         " 2>&1 & sleep 0.5")
                            .c_str()),
            0);
  const json run = this->run("https://127.0.0.1:" + std::to_string(port) +
                             "/ --per-request --set 'tls={\"resumption\": \"tickets\"}'");
  std::system(
      ("pkill -f 'openssl s_server -accept 127.0.0.1:" + std::to_string(port) + "'").c_str());
  ASSERT_TRUE(run.is_object());
  EXPECT_GT(run["requests"]["ok"].get<uint64_t>(), 10u);
  EXPECT_EQ(run["requests"]["error_total"], 0) << run["requests"];
  EXPECT_GT(count(run, "resumed"), 0u);
}

// nginx with ssl: every response counted, and resumption really resumes: nginx's own
// $ssl_session_reused, logged per request, agrees with the client's resumed count.
TEST_F(TlsOnLoopback, ResumptionAgainstNginxAgreesWithItsLog) {
  if (!testing::NginxProcess::installed()) GTEST_SKIP() << "nginx is not installed";
  const std::string key = scratch_ + "/key.pem";
  const std::string certificate = scratch_ + "/cert.pem";
  ASSERT_TRUE(make_certificate(key, certificate));
  const std::string log = scratch_ + "/reused.log";
  testing::NginxProcess nginx(
      "  listen {listen} ssl;\n  ssl_certificate " + certificate + ";\n  ssl_certificate_key " +
          key + ";\n  ssl_session_tickets on;\n  access_log " + log + " reused;\n" +
          "  location / { return 200 \"0123456789abcdef\"; }\n",
      " log_format reused '$ssl_session_reused';\n");
  ASSERT_TRUE(nginx.listening());
  const json run = this->run("https://" + nginx.target() +
                             "/ --per-request --set 'tls={\"resumption\": \"tickets\"}'");
  nginx.stop();
  ASSERT_TRUE(run.is_object());
  EXPECT_EQ(run["requests"]["error_total"], 0) << run["requests"];
  EXPECT_GT(run["requests"]["ok"].get<uint64_t>(), 20u);
  const std::string logged = testing::read_file(log);
  const auto lines_of = [&](const std::string& value) {
    size_t count = 0;
    for (size_t at = logged.find(value + "\n"); at != std::string::npos;
         at = logged.find(value + "\n", at + 1)) {
      if (at == 0 || logged[at - 1] == '\n') ++count;
    }
    return count;
  };
  // One request per connection, all of them in the measured window (no warm-up).
  EXPECT_EQ(lines_of("r"), count(run, "resumed")) << logged.substr(0, 200);
  EXPECT_EQ(lines_of("."), count(run, "full"));
  EXPECT_GT(count(run, "resumed"), 0u);
}

// nginx with ssl_early_data: the requests go in 0-RTT and nginx answers each. Its
// $ssl_early_data is "1" for a request it read before the handshake ended, a subset of what it
// accepted (a request processed after the client's Finished came in is logged "-").
TEST_F(TlsOnLoopback, EarlyDataAgainstNginxIsAnsweredAndLogged) {
  if (!testing::NginxProcess::installed()) GTEST_SKIP() << "nginx is not installed";
  const std::string key = scratch_ + "/key.pem";
  const std::string certificate = scratch_ + "/cert.pem";
  ASSERT_TRUE(make_certificate(key, certificate));
  const std::string log = scratch_ + "/early.log";
  testing::NginxProcess nginx(
      "  listen {listen} ssl;\n  ssl_certificate " + certificate + ";\n  ssl_certificate_key " +
          key + ";\n  ssl_protocols TLSv1.2 TLSv1.3;\n  ssl_early_data on;\n  access_log " + log +
          " early;\n  location / { return 200 \"0123456789abcdef\"; }\n",
      " log_format early '$ssl_early_data';\n");
  ASSERT_TRUE(nginx.listening());
  const json run = this->run("https://" + nginx.target() +
                             "/ --per-request --set 'tls={\"resumption\": \"tickets\", "
                             "\"early_data\": true}'");
  nginx.stop();
  ASSERT_TRUE(run.is_object());
  EXPECT_EQ(run["requests"]["error_total"], 0) << run["requests"];
  EXPECT_GT(run["requests"]["ok"].get<uint64_t>(), 20u);
  const uint64_t accepted = run["tls"]["early_data"]["accepted"].get<uint64_t>();
  EXPECT_GT(accepted, 0u);
  EXPECT_EQ(accepted + run["tls"]["early_data"]["rejected"].get<uint64_t>(), count(run, "resumed"));
  const std::string logged = testing::read_file(log);
  size_t early_in_log = 0;
  for (size_t at = logged.find("1\n"); at != std::string::npos; at = logged.find("1\n", at + 1))
    ++early_in_log;
  EXPECT_GT(early_in_log, 0u);
  EXPECT_LE(early_in_log, accepted);
}

// The names OpenSSL checks are refused before any load, in the scenario's words.
TEST(TlsSettings, WhatOpensslDoesNotKnowIsAConfigurationError) {
  const testing::ScratchDir scratch("tcpharness-tls-settings");
  const std::pair<const char*, const char*> cases[] = {
      {"tls.ciphersuites=\"TLS_NO_SUCH_SUITE\"", "tls.ciphersuites: \"TLS_NO_SUCH_SUITE\" is not"},
      {"tls.groups=\"P-999\"", "tls.groups: \"P-999\" names a group this OpenSSL lacks"},
      {"tls.ciphers=\"NOTHING-MATCHES\"", "tls.ciphers: \"NOTHING-MATCHES\" matches no TLS 1.2"},
      {"'tls={\"cert_file\": \"/no/such.pem\", \"key_file\": \"/no/such.key\"}'",
       "tls.cert_file: \"/no/such.pem\" cannot be read as PEM"},
      // This kernel has no tls ULP; one that has it is refused too, until kTLS is implemented.
      {"tls.ktls=true", "tls.ktls: this kernel offers"}};
  for (const auto& [setting, message] : cases) {
    const testing::CliOutcome outcome = testing::run_cli(
        std::string("validate scenarios/quickstart.json --set 'tls={}' --set ") + setting,
        scratch.path());
    EXPECT_EQ(outcome.exit_code, 2) << setting;
    EXPECT_NE(outcome.err.find(message), std::string::npos) << outcome.err;
  }
}

TEST(TlsSettings, KeysThatContradictEachOtherAreRefused) {
  const std::pair<const char*, const char*> cases[] = {
      {R"({"tls": {"resumption": "session_id"}})", "/tls/resumption: session_id is TLS 1.2's"},
      {R"({"tls": {"verify": true}})", "/tls/verify: the embedded server's certificate"},
      {R"({"target": "h:1", "tls": {"key_type": "rsa-2048"}})", "/tls/key_type: is the embedded"},
      {R"({"tls": {"cert_file": "c.pem"}})", "/tls/cert_file: cert_file and key_file come"},
      {R"({"tls": {"ca_file": "ca.pem"}})", "/tls/ca_file: is read only with verify"},
      {R"({"tls": {"versoin": "1.3"}})", "/tls/versoin: unknown key; did you mean \"version\"?"},
      {R"({"tls": {"version": "1.1"}})", "/tls/version: must be one of \"1.2\", \"1.3\""},
      {R"({"tls": {"version": 1.1}})", "/tls/version: must be one of \"1.2\", \"1.3\""},
      {R"({"tls": {"alpn": [""]}})", "/tls/alpn/0: must be a protocol name of 1 to 255 bytes"},
      {R"({"tls": {"early_data": true}})", "/tls/early_data: early data (0-RTT) is sent only"},
      {R"({"tls": {"early_data": true, "resumption": "tickets", "version": "1.2"}})",
       "/tls/early_data: early data (0-RTT) is sent only when a TLS 1.3 session"},
      {R"({"protocol": "stream", "tls": {"early_data": true, "resumption": "tickets"}})",
       "/tls/early_data: is for a request that opens a connection"}};
  for (const auto& [text, message] : cases) {
    const std::string error =
        testing::error_of([&] { (void)scenario_from_json(json::parse(text), "x.json"); });
    EXPECT_NE(error.find(message), std::string::npos) << text << " -> " << error;
  }
}

// What `--set tls.version=1.3` gives: a number, taken as the version it spells.
TEST(TlsSettings, AVersionWrittenAsANumberIsThatVersion) {
  EXPECT_EQ(testing::parse(R"({"tls": {"version": 1.2}})").tls->version, TlsVersion::tls1_2);
  EXPECT_EQ(testing::parse(R"({"tls": {"version": 1.3}})").tls->version, TlsVersion::tls1_3);
}

TEST(TlsSettings, AnyKeyCanBeSweptAndThePlanSaysSo) {
  const testing::ScratchDir scratch("tcpharness-tls-sweep");
  const testing::CliOutcome outcome = testing::run_cli(
      "validate scenarios/quickstart.json --set 'tls={}' --set 'sweep.tls.version=[\"1.2\", "
      "\"1.3\"]' --set 'sweep.tls.key_type=[\"ecdsa-p256\", \"ed25519\"]'",
      scratch.path());
  EXPECT_EQ(outcome.exit_code, 0) << outcome.err;
  EXPECT_NE(outcome.out.find("4 runs"), std::string::npos) << outcome.out;
  EXPECT_NE(outcome.out.find("key_type=ed25519,version=1.2"), std::string::npos) << outcome.out;
}

}  // namespace
}  // namespace th
