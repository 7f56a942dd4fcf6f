// The scenario loader and validator on arbitrary text: anything but a valid scenario must end
// in th::ConfigError (exit code 2 for the user), never a crash, a hang or another exception.
// Sweeps can multiply to 10,000 runs; that bound keeps each input fast.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>

#include "base/config_error.hpp"
#include "scenario/loader.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  try {
    th::ScenarioDocument document = th::parse_scenario_text(text, "fuzz.json");
    const std::vector<th::RunSpec> runs = th::expand_runs(document);
    // The resolved scenario of a run is itself a valid scenario (docs/scenarios.md): reading it
    // back must not fail. The first runs are enough; the rest differ only in swept values.
    for (size_t index = 0; index < runs.size() && index < 4; ++index) {
      nlohmann::json resolved;
      th::to_json(resolved, runs[index].scenario);
      try {
        (void)th::scenario_from_json(resolved, "resolved");
      } catch (const th::ConfigError&) {
        std::abort();
      }
    }
  } catch (const th::ConfigError&) {
  }
  return 0;
}
