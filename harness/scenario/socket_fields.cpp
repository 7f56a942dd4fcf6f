#include <algorithm>
#include <cstdint>
#include <limits>
#include <string>
#include <vector>

#include "scenario/field_table.hpp"
#include "scenario/fields.hpp"

// The keys of "client" and "server" that set socket options (docs/scenarios.md lists them; the
// option table in net/socket_options.cpp says how each is set).
namespace th::scenario_detail {

namespace {

// Which names the kernel has is checked before the run (net/socket_option_probe.cpp); here only
// the shape: TCP_CA_NAME_MAX is 16 bytes with the terminating NUL.
std::string read_congestion_name(const Checks& checks, const json& value,
                                 const std::string& pointer) {
  const std::string name = checks.string(value, pointer);
  const bool shaped =
      !name.empty() && name.size() <= 15 && std::all_of(name.begin(), name.end(), [](char c) {
        return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_';
      });
  if (!shaped) {
    checks.fail(pointer,
                "must name a congestion control algorithm: 1 to 15 characters a-z, 0-9 or _, "
                "e.g. \"cubic\" or \"bbr\"",
                value);
  }
  return name;
}

constexpr std::pair<const char*, CloseMode> kCloseModes[] = {{"graceful", CloseMode::graceful},
                                                             {"abortive", CloseMode::abortive},
                                                             {"half_close", CloseMode::half_close}};

// Unset (absent or null) leaves the kernel default in place.
const Field<SocketOptions> kSocketFields[] = {
    {"tcp_nodelay",
     [](const Checks& c, const json& v, const std::string& p, SocketOptions& out) {
       if (!v.is_null()) out.tcp_nodelay = c.boolean(v, p);
     }},
    {"tcp_quickack",
     [](const Checks& c, const json& v, const std::string& p, SocketOptions& out) {
       if (!v.is_null()) out.tcp_quickack = c.boolean(v, p);
     }},
    {"so_sndbuf",
     [](const Checks& c, const json& v, const std::string& p, SocketOptions& out) {
       if (!v.is_null()) out.so_sndbuf = static_cast<int>(c.integer(v, p, 1, kIntMax));
     }},
    {"so_rcvbuf",
     [](const Checks& c, const json& v, const std::string& p, SocketOptions& out) {
       if (!v.is_null()) out.so_rcvbuf = static_cast<int>(c.integer(v, p, 1, kIntMax));
     }},
    {"so_linger",
     [](const Checks& c, const json& v, const std::string& p, SocketOptions& out) {
       if (v.is_null()) return;
       c.object(v, p);
       bool on = false;
       int timeout_s = 0;
       for (const auto& [key, item] : v.items()) {
         const std::string item_pointer = p + "/" + pointer_token(key);
         if (key == "on") {
           on = c.boolean(item, item_pointer);
         } else if (key == "timeout_s") {
           timeout_s = static_cast<int>(c.integer(item, item_pointer, 0, 3600));
         } else {
           c.unknown_key(item_pointer, {"on", "timeout_s"});
         }
       }
       out.so_linger = on ? timeout_s : -1;
     }},
    {"tcp_cork",
     [](const Checks& c, const json& v, const std::string& p, SocketOptions& out) {
       if (!v.is_null()) out.tcp_cork = c.boolean(v, p);
     }},
    {"tcp_notsent_lowat",
     [](const Checks& c, const json& v, const std::string& p, SocketOptions& out) {
       if (!v.is_null()) out.tcp_notsent_lowat_bytes = c.integer(v, p, 0, kIntMax);
     }},
    {"tcp_congestion",
     [](const Checks& c, const json& v, const std::string& p, SocketOptions& out) {
       if (!v.is_null()) out.tcp_congestion = read_congestion_name(c, v, p);
     }},
    {"tcp_maxseg",
     [](const Checks& c, const json& v, const std::string& p, SocketOptions& out) {
       // The kernel's own range (88 to 32767) is checked by the kernel before the run.
       if (!v.is_null()) out.tcp_maxseg_bytes = static_cast<int>(c.integer(v, p, 0, kIntMax));
     }},
    {"tcp_user_timeout",
     [](const Checks& c, const json& v, const std::string& p, SocketOptions& out) {
       if (!v.is_null()) out.tcp_user_timeout_ms = c.integer(v, p, 0, kIntMax);
     }},
    {"so_keepalive",
     [](const Checks& c, const json& v, const std::string& p, SocketOptions& out) {
       if (!v.is_null()) out.so_keepalive = c.boolean(v, p);
     }},
    {"tcp_keepidle",
     [](const Checks& c, const json& v, const std::string& p, SocketOptions& out) {
       if (!v.is_null()) out.tcp_keepidle_s = static_cast<int>(c.integer(v, p, 1, kIntMax));
     }},
    {"tcp_keepintvl",
     [](const Checks& c, const json& v, const std::string& p, SocketOptions& out) {
       if (!v.is_null()) out.tcp_keepintvl_s = static_cast<int>(c.integer(v, p, 1, kIntMax));
     }},
    {"tcp_keepcnt",
     [](const Checks& c, const json& v, const std::string& p, SocketOptions& out) {
       if (!v.is_null()) out.tcp_keepcnt = static_cast<int>(c.integer(v, p, 1, kIntMax));
     }},
    {"ip_tos",
     [](const Checks& c, const json& v, const std::string& p, SocketOptions& out) {
       if (!v.is_null()) out.ip_tos = static_cast<int>(c.integer(v, p, 0, 255));
     }},
    {"so_priority",
     [](const Checks& c, const json& v, const std::string& p, SocketOptions& out) {
       if (!v.is_null()) out.so_priority = static_cast<int>(c.integer(v, p, 0, kIntMax));
     }},
    {"so_busy_poll",
     [](const Checks& c, const json& v, const std::string& p, SocketOptions& out) {
       if (!v.is_null()) out.so_busy_poll_us = static_cast<int>(c.integer(v, p, 0, kIntMax));
     }},
    {"close",
     [](const Checks& c, const json& v, const std::string& p, SocketOptions& out) {
       if (!v.is_null()) out.close = c.one_of(v, p, kCloseModes);
     }},
};

// Options that exist on one side only. One key, two meanings: a client sends its first request
// in the SYN (a switch), a listener keeps a queue of such connections (a length).
const Field<SocketOptions> kClientOnlySocketFields[] = {
    {"tcp_fastopen",
     [](const Checks& c, const json& v, const std::string& p, SocketOptions& out) {
       if (!v.is_null()) out.tcp_fastopen_connect = c.boolean(v, p);
     }},
};

const Field<SocketOptions> kListenerSocketFields[] = {
    {"tcp_fastopen",
     [](const Checks& c, const json& v, const std::string& p, SocketOptions& out) {
       if (v.is_null()) return;
       if (v.is_boolean()) {
         c.fail(p,
                "is the length of the listener's Fast Open queue on the server side, e.g. 256 "
                "(0 is off)",
                v);
       }
       out.tcp_fastopen_queue = static_cast<int>(c.integer(v, p, 0, kIntMax));
     }},
    {"tcp_defer_accept",
     [](const Checks& c, const json& v, const std::string& p, SocketOptions& out) {
       if (!v.is_null()) out.tcp_defer_accept_s = static_cast<int>(c.integer(v, p, 0, kIntMax));
     }},
};

}  // namespace

SocketOptions read_client_options(const Checks& checks, const json& value,
                                  const std::string& pointer) {
  static const std::vector<std::string> allowed = client_socket_keys();
  checks.object(value, pointer);
  SocketOptions options;
  for (const auto& [key, item] : value.items()) {
    const std::string key_pointer = pointer + "/" + pointer_token(key);
    if (!read_socket_key(checks, key, item, key_pointer, "client", options)) {
      checks.unknown_key(key_pointer, allowed);
    }
  }
  return options;
}

bool read_socket_key(const Checks& checks, const std::string& key, const json& value,
                     const std::string& pointer, std::string_view side, SocketOptions& out) {
  const Field<SocketOptions>* field = find_field(kSocketFields, key);
  if (field == nullptr && side == "client") field = find_field(kClientOnlySocketFields, key);
  if (field == nullptr && side == "server") field = find_field(kListenerSocketFields, key);
  if (field == nullptr) return false;
  field->read(checks, value, pointer, out);
  return true;
}

std::vector<std::string> client_socket_keys() {
  std::vector<std::string> keys = keys_of(kSocketFields);
  for (const auto& field : kClientOnlySocketFields) keys.emplace_back(field.key);
  return keys;
}

std::vector<std::string> server_socket_keys() {
  std::vector<std::string> keys = keys_of(kSocketFields);
  for (const auto& field : kListenerSocketFields) keys.emplace_back(field.key);
  return keys;
}

}  // namespace th::scenario_detail
