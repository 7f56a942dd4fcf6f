#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "base/socket_option_types.hpp"
#include "base/tls_options.hpp"

// The parameters of one run as plain values, free of JSON: scenario/ parses them from a file,
// run/ turns them into a load plan and an embedded server, report/ prints them back.
namespace th {

enum class Protocol { echo, http, stream };
// per_request: a new TCP connection for every request (HTTP/1.0 style, serial); keep_alive: one
// persistent connection, one request at a time; parallel: a page's objects over up to
// parallel_connections new connections at once, each closed after its response (as browsers did
// before persistent connections); pipelined: pipeline_depth requests in flight on one persistent
// connection, answered in order (HTTP/1.1 pipelining).
enum class ConnectionModel { per_request, keep_alive, parallel, pipelined };
// once: the target's host name is resolved before the run and the address reused; every_request:
// each new connection resolves it again (uv_getaddrinfo), as a client without a DNS cache would.
enum class ResolveMode { once, every_request };
// split: an http request's header and body (or an echo message's two halves) go out in two
// writes, the pattern that makes Nagle's algorithm wait for the peer's delayed ACK.
enum class WritePattern { single, split };
// How a loop waits for its sockets: asleep in epoll (the kernel wakes it), or busy, checking
// them without blocking for poll_spin_us after the last event before it sleeps (latency mode).
enum class PollMode { sleep, busy };
// per_request: which side ends each connection first (and so holds its TIME_WAIT). server: the
// request says "Connection: close" and the client waits for the server's end of stream; client:
// the request keeps the connection and the client closes once its response is complete.
enum class Closer { client, server };
// Open-loop arrivals: evenly spaced, or a Poisson process (exponential gaps) as independent
// users produce.
enum class Arrival { uniform, poisson };
// A virtual user's pause between a response and its next request: always think_time_ms, or an
// exponential distribution with that mean (the gaps of independent page views).
enum class ThinkTime { fixed, exponential };

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
  // Limits against hostile or broken clients (docs/reliability.md); a timeout of 0 is off.
  uint32_t max_header_bytes = 8192;     // request line + headers; more gets 431
  uint32_t header_timeout_ms = 10'000;  // a request head not complete by then gets 408
  uint32_t idle_timeout_ms = 60'000;    // no byte read or written for this long: closed
  uint64_t max_body_bytes = 64 << 20;   // request body, read and discarded; more gets 413
  uint64_t max_bytes_path = 1 << 30;    // largest N of GET /bytes/N; more gets 400
  // http: close a connection after this many responses (nginx's keepalive_requests), the last
  // one saying "Connection: close", as `close` says; 0: never.
  uint64_t max_requests = 0;
  // Read TCP_INFO as each response starts, for the congestion window it began with: a
  // getsockopt per response (about 1.3 us of server CPU on loopback), so when unset only over a
  // shaped link, where slow start is what is measured (samples_cwnd_per_response).
  std::optional<bool> tcp_info_per_response;
};

struct Target {
  std::string host;
  uint16_t port = 0;
  std::optional<std::string>
      path;            // from a URL target ("http://host/path"); moved to Scenario::path
  bool https = false;  // an https:// URL: the scenario speaks TLS (Scenario::tls)
};

// A web page as a browser loads it: the HTML (the scenario's path and response_size) and then,
// once it has arrived, `objects` embedded objects. Each object is GET /bytes/N with N taken from
// `sizes` in turn (the embedded server answers N bytes), or one of `paths` for a foreign server.
struct PageWorkload {
  uint32_t objects = 0;
  std::vector<uint32_t> sizes;
  std::vector<std::string> paths;  // when given, objects == paths.size()
};

// A shaped link between the load generator and the embedded server: the server runs in a network
// namespace of its own, joined to the client's by a veth pair whose two ends are shaped with tbf
// (docs/methodology.md, "Shaped link"). delay_ms and loss_pct need the kernel's sch_netem.
struct LinkShape {
  double rate_mbit = 0;    // each direction, 10^6 bit/s
  uint32_t queue_ms = 50;  // the shaper's queue holds this much data at rate_mbit
  double delay_ms = 0;     // one-way, added in each direction (netem)
  double loss_pct = 0;     // each direction (netem)
  // The routes the harness creates (the server's default route, the client's route to the
  // server's network) get these metrics: each sender's initial congestion window and each
  // receiver's initial advertised window, in segments. 0 leaves the kernel's default (RFC 6928's
  // 10 segments for initcwnd).
  uint32_t initcwnd = 0;
  uint32_t initrwnd = 0;
  // Per-namespace sysctls set in the server's namespace only, never on the host: name
  // ("net.ipv4.tcp_slow_start_after_idle") to value, in name order.
  std::vector<std::pair<std::string, int64_t>> server_sysctl;
  bool needs_netem() const { return delay_ms > 0 || loss_pct > 0; }
};

