#include <gtest/gtest.h>

#include <algorithm>
#include <string>

#include "base/gzip.hpp"
#include "cli_runner.hpp"
#include "stats/histogram.hpp"

namespace th {
namespace {

using nlohmann::json;

class ReportOutput : public testing::ScratchDirTest {
 protected:
  // A short quickstart run written to `name` in the scratch folder; returns its path.
  std::string run_quickstart(const std::string& name, const std::string& extra = "") {
    const std::string path = scratch_ + "/" + name;
    const testing::CliOutcome run = testing::run_cli(
        "run scenarios/quickstart.json --set duration_s=0.3 --set warmup_s=0 -q --out " + path +
            " " + extra,
        scratch_);
    EXPECT_EQ(run.exit_code, 0) << run.err;
    return path;
  }

  static json parse_file(const std::string& path) {
    std::string bytes = testing::read_file(path);
    if (is_gzip(bytes)) bytes = gzip_decompress(bytes, 1 << 30);
    return json::parse(bytes);
  }

  bool snippet_agrees(const std::string& report) const {
    const std::string check = std::string("/usr/bin/python3 '") + TCPHARNESS_SOURCE_DIR +
                              "/tests/check_report_snippet.py' '" + TCPHARNESS_SOURCE_DIR +
                              "/docs/report.md' '" + report + "'";
    return std::system(check.c_str()) == 0;
  }
};

TEST_F(ReportOutput, CompactByDefaultIndentedWithPretty) {
  const std::string compact = testing::read_file(run_quickstart("compact.json"));
  EXPECT_EQ(std::count(compact.begin(), compact.end(), '\n'), 1) << "one line and its newline";
  const std::string pretty = testing::read_file(run_quickstart("pretty.json", "--pretty"));
  EXPECT_GT(std::count(pretty.begin(), pretty.end(), '\n'), 100);
  EXPECT_NE(pretty.find("\n  \"runs\": ["), std::string::npos);
  EXPECT_EQ(json::parse(compact)["schema"], json::parse(pretty)["schema"]);
}

// Every reader takes a .gz report: compare, merge, convert, run/validate of a stored scenario,
// and docs/report.md's own Python reader.
TEST_F(ReportOutput, GzipPathIsCompressedAndEveryReaderReadsIt) {
  const std::string gz = run_quickstart("r.json.gz");
  EXPECT_TRUE(is_gzip(testing::read_file(gz)));
  const json report = parse_file(gz);
  EXPECT_EQ(report["schema"], "tcpharness.report/2");
  EXPECT_TRUE(snippet_agrees(gz));

  const testing::CliOutcome compare = testing::run_cli("compare " + gz + " " + gz, scratch_);
  EXPECT_EQ(compare.exit_code, 0) << compare.err;
  const std::string merged = scratch_ + "/merged.json.gz";
  const testing::CliOutcome merge =
      testing::run_cli("merge " + gz + " " + gz + " -o " + merged, scratch_);
  ASSERT_EQ(merge.exit_code, 0) << merge.err;
  EXPECT_EQ(parse_file(merged)["runs"][0]["requests"]["ok"].get<uint64_t>(),
            2 * report["runs"][0]["requests"]["ok"].get<uint64_t>());
  const testing::CliOutcome convert = testing::run_cli("convert " + merged, scratch_);
  ASSERT_EQ(convert.exit_code, 0) << convert.err;
  EXPECT_TRUE(json::parse(convert.out).contains("benchmarks"));
  const testing::CliOutcome validate = testing::run_cli("validate " + gz, scratch_);
  EXPECT_EQ(validate.exit_code, 0) << validate.err;
  EXPECT_NE(validate.out.find("quickstart"), std::string::npos) << validate.out;
}

// Schema 1 wrote buckets as [value, count] pairs. An old report, rewritten that way from a new
// one, must give the same figures: merged with itself it equals the new report merged with
// itself, and compared with the new report nothing changed.
TEST_F(ReportOutput, SchemaOneReportsGiveTheSameFiguresAsBefore) {
  const std::string current = run_quickstart("current.json");
  json old = parse_file(current);
  old["schema"] = "tcpharness.report/1";
  const auto to_pairs = [](json& histogram) {
    json pairs = json::array();
    Histogram::from_json(histogram).for_each_bucket([&](int64_t value, uint64_t count) {
      pairs.push_back({value, count});
    });
    histogram["buckets"] = pairs;
  };
  for (json& run : old["runs"]) {
    for (auto& [phase, histogram] : run["histograms"].items()) {
      if (phase != "unit") to_pairs(histogram);
    }
    if (run.contains("tcp_info") && run["tcp_info"].contains("histograms")) {
      for (auto& [name, histogram] : run["tcp_info"]["histograms"].items()) to_pairs(histogram);
    }
  }
  const std::string old_path = write_file("old.json", old.dump(2));

  const std::string merged_old = scratch_ + "/merged-old.json";
  const std::string merged_new = scratch_ + "/merged-new.json";
  ASSERT_EQ(testing::run_cli("merge " + old_path + " " + old_path + " -o " + merged_old, scratch_)
                .exit_code,
            0);
  ASSERT_EQ(testing::run_cli("merge " + current + " " + current + " -o " + merged_new, scratch_)
                .exit_code,
            0);
  const json a = parse_file(merged_old)["runs"][0];
  const json b = parse_file(merged_new)["runs"][0];
  EXPECT_EQ(a["latency_us"], b["latency_us"]);
  EXPECT_EQ(a["histograms"], b["histograms"]);
  EXPECT_EQ(parse_file(merged_old)["schema"], "tcpharness.report/2");

  const testing::CliOutcome compare =
      testing::run_cli("compare " + old_path + " " + current + " --format json", scratch_);
  ASSERT_EQ(compare.exit_code, 0) << compare.err;
  const json comparison = json::parse(compare.out);
  ASSERT_FALSE(comparison["runs"].empty()) << compare.out;
  for (const json& metric : comparison["runs"][0]["metrics"]) {
    EXPECT_EQ(metric["base"], metric["new"]) << metric.dump();
  }
}

TEST(ReportFiles, ACorruptOrCutGzipIsNamed) {
  const testing::ScratchDir scratch("tcpharness-gzip");
  const std::string cut_text = gzip_compress(R"({"schema": "tcpharness.report/2"})");
  const std::string cut = scratch.write("cut.json.gz", cut_text.substr(0, cut_text.size() / 2));
  const std::string corrupt = scratch.write("corrupt.json.gz", "\x1f\x8b garbage");
  for (const std::string& path : {cut, corrupt}) {
    const testing::CliOutcome outcome = testing::run_cli("compare " + path + " " + path, "/tmp");
    EXPECT_EQ(outcome.exit_code, 2) << outcome.err;
    EXPECT_NE(outcome.err.find(path + ": cannot decompress: "), std::string::npos) << outcome.err;
  }
}

TEST(ReportFiles, GzipRoundTripsAndRefusesABomb) {
  const std::string text(1 << 20, 'x');
  const std::string packed = gzip_compress(text);
  EXPECT_LT(packed.size(), text.size() / 100);
  EXPECT_EQ(gzip_decompress(packed, text.size()), text);
  EXPECT_THROW((void)gzip_decompress(packed, text.size() - 1), std::runtime_error);
  EXPECT_THROW((void)gzip_decompress("{}", 100), std::runtime_error);
}

}  // namespace
}  // namespace th
