#include "scenario/loader.hpp"

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstdint>
#include <cstdio>
#include <memory>
#include <system_error>

#include "base/config_error.hpp"
#include "scenario/bounded_json.hpp"
#include "scenario/checks.hpp"
#include "scenario/fields.hpp"

namespace th {

using nlohmann::json;
using scenario_detail::Checks;
using scenario_detail::pointer_token;

namespace {

// A sweep larger than this is almost always a typo (an extra list), and would run for hours.
constexpr uint64_t kMaxRuns = 10000;

std::vector<std::string> split_dotted(const std::string& key) {
  std::vector<std::string> parts;
  std::size_t start = 0;
  for (std::size_t dot; (dot = key.find('.', start)) != std::string::npos; start = dot + 1) {
    parts.push_back(key.substr(start, dot - start));
  }
  parts.push_back(key.substr(start));
  return parts;
}

std::string pointer_of(const std::vector<std::string>& parts) {
  std::string pointer;
  for (const auto& part : parts) {
    // Appended in two steps: "/" + token trips GCC 12's false -Wrestrict (GCC bug 105329) at -O3.
    pointer += '/';
    pointer += pointer_token(part);
  }
  return pointer;
}

// Missing or null parents become objects. A parent of another type is left alone, so that
// validation reports it ("/client: must be an object") instead of this silently replacing it.
void set_dotted(json& root, const std::vector<std::string>& parts, const json& value) {
  json* node = &root;
  for (std::size_t i = 0; i + 1 < parts.size(); ++i) {
    json& child = (*node)[parts[i]];
    if (child.is_null()) child = json::object();
    if (!child.is_object()) return;
    node = &child;
  }
  (*node)[parts.back()] = value;
}

// The pointer of the outermost value an assignment creates or replaces: errors in it are the
// assignment's, an unknown key it invented too ("/clinet" of clinet.tcp_nodelay=true). Where a
// parent is no object the assignment changes nothing (set_dotted), and this points below it.
std::string assigned_pointer(const json& root, const std::vector<std::string>& parts) {
  const json* node = &root;
  std::size_t depth = 0;
  for (; depth + 1 < parts.size() && node->is_object(); ++depth) {
    const auto child = node->find(parts[depth]);
    if (child == node->end() || child->is_null()) break;
    node = &*child;
  }
  return pointer_of({parts.begin(), parts.begin() + static_cast<std::ptrdiff_t>(depth) + 1});
}

// "[::1]:8080" opens like a JSON list but is a bracketed IPv6 host (RFC 3986 section 3.2.2): no
// JSON list holds a bare ':'.
bool is_bracketed_ipv6(const std::string& text) {
  const auto close = text.find(']');
  if (!text.starts_with('[') || close == std::string::npos) return false;
  const std::string_view inside = std::string_view(text).substr(1, close - 1);
  return inside.find(':') != inside.npos &&
         std::all_of(inside.begin(), inside.end(), [](unsigned char c) {
           return std::isalnum(c) || c == ':' || c == '.' || c == '%' || c == '-' || c == '_';
         });
}

// Valid JSON is taken as JSON, so numbers and booleans need no quoting; other text
// (127.0.0.1:8080, echo) is the string the user evidently meant. Text that opens an object or a
// list was meant as JSON, so a slip in it is an error at its column, not silently a string.
json override_value(const std::string& text, const std::string& origin) {
  const auto first = text.find_first_not_of(" \t\r\n");
  if (first != std::string::npos && (text[first] == '{' || text[first] == '[') &&
      !is_bracketed_ipv6(text.substr(first))) {
    return parse_bounded_json(text, origin, /*allow_comments=*/false);
  }
  json value = json::parse(text, nullptr, /*allow_exceptions=*/false);
  return value.is_discarded() ? json(text) : value;
}

scenario_detail::Checks checks_of(const ScenarioDocument& doc) {
  Checks checks(doc.source);
  for (const auto& [pointer, origin] : doc.origins) checks.attribute(pointer, origin);
  return checks;
}

// Two swept keys that overlap ("client" and "client.tcp_nodelay") would fight over one value.
bool keys_overlap(const std::string& a, const std::string& b) {
  const auto is_prefix = [](const std::string& parent, const std::string& child) {
    return child.size() > parent.size() && child.starts_with(parent) && child[parent.size()] == '.';
  };
  return a == b || is_prefix(a, b) || is_prefix(b, a);
}

// The sweep key whose values are named cases: each an object of keys set together, for runs
// that differ in several keys at once ("cold": per_request; "idle": keep_alive with a pause).
constexpr const char* kCaseKey = "case";

// A case names itself and sets keys a sweep could set; the other swept keys must leave them be.
void check_cases(const json& sweep, const json& cases, const Checks& checks) {
  std::vector<std::string> names;
  for (std::size_t i = 0; i < cases.size(); ++i) {
    const std::string pointer = "/sweep/case/" + std::to_string(i);
    const json& one = cases[i];
    checks.object(one, pointer);
    const auto name = one.find("name");
    if (name == one.end() || !name->is_string() || name->get_ref<const std::string&>().empty()) {
      checks.fail(pointer + "/name",
                  "a case needs a name, a non-empty string: it names the case's runs");
    }
    if (std::find(names.begin(), names.end(), name->get<std::string>()) != names.end()) {
      checks.fail(pointer + "/name", "names an earlier case too; each case needs its own name",
                  *name);
    }
    names.push_back(name->get<std::string>());
    for (const auto& [key, value] : one.items()) {
      if (key == "name") continue;
      const std::string key_pointer = pointer + "/" + pointer_token(key);
      if (key == kCaseKey) checks.fail(key_pointer, "a case cannot hold cases");
      scenario_detail::check_sweep_key(key, key_pointer, checks);
      for (const auto& [swept, values] : sweep.items()) {
        if (swept != kCaseKey && keys_overlap(swept, key)) {
          checks.fail(key_pointer, "is swept too (\"" + swept + "\"): set it in one place");
        }
      }
    }
  }
}

// Shape only: the values themselves are checked per run, where a bad one can be named.
void check_sweep(const json& sweep, const Checks& checks) {
  checks.object(sweep, "/sweep");
  for (const auto& [key, values] : sweep.items()) {
    const std::string pointer = "/sweep/" + pointer_token(key);
    if (key != kCaseKey) scenario_detail::check_sweep_key(key, pointer, checks);
    if (!values.is_array()) checks.fail(pointer, "must be a non-empty list of values", values);
    if (values.empty()) checks.fail(pointer, "must be a non-empty list of values");
    if (key == kCaseKey) check_cases(sweep, values, checks);
  }
}

std::string value_label(const json& value) {
  return value.is_string() ? value.get<std::string>() : scenario_detail::short_dump(value);
}

struct Axis {
  std::string key;                 // dotted, as in the sweep object
  std::vector<std::string> parts;  // key split at its dots
  std::string label;               // what the run name calls it
  const json* values;
};

std::vector<Axis> axes_of(const json& sweep, const Checks& checks) {
  std::vector<Axis> axes;
  for (const auto& [key, values] : sweep.items()) {
    for (const auto& earlier : axes) {
      if (keys_overlap(earlier.key, key)) {
        checks.fail("/sweep/" + pointer_token(key),
                    "overlaps the swept key \"" + earlier.key + "\"");
      }
    }
    axes.push_back({key, split_dotted(key), "", &values});
  }
  for (auto& axis : axes) {
    axis.label = axis.parts.back();
    for (const auto& other : axes) {
      if (&other != &axis && other.parts.back() == axis.parts.back()) axis.label = axis.key;
    }
  }
  return axes;
}

// UINT64_MAX when the product does not even fit in 64 bits.
uint64_t run_count(const std::vector<Axis>& axes) {
  uint64_t count = 1;
  for (const auto& axis : axes) {
    if (__builtin_mul_overflow(count, axis.values->size(), &count)) return UINT64_MAX;
  }
  return count;
}

bool is_native_report(const json& parsed) {
  if (!parsed.is_object()) return false;
  const auto schema = parsed.find("schema");
  return schema != parsed.end() && schema->is_string() &&
         schema->get_ref<const std::string&>().starts_with("tcpharness.report/");
}

// A report keeps the scenario it ran as resolved (defaults filled in, --set applied, its sweep),
// so the run can be repeated from the report alone (docs/report.md, "scenario").
json stored_scenario(json report, const std::string& source) {
  const auto scenario = report.find("scenario");
  if (scenario == report.end() || !scenario->is_object()) {
    Checks(source).fail("/scenario", "a report keeps the scenario it ran here, as an object");
  }
  return std::move(*scenario);
}

}  // namespace

ScenarioDocument load_scenario_file(const std::string& path) {
  return parse_scenario_text(read_bounded_file(path), path);
}

ScenarioDocument parse_scenario_text(const std::string& text, const std::string& source) {
  json parsed = parse_bounded_json(text, source, /*allow_comments=*/true);
  std::string scenario_source = source;
  if (is_native_report(parsed)) {
    parsed = stored_scenario(std::move(parsed), source);
    scenario_source = source + " (the scenario stored in the report)";
  } else if (parsed.is_object() && parsed.contains("benchmarks") && parsed.contains("context")) {
    throw ConfigError(source +
                      ": a Google Benchmark report, which keeps no scenario; give the "
                      "tcpharness report it was converted from, or the scenario file");
  }
  const Checks checks(scenario_source);
  checks.object(parsed, "");
  ScenarioDocument doc{scenario_source, std::move(parsed), json::object(), {}};
  if (const auto sweep = doc.base.find("sweep"); sweep != doc.base.end()) {
    if (!sweep->is_null()) doc.sweep = *sweep;
    doc.base.erase(sweep);
  }
  check_sweep(doc.sweep, checks);
  return doc;
}

void apply_override(ScenarioDocument& doc, const std::string& assignment,
                    const std::string& origin_text) {
  const std::string origin = origin_text.empty() ? "--set " + assignment : origin_text;
  const auto equals = assignment.find('=');
  if (equals == std::string::npos || equals == 0) {
    throw ConfigError(origin + ": expected key=value");
  }
  const std::string key = assignment.substr(0, equals);
  auto parts = split_dotted(key);
  for (const auto& part : parts) {
    if (part.empty()) throw ConfigError(origin + ": empty part in key \"" + key + "\"");
  }
  json value = override_value(assignment.substr(equals + 1), origin);

  if (parts.front() == "sweep") {
    if (parts.size() == 1) {
      doc.origins.emplace_back("/sweep", origin);
      doc.sweep = std::move(value);
      return;
    }
    const std::string swept_key = key.substr(parts.front().size() + 1);
    doc.origins.emplace_back("/sweep/" + pointer_token(swept_key), origin);
    if (!doc.sweep.is_object()) doc.sweep = json::object();
    doc.sweep[swept_key] = std::move(value);
    return;
  }
  // The command line wins over the file: a key set here is no longer swept.
  for (auto it = doc.sweep.begin(); doc.sweep.is_object() && it != doc.sweep.end();) {
    it = keys_overlap(it.key(), key) ? doc.sweep.erase(it) : std::next(it);
  }
  const auto cases = doc.sweep.is_object() ? doc.sweep.find(kCaseKey) : doc.sweep.end();
  if (cases != doc.sweep.end() && cases->is_array()) {
    for (json& one : *cases) {
      for (auto it = one.begin(); one.is_object() && it != one.end();) {
        it = it.key() != "name" && keys_overlap(it.key(), key) ? one.erase(it) : std::next(it);
      }
    }
  }
  doc.origins.emplace_back(assigned_pointer(doc.base, parts), origin);
  set_dotted(doc.base, parts, value);
}

SocketOptions server_socket_options(const std::vector<std::string>& assignments) {
  const std::vector<std::string> keys = scenario_detail::server_socket_keys();
  ScenarioDocument doc{"serve --set", json::object(), json::object(), {}};
  for (const std::string& assignment : assignments) {
    if (assignment.starts_with("tls.")) continue;  // serve_tls_options reads those
    if (!assignment.starts_with("server.")) {
      std::string allowed;
      for (const std::string& key : keys) allowed += (allowed.empty() ? "" : ", ") + key;
      throw ConfigError("--set " + assignment +
                        ": serve sets only its own socket options, as server.KEY=VALUE with KEY "
                        "one of " +
                        allowed + ", and its TLS settings as tls.KEY=VALUE");
    }
    apply_override(doc, assignment);
  }
  SocketOptions options;
  const auto server = doc.base.find("server");
  if (server == doc.base.end()) return options;
  const Checks checks = checks_of(doc);
  checks.object(*server, "/server");
  for (const auto& [key, value] : server->items()) {
    const std::string pointer = "/server/" + pointer_token(key);
    if (!scenario_detail::read_socket_key(checks, key, value, pointer, "server", options)) {
      checks.unknown_key(pointer, keys);
    }
  }
  return options;
}

std::optional<TlsOptions> serve_tls_options(const std::vector<std::string>& assignments,
                                            bool tls_flag) {
  ScenarioDocument doc{"serve --set", json::object(), json::object(), {}};
  for (const std::string& assignment : assignments) {
    if (assignment.starts_with("tls.")) apply_override(doc, assignment);
  }
  const auto tls = doc.base.find("tls");
  if (tls == doc.base.end() && !tls_flag) return std::nullopt;
  if (tls == doc.base.end()) return TlsOptions{};
  const Checks checks = checks_of(doc);
  TlsOptions options = scenario_detail::read_tls(checks, *tls, "/tls");
  if (options.verify) {
    checks.fail("/tls/verify", "is the client's check of the server; serve has no server to check");
  }
  return options;
}

Scenario scenario_from_json(const json& object, const std::string& source) {
  return scenario_detail::read_scenario(object, Checks(source));
}

std::vector<RunSpec> expand_runs(const ScenarioDocument& doc) {
  const Checks document_checks = checks_of(doc);
  check_sweep(doc.sweep, document_checks);
  if (doc.sweep.empty()) {
    Scenario scenario = scenario_detail::read_scenario(doc.base, document_checks);
    return {RunSpec{scenario.name, {}, std::move(scenario)}};
  }
  const auto axes = axes_of(doc.sweep, document_checks);
  const uint64_t count = run_count(axes);
  if (count > kMaxRuns) {
    const std::string runs = count == UINT64_MAX ? "too many" : std::to_string(count);
    document_checks.fail("/sweep", "expands to " + runs + " runs, more than the " +
                                       std::to_string(kMaxRuns) +
                                       " allowed; split it into smaller sweeps");
  }

  std::vector<RunSpec> runs;
  runs.reserve(count);
  std::vector<std::size_t> index(axes.size(), 0);  // odometer: the last key varies fastest
  for (uint64_t run_number = 0; run_number < count; ++run_number) {
    json object = doc.base;
    Checks checks = checks_of(doc);
    RunSpec run;
    for (std::size_t a = 0; a < axes.size(); ++a) {
      const json& value = (*axes[a].values)[index[a]];
      const std::string from =
          "/sweep/" + pointer_token(axes[a].key) + "/" + std::to_string(index[a]);
      run.name += a == 0 ? "" : ",";
      if (axes[a].key == kCaseKey) {
        // A case's keys are set one by one, each error named where the case wrote it.
        for (const auto& [key, item] : value.items()) {
          if (key == "name") continue;
          const auto parts = split_dotted(key);
          set_dotted(object, parts, item);
          checks.alias(pointer_of(parts), from + "/" + pointer_token(key));
        }
        run.name += value["name"].get<std::string>();
        run.params.emplace_back(axes[a].key, value["name"]);
        continue;
      }
      set_dotted(object, axes[a].parts, value);
      checks.alias(pointer_of(axes[a].parts), from);
      run.name += axes[a].label + "=" + value_label(value);
      run.params.emplace_back(axes[a].key, value);
    }
    run.scenario = scenario_detail::read_scenario(object, checks);
    runs.push_back(std::move(run));
    for (std::size_t a = axes.size(); a-- > 0;) {
      if (++index[a] < axes[a].values->size()) break;
      index[a] = 0;
    }
  }
  return runs;
}

}  // namespace th
