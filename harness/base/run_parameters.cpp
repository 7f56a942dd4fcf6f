#include "base/run_parameters.hpp"

namespace th {

const char* to_string(Protocol protocol) {
  switch (protocol) {
    case Protocol::echo:
      return "echo";
    case Protocol::http:
      return "http";
    case Protocol::stream:
      return "stream";
  }
  return "unknown";
}

const char* to_string(ConnectionModel model) {
  switch (model) {
    case ConnectionModel::per_request:
      return "per_request";
    case ConnectionModel::keep_alive:
      return "keep_alive";
    case ConnectionModel::parallel:
      return "parallel";
    case ConnectionModel::pipelined:
      return "pipelined";
  }
  return "unknown";
}

const char* to_string(WritePattern pattern) {
  switch (pattern) {
    case WritePattern::single:
      return "single";
    case WritePattern::split:
      return "split";
  }
  return "unknown";
}

const char* to_string(PollMode mode) {
  switch (mode) {
    case PollMode::sleep:
      return "sleep";
    case PollMode::busy:
      return "busy";
  }
  return "unknown";
}

const char* to_string(Arrival arrival) {
  return arrival == Arrival::poisson ? "poisson" : "uniform";
}

const char* to_string(ThinkTime distribution) {
  return distribution == ThinkTime::exponential ? "exponential" : "fixed";
}

const char* to_string(Closer closer) { return closer == Closer::server ? "server" : "client"; }

const char* to_string(CloseMode mode) {
  switch (mode) {
    case CloseMode::abortive:
      return "abortive";
    case CloseMode::half_close:
      return "half_close";
    case CloseMode::graceful:
      break;
  }
  return "graceful";
}

const char* to_string(ResolveMode mode) {
  return mode == ResolveMode::every_request ? "every_request" : "once";
}

}  // namespace th
