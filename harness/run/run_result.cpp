#include "run/run_result.hpp"

namespace th {

const char* to_string(StopReason reason) {
  switch (reason) {
    case StopReason::duration:
      return "duration";
    case StopReason::requests:
      return "requests";
    case StopReason::interrupted:
      return "interrupted";
  }
  return "duration";
}

}  // namespace th
