#include "cli/run_support.hpp"

#include <fmt/format.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cctype>
#include <csignal>
#include <ctime>

#include "cli/commands.hpp"
#include "report/labels.hpp"
#include "run/run_executor.hpp"

namespace th {
namespace {

// The first Ctrl-C ends the run gracefully and still writes the report; a second one means
// "now", for a user who does not want to wait for the grace period.
void on_interrupt(int) {
  if (stop_was_requested()) _exit(kExitInterrupted);
  request_stop();
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
  struct sigaction action {};
  action.sa_handler = on_interrupt;
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

}  // namespace th
