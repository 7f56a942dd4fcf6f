#pragma once

#include <memory>
#include <optional>
#include <string>

#include "base/run_parameters.hpp"
#include "host/netstat.hpp"
#include "host/shaped_link.hpp"
#include "net/address.hpp"
#include "run/run_result.hpp"
#include "server/server.hpp"

namespace th {

// The embedded server of a run without a target, and the shaped link it sits behind when the
// scenario has one: both made before the load starts and read and taken down together after it.
// The link is made first and goes last, because the server's sockets live in its namespace.
class EmbeddedTarget {
 public:
  // Builds the link (if any) and starts the server inside it. Throws ConfigError, prefixed with
  // the run's name when the link cannot be built.
  EmbeddedTarget(const Scenario& scenario, const std::string& run_name);
  ~EmbeddedTarget();
  EmbeddedTarget(const EmbeddedTarget&) = delete;
  EmbeddedTarget& operator=(const EmbeddedTarget&) = delete;

  const SocketAddress& address() const { return server_->address(); }
  // The server's own network namespace behind a link; -1 when it shares the caller's.
  int server_netns_fd() const { return link_ ? link_->netns_fd() : -1; }
  // The namespace's and, behind a link, the server namespace's Fast Open counters summed: each
  // side of the run counts in its own namespace.
  std::optional<FastOpenCounters> fastopen_counters() const;
  // Called at the instant the measured window opens; the server's CPU counts from the first call.
  void window_opened();
  // After the load: lets the server read the client's last bytes, reads the link's counters,
  // stops the server and fills in the server's and the link's part of `result`.
  void finish(RunResult& result);

 private:
  const Scenario& scenario_;
  std::optional<ShapedLink> link_;
  std::unique_ptr<Server> server_;
  std::optional<double> cpu_at_window_start_s_;
  CpuSplit cpu_split_at_window_start_;
};

}  // namespace th
