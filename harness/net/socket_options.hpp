#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "scenario/scenario.hpp"

namespace th {

// One option as the user asked for it and as the kernel reports it afterwards. Linux doubles
// SO_SNDBUF/SO_RCVBUF (socket(7)) and clamps them to net.core.wmem_max/rmem_max, so the two
// often differ; the report shows both.
enum class OptionKind { integer, boolean, linger };

struct OptionReading {
  std::string name;
  std::optional<int64_t> requested;  // unset: the kernel default was left alone
  int64_t applied = 0;               // linger: seconds, or -1 when off
  OptionKind kind = OptionKind::integer;
  // Why applied is not what was asked, when the kernel says so: a buffer clamped to its sysctl.
  std::string note;
};

// Sets every requested option on `fd`. Returns 0, or a negative errno with `failed_option` naming
// the option the kernel refused.
int apply_socket_options(int fd, const SocketOptions& options, std::string* failed_option);

// Buffer sizes only: they must be set before listen()/connect() to take effect on the TCP window.
int apply_buffer_options(int fd, const SocketOptions& options, std::string* failed_option);

// Reads back every option in the table (set or not), in table order.
std::vector<OptionReading> read_socket_options(int fd, const SocketOptions& requested);

// Sets the options on a throwaway socket and reads them back, so a value the kernel refuses is a
// configuration error before the run rather than a counted error in it. Throws ConfigError.
std::vector<OptionReading> probe_socket_options(const SocketOptions& options, const char* side);

}  // namespace th
