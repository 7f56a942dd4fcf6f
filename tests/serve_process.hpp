#pragma once

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <string>
#include <vector>

#include "test_support.hpp"

namespace th::testing {

// `tcpharness serve ARGUMENTS` in a process of its own, the way a user starts it on another host,
// both streams captured to files. The constructor returns once serve has said where it listens;
// address() is empty when it did not within 10 s, or exited first.
class ServeProcess {
 public:
  explicit ServeProcess(const std::vector<std::string>& arguments) {
    pid_ = fork();
    if (pid_ == 0) {
      freopen((directory_.path() + "/out").c_str(), "w", stdout);
      freopen((directory_.path() + "/err").c_str(), "w", stderr);
      std::vector<char*> argv{const_cast<char*>("tcpharness"), const_cast<char*>("serve")};
      for (const std::string& argument : arguments) {
        argv.push_back(const_cast<char*>(argument.c_str()));
      }
      argv.push_back(nullptr);
      execv(TCPHARNESS_BINARY, argv.data());
      _exit(127);
    }
    if (pid_ < 0) {
      reaped_ = true;
      return;
    }
    const std::string prefix = "listening on ";
    eventually(
        [&] {
          const std::string printed = out();
          const size_t end = printed.find(' ', prefix.size());
          if (printed.rfind(prefix, 0) == 0 && end != std::string::npos) {
            address_ = printed.substr(prefix.size(), end - prefix.size());
            return true;
          }
          return !running();
        },
        std::chrono::seconds(10));
  }
  ~ServeProcess() {
    if (!reaped_) {
      ::kill(pid_, SIGKILL);
      waitpid(pid_, nullptr, 0);
    }
  }
  ServeProcess(const ServeProcess&) = delete;
  ServeProcess& operator=(const ServeProcess&) = delete;

  // "listening on 127.0.0.1:PORT (...)" -> "127.0.0.1:PORT"
  const std::string& address() const { return address_; }
  int port() const { return std::stoi(address_.substr(address_.rfind(':') + 1)); }
  std::string out() const { return read_file(directory_.path() + "/out"); }
  std::string err() const { return read_file(directory_.path() + "/err"); }

  bool running() {
    if (reaped_) return false;
    int status = 0;
    if (waitpid(pid_, &status, WNOHANG) != pid_) return true;
    reaped_ = true;
    exit_code_ = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    return false;
  }

  // Sends `signal` and waits up to 10 s for the process to end: its exit code, or -1 when it did
  // not end in time or a signal ended it.
  int stop(int signal = SIGINT) {
    if (!reaped_) ::kill(pid_, signal);
    eventually([&] { return !running(); }, std::chrono::seconds(10));
    return exit_code_;
  }

  // SIGKILL, from any thread, without waiting: the destructor reaps the process.
  void kill() const {
    if (pid_ > 0) ::kill(pid_, SIGKILL);
  }

 private:
  ScratchDir directory_{"tcpharness-serve"};
  pid_t pid_ = -1;
  std::string address_;
  bool reaped_ = false;
  int exit_code_ = -1;
};

}  // namespace th::testing
