#include "scenario/checks.hpp"

#include "base/closest_match.hpp"
#include "base/config_error.hpp"
#include "scenario/bounded_json.hpp"

namespace th::scenario_detail {

using nlohmann::json;

namespace {

constexpr std::size_t kMaxShownChars = 80;

std::string range_text(const char* what, int64_t min, int64_t max) {
  return std::string("must be ") + what + " from " + std::to_string(min) + " to " +
         std::to_string(max);
}

// The key a pointer ends in, as the user wrote it (RFC 6901 escapes undone).
std::string last_key(const std::string& pointer) {
  std::string key;
  const std::string token = pointer.substr(pointer.rfind('/') + 1);
  for (std::size_t i = 0; i < token.size(); ++i) {
    const bool escaped = token[i] == '~' && i + 1 < token.size();
    key += escaped ? (token[++i] == '1' ? '/' : '~') : token[i];
  }
  return key;
}

}  // namespace

std::string pointer_token(std::string_view key) { return json_pointer_token(key); }

bool is_at_or_under(std::string_view pointer, std::string_view parent) {
  return pointer.starts_with(parent) &&
         (pointer.size() == parent.size() || pointer[parent.size()] == '/');
}

std::string short_dump(const json& value) {
  // replace: a --set value is raw command-line bytes and may not be valid UTF-8; the message must
  // still come out instead of a second exception.
  std::string text = value.dump(-1, ' ', false, json::error_handler_t::replace);
  if (text.size() > kMaxShownChars) {
    text.resize(kMaxShownChars);
    text += "...";
  }
  return text;
}

void Checks::alias(std::string pointer, std::string shown_as) {
  aliases_.emplace_back(std::move(pointer), std::move(shown_as));
}

void Checks::attribute(std::string pointer, std::string origin) {
  origins_.emplace_back(std::move(pointer), std::move(origin));
}

std::string Checks::aliased(const std::string& pointer) const {
  for (const auto& [real, shown_as] : aliases_) {
    if (is_at_or_under(pointer, real)) return shown_as + pointer.substr(real.size());
  }
  return pointer;
}

std::string Checks::origin_of(const std::string& aliased_pointer) const {
  for (auto origin = origins_.rbegin(); origin != origins_.rend(); ++origin) {
    if (is_at_or_under(aliased_pointer, origin->first)) return origin->second;
  }
  return source_;
}

void Checks::fail(const std::string& pointer, std::string_view problem) const {
  const std::string shown = aliased(pointer);
  // RFC 6901 spells the whole document as "", which reads as nothing in a message.
  throw ConfigError(origin_of(shown) + ": " + (shown.empty() ? "/" : shown) + ": " +
                    std::string(problem));
}

void Checks::fail(const std::string& pointer, std::string_view problem, const json& got) const {
  fail(pointer, std::string(problem) + ", got " + short_dump(got));
}

void Checks::unknown_key(const std::string& pointer,
                         const std::vector<std::string>& allowed) const {
  std::string problem = "unknown key; ";
  if (const auto meant = closest_match(last_key(pointer), allowed)) {
    problem += "did you mean \"" + *meant + "\"? ";
  }
  problem += "allowed keys: ";
  for (std::size_t i = 0; i < allowed.size(); ++i) {
    problem += (i == 0 ? "" : ", ") + allowed[i];
  }
  fail(pointer, problem);
}

const json& Checks::object(const json& value, const std::string& pointer) const {
  if (!value.is_object()) fail(pointer, "must be an object", value);
  return value;
}

const json& Checks::array(const json& value, const std::string& pointer) const {
  if (!value.is_array()) fail(pointer, "must be a list", value);
  return value;
}

bool Checks::boolean(const json& value, const std::string& pointer) const {
  if (!value.is_boolean()) fail(pointer, "must be true or false", value);
  return value.get<bool>();
}

std::string Checks::string(const json& value, const std::string& pointer) const {
  if (!value.is_string()) fail(pointer, "must be a string", value);
  try {
    // Strings end up in reports; reject bad UTF-8 here rather than when the report is written.
    (void)value.dump();
  } catch (const json::type_error&) {
    fail(pointer, "must be valid UTF-8", value);
  }
  return value.get<std::string>();
}

int64_t Checks::integer(const json& value, const std::string& pointer, int64_t min,
                        int64_t max) const {
  bool in_range = false;
  int64_t result = 0;
  if (value.is_number_unsigned()) {
    const auto unsigned_value = value.get<uint64_t>();
    in_range = max >= 0 && unsigned_value <= static_cast<uint64_t>(max);
    result = static_cast<int64_t>(unsigned_value);
  } else if (value.is_number_integer()) {
    result = value.get<int64_t>();
    in_range = true;
  }
  if (!in_range || result < min || result > max) {
    fail(pointer, range_text("an integer", min, max), value);
  }
  return result;
}

double Checks::number(const json& value, const std::string& pointer, int64_t min,
                      bool min_exclusive, int64_t max) const {
  const std::string problem = min_exclusive
                                  ? "must be a number greater than " + std::to_string(min) +
                                        " and at most " + std::to_string(max)
                                  : range_text("a number", min, max);
  if (!value.is_number()) fail(pointer, problem, value);
  const auto result = value.get<double>();
  const auto low = static_cast<double>(min);
  if ((min_exclusive ? result <= low : result < low) || result > static_cast<double>(max)) {
    fail(pointer, problem, value);
  }
  return result;
}

}  // namespace th::scenario_detail
