#pragma once

#include <functional>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace th {

// A host setting a recommended scenario value depends on: without it the kernel silently gives
// less (a clamped buffer) or refuses the option for an unprivileged process.
struct SysctlNeed {
  std::string key;          // the scenario key: "client.so_sndbuf"
  std::string sysctl;       // "net.core.wmem_max"
  std::string requirement;  // ">= 4194304", "lists bbr", "has bit 0x1 (client)"
  std::string why;
  std::optional<std::string> current;  // as /proc/sys shows it; none when unreadable
  std::optional<bool> satisfied;       // none when the current value is unknown
  std::string fix;                     // a command that meets the need
};

using SysctlReader = std::function<std::optional<std::string>(const std::string& name)>;
std::optional<std::string> read_proc_sysctl(const std::string& name);

// The needs of a setting's swept parameters (dotted key -> value), from one table keyed by the
// option's name (the last part of the key, so client.X and server.X both match). A key the table
// does not know needs nothing: new socket options become scenario keys without touching this.
// server_behind_link: the server's namespace is the harness's own (a scenario's link), where it
// sets the server's tcp_fastopen bit itself; the buffer limits are global and still count.
std::vector<SysctlNeed> sysctl_needs(
    const std::vector<std::pair<std::string, nlohmann::json>>& params,
    const SysctlReader& read = read_proc_sysctl, bool server_behind_link = false);

nlohmann::json to_json(const SysctlNeed& need);

}  // namespace th
