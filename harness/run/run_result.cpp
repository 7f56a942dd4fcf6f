#include "run/run_result.hpp"

#include <fmt/format.h>

namespace th {

const char* to_string(StopReason reason) {
  switch (reason) {
    case StopReason::duration:
      return "duration";
    case StopReason::requests:
      return "requests";
    case StopReason::interrupted:
      return "interrupted";
    case StopReason::target_unreachable:
      return "target_unreachable";
  }
  return "duration";
}

std::string cannot_connect_message(const TargetUnreachable& unreachable) {
  return fmt::format("cannot connect to {}: {}", unreachable.target, unreachable.error);
}

}  // namespace th
