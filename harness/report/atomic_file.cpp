#include "report/atomic_file.hpp"

#include <fcntl.h>
#include <fmt/format.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <climits>
#include <cstdio>
#include <cstring>

#include "base/config_error.hpp"

namespace th {

namespace {

// The temporary file being written, where a signal handler can find it without allocating or
// locking: a fixed buffer guarded by a sequence number (a seqlock). The number is odd while the
// buffer changes or when no file is pending; the handler unlinks only a path it read whole.
char g_pending_path[PATH_MAX];
std::atomic<unsigned> g_pending_sequence{1};

// Published before the file is created and withdrawn after it is renamed or removed, so a forced
// exit at any point in between finds it (unlinking a name already renamed only fails).
class PendingTemporaryFile {
 public:
  explicit PendingTemporaryFile(const std::string& path) {
    if (path.size() >= sizeof g_pending_path) return;  // open() refuses such a name anyway
    std::memcpy(g_pending_path, path.c_str(), path.size() + 1);
    g_pending_sequence.fetch_add(1, std::memory_order_release);  // even: published
  }
  ~PendingTemporaryFile() {
    if (g_pending_sequence.load(std::memory_order_relaxed) % 2 == 0) {
      g_pending_sequence.fetch_add(1, std::memory_order_release);
    }
  }
  PendingTemporaryFile(const PendingTemporaryFile&) = delete;
  PendingTemporaryFile& operator=(const PendingTemporaryFile&) = delete;
};

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

void remove_pending_temporary_file() noexcept {
  char path[PATH_MAX];
  // A changed number means the main thread finished that file meanwhile and may have begun the
  // next (the --gbench-out copy): read again, a bounded number of times.
  for (int attempt = 0; attempt < 4; ++attempt) {
    const unsigned before = g_pending_sequence.load(std::memory_order_acquire);
    if (before % 2 != 0) return;
    std::memcpy(path, g_pending_path, sizeof path);
    std::atomic_thread_fence(std::memory_order_acquire);
    if (g_pending_sequence.load(std::memory_order_relaxed) != before) continue;
    path[sizeof path - 1] = '\0';
    unlink(path);
    return;
  }
}

void write_file_atomically(const std::string& path, const std::string& content) {
  check_regular_or_absent(path);
  const std::string temporary = fmt::format("{}.{}.tmp", path, getpid());
  const PendingTemporaryFile pending(temporary);
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
