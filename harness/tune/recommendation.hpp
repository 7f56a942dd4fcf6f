#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "tune/sequential.hpp"
#include "tune/sysctl_needs.hpp"

namespace th {

// A setting `tune` chooses among: one run of the sweep.
struct TuneSetting {
  std::string name;
  std::vector<std::pair<std::string, nlohmann::json>> params;  // swept key (dotted) -> value
  // The embedded server runs behind a link, in a namespace whose sysctls the harness sets.
  bool server_behind_link = false;
};

enum class Verdict {
  winner,  // the best is significantly better than every other setting
  group,   // some settings are significantly worse; the rest are not different from the best
  none,    // no setting is significantly worse than the best: nothing to recommend
};
const char* to_string(Verdict verdict);

struct Recommendation {
  Verdict verdict = Verdict::none;
  std::optional<size_t> best;
  // The recommendation: every swept value of the best setting (the best median). Empty for
  // Verdict::none.
  std::vector<std::pair<std::string, nlohmann::json>> params;
  // The best's values of the keys every setting near the best shares: each setting with another
  // value of one of them is significantly worse. Empty for Verdict::none.
  std::vector<std::pair<std::string, nlohmann::json>> settled;
  // The keys whose values differ among the settings near the best, with each value seen there:
  // the data cannot tell them apart.
  std::vector<std::pair<std::string, std::vector<nlohmann::json>>> open;
  // The largest p-value of a setting found significantly worse: every exclusion has p <= this.
  std::optional<double> p_value;
  std::vector<SysctlNeed> sysctls;  // what the best setting's values need from the host
};

Recommendation recommend(const Look& look, const std::vector<TuneSetting>& settings,
                         const SysctlReader& read = read_proc_sysctl);

// "client.tcp_nodelay=true, server.tcp_nodelay=true" (values as JSON, strings unquoted).
std::string format_params(const std::vector<std::pair<std::string, nlohmann::json>>& params);

}  // namespace th
