#include "report/atomic_file.hpp"

#include <fcntl.h>
#include <fmt/format.h>
#include <linux/magic.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <climits>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <system_error>

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

std::string folder_of(const std::string& path) {
  const size_t slash = path.find_last_of('/');
  if (slash == std::string::npos) return ".";
  return slash == 0 ? "/" : path.substr(0, slash);
}

// The kernel's own filesystems neither create nor replace files: creating /proc/x.tmp fails with
// ENOENT, whose words ("No such file or directory") would send the user looking for a folder.
const char* kernel_filesystem_of(const std::string& path) {
  struct statfs filesystem {};
  if (statfs(path.c_str(), &filesystem) != 0) return nullptr;
  switch (filesystem.f_type) {
    case PROC_SUPER_MAGIC:
      return "proc";
    case SYSFS_MAGIC:
      return "sysfs";
    case CGROUP2_SUPER_MAGIC:
      return "cgroup2";
    case DEBUGFS_MAGIC:
      return "debugfs";
    case TRACEFS_MAGIC:
      return "tracefs";
    default:
      return nullptr;
  }
}

// What stands in the way when creating a file beside `path` failed with `error`, in the user's
// terms: the folder, not the temporary file tcpharness tried to create in it.
std::string why_not_writable(const std::string& path, int error) {
  const std::string folder = folder_of(path);
  if (const char* filesystem = kernel_filesystem_of(folder)) {
    return fmt::format("{} is on the kernel's {} filesystem, where no file can be created", folder,
                       filesystem);
  }
  struct stat status {};
  switch (error) {
    case ENOENT:
    case ENOTDIR:
      if (stat(folder.c_str(), &status) == 0) {
        if (!S_ISDIR(status.st_mode)) return fmt::format("{} is a file, not a folder", folder);
        break;
      }
      if (errno == ENOTDIR) {
        return fmt::format("the folder {} does not exist (a part of it is a file)", folder);
      }
      return fmt::format("the folder {} does not exist", folder);
    case EACCES:
    case EPERM:
      return fmt::format("no permission to create files in the folder {}", folder);
    case EROFS:
      return fmt::format("the folder {} is on a read-only filesystem", folder);
    default:
      break;
  }
  return fmt::format("cannot create a file in the folder {}: {}", folder, std::strerror(error));
}

[[noreturn]] void cannot_write(const std::string& path, const std::string& reason) {
  throw ConfigError(fmt::format("{}: cannot write the report: {}", path, reason));
}

// The report is renamed over whatever stands at the path, so only a regular file, or nothing, may
// be there: a rename would replace a device (as root, /dev/full included) and cannot replace a
// folder or a file of /proc.
void check_replaceable(const std::string& path) {
  struct stat existing {};
  if (stat(path.c_str(), &existing) != 0) return;
  if (S_ISDIR(existing.st_mode)) {
    cannot_write(path, fmt::format("it is a folder; name a file in it, e.g. {}/report.json", path));
  }
  if (!S_ISREG(existing.st_mode)) {
    cannot_write(path, "it is a device, pipe or socket, not a regular file, and would be replaced");
  }
  if (const char* filesystem = kernel_filesystem_of(path)) {
    cannot_write(path,
                 fmt::format("it is a file of the kernel's {} filesystem, which cannot be replaced",
                             filesystem));
  }
}

std::string normalised(const std::string& path) {
  std::error_code error;
  const std::filesystem::path absolute = std::filesystem::absolute(path, error);
  if (error) return std::filesystem::path(path).lexically_normal().string();
  const std::filesystem::path resolved = std::filesystem::weakly_canonical(absolute, error);
  return (error ? absolute.lexically_normal() : resolved).string();
}

}  // namespace

void check_file_writable(const std::string& path) {
  check_replaceable(path);
  const std::string probe = fmt::format("{}.{}.probe.tmp", path, getpid());
  const int fd = open(probe.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
  if (fd < 0) cannot_write(path, why_not_writable(path, errno));
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
  check_replaceable(path);
  const std::string temporary = fmt::format("{}.{}.tmp", path, getpid());
  const PendingTemporaryFile pending(temporary);
  const int fd = open(temporary.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) cannot_write(path, why_not_writable(path, errno));
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
  if (error != 0) {
    std::remove(temporary.c_str());
    cannot_write(path, std::strerror(error));  // ENOSPC, EDQUOT, EIO: the words say it
  }
  if (std::rename(temporary.c_str(), path.c_str()) != 0) {
    error = errno;
    std::remove(temporary.c_str());
    cannot_write(path, why_not_writable(path, error));
  }
}

bool same_file(const std::string& a, const std::string& b) {
  struct stat a_status {};
  struct stat b_status {};
  if (stat(a.c_str(), &a_status) == 0 && stat(b.c_str(), &b_status) == 0) {
    return a_status.st_dev == b_status.st_dev && a_status.st_ino == b_status.st_ino;
  }
  return normalised(a) == normalised(b);
}

void refuse_output_over_input(const std::string& option, const std::string& out_path,
                              const std::vector<std::string>& input_paths) {
  for (const std::string& input : input_paths) {
    if (!same_file(out_path, input)) continue;
    throw ConfigError(
        fmt::format("{} {}: is the input {} itself; writing there would replace it, so name "
                    "another file",
                    option, out_path, input));
  }
}

}  // namespace th
