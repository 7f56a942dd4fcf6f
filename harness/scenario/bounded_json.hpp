#pragma once

#include <cstddef>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

namespace th {

// Limits for JSON that a user hands to tcpharness (scenarios, reports to compare or merge): far
// above anything real, low enough that a hostile file cannot exhaust memory or the stack.
inline constexpr size_t kMaxJsonFileBytes = 256u << 20;
inline constexpr int kMaxJsonDepth = 64;

// Parses `text` (comments allowed when asked), refusing nesting deeper than kMaxJsonDepth.
// Throws ConfigError "<source>: invalid JSON: ..." with the parser's line and column.
nlohmann::json parse_bounded_json(const std::string& text, const std::string& source,
                                  bool allow_comments);

// RFC 6901: "~" and "/" inside a key are written "~0" and "~1" in a JSON pointer.
std::string json_pointer_token(std::string_view key);

// Reads a whole file of at most kMaxJsonFileBytes, decompressed when it is gzip (whatever its
// name). Throws ConfigError naming the file.
std::string read_bounded_file(const std::string& path);

}  // namespace th
