#include "cli/run_support.hpp"

#include <fmt/format.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <cctype>
#include <cerrno>
#include <csignal>
#include <ctime>

#include "cli/commands.hpp"
#include "report/atomic_file.hpp"
#include "report/labels.hpp"
#include "run/run_executor.hpp"

namespace th {
namespace {

// A second signal this soon after the first is the same request delivered twice: `timeout`, CI
// runners and other wrappers send it to the child and again to its process group, microseconds
// apart. A person who means "abort now" presses Ctrl-C again well after the first message.
constexpr int64_t kRepeatedSignalNs = 1'000'000'000;

std::atomic<int64_t> g_first_signal_ns{0};
bool g_stderr_is_terminal = false;  // set before the handler is installed, read only by it

// clock_gettime and write are async-signal-safe (POSIX.1-2008, signal-safety(7)).
int64_t monotonic_ns() {
  timespec now{};
  clock_gettime(CLOCK_MONOTONIC, &now);
  return int64_t{now.tv_sec} * 1'000'000'000 + now.tv_nsec;
}

void write_stderr(const char* text, size_t size) {
  // A closed stderr leaves nothing to tell; the check only keeps the compiler quiet.
  if (write(STDERR_FILENO, text, size) < 0) return;
}

template <size_t N>
void say(const char (&line)[N]) {
  // On a terminal the run's status line may be half drawn: clear it first.
  if (g_stderr_is_terminal) write_stderr("\r\x1b[K", 4);
  write_stderr(line, N - 1);
}

// The first signal ends the run gracefully and still writes the report; a second one, clearly
// separate from the first, means "now", for a user who does not want to wait for the grace
// period: it leaves no report and no half-written temporary file.
void on_interrupt(int) {
  const int saved_errno = errno;
  const int64_t now = monotonic_ns();
  int64_t first = 0;
  if (g_first_signal_ns.compare_exchange_strong(first, now)) {
    request_stop();
    say("tcpharness: stopping: finishing in-flight requests and writing the report; Ctrl-C again "
        "to abort\n");
  } else if (now - first >= kRepeatedSignalNs) {
    remove_pending_temporary_file();
    say("tcpharness: aborted by a second signal: no report written\n");
    _exit(kExitInterrupted);
  }
  errno = saved_errno;
}

}  // namespace

std::string utc_now(const char* format) {
  const std::time_t now = std::time(nullptr);
  std::tm parts{};
  gmtime_r(&now, &parts);
  char text[64];
  std::strftime(text, sizeof text, format, &parts);
  return text;
}

void install_interrupt_handlers() {
  g_stderr_is_terminal = isatty(STDERR_FILENO) == 1;
  struct sigaction action {};
  action.sa_handler = on_interrupt;
  // Restarted, so the duplicate signal that now does nothing does not fail a system call either.
  action.sa_flags = SA_RESTART;
  sigemptyset(&action.sa_mask);
  sigaction(SIGINT, &action, nullptr);
  sigaction(SIGTERM, &action, nullptr);
  signal(SIGPIPE, SIG_IGN);  // a peer's reset must be an error code, never a dead process
}

std::string default_out_path(const std::string& scenario_name, const char* extension,
                             const std::string& suffix) {
  mkdir("results", 0755);  // the default place; an explicit --out must name an existing folder
  std::string safe_name = scenario_name;
  for (char& c : safe_name) {
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '-' && c != '_') c = '_';
  }
  return fmt::format("results/{}{}-{}{}", safe_name, suffix, utc_now("%Y%m%dT%H%M%SZ"), extension);
}

ReportInput report_input_for(const ScenarioDocument& document, const std::string& scenario_path,
                             const std::vector<std::string>& labels) {
  ReportInput input;
  nlohmann::json resolved;
  to_json(resolved, scenario_from_json(document.base, document.source));
  resolved["sweep"] = document.sweep;
  input.scenario = resolved;
  input.scenario_source = scenario_path;
  input.labels = parse_labels(labels);
  return input;
}

PreparedReport prepare_report(const ScenarioDocument& document, const std::string& scenario_path,
                              const std::vector<std::string>& labels, const std::string& out_path,
                              const std::string& suffix) {
  PreparedReport prepared{report_input_for(document, scenario_path, labels), out_path};
  if (prepared.out_path.empty()) {
    const std::vector<RunSpec> specs = expand_runs(document);
    prepared.out_path = default_out_path(specs.front().scenario.name, ".json", suffix);
  }
  refuse_output_over_input("--out", prepared.out_path, {scenario_path});
  check_file_writable(prepared.out_path);
  prepared.input.host = collect_host_info();
  prepared.input.cpu = collect_cpu_facts();
  prepared.input.started_at = utc_now("%Y-%m-%dT%H:%M:%SZ");
  return prepared;
}

}  // namespace th
