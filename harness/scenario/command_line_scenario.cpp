#include "scenario/command_line_scenario.hpp"

#include <fmt/format.h>

#include <cctype>
#include <charconv>
#include <cmath>
#include <nlohmann/json.hpp>

#include "base/config_error.hpp"
#include "scenario/fields.hpp"

namespace th {
namespace {

using nlohmann::json;

constexpr std::string_view kUrlForm =
    "expected http[s]://host[:port][/path] (port 1 to 65535, 80 or 443 by default)";

// quickstart.json's load: HTTP/1.1 keep-alive GETs, 16 connections, 3 s after 0.5 s of warm-up.
// Its client_cpus and server_cpus stay out: the server is someone else's, and pinning the client
// to one core would put every -t thread on it. UrlRun.DefaultsAreQuickstartsLoad keeps the two
// in step.
json quickstart_load() {
  return {{"protocol", "http"}, {"connection", "keep_alive"},
          {"request_size", 0},  {"connections", 16},
          {"duration_s", 3},    {"warmup_s", 0.5}};
}

bool starts_with_ignoring_case(std::string_view text, std::string_view prefix) {
  if (text.size() < prefix.size()) return false;
  for (size_t index = 0; index < prefix.size(); ++index) {
    if (std::tolower(static_cast<unsigned char>(text[index])) != prefix[index]) return false;
  }
  return true;
}

}  // namespace

bool is_url(std::string_view text) { return text.find("://") != std::string_view::npos; }

ScenarioDocument url_scenario(const std::string& url) {
  const bool web =
      starts_with_ignoring_case(url, "http://") || starts_with_ignoring_case(url, "https://");
  const std::optional<Target> target = web ? scenario_detail::parse_target(url) : std::nullopt;
  if (!target) throw ConfigError(fmt::format("{}: {}", url, kUrlForm));
  json base = quickstart_load();
  base["name"] = scenario_detail::host_and_port(*target);
  base["description"] = fmt::format("GET {} with quickstart's defaults (tcpharness run URL)", url);
  base["target"] = url;
  return ScenarioDocument{url, std::move(base), json::object(), {}};
}

double duration_seconds(const std::string& text, const std::string& flag) {
  double amount = 0;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), amount);
  const std::string_view unit(end, text.data() + text.size() - end);
  double scale = 0;
  if (unit.empty() || unit == "s") scale = 1;
  if (unit == "ms") scale = 0.001;
  if (unit == "m") scale = 60;
  if (unit == "h") scale = 3600;
  if (text.empty() || error != std::errc() || scale == 0 || !std::isfinite(amount)) {
    throw ConfigError(fmt::format(
        "{} {}: expected a duration such as 10s, 1m, 500ms or 2.5 (seconds)", flag, text));
  }
  return amount * scale;
}

ScenarioDocument command_line_scenario(const std::string& file_or_url,
                                       const ScenarioShorthands& shorthands,
                                       const std::vector<std::string>& overrides) {
  ScenarioDocument document =
      is_url(file_or_url) ? url_scenario(file_or_url) : load_scenario_file(file_or_url);
  const auto apply = [&document](const char* key, const std::string& value, const char* flag) {
    if (!value.empty()) apply_override(document, key + ("=" + value), flag + (" " + value));
  };
  apply("connections", shorthands.connections, "-c");
  apply("threads", shorthands.threads, "-t");
  if (!shorthands.duration.empty()) {
    apply_override(document,
                   "duration_s=" + json(duration_seconds(shorthands.duration, "-d")).dump(),
                   "-d " + shorthands.duration);
  }
  apply("rate", shorthands.rate, "-R");
  if (shorthands.per_request) {
    apply_override(document, "connection=\"per_request\"", "--per-request");
  }
  for (const std::string& assignment : overrides) apply_override(document, assignment);
  return document;
}

}  // namespace th
