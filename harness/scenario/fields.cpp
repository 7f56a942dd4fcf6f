#include "scenario/fields.hpp"

#include <arpa/inet.h>

#include <algorithm>
#include <charconv>
#include <cstdint>
#include <limits>
#include <vector>

#include "scenario/field_table.hpp"

namespace th::scenario_detail {

using nlohmann::json;

namespace {

constexpr int64_t kInt64Max = std::numeric_limits<int64_t>::max();
constexpr int64_t kMaxThreads = 256;

constexpr std::pair<const char*, Protocol> kProtocols[] = {
    {"echo", Protocol::echo}, {"http", Protocol::http}, {"stream", Protocol::stream}};
constexpr std::pair<const char*, ConnectionModel> kConnectionModels[] = {
    {"per_request", ConnectionModel::per_request},
    {"keep_alive", ConnectionModel::keep_alive},
    {"parallel", ConnectionModel::parallel},
    {"pipelined", ConnectionModel::pipelined}};
constexpr std::pair<const char*, ResolveMode> kResolveModes[] = {
    {"once", ResolveMode::once}, {"every_request", ResolveMode::every_request}};
constexpr std::pair<const char*, Arrival> kArrivals[] = {{"uniform", Arrival::uniform},
                                                         {"poisson", Arrival::poisson}};
constexpr std::pair<const char*, Closer> kClosers[] = {{"client", Closer::client},
                                                       {"server", Closer::server}};
constexpr std::pair<const char*, ThinkTime> kThinkTimes[] = {
    {"fixed", ThinkTime::fixed}, {"exponential", ThinkTime::exponential}};
constexpr std::pair<const char*, WritePattern> kWritePatterns[] = {{"single", WritePattern::single},
                                                                   {"split", WritePattern::split}};
constexpr std::pair<const char*, PollMode> kPollModes[] = {{"sleep", PollMode::sleep},
                                                           {"busy", PollMode::busy}};

bool is_ip_literal(const std::string& text) {
  unsigned char address[16];
  return inet_pton(AF_INET, text.c_str(), address) == 1 ||
         inet_pton(AF_INET6, text.c_str(), address) == 1;
}

// Keys only the embedded server has: how it behaves rather than how its sockets are set.
const Field<ServerOptions> kServerOnlyFields[] = {
    {"delay_us",
     [](const Checks& c, const json& v, const std::string& p, ServerOptions& out) {
       out.delay_us = static_cast<uint32_t>(c.integer(v, p, 0, 10'000'000));
     }},
    {"stall",
     [](const Checks& c, const json& v, const std::string& p, ServerOptions& out) {
       if (v.is_null()) return;
       c.object(v, p);
       ServerStall stall;
       for (const auto& [key, item] : v.items()) {
         const std::string item_pointer = p + "/" + pointer_token(key);
         if (key == "every_s") {
           stall.every_s = c.number(item, item_pointer, 0, true, 3600);
         } else if (key == "for_ms") {
           stall.for_ms = static_cast<uint32_t>(c.integer(item, item_pointer, 1, 60'000));
         } else {
           c.unknown_key(item_pointer, {"every_s", "for_ms"});
         }
       }
       out.stall = stall;
     }},
    {"max_header_bytes",
     [](const Checks& c, const json& v, const std::string& p, ServerOptions& out) {
       out.max_header_bytes = static_cast<uint32_t>(c.integer(v, p, 64, 65536));
     }},
    {"header_timeout_ms",
     [](const Checks& c, const json& v, const std::string& p, ServerOptions& out) {
       out.header_timeout_ms = static_cast<uint32_t>(c.integer(v, p, 0, 3'600'000));
     }},
    {"idle_timeout_ms",
     [](const Checks& c, const json& v, const std::string& p, ServerOptions& out) {
       out.idle_timeout_ms = static_cast<uint32_t>(c.integer(v, p, 0, 3'600'000));
     }},
    {"max_body_bytes",
     [](const Checks& c, const json& v, const std::string& p, ServerOptions& out) {
       out.max_body_bytes = static_cast<uint64_t>(c.integer(v, p, 0, int64_t{1} << 40));
     }},
    {"max_bytes_path",
     [](const Checks& c, const json& v, const std::string& p, ServerOptions& out) {
       out.max_bytes_path = static_cast<uint64_t>(c.integer(v, p, 0, int64_t{1} << 40));
     }},
    {"max_requests",
     [](const Checks& c, const json& v, const std::string& p, ServerOptions& out) {
       out.max_requests = static_cast<uint64_t>(c.integer(v, p, 0, kInt64Max));
     }},
    {"tcp_info_per_response",
     [](const Checks& c, const json& v, const std::string& p, ServerOptions& out) {
       if (!v.is_null()) out.tcp_info_per_response = c.boolean(v, p);
     }},
};

ServerOptions read_server_options(const Checks& checks, const json& value,
                                  const std::string& pointer) {
  static const std::vector<std::string> allowed = [] {
    std::vector<std::string> keys = server_socket_keys();
    for (const auto& field : kServerOnlyFields) keys.emplace_back(field.key);
    return keys;
  }();
  checks.object(value, pointer);
  ServerOptions options;
  for (const auto& [key, item] : value.items()) {
    const std::string key_pointer = pointer + "/" + pointer_token(key);
    if (const auto* server_field = find_field(kServerOnlyFields, key)) {
      server_field->read(checks, item, key_pointer, options);
    } else if (!read_socket_key(checks, key, item, key_pointer, "server", options)) {
      checks.unknown_key(key_pointer, allowed);
    }
  }
  return options;
}

std::vector<int> read_cpus(const Checks& checks, const json& value, const std::string& pointer) {
  checks.array(value, pointer);
  std::vector<int> cpus;
  for (std::size_t i = 0; i < value.size(); ++i) {
    cpus.push_back(
        static_cast<int>(checks.integer(value[i], pointer + "/" + std::to_string(i), 0, kIntMax)));
  }
  return cpus;
}

uint32_t read_u32(const Checks& c, const json& v, const std::string& p, int64_t min, int64_t max) {
  return static_cast<uint32_t>(c.integer(v, p, min, max));
}

using ScenarioField = Field<Scenario>;

const ScenarioField
    kScenarioFields[] =
        {
            {"name",
             [](const Checks& c, const json& v, const std::string& p, Scenario& s) {
               s.name = c.string(v, p);
               if (s.name.empty()) c.fail(p, "must be a non-empty string", v);
             }},
            {"description", [](const Checks& c, const json& v, const std::string& p,
                               Scenario& s) { s.description = c.string(v, p); }},
            {"target",
             [](const Checks& c, const json& v, const std::string& p, Scenario& s) {
               if (v.is_null()) return;
               s.target =
                   v.is_string() ? parse_target(v.get_ref<const std::string&>()) : std::nullopt;
               if (!s.target) {
                 c.fail(p,
                        "must be null (embedded server), \"host:port\", \"[ipv6]:port\" or a URL "
                        "\"http[s]://host[:port][/path]\" (port 1 to 65535, 80 or 443 by default)",
                        v);
               }
             }},
            {"resolve", [](const Checks& c, const json& v, const std::string& p,
                           Scenario& s) { s.resolve = c.one_of(v, p, kResolveModes); }},
            {"protocol", [](const Checks& c, const json& v, const std::string& p,
                            Scenario& s) { s.protocol = c.one_of(v, p, kProtocols); }},
            {"request_size", [](const Checks& c, const json& v, const std::string& p,
                                Scenario& s) { s.request_size = read_u32(c, v, p, 0, 64 << 20); }},
            {"response_size", [](const Checks& c, const json& v, const std::string& p,
                                 Scenario& s) { s.response_size = read_u32(c, v, p, 0, 1 << 30); }},
            {"path",
             [](const Checks& c, const json& v, const std::string& p, Scenario& s) {
               s.path = c.string(v, p);
               if (!is_request_path(s.path)) {
                 c.fail(p,
                        "must be a string starting with \"/\" without spaces or control characters",
                        v);
               }
             }},
            {"connection", [](const Checks& c, const json& v, const std::string& p,
                              Scenario& s) { s.connection = c.one_of(v, p, kConnectionModels); }},
            {"closer",
             [](const Checks& c, const json& v, const std::string& p, Scenario& s) {
               if (!v.is_null()) s.closer = c.one_of(v, p, kClosers);
             }},
            {"pipeline_depth", [](const Checks& c, const json& v, const std::string& p,
                                  Scenario& s) { s.pipeline_depth = read_u32(c, v, p, 1, 32); }},
            {"parallel_connections",
             [](const Checks& c, const json& v, const std::string& p, Scenario& s) {
               s.parallel_connections = read_u32(c, v, p, 1, 64);
             }},
            {"page",
             [](const Checks& c, const json& v, const std::string& p, Scenario& s) {
               s.page = v.is_null() ? std::nullopt : std::optional(read_page(c, v, p));
             }},
            {"max_requests_per_connection",
             [](const Checks& c, const json& v, const std::string& p, Scenario& s) {
               s.max_requests_per_connection = static_cast<uint64_t>(c.integer(v, p, 0, kInt64Max));
             }},
            {"connections", [](const Checks& c, const json& v, const std::string& p,
                               Scenario& s) { s.connections = read_u32(c, v, p, 1, 100000); }},
            {"threads", [](const Checks& c, const json& v, const std::string& p,
                           Scenario& s) { s.threads = read_u32(c, v, p, 1, kMaxThreads); }},
            {"server_threads",
             [](const Checks& c, const json& v, const std::string& p, Scenario& s) {
               s.server_threads = read_u32(c, v, p, 1, kMaxThreads);
             }},
            {"duration_s", [](const Checks& c, const json& v, const std::string& p,
                              Scenario& s) { s.duration_s = c.number(v, p, 0, true, 86400); }},
            {"warmup_s", [](const Checks& c, const json& v, const std::string& p,
                            Scenario& s) { s.warmup_s = c.number(v, p, 0, false, 3600); }},
            {"requests",
             [](const Checks& c, const json& v, const std::string& p, Scenario& s) {
               if (!v.is_null()) s.requests = static_cast<uint64_t>(c.integer(v, p, 1, kInt64Max));
             }},
            {"rate",
             [](const Checks& c, const json& v, const std::string& p, Scenario& s) {
               if (!v.is_null()) s.rate = c.number(v, p, 0, true, 10'000'000);
             }},
            {"arrival", [](const Checks& c, const json& v, const std::string& p,
                           Scenario& s) { s.arrival = c.one_of(v, p, kArrivals); }},
            {"think_time_ms",
             [](const Checks& c, const json& v, const std::string& p, Scenario& s) {
               s.think_time_ms = c.number(v, p, 0, false, 3'600'000);
             }},
            {"think_time_distribution",
             [](const Checks& c, const json& v, const std::string& p, Scenario& s) {
               s.think_time_distribution = c.one_of(v, p, kThinkTimes);
             }},
            {"max_response_bytes",
             [](const Checks& c, const json& v, const std::string& p, Scenario& s) {
               s.max_response_bytes = static_cast<uint64_t>(c.integer(v, p, 1, int64_t{1} << 40));
             }},
            {"timeout_ms", [](const Checks& c, const json& v, const std::string& p,
                              Scenario& s) { s.timeout_ms = read_u32(c, v, p, 1, 3600000); }},
            {"client", [](const Checks& c, const json& v, const std::string& p,
                          Scenario& s) { s.client = read_client_options(c, v, p); }},
            {"server", [](const Checks& c, const json& v, const std::string& p,
                          Scenario& s) { s.server = read_server_options(c, v, p); }},
            {"write_pattern",
             [](const Checks& c, const json& v, const std::string& p, Scenario& s) {
               s.write_pattern = c.one_of(v, p, kWritePatterns);
             }},
            {"tcp_info", [](const Checks& c, const json& v, const std::string& p,
                            Scenario& s) { s.tcp_info = c.boolean(v, p); }},
            {"poll", [](const Checks& c, const json& v, const std::string& p,
                        Scenario& s) { s.poll = c.one_of(v, p, kPollModes); }},
            {"poll_spin_us", [](const Checks& c, const json& v, const std::string& p,
                                Scenario& s) { s.poll_spin_us = read_u32(c, v, p, 1, 1'000'000); }},
            {"timestamps", [](const Checks& c, const json& v, const std::string& p,
                              Scenario& s) { s.timestamps = c.boolean(v, p); }},
            {"local_addresses",
             [](const Checks& c, const json& v, const std::string& p, Scenario& s) {
               c.array(v, p);
               s.local_addresses.clear();
               for (std::size_t i = 0; i < v.size(); ++i) {
                 const std::string item_pointer = p + "/" + std::to_string(i);
                 const std::string address = c.string(v[i], item_pointer);
                 if (!is_ip_literal(address)) {
                   c.fail(item_pointer, "must be an IPv4 or IPv6 address literal", v[i]);
                 }
                 s.local_addresses.push_back(address);
               }
             }},
            {"client_cpus", [](const Checks& c, const json& v, const std::string& p,
                               Scenario& s) { s.client_cpus = read_cpus(c, v, p); }},
            {"server_cpus", [](const Checks& c, const json& v, const std::string& p,
                               Scenario& s) { s.server_cpus = read_cpus(c, v, p); }},
            {"link",
             [](const Checks& c, const json& v, const std::string& p,
                Scenario&
                    s) { s.link = v.is_null() ? std::nullopt : std::optional(read_link(c, v, p)); }},
            {"tls",
             [](const Checks& c, const json& v, const std::string& p,
                Scenario&
                    s) { s.tls = v.is_null() ? std::nullopt : std::optional(read_tls(c, v, p)); }},
};

// What a file may hold at the top level: every run key plus "sweep".
const std::vector<std::string>& file_keys() {
  static const std::vector<std::string> keys = [] {
    auto all = keys_of(kScenarioFields);
    all.emplace_back("sweep");
    return all;
  }();
  return keys;
}

bool is_socket_side(std::string_view key) { return key == "client" || key == "server"; }

// A URL's path becomes the request path; a second, different path would leave one of them unused.
void take_url_path(const json& object, const Checks& checks, Scenario& scenario) {
  if (!scenario.target || !scenario.target->path) return;
  if (object.contains("path") && object["path"] != *scenario.target->path) {
    checks.fail("/path", "differs from the path in target's URL \"" + *scenario.target->path +
                             "\"; give the path in one place");
  }
  scenario.path = *scenario.target->path;
  scenario.target->path.reset();
}

// Which side closes first, and how each closes, must be something the run can do.
void check_close_rules(const Checks& checks, const Scenario& scenario) {
  const bool one_request = scenario.connection == ConnectionModel::per_request ||
                           scenario.connection == ConnectionModel::parallel;
  if (scenario.closer && !one_request) {
    checks.fail("/closer",
                "says which side ends a per_request or parallel connection; with connection " +
                    std::string(to_string(scenario.connection)) +
                    " the server ends one only after server.max_requests");
  }
  // The server learns from "Connection: close" that it is to close; an echo server cannot.
  if (scenario.closer == Closer::server && scenario.protocol != Protocol::http) {
    checks.fail("/closer",
                "server needs protocol http: the request's \"Connection: close\" "
                "asks the server to close first");
  }
  if (scenario.server.max_requests > 0 && scenario.protocol != Protocol::http) {
    checks.fail("/server/max_requests", "counts http responses; protocol " +
                                            std::string(to_string(scenario.protocol)) +
                                            " has none");
  }
  for (const auto& [side, options] :
       {std::pair{"client", static_cast<const SocketOptions*>(&scenario.client)},
        std::pair{"server", static_cast<const SocketOptions*>(&scenario.server)}}) {
    if (options->close == CloseMode::abortive && options->so_linger) {
      checks.fail(std::string("/") + side + "/close",
                  "abortive sets SO_LINGER 0 itself; give it or so_linger, not both");
    }
  }
}

}  // namespace

Scenario read_scenario(const json& object, const Checks& checks) {
  checks.object(object, "");
  if (object.contains("sweep")) {
    checks.fail("/sweep", "a sweep must be expanded into runs before a run is read");
  }
  Scenario scenario;
  read_fields(kScenarioFields, object, "", checks, file_keys(), scenario);
  take_url_path(object, checks, scenario);
  if (scenario.target && scenario.target->https && !scenario.tls) scenario.tls = TlsOptions{};
  // Rules that tie two keys together; a pointer names the key the user most likely meant.
  if (scenario.request_size == 0 && scenario.protocol != Protocol::http) {
    checks.fail("/request_size", std::string("must be at least 1 for protocol ") +
                                     to_string(scenario.protocol) +
                                     " (0 is allowed for http only: a GET without a body)");
  }
  check_close_rules(checks, scenario);
  check_page_rules(checks, scenario);
  check_link_rules(checks, scenario);
  check_tls_rules(checks, scenario);
  if (scenario.protocol == Protocol::stream && scenario.connection != ConnectionModel::keep_alive) {
    checks.fail("/connection",
                "must be keep_alive for protocol stream: a stream is one long transfer per "
                "connection");
  }
  // A pause between a response and the next request belongs to one request at a time: a
  // pipeline or a page's parallel connections have no single "next request" to hold back.
  if (scenario.think_time_ms > 0 && (scenario.page || scenario.protocol == Protocol::stream ||
                                     (scenario.connection != ConnectionModel::keep_alive &&
                                      scenario.connection != ConnectionModel::per_request))) {
    checks.fail("/think_time_ms",
                "needs connection keep_alive or per_request without a page, and protocol echo or "
                "http: it is a virtual user's pause between one response and its next request");
  }
  if (scenario.timestamps && scenario.protocol == Protocol::stream) {
    checks.fail("/timestamps",
                "splits request/response round trips; protocol stream has none (use echo or "
                "http)");
  }
  // Both send a request's bytes before the connection is up, where the kernel's byte keys and
  // the harness's part ways: the SYN takes a sequence number, and early data refused by the
  // server is sent again after the handshake. Either would misplace the split.
  if (scenario.timestamps && scenario.client.tcp_fastopen_connect.value_or(false)) {
    checks.fail("/timestamps",
                "cannot split requests sent with the SYN (client.tcp_fastopen): measure Fast "
                "Open and the split in separate runs");
  }
  if (scenario.timestamps && scenario.tls && scenario.tls->early_data) {
    checks.fail("/timestamps",
                "cannot split requests sent as TLS early data (tls.early_data): measure 0-RTT "
                "and the split in separate runs");
  }
  return scenario;
}

void check_sweep_key(const std::string& key, const std::string& pointer, const Checks& checks) {
  const auto dot = key.find('.');
  const std::string head = key.substr(0, dot);
  bool known = head != "name" && find_field(kScenarioFields, head) != nullptr;
  if (known && dot != std::string::npos && head == "tls") {
    const std::string option = key.substr(dot + 1);
    known = std::find(tls_keys().begin(), tls_keys().end(), option) != tls_keys().end();
  } else if (known && dot != std::string::npos && head == "link") {
    const std::string option = key.substr(dot + 1);
    known = std::find(link_keys().begin(), link_keys().end(), option) != link_keys().end();
  } else if (known && dot != std::string::npos) {
    const std::string option = key.substr(dot + 1);
    const std::vector<std::string> socket_keys =
        head == "client" ? client_socket_keys() : server_socket_keys();
    known = is_socket_side(head) &&
            (std::find(socket_keys.begin(), socket_keys.end(), option) != socket_keys.end() ||
             (head == "server" && find_field(kServerOnlyFields, option)));
  }
  if (known) return;
  std::vector<std::string> allowed;
  for (const auto& field : kScenarioFields) {
    if (std::string_view(field.key) == "name") continue;
    allowed.emplace_back(field.key);
    if (!is_socket_side(field.key)) continue;
    const bool client = std::string_view(field.key) == "client";
    for (const std::string& option : client ? client_socket_keys() : server_socket_keys()) {
      allowed.push_back(std::string(field.key) + "." + option);
    }
    if (client) continue;
    for (const std::string& option : tls_keys()) allowed.push_back("tls." + option);
    for (const std::string& option : link_keys()) allowed.push_back("link." + option);
    for (const auto& option : kServerOnlyFields)
      allowed.push_back(std::string("server.") + option.key);
  }
  checks.unknown_key(pointer, allowed);
}

}  // namespace th::scenario_detail
