// The report reader behind compare, merge and convert (th::parse_report) on arbitrary text: a
// truncated, hand-edited or hostile report must end in th::ConfigError, never a crash. The
// histograms inside are read back with Histogram::from_json as the commands do, and a gzip input
// is decompressed first, as read_bounded_file does for a .json.gz report.
#include <cstddef>
#include <cstdint>
#include <stdexcept>
#include <string>

#include "base/config_error.hpp"
#include "base/gzip.hpp"
#include "report/report_reader.hpp"
#include "stats/histogram.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string text(reinterpret_cast<const char*>(data), size);
  if (th::is_gzip(text)) {
    try {
      text = th::gzip_decompress(text, 1 << 24);
    } catch (const std::runtime_error&) {
      return 0;
    }
  }
  try {
    const th::LoadedReport report = th::parse_report(text, "fuzz.json");
    (void)report.document.dump();
  } catch (const th::ConfigError&) {
  }
  // The histogram format alone, which the reader accepts from any run.
  const nlohmann::json document = nlohmann::json::parse(text, nullptr, false);
  if (!document.is_discarded()) {
    try {
      const th::Histogram histogram = th::Histogram::from_json(document);
      (void)histogram.to_json();
    } catch (const std::invalid_argument&) {
    } catch (const nlohmann::json::exception&) {
    }
  }
  return 0;
}
