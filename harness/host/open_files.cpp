#include "host/open_files.hpp"

#include <fmt/format.h>
#include <sys/resource.h>

#include <cerrno>
#include <cstring>

#include "base/config_error.hpp"

namespace th {

void ensure_open_files(uint64_t needed, const char* what) {
  rlimit limit{};
  if (getrlimit(RLIMIT_NOFILE, &limit) != 0 || limit.rlim_cur >= needed) return;
  if (limit.rlim_max != RLIM_INFINITY && limit.rlim_max < needed) {
    throw ConfigError(fmt::format(
        "{} needs about {} open files, but the hard limit (RLIMIT_NOFILE) is {}: raise it "
        "(ulimit -Hn as root, LimitNOFILE= in a systemd unit, or /etc/security/limits.conf) "
        "or use fewer connections",
        what, needed, limit.rlim_max));
  }
  limit.rlim_cur = needed;
  if (setrlimit(RLIMIT_NOFILE, &limit) != 0) {
    throw ConfigError(fmt::format("{} needs about {} open files; raising RLIMIT_NOFILE failed: {}",
                                  what, needed, std::strerror(errno)));
  }
}

}  // namespace th
