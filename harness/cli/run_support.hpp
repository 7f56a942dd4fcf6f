#pragma once

#include <string>

namespace th {

// What `run` and `tune` share around executing runs.

// The current UTC time in strftime's format.
std::string utc_now(const char* format);

// SIGINT/SIGTERM stop the current run gracefully (a second one exits at once with 130);
// SIGPIPE is ignored so a peer's reset is an error code.
void install_interrupt_handlers();

// results/<name><suffix>-<UTC time><extension>, creating results/ if missing.
std::string default_out_path(const std::string& scenario_name, const char* extension,
                             const std::string& suffix = "");

}  // namespace th
