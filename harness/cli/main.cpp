#include <fmt/format.h>

#include <cstdio>
#include <exception>

#include "base/config_error.hpp"
#include "cli/command_line.hpp"
#include "cli/commands.hpp"

int main(int argc, char** argv) {
  try {
    return th::run_command_line(argc, argv);
  } catch (const th::ConfigError& error) {
    fmt::print(stderr, "tcpharness: {}\n", error.what());
    return th::kExitConfigError;
  } catch (const std::exception& error) {
    fmt::print(stderr, "tcpharness: internal error: {}\n", error.what());
    return th::kExitInternalError;
  }
}
