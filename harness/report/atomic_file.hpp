#pragma once

#include <string>

namespace th {

// Writes `content` to a temporary file beside `path`, flushes it to disk and renames it over
// `path`, so a reader never sees half a report. Throws ConfigError naming the path on any failure,
// and leaves no temporary file behind.
void write_file_atomically(const std::string& path, const std::string& content);

// Removes the temporary file write_file_atomically is writing at this moment, if any. For a
// signal handler that ends the process without a report: async-signal-safe (no allocation, no
// lock; unlink(2) only).
void remove_pending_temporary_file() noexcept;

// Finds an unwritable path (missing folder, read-only, a device) before a long run rather than
// after it, by the same rules write_file_atomically applies. Throws ConfigError naming the path.
void check_file_writable(const std::string& path);

}  // namespace th
