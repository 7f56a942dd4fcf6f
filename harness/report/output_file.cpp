#include "report/output_file.hpp"

#include "base/gzip.hpp"
#include "report/atomic_file.hpp"

namespace th {

std::string json_output_text(const nlohmann::json& document, bool pretty) {
  return document.dump(pretty ? 2 : -1) + "\n";
}

std::string json_output_text(const nlohmann::ordered_json& document, bool pretty) {
  return document.dump(pretty ? 2 : -1) + "\n";
}

void write_output_file(const std::string& path, const std::string& text) {
  write_file_atomically(path, path.ends_with(".gz") ? gzip_compress(text) : text);
}

}  // namespace th
