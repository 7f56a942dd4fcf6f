#include "report/tool_info.hpp"

// The one file that includes the generated header, and it is kept out of the unity batches, so a
// new commit recompiles this file alone.
#include "build_info.hpp"

namespace th {

const char* tool_version() { return kToolVersion; }
const char* tool_git_commit() { return kToolGitCommit; }
const char* tool_build_type() { return kToolBuildType; }

}  // namespace th
