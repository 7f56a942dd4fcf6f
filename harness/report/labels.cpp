#include "report/labels.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>

#include "base/config_error.hpp"

namespace th {
namespace {

constexpr const char* kGbenchContextKeys[] = {"date",
                                              "host_name",
                                              "executable",
                                              "num_cpus",
                                              "mhz_per_cpu",
                                              "cpu_scaling_enabled",
                                              "caches",
                                              "load_avg",
                                              "library_build_type",
                                              "json_schema_version"};

bool is_key_character(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '.' || c == '-';
}

}  // namespace

std::map<std::string, std::string> parse_labels(const std::vector<std::string>& assignments) {
  std::map<std::string, std::string> labels;
  for (const std::string& assignment : assignments) {
    const size_t equals = assignment.find('=');
    const std::string key = assignment.substr(0, equals);
    if (equals == std::string::npos || key.empty()) {
      throw ConfigError(fmt::format("--label {}: expected key=value", assignment));
    }
    if (!std::all_of(key.begin(), key.end(), is_key_character) || key.size() > 64) {
      throw ConfigError(fmt::format(
          "--label {}: the key may use letters, digits, '_', '.' and '-' (at most 64)", key));
    }
    for (const char* reserved : kGbenchContextKeys) {
      if (key == reserved) {
        throw ConfigError(fmt::format(
            "--label {}: '{}' is a key of Google Benchmark's context block; choose another",
            assignment, key));
      }
    }
    const std::string value = assignment.substr(equals + 1);
    if (std::any_of(value.begin(), value.end(),
                    [](char c) { return std::iscntrl(static_cast<unsigned char>(c)); })) {
      throw ConfigError(fmt::format("--label {}: the value may not hold control characters", key));
    }
    labels[key] = value;
  }
  return labels;
}

}  // namespace th
