#pragma once

namespace th {

// Parses the command line and runs the subcommand it names; returns the process's exit code.
// Configuration errors propagate as ConfigError, for main to print.
int run_command_line(int argc, char** argv);

}  // namespace th
