#include "capacity/settle.hpp"

#include <chrono>
#include <thread>

namespace th {

SettleReading settle_sockets(const std::optional<TcpSocketCounts>& baseline, double max_wait_s) {
  using Clock = std::chrono::steady_clock;
  const auto started = Clock::now();
  const auto elapsed_s = [&] {
    return std::chrono::duration<double>(Clock::now() - started).count();
  };
  SettleReading reading;
  reading.counts = tcp_socket_counts();
  if (!baseline || !reading.counts) return reading;
  std::optional<TcpSocketCounts> previous;
  while (true) {
    const TcpSocketCounts& now = *reading.counts;
    const bool back_to_baseline = now.in_use <= baseline->in_use &&
                                  now.orphaned <= baseline->orphaned &&
                                  now.time_wait <= baseline->time_wait;
    // Other programs' sockets come and go too, so "nothing of ours still closing" is: no socket
    // left the in-use or orphaned counts and none entered TIME_WAIT since the last look.
    const bool nothing_closing = previous && now.in_use >= previous->in_use &&
                                 now.orphaned >= previous->orphaned &&
                                 now.time_wait <= previous->time_wait;
    if (back_to_baseline || nothing_closing) {
      reading.settled = true;
      break;
    }
    if (elapsed_s() >= max_wait_s) break;
    previous = now;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    const std::optional<TcpSocketCounts> next = tcp_socket_counts();
    if (!next) break;
    reading.counts = next;
  }
  reading.waited_s = elapsed_s();
  return reading;
}

}  // namespace th
