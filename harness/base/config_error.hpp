#pragma once

#include <stdexcept>
#include <string>

namespace th {

// The one exception type for problems a user can fix: bad scenario files, bad --set values, bad
// command lines, unwritable output paths. Caught once in main and turned into exit code 2.
class ConfigError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

}  // namespace th
