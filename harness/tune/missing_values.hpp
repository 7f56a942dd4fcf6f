#pragma once

#include <cstddef>
#include <span>
#include <string>

#include "tune/round_loop.hpp"

namespace th {

// One setting's missing repetitions, grouped by reason in the order first seen:
// "round 2: run failed: cannot set up the link: ...; rounds 3, 4: no answered request ...".
// Empty when the setting has none.
std::string describe_missing(std::span<const MissingRepetition> missing, size_t setting);

}  // namespace th
