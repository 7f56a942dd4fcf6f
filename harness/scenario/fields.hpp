#pragma once

#include <limits>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "scenario/checks.hpp"
#include "scenario/scenario.hpp"

// Private to harness/scenario: the table of scenario keys. It is the one list of keys, so the
// parser, the "allowed keys" hint and the sweep-key check cannot disagree.
namespace th::scenario_detail {

// The largest value an int socket option or count may take (setsockopt takes an int).
inline constexpr int64_t kIntMax = std::numeric_limits<int32_t>::max();

// Validates one run's object (no "sweep") key by key; keys left out keep Scenario's defaults.
Scenario read_scenario(const nlohmann::json& object, const Checks& checks);

// A sweep key must name a scenario key ("connections", "client.tcp_nodelay"), but not "name":
// every run of a sweep shares the scenario's name and is told apart by its run name.
void check_sweep_key(const std::string& key, const std::string& pointer, const Checks& checks);

// "host:port", "[v6addr]:port" for IPv6: brackets back, so the text parses again as the same
// target.
std::string host_and_port(const Target& target);

// "host:port", "[v6addr]:port" or "http[s]://host[:port][/path]" (port 80, or 443 for https, by
// default); nullopt when the text is none of them.
std::optional<Target> parse_target(std::string_view text);

// The socket option keys of one side (socket_fields.cpp). read_socket_key reads `key` into `out`
// when it is one of `side`'s ("client" or "server") and says whether it was.
SocketOptions read_client_options(const Checks& checks, const nlohmann::json& value,
                                  const std::string& pointer);
bool read_socket_key(const Checks& checks, const std::string& key, const nlohmann::json& value,
                     const std::string& pointer, std::string_view side, SocketOptions& out);
std::vector<std::string> client_socket_keys();
std::vector<std::string> server_socket_keys();

// A page workload's keys (page_fields.cpp), and the rules that tie it to other keys.
PageWorkload read_page(const Checks& checks, const nlohmann::json& value,
                       const std::string& pointer);
void check_page_rules(const Checks& checks, const Scenario& scenario);

// The shaped link's keys (link_fields.cpp), and the rule that ties it to the target.
LinkShape read_link(const Checks& checks, const nlohmann::json& value, const std::string& pointer);
void check_link_rules(const Checks& checks, const Scenario& scenario);
const std::vector<std::string>& link_keys();

// The `tls` object's keys (tls_fields.cpp), and the rules that tie it to the target.
TlsOptions read_tls(const Checks& checks, const nlohmann::json& value, const std::string& pointer);
void check_tls_rules(const Checks& checks, const Scenario& scenario);
const std::vector<std::string>& tls_keys();

// Starts with "/" and has no spaces or control characters.
bool is_request_path(std::string_view path);

// Characters that would break an HTTP request line or a log line (RFC 9112 section 3.2: the
// request-target contains no whitespace).
bool has_space_or_control(std::string_view text);

}  // namespace th::scenario_detail
