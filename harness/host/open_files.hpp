#pragma once

#include <cstdint>

namespace th {

// Raises the soft RLIMIT_NOFILE to at least `needed` descriptors. Throws ConfigError, before any
// socket opens, when the hard limit is lower, with both numbers and how to raise it.
void ensure_open_files(uint64_t needed, const char* what);

}  // namespace th
