#pragma once

#include <cstddef>
#include <span>
#include <string>
#include <vector>

#include "tune/round_loop.hpp"
#include "tune/sequential.hpp"

namespace th {

// A setting without a single value of the objective at a look: it is neither ranked nor compared,
// so it can never be recommended, and the console and the report name it with the reason.
struct SettingWithoutValue {
  size_t setting = 0;
  std::string reason;  // "rounds 1, 2, 3: no answered request (4 errors counted), so no p99"
};

// One setting's missing repetitions, grouped by reason in the order first seen:
// "round 2: run failed: cannot set up the link: ...; rounds 3, 4: no answered request ...".
// Empty when the setting has none.
std::string describe_missing(std::span<const MissingRepetition> missing, size_t setting);

// The settings without a value in `look`. None before the first finished round: then nothing
// has been ranked, and the report says so once rather than once per setting.
std::vector<SettingWithoutValue> settings_without_value(const Look& look,
                                                        std::span<const MissingRepetition> missing);

}  // namespace th
