#include "report/atomic_file.hpp"

#include <fcntl.h>
#include <fmt/format.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>

#include "base/config_error.hpp"

namespace th {

namespace {

// Renaming over a device or a directory would replace it (as root, /dev/full included), so only
// a regular file, or nothing, may stand at the path.
void check_regular_or_absent(const std::string& path) {
  struct stat existing {};
  if (stat(path.c_str(), &existing) == 0 && !S_ISREG(existing.st_mode)) {
    throw ConfigError(fmt::format("{}: cannot write the report: not a regular file", path));
  }
}

}  // namespace

void check_file_writable(const std::string& path) {
  check_regular_or_absent(path);
  const std::string probe = fmt::format("{}.{}.probe.tmp", path, getpid());
  const int fd = open(probe.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
  if (fd < 0) {
    throw ConfigError(fmt::format("{}: cannot write the report: {}", path, std::strerror(errno)));
  }
  ::close(fd);
  unlink(probe.c_str());
}

void write_file_atomically(const std::string& path, const std::string& content) {
  check_regular_or_absent(path);
  const std::string temporary = fmt::format("{}.{}.tmp", path, getpid());
  const int fd = open(temporary.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) {
    throw ConfigError(fmt::format("{}: cannot write the report: {}", path, std::strerror(errno)));
  }
  size_t written = 0;
  int error = 0;
  while (written < content.size()) {
    const ssize_t result = ::write(fd, content.data() + written, content.size() - written);
    if (result < 0) {
      if (errno == EINTR) continue;
      error = errno;
      break;
    }
    written += static_cast<size_t>(result);
  }
  // fsync before rename: otherwise a crash can leave the new name pointing at an empty file.
  if (error == 0 && fsync(fd) != 0) error = errno;
  if (::close(fd) != 0 && error == 0) error = errno;
  if (error == 0 && std::rename(temporary.c_str(), path.c_str()) != 0) error = errno;
  if (error != 0) {
    std::remove(temporary.c_str());
    throw ConfigError(fmt::format("{}: cannot write the report: {}", path, std::strerror(error)));
  }
}

}  // namespace th
