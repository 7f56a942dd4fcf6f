#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

namespace th {

enum class Protocol { echo, http, stream };
enum class ConnectionModel { per_request, keep_alive };
// split: an http request's header and body (or an echo message's two halves) go out in two
// writes, the pattern that makes Nagle's algorithm wait for the peer's delayed ACK.
enum class WritePattern { single, split };

// Options applied to every socket of one side. Unset means "leave the kernel default"; the report
// still reads every option back so the default is visible.
struct SocketOptions {
  std::optional<bool> tcp_nodelay;
  std::optional<int> so_sndbuf;
  std::optional<int> so_rcvbuf;
};

// A freeze of every server loop, as a garbage-collection pause or a stop-the-world compaction
// would cause: the test case for coordinated omission.
struct ServerStall {
  double every_s = 2.0;
  uint32_t for_ms = 200;
};

// The embedded server's side: its socket options plus how it behaves.
struct ServerOptions : SocketOptions {
  // Time spent on each HTTP request before answering, blocking the loop as synchronous work
  // in a real handler would; 0 answers at once.
  uint32_t delay_us = 0;
  std::optional<ServerStall> stall;
};

struct Target {
  std::string host;
  uint16_t port = 0;
};

// One fully resolved set of parameters: what a single run needs. Defaults live here so that the
// parser, the docs and the report agree.
struct Scenario {
  std::string name = "unnamed";
  std::string description;
  std::optional<Target> target;  // absent: start the embedded server
  Protocol protocol = Protocol::http;
  uint32_t request_size = 64;   // echo/stream: message/chunk bytes; http: request body bytes
  uint32_t response_size = 64;  // http: response body bytes
  std::string path = "/";
  ConnectionModel connection = ConnectionModel::keep_alive;
  uint32_t connections = 16;
  uint32_t threads = 1;
  uint32_t server_threads = 1;
  double duration_s = 5.0;
  double warmup_s = 0.0;
  std::optional<uint64_t> requests;  // stop after exactly this many measured requests
  uint32_t timeout_ms = 5000;        // a request without a complete answer by then is a timeout
  SocketOptions client;
  ServerOptions server;
  WritePattern write_pattern = WritePattern::single;
  std::vector<int> client_cpus;
  std::vector<int> server_cpus;
};

// A run of a scenario: the scenario with one combination of sweep values applied.
struct RunSpec {
  std::string name;  // "tcp_nodelay=false,so_sndbuf=4096", or the scenario name without a sweep
  std::vector<std::pair<std::string, nlohmann::json>> params;  // swept key (dotted) -> value
  Scenario scenario;
};

const char* to_string(Protocol protocol);
const char* to_string(ConnectionModel model);
const char* to_string(WritePattern pattern);

// The scenario as resolved, for the report: every key, defaults filled in.
void to_json(nlohmann::json& out, const Scenario& scenario);

}  // namespace th
