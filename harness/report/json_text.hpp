#pragma once

#include <nlohmann/json.hpp>
#include <string>

namespace th {

// A JSON value as an error or warning message quotes it: short scalars as written, structures
// named by kind, long text cut, and invalid UTF-8 (a report is outside input) replaced.
inline std::string json_for_message(const nlohmann::json& value) {
  if (value.is_structured()) return value.is_object() ? "an object" : "an array";
  const std::string text = value.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  return text.size() > 40 ? text.substr(0, 37) + "..." : text;
}

}  // namespace th
