#include "scenario/scenario.hpp"

#include <algorithm>

#include "scenario/fields.hpp"

namespace th {

using nlohmann::json;

namespace {

template <typename T>
json or_null(const std::optional<T>& value) {
  return value ? json(*value) : json(nullptr);
}

// Unset options are null, not absent: the report then lists every option a user could set.
// tcp_fastopen means a switch on the client and a queue length on the server's listener.
json socket_options_json(const SocketOptions& options, bool server) {
  json out = json::object();
  out["tcp_nodelay"] = or_null(options.tcp_nodelay);
  out["tcp_quickack"] = or_null(options.tcp_quickack);
  out["so_sndbuf"] = or_null(options.so_sndbuf);
  out["so_rcvbuf"] = or_null(options.so_rcvbuf);
  out["so_linger"] = options.so_linger ? json{{"on", *options.so_linger >= 0},
                                              {"timeout_s", std::max(*options.so_linger, 0)}}
                                       : json(nullptr);
  out["tcp_cork"] = or_null(options.tcp_cork);
  out["tcp_notsent_lowat"] = or_null(options.tcp_notsent_lowat_bytes);
  out["tcp_congestion"] = or_null(options.tcp_congestion);
  out["tcp_maxseg"] = or_null(options.tcp_maxseg_bytes);
  out["tcp_user_timeout"] = or_null(options.tcp_user_timeout_ms);
  out["so_keepalive"] = or_null(options.so_keepalive);
  out["tcp_keepidle"] = or_null(options.tcp_keepidle_s);
  out["tcp_keepintvl"] = or_null(options.tcp_keepintvl_s);
  out["tcp_keepcnt"] = or_null(options.tcp_keepcnt);
  out["ip_tos"] = or_null(options.ip_tos);
  out["so_priority"] = or_null(options.so_priority);
  out["so_busy_poll"] = or_null(options.so_busy_poll_us);
  out["close"] = to_string(options.close);
  if (server) {
    out["tcp_fastopen"] = or_null(options.tcp_fastopen_queue);
    out["tcp_defer_accept"] = or_null(options.tcp_defer_accept_s);
  } else {
    out["tcp_fastopen"] = or_null(options.tcp_fastopen_connect);
  }
  return out;
}

json target_json(const std::optional<Target>& target) {
  return target ? json(scenario_detail::host_and_port(*target)) : json(nullptr);
}

// Every key as the scenario reads it; the empty strings of OpenSSL's defaults are left out, as
// a file would.
json tls_json(const TlsOptions& tls) {
  json out = {{"resumption", to_string(tls.resumption)},
              {"alpn", tls.alpn},
              {"verify", tls.verify},
              {"key_type", to_string(tls.key_type)}};
  if (tls.version) out["version"] = to_string(*tls.version);
  const std::pair<const char*, const std::string*> texts[] = {
      {"ciphers", &tls.ciphers}, {"ciphersuites", &tls.ciphersuites}, {"groups", &tls.groups},
      {"ca_file", &tls.ca_file}, {"cert_file", &tls.cert_file},       {"key_file", &tls.key_file}};
  for (const auto& [key, text] : texts) {
    if (!text->empty()) out[key] = *text;
  }
  if (tls.sni) out["sni"] = *tls.sni;
  if (tls.ktls) out["ktls"] = true;
  if (tls.early_data) out["early_data"] = true;
  return out;
}

}  // namespace

// The output is itself a valid scenario: scenario_from_json(to_json(s)) gives s back.
void to_json(json& out, const Scenario& scenario) {
  out = json::object();
  out["name"] = scenario.name;
  out["description"] = scenario.description;
  out["target"] = target_json(scenario.target);
  out["resolve"] = to_string(scenario.resolve);
  out["protocol"] = to_string(scenario.protocol);
  out["request_size"] = scenario.request_size;
  out["response_size"] = scenario.response_size;
  out["path"] = scenario.path;
  out["connection"] = to_string(scenario.connection);
  out["closer"] = scenario.closer ? json(to_string(*scenario.closer)) : json(nullptr);
  out["pipeline_depth"] = scenario.pipeline_depth;
  out["parallel_connections"] = scenario.parallel_connections;
  out["page"] = nullptr;
  if (scenario.page) {
    // paths, when given, define the objects; sizes then play no part.
    out["page"] = scenario.page->paths.empty()
                      ? json{{"objects", scenario.page->objects}, {"sizes", scenario.page->sizes}}
                      : json{{"paths", scenario.page->paths}};
  }
  out["max_requests_per_connection"] = scenario.max_requests_per_connection;
  out["connections"] = scenario.connections;
  out["threads"] = scenario.threads;
  out["server_threads"] = scenario.server_threads;
  out["duration_s"] = scenario.duration_s;
  out["warmup_s"] = scenario.warmup_s;
  out["requests"] = scenario.requests ? json(*scenario.requests) : json(nullptr);
  out["rate"] = scenario.rate ? json(*scenario.rate) : json(nullptr);
  out["arrival"] = to_string(scenario.arrival);
  out["think_time_ms"] = scenario.think_time_ms;
  out["think_time_distribution"] = to_string(scenario.think_time_distribution);
  out["timeout_ms"] = scenario.timeout_ms;
  out["max_response_bytes"] = scenario.max_response_bytes;
  out["client"] = socket_options_json(scenario.client, false);
  out["server"] = socket_options_json(scenario.server, true);
  out["server"]["delay_us"] = scenario.server.delay_us;
  out["server"]["stall"] = scenario.server.stall ? json{{"every_s", scenario.server.stall->every_s},
                                                        {"for_ms", scenario.server.stall->for_ms}}
                                                 : json(nullptr);
  out["server"]["max_header_bytes"] = scenario.server.max_header_bytes;
  out["server"]["header_timeout_ms"] = scenario.server.header_timeout_ms;
  out["server"]["idle_timeout_ms"] = scenario.server.idle_timeout_ms;
  out["server"]["max_body_bytes"] = scenario.server.max_body_bytes;
  out["server"]["max_bytes_path"] = scenario.server.max_bytes_path;
  out["server"]["max_requests"] = scenario.server.max_requests;
  out["server"]["tcp_info_per_response"] = scenario.server.tcp_info_per_response
                                               ? json(*scenario.server.tcp_info_per_response)
                                               : json(nullptr);
  out["write_pattern"] = to_string(scenario.write_pattern);
  out["tcp_info"] = scenario.tcp_info;
  out["poll"] = to_string(scenario.poll);
  out["poll_spin_us"] = scenario.poll_spin_us;
  out["timestamps"] = scenario.timestamps;
  out["local_addresses"] = scenario.local_addresses;
  out["client_cpus"] = scenario.client_cpus;
  out["server_cpus"] = scenario.server_cpus;
  out["link"] = nullptr;
  if (scenario.link) {
    json sysctl = json::object();
    for (const auto& [name, value] : scenario.link->server_sysctl) sysctl[name] = value;
    out["link"] = {{"rate_mbit", scenario.link->rate_mbit},
                   {"queue_ms", scenario.link->queue_ms},
                   {"delay_ms", scenario.link->delay_ms},
                   {"loss_pct", scenario.link->loss_pct},
                   {"initcwnd", scenario.link->initcwnd},
                   {"initrwnd", scenario.link->initrwnd},
                   {"server_sysctl", sysctl}};
  }
  out["tls"] = scenario.tls ? tls_json(*scenario.tls) : json(nullptr);
}

}  // namespace th
