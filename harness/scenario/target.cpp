#include <algorithm>
#include <cctype>
#include <charconv>

#include "scenario/fields.hpp"

namespace th::scenario_detail {
namespace {

constexpr std::string_view kHttpScheme = "http://";
constexpr std::string_view kHttpsScheme = "https://";
constexpr uint16_t kHttpPort = 80;
constexpr uint16_t kHttpsPort = 443;

std::optional<uint16_t> parse_port(std::string_view text) {
  unsigned number = 0;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), number);
  if (text.empty() || error != std::errc() || end != text.data() + text.size() || number < 1 ||
      number > 65535) {
    return std::nullopt;
  }
  return static_cast<uint16_t>(number);
}

// "host", "host:port", "[v6]" or "[v6]:port"; the port is optional only inside a URL.
std::optional<Target> parse_authority(std::string_view text, bool port_optional,
                                      uint16_t default_port = kHttpPort) {
  std::string_view host;
  std::optional<std::string_view> port;
  if (text.starts_with('[')) {
    const auto close = text.find(']');
    if (close == std::string_view::npos) return std::nullopt;
    host = text.substr(1, close - 1);
    // Brackets hold IPv6 literals only (RFC 3986 section 3.2.2).
    if (host.find(':') == std::string_view::npos) return std::nullopt;
    const std::string_view rest = text.substr(close + 1);
    if (!rest.empty()) {
      if (!rest.starts_with(':')) return std::nullopt;
      port = rest.substr(1);
    }
  } else {
    const auto colon = text.rfind(':');
    host = text.substr(0, colon);
    if (colon != std::string_view::npos) port = text.substr(colon + 1);
    // "::1:8080" could end its address anywhere; RFC 3986 section 3.2.2 requires brackets.
    if (host.find(':') != std::string_view::npos) return std::nullopt;
  }
  if (host.empty() || has_space_or_control(host) || host.find_first_of("[]/@?#\\%") != host.npos) {
    return std::nullopt;
  }
  // In a URL an empty port is the scheme's default (RFC 3986 section 3.2.3).
  if (port && port->empty() && port_optional) port.reset();
  if (!port && !port_optional) return std::nullopt;
  const std::optional<uint16_t> number = port ? parse_port(*port) : default_port;
  if (!number) return std::nullopt;
  return Target{std::string(host), *number, std::nullopt};
}

}  // namespace

bool has_space_or_control(std::string_view text) {
  return std::any_of(text.begin(), text.end(),
                     [](unsigned char c) { return c <= 0x20 || c == 0x7f; });
}

// Schemes are case-insensitive (RFC 3986 section 3.1).
bool starts_with_scheme(std::string_view text, std::string_view scheme) {
  if (text.size() < scheme.size()) return false;
  for (size_t index = 0; index < scheme.size(); ++index) {
    if (std::tolower(static_cast<unsigned char>(text[index])) != scheme[index]) return false;
  }
  return true;
}

bool starts_with_http_scheme(std::string_view text) {
  return starts_with_scheme(text, kHttpScheme) || starts_with_scheme(text, kHttpsScheme);
}

std::string host_and_port(const Target& target) {
  const bool ipv6 = target.host.find(':') != std::string::npos;
  return (ipv6 ? "[" + target.host + "]" : target.host) + ":" + std::to_string(target.port);
}

std::optional<Target> parse_target(std::string_view text) {
  if (!starts_with_http_scheme(text)) return parse_authority(text, false);
  // RFC 3986: scheme "://" authority, then a path and query up to any fragment. No user info;
  // a fragment never goes to a server, so a target with one is refused rather than cut.
  const bool https = starts_with_scheme(text, kHttpsScheme);
  const std::string_view rest = text.substr(https ? kHttpsScheme.size() : kHttpScheme.size());
  const auto authority_end = rest.find_first_of("/?#");
  std::optional<Target> target =
      parse_authority(rest.substr(0, authority_end), true, https ? kHttpsPort : kHttpPort);
  if (target) target->https = https;
  if (target && authority_end != std::string_view::npos) {
    std::string path(rest.substr(authority_end));
    if (path.starts_with('?')) path = "/" + path;
    if (has_space_or_control(path) || path.find('#') != path.npos) return std::nullopt;
    target->path = std::move(path);
  }
  return target;
}

}  // namespace th::scenario_detail
