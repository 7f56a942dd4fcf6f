#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace th {

// The processor facts Google Benchmark puts in its JSON `context`, gathered the way it gathers
// them on Linux, so a gbench report of tcpharness carries the same context a micro-benchmark's
// does. Kept in the native report under "host" so a stored report converts with them.
struct CpuCache {
  std::string type;  // "Data", "Instruction", "Unified"
  int64_t level = 0;
  int64_t size = 0;  // bytes
  int64_t num_sharing = 0;
};

struct CpuFacts {
  int64_t mhz_per_cpu = 0;
  bool cpu_scaling_enabled = false;
  std::vector<CpuCache> caches;
  std::vector<double> load_avg;  // 1, 5 and 15 minutes
};

CpuFacts collect_cpu_facts();

// Adds the facts to a native report's "host" object, and reads them back (absent: zeros).
void add_cpu_facts(nlohmann::json& host, const CpuFacts& facts);
CpuFacts cpu_facts_from_host(const nlohmann::json& host);

}  // namespace th
