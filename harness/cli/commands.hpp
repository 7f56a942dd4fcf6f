#pragma once

#include <string>
#include <vector>

#include <CLI/CLI.hpp>

namespace th {

// Exit codes, documented in `--help` and docs/: scripts and CI branch on them.
inline constexpr int kExitOk = 0;
inline constexpr int kExitRunHadErrors = 1;
inline constexpr int kExitConfigError = 2;
inline constexpr int kExitInterrupted = 130;  // 128 + SIGINT, as shells report it

struct RunArguments {
  std::string scenario_path;
  std::vector<std::string> overrides;
  std::string out_path;
  bool quiet = false;
};

struct ServeArguments {
  std::string protocol = "http";
  std::string listen = "127.0.0.1";
  int port = 0;
  unsigned threads = 1;
  unsigned response_size = 64;
  std::string write_pattern = "single";
  bool tcp_nodelay = false;
  bool tcp_nodelay_set = false;
  int so_sndbuf = 0;
  int so_rcvbuf = 0;
  std::vector<int> cpus;
};

void add_run_command(CLI::App& app, RunArguments& arguments);
void add_serve_command(CLI::App& app, ServeArguments& arguments);
void add_validate_command(CLI::App& app, RunArguments& arguments);

int run_command(const RunArguments& arguments);
int serve_command(const ServeArguments& arguments);
int validate_command(const RunArguments& arguments);

}  // namespace th
