"""What scripts/bench-peers reads from the peers' output, and how it judges a ratio.
Run: python3 -m unittest discover -s scripts/bench_peers"""

import io
import json
import os
import tempfile
import time
import unittest

import report
from comparisons import Comparison, Metric, with_client_efficiency
from parsers import number, parse_h2load, parse_iperf3, parse_s_time, parse_wrk
from processes import MeasureError, process_cpu, process_cpu_s
from syscalls import per_request, strace_counts

WRK_OUTPUT = """Running 1s test @ http://127.0.0.1:60877/
  1 threads and 50 connections
  26393 requests in 1.02s, 5.51MB read
  Socket errors: connect 0, read 2, write 0, timeout 3
Requests/sec:  25763.09
Transfer/sec:      5.38MB
"""

H2LOAD_OUTPUT = """finished in 1.01s, 24455.00 req/s, 5.11MB/s
requests: 24455 total, 24505 started, 24455 done, 24455 succeeded, 0 failed, 0 errored, 0 timeout
"""

SOCKPERF_OUTPUT = """sockperf: ---> percentile 99.000 =   83.105
sockperf: ---> percentile 90.000 =   55.564
sockperf: ---> percentile 50.000 =   44.894
"""

STRACE_OUTPUT = """% time     seconds  usecs/call     calls    errors syscall
------ ----------- ----------- --------- --------- ----------------
 45.00    0.450000           4    100000           write
 44.00    0.440000           4    100000     50000 read
  1.00    0.010000           5      2000           epoll_wait
------ ----------- ----------- --------- --------- ----------------
100.00    1.000000           4    202000     50000 total
"""


S_TIME_OUTPUT = """Collecting connection statistics for 1 seconds
****

1030 connections in 0.67s; 1537.31 connections/user sec, bytes read 5338490
1030 connections in 2 real seconds, 5183 bytes read per connection
"""


class Parsing(unittest.TestCase):
    def test_s_time_counts_connections_of_the_real_seconds_line(self):
        self.assertEqual(parse_s_time(S_TIME_OUTPUT, 0), {"requests": 1030, "errors": 0})

    def test_wrk_requests_and_socket_errors_summed(self):
        self.assertEqual(parse_wrk(WRK_OUTPUT, 0),
                         {"requests_per_s": 25763.09, "requests": 26393, "errors": 5})

    def test_h2load_counts_take_whole_numbers(self):
        self.assertEqual(parse_h2load(H2LOAD_OUTPUT, 0),
                         {"requests_per_s": 24455.0, "requests": 24455, "errors": 0})

    def test_iperf3_without_json_is_a_failure(self):
        with self.assertRaises(MeasureError):
            parse_iperf3("iperf3: error - unable to connect to server", 1)

    def test_sockperf_percentiles_by_their_label(self):
        self.assertEqual(number(r"percentile 50\.000 =\s+([\d.]+)", SOCKPERF_OUTPUT, "s", 0),
                         44.894)

    def test_output_without_the_number_is_a_failure(self):
        with self.assertRaises(MeasureError):
            number(r"Requests/sec:\s+([\d.]+)", "unable to connect to 127.0.0.1:1", "wrk", 1)

    def test_strace_total_with_and_without_an_errors_column(self):
        with tempfile.NamedTemporaryFile("w", suffix=".txt", delete=False) as out:
            out.write(STRACE_OUTPUT)
        try:
            counts = strace_counts(out.name)
        finally:
            os.unlink(out.name)
        self.assertEqual(counts, {"write": 100000, "read": 100000, "epoll_wait": 2000,
                                  "total": 202000})
        self.assertAlmostEqual(per_request(counts, 100000)["syscalls_per_request"], 2.02)

    def test_process_cpu_of_this_process_is_read(self):
        deadline = time.process_time() + 0.05
        while time.process_time() < deadline:
            pass
        cpu = process_cpu(os.getpid())
        self.assertGreater(cpu.user_s, 0)
        self.assertGreaterEqual(cpu.system_s, 0)
        self.assertAlmostEqual(process_cpu_s(os.getpid()), cpu.total_s, delta=0.05)


class Verdicts(unittest.TestCase):
    def test_higher_is_better_shortfall_is_relative_to_the_target(self):
        metric = Metric("x", "x", "u", target=1.5)
        self.assertEqual(report.verdict(metric, 1.32), (False, "MISSED by 12%"))
        self.assertEqual(report.verdict(metric, 1.494), (False, "MISSED by 0.4%"))
        self.assertEqual(report.verdict(metric, 1.5), (True, "met"))

    def test_lower_is_better_excess_is_relative_to_the_target(self):
        metric = Metric("x", "x", "u", higher_is_better=False, target=1.1)
        self.assertEqual(report.verdict(metric, 1.232), (False, "MISSED by 12%"))
        self.assertEqual(report.verdict(metric, 0.9), (True, "met"))

    def test_a_tool_with_a_target_of_its_own_is_judged_by_it(self):
        metric = Metric("x", "x", "u", higher_is_better=False, target=1.1,
                        tool_targets={"tcpharness busy": 1.0})
        self.assertEqual(report.verdict(metric, 1.05), (True, "met"))
        self.assertEqual(report.verdict(metric, 1.05, "tcpharness busy"),
                         (False, "MISSED by 5.0%"))

    def test_a_trial_with_no_request_gives_no_per_request_figure(self):
        figures = with_client_efficiency({"requests": 0, "client_cpu_s": 0.0,
                                          "client_user_s": 0.0, "client_system_s": 0.0})
        self.assertIsNone(figures["client_user_us_per_request"])
        self.assertIsNone(figures["requests_per_client_cpu_s"])
        self.assertEqual(report.median([figures["client_system_us_per_request"], 4.0]), 4.0)

    def test_the_json_file_is_strict_json(self):
        with tempfile.TemporaryDirectory() as folder:
            path = os.path.join(folder, "peers.json")
            report.write_json_atomically(path, {"trials": [float("nan"), 1.5],
                                                "x": {"y": float("inf")}})
            with open(path) as written:
                self.assertEqual(json.loads(written.read(), parse_constant=self.fail),
                                 {"trials": [None, 1.5], "x": {"y": None}})

    def test_a_figure_the_peer_does_not_give_has_no_ratio_and_no_row(self):
        comparison = Comparison(3, "t", peer="peer",
                                metrics=[Metric("share", "share", "fraction",
                                                higher_is_better=False)],
                                tools={"tcpharness split": None, "peer": None})
        trials = {(3, "tcpharness split"): [{"share": 0.5}, {"share": 0.4}],
                  (3, "peer"): [{"rtt": 1.0}]}
        rows = report.build_rows([comparison], trials)
        self.assertEqual([(r["tool"], r["median"], r["ratio_to_peer"]) for r in rows],
                         [("tcpharness split", 0.45, None), ("peer", None, None)])
        printed = io.StringIO()
        report.print_table([comparison], rows, printed)
        self.assertIn("tcpharness split", printed.getvalue())
        self.assertNotIn("  peer ", printed.getvalue())

    def test_median_skips_failed_trials(self):
        self.assertEqual(report.median([3.0, None, 1.0, 2.0]), 2.0)
        self.assertIsNone(report.median([None]))


if __name__ == "__main__":
    unittest.main()
