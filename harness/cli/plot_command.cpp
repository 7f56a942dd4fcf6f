#include <fmt/format.h>
#include <spawn.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include "base/config_error.hpp"
#include "cli/commands.hpp"
#include "report/atomic_file.hpp"
#include "report/report_reader.hpp"

extern char** environ;

namespace th {
namespace {

// Charts are drawn by scripts/plot.py with Debian's matplotlib: a plotting library in C++ would be
// a dependency for three charts. The script's place is fixed at build time; the environment can
// point elsewhere for an installed copy.
std::string plot_script() {
  if (const char* path = std::getenv("TCPHARNESS_PLOT_SCRIPT"); path && *path) return path;
  return TCPHARNESS_PLOT_SCRIPT;
}

// Debian's matplotlib belongs to Debian's interpreter; a python3 earlier on PATH (pyenv, a
// virtualenv) usually lacks it. TCPHARNESS_PYTHON chooses another.
std::string python_interpreter() {
  if (const char* path = std::getenv("TCPHARNESS_PYTHON"); path && *path) return path;
  struct stat status {};
  return stat("/usr/bin/python3", &status) == 0 ? "/usr/bin/python3" : "python3";
}

}  // namespace

int plot_command(const PlotArguments& arguments) {
  // The reports are checked here, so a bad file gets the same one-line error as compare and merge.
  for (const std::string& path : arguments.report_paths) (void)read_report(path);
  refuse_output_over_input("--out", arguments.out_dir, arguments.report_paths);
  const std::string script = plot_script();
  struct stat status {};
  if (stat(script.c_str(), &status) != 0) {
    throw ConfigError(
        fmt::format("{}: plot script not found (set TCPHARNESS_PLOT_SCRIPT)", script));
  }
  const std::string python = python_interpreter();
  std::vector<std::string> words = {python, script};
  words.insert(words.end(), arguments.report_paths.begin(), arguments.report_paths.end());
  words.insert(words.end(), {"-o", arguments.out_dir});
  std::vector<char*> argv;
  for (std::string& word : words) argv.push_back(word.data());
  argv.push_back(nullptr);
  pid_t child = 0;
  // No shell: paths with spaces or quotes reach the script as they are.
  if (const int error =
          posix_spawnp(&child, python.c_str(), nullptr, nullptr, argv.data(), environ)) {
    throw ConfigError(
        fmt::format("{}: cannot start: {}; plot needs python3 with matplotlib "
                    "(apt-get install python3-matplotlib)",
                    python, std::strerror(error)));
  }
  int wait_status = 0;
  while (waitpid(child, &wait_status, 0) < 0) {
    if (errno != EINTR) throw ConfigError(fmt::format("plot: {}", std::strerror(errno)));
  }
  if (WIFEXITED(wait_status)) return WEXITSTATUS(wait_status);
  return kExitConfigError;
}

}  // namespace th
