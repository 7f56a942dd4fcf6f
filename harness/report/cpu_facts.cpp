#include "report/cpu_facts.hpp"

#include <unistd.h>

#include <bit>
#include <cctype>
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>

namespace th {
namespace {

std::string read_line(const std::string& path) {
  std::ifstream file(path);
  std::string line;
  std::getline(file, line);
  return line;
}

// Google Benchmark prefers the TSC frequency, then the highest scaling frequency, then what
// /proc/cpuinfo reports for the first CPU.
int64_t read_mhz() {
  if (const std::string khz = read_line("/sys/devices/system/cpu/cpu0/tsc_freq_khz");
      !khz.empty()) {
    return std::llround(std::strtod(khz.c_str(), nullptr) / 1000.0);
  }
  if (const std::string khz = read_line("/sys/devices/system/cpu/cpu0/cpufreq/cpuinfo_max_freq");
      !khz.empty()) {
    return std::llround(std::strtod(khz.c_str(), nullptr) / 1000.0);
  }
  std::ifstream cpuinfo("/proc/cpuinfo");
  std::string line;
  while (std::getline(cpuinfo, line)) {
    if (line.rfind("cpu MHz", 0) == 0) {
      const size_t colon = line.find(':');
      if (colon != std::string::npos) {
        return std::llround(std::strtod(line.c_str() + colon + 1, nullptr));
      }
    }
  }
  return 0;
}

// Frequency scaling skews timings; Google Benchmark calls it enabled when any CPU's governor is
// something other than "performance".
bool read_scaling_enabled() {
  const long cpus = sysconf(_SC_NPROCESSORS_ONLN);
  for (long cpu = 0; cpu < cpus; ++cpu) {
    const std::string governor = read_line("/sys/devices/system/cpu/cpu" + std::to_string(cpu) +
                                           "/cpufreq/scaling_governor");
    if (!governor.empty() && governor != "performance") return true;
  }
  return false;
}

int64_t parse_cache_size(const std::string& text) {
  char* end = nullptr;
  const int64_t value = std::strtoll(text.c_str(), &end, 10);
  if (end && (*end == 'K' || *end == 'k')) return value * 1024;
  if (end && (*end == 'M' || *end == 'm')) return value * 1024 * 1024;
  return value;
}

// shared_cpu_map is a comma-separated hex mask: the CPUs sharing the cache are its set bits.
int64_t count_mask_bits(const std::string& mask) {
  int64_t bits = 0;
  for (char digit : mask) {
    if (std::isxdigit(static_cast<unsigned char>(digit))) {
      bits += std::popcount(static_cast<unsigned>(std::stoi(std::string(1, digit), nullptr, 16)));
    }
  }
  return bits;
}

std::vector<CpuCache> read_caches() {
  std::vector<CpuCache> caches;
  for (int index = 0;; ++index) {
    const std::string dir = "/sys/devices/system/cpu/cpu0/cache/index" + std::to_string(index);
    std::error_code error;
    if (!std::filesystem::is_directory(dir, error)) break;
    CpuCache cache;
    cache.type = read_line(dir + "/type");
    cache.level = std::atoll(read_line(dir + "/level").c_str());
    cache.size = parse_cache_size(read_line(dir + "/size"));
    cache.num_sharing = count_mask_bits(read_line(dir + "/shared_cpu_map"));
    caches.push_back(cache);
  }
  return caches;
}

}  // namespace

CpuFacts collect_cpu_facts() {
  CpuFacts facts;
  facts.mhz_per_cpu = read_mhz();
  facts.cpu_scaling_enabled = read_scaling_enabled();
  facts.caches = read_caches();
  double loads[3] = {};
  const int read = getloadavg(loads, 3);
  for (int index = 0; index < read; ++index) facts.load_avg.push_back(loads[index]);
  return facts;
}

void add_cpu_facts(nlohmann::json& host, const CpuFacts& facts) {
  nlohmann::json caches = nlohmann::json::array();
  for (const CpuCache& cache : facts.caches) {
    caches.push_back({{"type", cache.type},
                      {"level", cache.level},
                      {"size", cache.size},
                      {"num_sharing", cache.num_sharing}});
  }
  host["mhz_per_cpu"] = facts.mhz_per_cpu;
  host["cpu_scaling_enabled"] = facts.cpu_scaling_enabled;
  host["caches"] = caches;
  host["load_avg"] = facts.load_avg;
}

CpuFacts cpu_facts_from_host(const nlohmann::json& host) {
  CpuFacts facts;
  if (!host.is_object()) return facts;
  // Each fact is optional (reports older than these keys lack them); a wrong type counts as absent.
  if (host.contains("mhz_per_cpu") && host["mhz_per_cpu"].is_number_integer()) {
    facts.mhz_per_cpu = host["mhz_per_cpu"].get<int64_t>();
  }
  if (host.contains("cpu_scaling_enabled") && host["cpu_scaling_enabled"].is_boolean()) {
    facts.cpu_scaling_enabled = host["cpu_scaling_enabled"].get<bool>();
  }
  if (host.contains("caches") && host["caches"].is_array()) {
    for (const nlohmann::json& entry : host["caches"]) {
      if (!entry.is_object()) continue;
      auto integer = [&entry](const char* key) {
        return entry.contains(key) && entry[key].is_number_integer() ? entry[key].get<int64_t>()
                                                                     : int64_t{0};
      };
      CpuCache cache;
      if (entry.contains("type") && entry["type"].is_string()) cache.type = entry["type"];
      cache.level = integer("level");
      cache.size = integer("size");
      cache.num_sharing = integer("num_sharing");
      facts.caches.push_back(cache);
    }
  }
  if (host.contains("load_avg") && host["load_avg"].is_array()) {
    for (const nlohmann::json& load : host["load_avg"]) {
      if (load.is_number()) facts.load_avg.push_back(load.get<double>());
    }
  }
  return facts;
}

}  // namespace th
