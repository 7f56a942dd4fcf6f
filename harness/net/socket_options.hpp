#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "base/socket_option_types.hpp"

namespace th {

// Sets every requested option that belongs to `role` on `fd`. Returns 0, or a negative errno with
// `failed_option` naming the option the kernel refused.
int apply_socket_options(int fd, const SocketOptions& options, SocketRole role,
                         std::string* failed_option);

// Reads back every option of `role` (set or not), in table order. For `accepted` that includes
// the options it inherited from the listener (buffers, MSS), but not the listener-only ones.
std::vector<OptionReading> read_socket_options(int fd, const SocketOptions& requested,
                                               SocketRole role);

// Sets the options on a throwaway socket and reads them back, so a value the kernel refuses is a
// configuration error before the run rather than a counted error in it. The message names the
// option, the value, the errno text and the sysctl or capability that would allow it; Fast Open
// is also checked against net.ipv4.tcp_fastopen, which the kernel would silently ignore for a
// listener, unless `namespace_is_the_harnesss` (a linked server's namespace, where the harness
// sets the sysctl itself). `side` is "client" or "server". Throws ConfigError.
std::vector<OptionReading> probe_socket_options(const SocketOptions& options, const char* side,
                                                bool namespace_is_the_harnesss = false);

// What net.ipv4.tcp_fastopen (bit 1: clients, bit 2: servers) lacks for `side` to use Fast Open
// when `wanted`: the sentence to show, or empty when nothing is missing. Pure, for tests.
// SO_LINGER on with a timeout of 0, just before a close that is to be abortive: close() then sends
// a reset and discards what is still queued, and the socket skips TIME_WAIT. 0 or a negative errno.
int set_linger_zero(int fd) noexcept;

std::string fastopen_sysctl_problem(const char* side, bool wanted, int64_t sysctl_value);

}  // namespace th