// One fully resolved set of parameters: what a single run needs. Defaults live here so that the
// parser, the docs and the report agree.
struct Scenario {
  std::string name = "unnamed";
  std::string description;
  std::optional<Target> target;  // absent: start the embedded server
  ResolveMode resolve = ResolveMode::once;
  Protocol protocol = Protocol::http;
  uint32_t request_size = 64;   // echo/stream: message/chunk bytes; http: request body bytes
  uint32_t response_size = 64;  // http: response body bytes
  std::string path = "/";
  ConnectionModel connection = ConnectionModel::keep_alive;
  // per_request and parallel only; unset: effective_closer's default. Defaults stay unset so that
  // a report's stored scenario, run again with other keys swept, does not pin them.
  std::optional<Closer> closer;
  uint32_t pipeline_depth = 8;        // connection: pipelined
  uint32_t parallel_connections = 6;  // connection: parallel, per page (as browsers)
  // Every virtual user (one per `connections`) loads this page again and again; each request of
  // it is measured as usual and the whole page's load time on top.
  std::optional<PageWorkload> page;
  uint64_t max_requests_per_connection = 0;  // keep_alive/pipelined: recycle after N; 0: never
  uint32_t connections = 16;
  uint32_t threads = 1;
  uint32_t server_threads = 1;
  double duration_s = 5.0;
  double warmup_s = 0.0;
  std::optional<uint64_t> requests;  // stop after exactly this many measured requests
  // Open loop: requests per second over the whole run, each with an intended start time from
  // the schedule; latency counts from that time. Absent: closed loop.
  std::optional<double> rate;
  Arrival arrival = Arrival::uniform;
  // keep_alive and per_request: each connection (a virtual user) waits this long after a
  // response before its next request, as a browser does between pages; 0 does not wait.
  double think_time_ms = 0;
  ThinkTime think_time_distribution = ThinkTime::fixed;
  uint32_t timeout_ms = 5000;  // a request without a complete answer by then is a timeout
  // http: a response body larger than this is a bad_response. Bodies are counted, never kept,
  // so this bounds time spent on a server that never ends its answer, not memory.
  uint64_t max_response_bytes = uint64_t{1} << 30;
  SocketOptions client;
  ServerOptions server;
  WritePattern write_pattern = WritePattern::single;
  // Sample TCP_INFO from every client connection (once a second and at close) for the report's
  // tcp_info section; false costs nothing: no getsockopt, no timer.
  bool tcp_info = true;
  PollMode poll = PollMode::sleep;  // of the load generator's and the embedded server's loops
  uint32_t poll_spin_us = 1000;     // busy: how long a loop spins after its last event
  // Split each request's round trip at the kernel's software timestamps (SO_TIMESTAMPING) into
  // the harness's share and the stack's and peer's; false costs nothing.
  bool timestamps = false;
  // Source addresses for client connections, used round-robin: each adds an ephemeral port
  // range, so per_request load can go beyond the ~28,000 ports of one address (TIME_WAIT).
  std::vector<std::string> local_addresses;
  std::vector<int> client_cpus;
  std::vector<int> server_cpus;
  std::optional<LinkShape> link;  // embedded server only; needs root
  // TLS on every connection, to the embedded server or the target (an https:// URL sets it).
  std::optional<TlsOptions> tls;
};

// Who closes a per_request or parallel connection first: as set, else the server for http (its
// requests say "Connection: close") and the client for echo.
inline Closer effective_closer(const Scenario& scenario) {
  if (scenario.closer) return *scenario.closer;
  return scenario.protocol == Protocol::http ? Closer::server : Closer::client;
}
// Whether the embedded server reads its cwnd per response: as set, else with a link only.
inline bool samples_cwnd_per_response(const Scenario& scenario) {
  return scenario.server.tcp_info_per_response.value_or(scenario.link.has_value());
}

const char* to_string(Protocol protocol);
const char* to_string(ConnectionModel model);
const char* to_string(WritePattern pattern);
const char* to_string(PollMode mode);
const char* to_string(Arrival arrival);
const char* to_string(ThinkTime distribution);
const char* to_string(Closer closer);
const char* to_string(CloseMode mode);
const char* to_string(ResolveMode mode);

}  // namespace th
