#pragma once

// What built this binary, for reports and `tcpharness --version`.
namespace th {

const char* tool_version();     // the project's version, "0.1.0"
const char* tool_git_commit();  // 12 hex digits, or "unknown" outside a git checkout
const char* tool_build_type();  // CMAKE_BUILD_TYPE ("Release"), or "unspecified"

}  // namespace th
