#pragma once

#include <vector>

#include "scenario/scenario.hpp"

namespace th {

// `validate --connect`: one TCP connection to each distinct external target of the runs, within
// the first such run's timeout_ms. Prints `target HOST:PORT: answers (connect 0.1 ms)` on stdout
// for each that does and `tcpharness: cannot connect to HOST:PORT: ERROR` on stderr for each that
// does not, in the words `run` uses; runs with the embedded server need nothing. False when any
// target did not answer.
bool targets_answer(const std::vector<RunSpec>& specs);

}  // namespace th
