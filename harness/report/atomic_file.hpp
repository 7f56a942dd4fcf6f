#pragma once

#include <string>
#include <vector>

namespace th {

// Writes `content` to a temporary file beside `path`, flushes it to disk and renames it over
// `path`, so a reader never sees half a report. Throws ConfigError naming the path and what is in
// the way (a missing folder, a folder at the path, no permission, a read-only filesystem, a file
// of /proc), and leaves no temporary file behind.
void write_file_atomically(const std::string& path, const std::string& content);

// Removes the temporary file write_file_atomically is writing at this moment, if any. For a
// signal handler that ends the process without a report: async-signal-safe (no allocation, no
// lock; unlink(2) only).
void remove_pending_temporary_file() noexcept;

// Finds an unwritable path (missing folder, read-only, a device) before a long run rather than
// after it, by the same rules write_file_atomically applies. Throws ConfigError naming the path.
void check_file_writable(const std::string& path);

// Whether two paths name one file: by device and inode when both exist (so a hard link or a
// symlink to the file counts), by their normalised absolute paths otherwise.
bool same_file(const std::string& a, const std::string& b);

// Throws ConfigError when the output of `option` (e.g. "--out") is one of `input_paths`: the
// rename would replace the scenario or report the output is made from.
void refuse_output_over_input(const std::string& option, const std::string& out_path,
                              const std::vector<std::string>& input_paths);

}  // namespace th
