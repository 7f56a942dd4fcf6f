#pragma once

#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "free_port.hpp"

namespace th::testing {

// A deliberately plain foreign HTTP server for client tests: blocking sockets, a thread per
// connection, and one fixed response written verbatim for every request. It lets tests aim the
// load generator at response framings the embedded server never produces (chunked bodies,
// bodies delimited by the server closing the connection).
//
// With `refuse_for`, its port is bound but not listening for that long (every connection is
// refused) before it serves: a target that comes up while the load is already running.
class ScriptedHttpServer {
 public:
  ScriptedHttpServer(std::string response, bool close_after_response,
                     std::chrono::milliseconds refuse_for = std::chrono::milliseconds(0))
      : response_(std::move(response)),
        close_after_response_(close_after_response),
        refuse_for_(refuse_for) {
    if (refuse_for_.count() == 0) listen(listener_.fd(), kBacklog);
    acceptor_ = std::thread([this] { accept_loop(); });
  }

  ~ScriptedHttpServer() {
    {
      std::lock_guard lock(mutex_);
      stopping_ = true;
    }
    stop_waiting_.notify_all();
    shutdown(listener_.fd(), SHUT_RDWR);
    acceptor_.join();
    {
      std::lock_guard lock(mutex_);
      for (int fd : open_fds_) shutdown(fd, SHUT_RDWR);
    }
    for (auto& thread : connections_) thread.join();
  }

  int port() const { return listener_.port(); }
  std::string target() const { return listener_.target(); }

 private:
  void accept_loop() {
    if (refuse_for_.count() > 0) {
      std::unique_lock lock(mutex_);
      if (stop_waiting_.wait_for(lock, refuse_for_, [this] { return stopping_.load(); })) return;
      listen(listener_.fd(), kBacklog);
    }
    while (!stopping_) {
      const int fd = accept(listener_.fd(), nullptr, nullptr);
      if (fd < 0) return;
      std::lock_guard lock(mutex_);
      open_fds_.push_back(fd);
      connections_.emplace_back([this, fd] { serve(fd); });
    }
  }

  // Requests from the harness's GET have no body, so the blank line ends each one.
  void serve(int fd) {
    std::string pending;
    char buffer[4096];
    while (true) {
      const ssize_t received = read(fd, buffer, sizeof buffer);
      if (received <= 0) break;
      pending.append(buffer, static_cast<size_t>(received));
      size_t end;
      bool closed = false;
      while ((end = pending.find("\r\n\r\n")) != std::string::npos) {
        pending.erase(0, end + 4);
        if (write(fd, response_.data(), response_.size()) !=
            static_cast<ssize_t>(response_.size())) {
          closed = true;
          break;
        }
        if (close_after_response_) {
          shutdown(fd, SHUT_WR);
          closed = true;
          break;
        }
      }
      if (closed) break;
    }
    close_fd(fd);
  }

  void close_fd(int fd) {
    std::lock_guard lock(mutex_);
    for (int& open_fd : open_fds_) {
      if (open_fd == fd) open_fd = -1;
    }
    close(fd);
  }

  static constexpr int kBacklog = 128;

  std::string response_;
  bool close_after_response_;
  std::chrono::milliseconds refuse_for_;
  LoopbackSocket listener_;  // bound; listening once refuse_for_ is over
  std::atomic<bool> stopping_{false};
  std::thread acceptor_;
  std::mutex mutex_;
  std::condition_variable stop_waiting_;
  std::vector<int> open_fds_;
  std::vector<std::thread> connections_;
};

}  // namespace th::testing
