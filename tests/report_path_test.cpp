// A report path that cannot be written is explained in the user's terms (the folder, the
// filesystem), never as the errno of the temporary file tcpharness creates beside it.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <sched.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstring>
#include <functional>

#include "cli_runner.hpp"
#include "config_errors.hpp"
#include "report/atomic_file.hpp"

namespace th {
namespace {

using testing::run_cli;

std::string refusal_of(const std::string& path) {
  return testing::error_of([&path] { check_file_writable(path); });
}

std::string write_refusal_of(const std::string& path) {
  return testing::error_of([&path] { write_file_atomically(path, "{}\n"); });
}

// Runs `check` in a child process (which may change its user or mount namespace first) and
// returns what refusal_of said there, or why the child could not get that far ("skip: ...").
std::string refusal_in_child(const std::function<std::string()>& prepare, const std::string& path) {
  int pipe_ends[2];
  if (pipe(pipe_ends) != 0) return "skip: pipe failed";
  const pid_t child = fork();
  if (child == 0) {
    close(pipe_ends[0]);
    std::string said = prepare();
    if (said.empty()) said = refusal_of(path);
    (void)!write(pipe_ends[1], said.data(), said.size());
    _exit(0);
  }
  close(pipe_ends[1]);
  std::string said;
  char buffer[512];
  for (ssize_t got; (got = read(pipe_ends[0], buffer, sizeof buffer)) > 0;)
    said.append(buffer, got);
  close(pipe_ends[0]);
  waitpid(child, nullptr, 0);
  return said;
}

class ReportPath : public testing::ScratchDirTest {};

TEST_F(ReportPath, AMissingFolderIsNamed) {
  const std::string path = scratch_ + "/no/such/r.json";
  EXPECT_EQ(refusal_of(path),
            path + ": cannot write the report: the folder " + scratch_ + "/no/such does not exist");
  EXPECT_EQ(write_refusal_of(path), refusal_of(path));
}

TEST_F(ReportPath, AFolderAtThePathIsSaidToBeOne) {
  EXPECT_EQ(refusal_of(scratch_), scratch_ +
                                      ": cannot write the report: it is a folder; name a "
                                      "file in it, e.g. " +
                                      scratch_ + "/report.json");
}

TEST_F(ReportPath, AFileWhereTheFolderShouldBeIsSaidToBeAFile) {
  const std::string file = write_file("notes.txt", "x");
  EXPECT_EQ(refusal_of(file + "/r.json"),
            file + "/r.json: cannot write the report: " + file + " is a file, not a folder");
  EXPECT_NE(refusal_of(file + "/sub/r.json").find("does not exist (a part of it is a file)"),
            std::string::npos);
}

TEST_F(ReportPath, AFileOfProcCannotBeReplacedAndProcTakesNoNewFile) {
  const std::string version = refusal_of("/proc/version");
  EXPECT_EQ(version,
            "/proc/version: cannot write the report: it is a file of the kernel's proc "
            "filesystem, which cannot be replaced");
  EXPECT_EQ(write_refusal_of("/proc/version"), version);
  EXPECT_EQ(refusal_of("/proc/report.json"),
            "/proc/report.json: cannot write the report: /proc is on the kernel's proc "
            "filesystem, where no file can be created");
}

TEST_F(ReportPath, ADeviceIsNeverReplaced) {
  EXPECT_NE(refusal_of("/dev/null").find("it is a device, pipe or socket"), std::string::npos);
}

TEST_F(ReportPath, AFolderWithoutWritePermissionIsSaidToBeOne) {
  const std::string folder = scratch_ + "/locked";
  ASSERT_EQ(mkdir(folder.c_str(), 0555), 0);
  ASSERT_EQ(chmod(scratch_.c_str(), 0755), 0);  // mkdtemp's 0700 would stop the user at the door
  // Root writes anywhere: check as nobody.
  const auto as_nobody = [] {
    if (geteuid() == 0 && (setgid(65534) != 0 || setuid(65534) != 0)) {
      return std::string("skip: cannot become nobody");
    }
    return std::string();
  };
  const std::string said = refusal_in_child(as_nobody, folder + "/r.json");
  if (said.starts_with("skip: ")) GTEST_SKIP() << said;
  EXPECT_EQ(said, folder +
                      "/r.json: cannot write the report: no permission to create files in "
                      "the folder " +
                      folder);
}

TEST_F(ReportPath, AReadOnlyFilesystemIsNamed) {
  const std::string folder = scratch_ + "/mounted";
  ASSERT_EQ(mkdir(folder.c_str(), 0755), 0);
  // A read-only tmpfs in a mount namespace of the child's own, gone when it exits.
  const auto mount_read_only = [&folder] {
    if (unshare(CLONE_NEWNS) != 0)
      return "skip: no mount namespace: " + std::string(strerror(errno));
    if (mount(nullptr, "/", nullptr, MS_REC | MS_PRIVATE, nullptr) != 0 ||
        mount("tcpharness-test", folder.c_str(), "tmpfs", MS_RDONLY, nullptr) != 0) {
      return "skip: cannot mount a read-only tmpfs: " + std::string(strerror(errno));
    }
    return std::string();
  };
  const std::string said = refusal_in_child(mount_read_only, folder + "/r.json");
  if (said.starts_with("skip: ")) GTEST_SKIP() << said << " (needs root)";
  EXPECT_EQ(said, folder + "/r.json: cannot write the report: the folder " + folder +
                      " is on a read-only filesystem");
}

TEST_F(ReportPath, TheCommandLineSaysWhatIsWrongBeforeAnyLoad) {
  const testing::CliOutcome proc =
      run_cli("run scenarios/quickstart.json -o /proc/version", scratch_);
  testing::expect_refused(proc,
                          "/proc/version: cannot write the report: it is a file of the "
                          "kernel's proc filesystem");
  EXPECT_EQ(proc.err.find("No such file or directory"), std::string::npos) << proc.err;
  const testing::CliOutcome missing =
      run_cli("merge a.json b.json -o " + scratch_ + "/gone/m.json", scratch_);
  testing::expect_refused(missing, "the folder " + scratch_ + "/gone does not exist");
}

}  // namespace
}  // namespace th
