#pragma once

#include <map>
#include <string>
#include <vector>

namespace th {

// Parses --label key=value arguments (a build id, the commit of the system under test) into the
// map a report stores; a later label with the same key wins. Keys are [A-Za-z0-9_.-]+ and may
// not be one of the keys Google Benchmark's context block already has, since labels are carried
// into that block. Throws ConfigError naming the bad label.
std::map<std::string, std::string> parse_labels(const std::vector<std::string>& assignments);

}  // namespace th
