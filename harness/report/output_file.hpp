#pragma once

#include <nlohmann/json.hpp>
#include <string>

namespace th {

// JSON as tcpharness writes it: compact unless a person asked for --pretty. Reports are read by
// programs far more often than by people, and indentation made four fifths of their size.
std::string json_output_text(const nlohmann::json& document, bool pretty);
// Key order kept: Google Benchmark's and the dashboard's files diff cleanly against theirs.
std::string json_output_text(const nlohmann::ordered_json& document, bool pretty);

// write_file_atomically, gzip-compressed when `path` ends in ".gz". Readers decompress by the
// content, so such a file reads back wherever a report is read.
void write_output_file(const std::string& path, const std::string& text);

}  // namespace th
