#pragma once

// nginx, started on its own with a throw-away configuration on a loopback port of the kernel's
// choice: the reference HTTP/1.1 (and TLS) server the client must get along with.
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <string>

#include "free_port.hpp"
#include "test_support.hpp"

namespace th::testing {

class NginxProcess {
 public:
  static bool installed() { return std::filesystem::exists("/usr/sbin/nginx"); }

  // `server_block` is the inside of nginx's `server { }`, with {listen} standing for
  // "127.0.0.1:PORT"; `http_lines` go into `http { }` before it.
  NginxProcess(const std::string& server_block, const std::string& http_lines = "") {
    port_ = free_loopback_port();
    std::string server = server_block;
    for (size_t at = server.find("{listen}"); at != std::string::npos; at = server.find("{listen}"))
      server.replace(at, 8, "127.0.0.1:" + std::to_string(port_));
    std::ofstream(prefix_ + "/nginx.conf")
        << "worker_processes 1;\ndaemon off;\npid " << prefix_ << "/nginx.pid;\n"
        << "error_log " << prefix_ << "/error.log;\nevents { worker_connections 1024; }\n"
        << "http {\n keepalive_requests 1000000;\n client_body_temp_path " << prefix_ << ";\n"
        << http_lines << " server {\n"
        << server << " }\n}\n";
    pid_ = fork();
    if (pid_ == 0) {
      execl("/usr/sbin/nginx", "nginx", "-p", prefix_.c_str(), "-c",
            (prefix_ + "/nginx.conf").c_str(), static_cast<char*>(nullptr));
      _exit(127);
    }
    listening_ = eventually(
        [&] {
          const int fd = socket(AF_INET, SOCK_STREAM, 0);
          sockaddr_in address{};
          address.sin_family = AF_INET;
          address.sin_port = htons(static_cast<uint16_t>(port_));
          address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
          const bool connected =
              connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) == 0;
          close(fd);
          return connected;
        },
        std::chrono::seconds(5), std::chrono::milliseconds(25));
  }
  ~NginxProcess() { stop(); }
  NginxProcess(const NginxProcess&) = delete;
  NginxProcess& operator=(const NginxProcess&) = delete;

  // SIGQUIT: a graceful stop, so logs are complete when it returns.
  void stop() {
    if (pid_ <= 0) return;
    kill(pid_, SIGQUIT);
    waitpid(pid_, nullptr, 0);
    pid_ = -1;
  }

  bool listening() const { return listening_; }
  std::string target() const { return "127.0.0.1:" + std::to_string(port_); }
  const std::string& prefix() const { return prefix_; }  // the folder of its files and logs

 private:
  const ScratchDir prefix_dir_{"tcpharness-nginx"};
  const std::string prefix_ = prefix_dir_.path();
  int port_ = 0;
  pid_t pid_ = -1;
  bool listening_ = false;
};

}  // namespace th::testing
