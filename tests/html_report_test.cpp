// `tcpharness report`: the figures it draws from reports, and the page in a real browser,
// headless Chromium from Debian with the network off: every chart drawn, no script error.
#include "report/html_report.hpp"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <regex>

#include "capacity/capacity_report.hpp"
#include "cli_runner.hpp"
#include "report_fixtures.hpp"

namespace th::testing {
namespace {

// A run report with a per-second timeline and a socket option, as `run` writes them.
LoadedReport run_report(const std::string& path, double latency_us) {
  LoadedReport report =
      report_of({steady_run("keep_alive", latency_us), steady_run("per_request", 2 * latency_us)},
                path, 1, "web");
  for (nlohmann::json& run : report.document["runs"]) {
    run["timeline"] = nlohmann::json::array();
    for (int second = 0; second < 3; ++second) {
      const int requests = 1000 + 10 * second;
      run["timeline"].push_back({{"t_unix_s", 1'700'000'000 + second},
                                 {"covered_s", 1.0},
                                 {"requests_ok", requests},
                                 {"requests_per_s", requests},
                                 {"errors", 0},
                                 {"p50_us", latency_us},
                                 {"p99_us", latency_us * (1 + second)},
                                 {"max_us", latency_us * (1 + second)},
                                 {"bytes_sent", 100 * requests},
                                 {"bytes_received", 100 * requests}});
    }
    run["socket"]["client"]["tcp_nodelay"] = {{"requested", true}, {"applied", true}};
    run["socket"]["client"]["so_sndbuf"] = {{"requested", 4096}, {"applied", 8192}};
  }
  return report;
}

ProbeRun probe_at(double rate, double p99_us, ProbeOutcome outcome) {
  ProbeRun probe;
  probe.target_rate = rate;
  probe.achieved_rate = probe.answered_rate = outcome == ProbeOutcome::met ? rate : rate * 0.9;
  probe.curve_value = probe.p99_us = p99_us;
  probe.outcome = outcome;
  return probe;
}

// A capacity report: a curve flat to 800/s, the knee there, capacity 900/s under p99 <= 10 ms.
LoadedReport capacity_report(const std::string& path) {
  LoadedReport report = report_of({steady_run("web @900/s", 3000)}, path, 1, "web");
  CapacitySummary summary;
  summary.slo_text = "p99<=10ms";
  summary.slo = parse_slo(summary.slo_text);
  CapacityStudy study;
  study.setting = "web";
  for (const auto& [rate, p99, outcome] : std::vector<std::tuple<double, double, ProbeOutcome>>{
           {500, 1000, ProbeOutcome::met},
           {700, 1100, ProbeOutcome::met},
           {800, 1300, ProbeOutcome::met},
           {900, 6000, ProbeOutcome::met},
           {1000, 90'000, ProbeOutcome::missed}}) {
    study.points.push_back({rate, {probe_at(rate, p99, outcome)}});
  }
  study.result.verdict = CapacityVerdict::found;
  study.result.rate_per_s = 900;
  study.result.missed_at_per_s = 1000;
  study.knee_per_s = curve_knee(study.points);
  study.budget_s = 300;
  summary.studies.push_back(study);
  report.document["capacity"] = capacity_to_json(summary);
  return report;
}

TEST(HtmlReport, RunsOfOneNameAreOneChartWithASeriesPerReport) {
  const nlohmann::json data =
      html_report_data({run_report("base.json", 500), run_report("new.json", 400),
                        capacity_report("capacity.json")});
  ASSERT_EQ(data["reports"].size(), 3u);
  EXPECT_EQ(data["reports"][1]["label"], "new.json");
  EXPECT_EQ(data["summary"].size(), 5u);  // 2 + 2 runs, and the capacity report's probe
  EXPECT_EQ(data["summary"][2]["p99_us"], 400.0);
  ASSERT_EQ(data["spectra"].size(), 3u);  // keep_alive, per_request, web @900/s
  EXPECT_EQ(data["spectra"][0]["name"], "keep_alive");
  ASSERT_EQ(data["spectra"][0]["series"].size(), 2u);
  EXPECT_EQ(data["spectra"][0]["series"][1]["report"], 1);
  // 1,000 samples: three nines of spectrum, every point at the one latency recorded.
  const nlohmann::json& spectrum = data["spectra"][0]["series"][0]["points"];
  EXPECT_EQ(spectrum.back()[0], 3.0);
  for (const nlohmann::json& point : spectrum) EXPECT_NEAR(point[1].get<double>(), 500, 1);
  ASSERT_EQ(data["timelines"].size(), 2u);
  EXPECT_EQ(data["timelines"][0]["series"][0]["points"][2], nlohmann::json::array({2, 1020, 1500}));
  ASSERT_EQ(data["capacity"].size(), 1u);
  const nlohmann::json& curve = data["capacity"][0];
  EXPECT_EQ(curve["limit_us"], 10'000.0);
  EXPECT_EQ(curve["series"][0]["rate_per_s"], 900.0);
  EXPECT_EQ(curve["series"][0]["knee_per_s"], 800.0);
  EXPECT_EQ(curve["series"][0]["points"].size(), 5u);
  ASSERT_EQ(data["sockets"].size(), 4u);  // the probe recorded no socket option
  EXPECT_EQ(data["sockets"][0]["options"][0],
            nlohmann::json::array({"client", "so_sndbuf", 4096, 8192}));
}

TEST(HtmlReport, DataCannotEndItsScriptElementEarly) {
  const std::string page = html_report({run_report("</script><b>.json", 500)});
  EXPECT_EQ(page.find("</script><b>"), std::string::npos);
  EXPECT_NE(page.find("<\\/script><b>.json"), std::string::npos);
  EXPECT_NE(page.find("&lt;/script&gt;&lt;b&gt;.json"), std::string::npos);  // the title
}

class HtmlReportInChromium : public ScratchDirTest {};

TEST_F(HtmlReportInChromium, ThePageDrawsEveryChartOfflineWithoutAScriptError) {
  if (access("/usr/bin/chromium", X_OK) != 0) GTEST_SKIP() << "needs Debian's chromium";
  const std::string base = write_file("base.json", run_report("base.json", 500).document.dump());
  const std::string latest = write_file("new.json", run_report("new.json", 400).document.dump());
  const std::string capacity =
      write_file("capacity.json", capacity_report("capacity.json").document.dump());
  const std::string page = scratch_ + "/report.html";
  const CliOutcome made =
      run_cli("report " + base + " " + latest + " " + capacity + " -o " + page, scratch_);
  ASSERT_EQ(made.exit_code, 0) << made.err;
  EXPECT_EQ(made.out, "report: " + page + "\n");

  // The network off: a namespace of its own with no interface (root), else every host name
  // unresolvable and every connection sent to a closed port.
  const std::string offline = geteuid() == 0 ? "unshare -n " : "";
  const std::string flags =
      "--headless --no-sandbox --disable-gpu --no-first-run --disable-background-networking "
      "--disable-component-update --disable-sync --proxy-server=127.0.0.1:9 "
      "--host-resolver-rules='MAP * ~NOTFOUND' --user-data-dir=" +
      scratch_ + "/profile " +
      "--enable-logging=stderr --v=0 --virtual-time-budget=10000 --window-size=1280,2000 ";
  const std::string dom_path = scratch_ + "/dom.html";
  const std::string log_path = scratch_ + "/chromium.log";
  const std::string command = "timeout 120 " + offline + "/usr/bin/chromium " + flags +
                              "--dump-dom file://" + page + " >" + dom_path + " 2>" + log_path;
  ASSERT_EQ(std::system(command.c_str()), 0) << read_file(log_path);
  const std::string dom = read_file(dom_path);
  const std::string log = read_file(log_path);

  std::smatch body;
  ASSERT_TRUE(std::regex_search(dom, body, std::regex("<body[^>]*>"))) << dom.substr(0, 2000);
  EXPECT_NE(body.str().find("data-ready=\"true\""), std::string::npos) << body.str();
  EXPECT_NE(body.str().find("data-errors=\"0\""), std::string::npos) << body.str() << log;
  // 3 spectra, 2 timelines, 1 capacity curve: each with a series and points.
  const std::regex canvas_pattern("<canvas[^>]*data-series=\"(\\d+)\" data-points=\"(\\d+)\"");
  size_t canvases = 0;
  for (auto it = std::sregex_iterator(dom.begin(), dom.end(), canvas_pattern);
       it != std::sregex_iterator(); ++it) {
    ++canvases;
    EXPECT_GE(std::stoi((*it)[1]), 1) << it->str();
    EXPECT_GE(std::stoi((*it)[2]), 1) << it->str();
  }
  EXPECT_EQ(canvases, 6u) << dom.substr(0, 3000);
  EXPECT_NE(body.str().find("data-charts=\"6\""), std::string::npos) << body.str();
  // The browser's console: Chromium logs what the page wrote to it, and any uncaught error.
  EXPECT_EQ(log.find("Uncaught"), std::string::npos) << log;
  EXPECT_EQ(log.find(":ERROR:CONSOLE"), std::string::npos) << log;
  EXPECT_EQ(log.find("CONSOLE"), std::string::npos) << log;
}

}  // namespace
}  // namespace th::testing
