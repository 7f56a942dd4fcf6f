#include "cli/target_check.hpp"

#include <fmt/format.h>
#include <uv.h>

#include <cstdio>
#include <set>
#include <string>

#include "net/connect_probe.hpp"
#include "run/load_plan_builder.hpp"
#include "run/run_result.hpp"

namespace th {

bool targets_answer(const std::vector<RunSpec>& specs) {
  std::set<std::string> checked;
  bool all_answer = true;
  for (const RunSpec& spec : specs) {
    if (!spec.scenario.target) continue;
    const Target& target = *spec.scenario.target;
    // Named as the scenario names it, so a sweep over one host:port connects once.
    const PlanTarget plan_target =
        external_plan_target(target, resolve_address(target.host, target.port));
    if (!checked.insert(plan_target.host_header).second) continue;
    const ConnectProbe probe = probe_connect(plan_target.address, spec.scenario.timeout_ms);
    if (probe.status == 0) {
      fmt::print("target {}: answers (connect {:.1f} ms)\n", plan_target.host_header,
                 static_cast<double>(probe.connect_ns) / 1e6);
    } else {
      std::fflush(stdout);  // keep the lines in order when both streams go to one terminal
      fmt::print(stderr, "tcpharness: {}\n",
                 cannot_connect_message({plan_target.host_header, uv_strerror(probe.status), 1}));
      all_answer = false;
    }
  }
  if (checked.empty()) fmt::print("no target to connect to: every run uses the embedded server\n");
  return all_answer;
}

}  // namespace th
