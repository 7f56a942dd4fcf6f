#pragma once

// What a configuration error says: the message a call throws, and a scenario read from JSON text
// as a file named x.json would be.
#include <gtest/gtest.h>

#include <functional>
#include <nlohmann/json.hpp>
#include <string>

#include "base/config_error.hpp"
#include "scenario/loader.hpp"

namespace th::testing {

// The ConfigError message a call throws, or a test failure (and "") when it throws none.
inline std::string error_of(const std::function<void()>& call) {
  try {
    call();
  } catch (const ConfigError& error) {
    return error.what();
  }
  ADD_FAILURE() << "expected a ConfigError";
  return "";
}

inline Scenario parse(const std::string& text) {
  return scenario_from_json(nlohmann::json::parse(text), "x.json");
}

// The ConfigError message of reading `text` as a scenario, or a test failure (and "").
inline std::string parse_error(const std::string& text) {
  try {
    parse(text);
  } catch (const ConfigError& error) {
    return error.what();
  }
  ADD_FAILURE() << "expected a ConfigError for " << text;
  return "";
}

}  // namespace th::testing
