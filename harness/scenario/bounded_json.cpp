#include "scenario/bounded_json.hpp"

#include <sys/stat.h>

#include <cerrno>
#include <cstdio>
#include <memory>
#include <system_error>

#include "base/config_error.hpp"
#include "base/gzip.hpp"

namespace th {
namespace {

struct TooDeep {};

}  // namespace

nlohmann::json parse_bounded_json(const std::string& text, const std::string& source,
                                  bool allow_comments) {
  const auto limit_depth = [](int depth, nlohmann::json::parse_event_t, nlohmann::json&) {
    if (depth > kMaxJsonDepth) throw TooDeep{};
    return true;
  };
  try {
    return nlohmann::json::parse(text, limit_depth, /*allow_exceptions=*/true, allow_comments);
  } catch (const TooDeep&) {
    throw ConfigError(source + ": invalid JSON: nested deeper than " +
                      std::to_string(kMaxJsonDepth) + " levels");
  } catch (const nlohmann::json::exception& error) {  // parse_error, or out_of_range for 1e999
    // what() is "[json.exception.parse_error.101] parse error at line 3, column 5: ..."; the
    // bracketed id means nothing to a user.
    std::string message = error.what();
    if (const auto end = message.find("] "); message.starts_with("[") && end != message.npos) {
      message.erase(0, end + 2);
    }
    throw ConfigError(source + ": invalid JSON: " + message);
  }
}

std::string json_pointer_token(std::string_view key) {
  std::string token;
  for (char c : key) {
    if (c == '~') {
      token += "~0";
    } else if (c == '/') {
      token += "~1";
    } else {
      token += c;
    }
  }
  return token;
}

std::string read_bounded_file(const std::string& path) {
  std::unique_ptr<std::FILE, int (*)(std::FILE*)> file(std::fopen(path.c_str(), "rb"),
                                                       &std::fclose);
  if (!file) {
    throw ConfigError(path + ": cannot open: " + std::generic_category().message(errno));
  }
  struct stat status {};
  if (fstat(fileno(file.get()), &status) == 0 && S_ISREG(status.st_mode) &&
      static_cast<size_t>(status.st_size) > kMaxJsonFileBytes) {
    throw ConfigError(path + ": too large: " + std::to_string(status.st_size) + " bytes, at most " +
                      std::to_string(kMaxJsonFileBytes));
  }
  std::string text;
  char buffer[1 << 16];
  std::size_t got = 0;
  while ((got = std::fread(buffer, 1, sizeof buffer, file.get())) > 0) {
    text.append(buffer, got);
    if (text.size() > kMaxJsonFileBytes) {  // a pipe or device has no size to check up front
      throw ConfigError(path + ": too large: more than " + std::to_string(kMaxJsonFileBytes) +
                        " bytes");
    }
  }
  // fopen succeeds on a directory on Linux; the read is what fails (EISDIR).
  if (std::ferror(file.get())) {
    throw ConfigError(path + ": cannot read: " + std::generic_category().message(errno));
  }
  if (is_gzip(text)) {
    try {
      return gzip_decompress(text, kMaxJsonFileBytes);
    } catch (const std::runtime_error& error) {
      throw ConfigError(path + ": cannot decompress: " + error.what());
    }
  }
  return text;
}

}  // namespace th
