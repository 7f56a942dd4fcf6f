#pragma once

#include <string>

namespace th {

// Writes `content` to a temporary file beside `path`, flushes it to disk and renames it over
// `path`, so a reader never sees half a report. Throws ConfigError naming the path on any failure,
// and leaves no temporary file behind.
void write_file_atomically(const std::string& path, const std::string& content);

// Finds an unwritable path (missing folder, read-only, a device) before a long run rather than
// after it, by the same rules write_file_atomically applies. Throws ConfigError naming the path.
void check_file_writable(const std::string& path);

}  // namespace th
