#pragma once

#include "scenario/scenario.hpp"

namespace th {

// Everything a run checks before it starts, without starting anything: CPUs exist, the kernel
// accepts the socket options, the target resolves, source addresses belong to this host and
// enough descriptors are allowed. Run over every run of a sweep first, so a bad value in the
// last run stops the command before the first. Throws ConfigError naming the run.
void preflight_run(const RunSpec& spec);

}  // namespace th
