"""One method per load generator: runs it once, pinned to the client CPU and bounded in time,
and returns its figures as a dict (parsers.py reads the peers' output)."""

import json
import os

from parsers import parse_ab, parse_h2load, parse_iperf3, parse_s_time, parse_sockperf, parse_wrk
from processes import MeasureError
from servers import pinned

# Beyond the load's own length: start-up, tcpharness's grace period (≤ 2 s), report writing.
MARGIN_S = 20


class Loads:
    def __init__(self, group, tmp, binary, client_cpu, server_cpu):
        self.group = group
        self.tmp = tmp
        self.binary = binary
        self.client_cpu = client_cpu
        self.server_cpu = server_cpu
        self.runs = 0

    def _run(self, name, argv, seconds):
        self.runs += 1
        log_path = os.path.join(self.tmp, f"{self.runs:03d}-{name}.out")
        return self.group.run(argv, log_path, seconds + MARGIN_S)

    def tcpharness(self, scenario, seconds, target=None, wrap=()):
        """`tcpharness run` of a scenario written to a file; returns the report's run, plus
        process_cpu (a ProcessCpu)."""
        self.runs += 1
        scenario = dict(scenario, name="bench-peers", duration_s=seconds, threads=1,
                        client_cpus=[self.client_cpu])
        if target is None:
            scenario.update(server_threads=1, server_cpus=[self.server_cpu])
        else:
            scenario["target"] = target
        scenario_path = os.path.join(self.tmp, f"{self.runs:03d}-scenario.json")
        report_path = os.path.join(self.tmp, f"{self.runs:03d}-report.json")
        with open(scenario_path, "w") as out:
            json.dump(scenario, out)
        argv = [self.binary, "run", scenario_path, "--out", report_path, "--quiet"]
        # Against an external server the whole process stays on the client CPU; with the
        # embedded server, client_cpus and server_cpus place the loops.
        if target is not None:
            argv = pinned(self.client_cpu, argv)
        argv = [*wrap, *argv]
        timeout_s = seconds + scenario.get("warmup_s", 0) + MARGIN_S
        code, output, process_cpu = self.group.run(argv, report_path + ".out", timeout_s)
        # Exit code 1 means the run finished with errors counted: the figures exist, and the
        # error count goes into the result so the table can show it.
        if code not in (0, 1) or not os.path.exists(report_path):
            raise MeasureError(f"tcpharness run exited with {code}: {output.strip()[-300:]}")
        with open(report_path) as report:
            run = json.load(report)["runs"][0]
        if run["requests"]["ok"] == 0:
            raise MeasureError("tcpharness run answered no request: " + output.strip()[-300:])
        # The whole process from exec to exit, as the peers' CPU is measured: a check on
        # cpu.client_s (it adds start-up, the embedded server if any, and writing the report).
        run["process_cpu"] = process_cpu
        return run

    def wrk(self, url, connections, seconds, wrap=()):
        code, output, cpu = self._run("wrk", [*wrap, *pinned(self.client_cpu, [
            "wrk", "-t1", f"-c{connections}", f"-d{seconds}s", url])], seconds)
        return dict(parse_wrk(output, code), **cpu.figures())

    def h2load(self, url, connections, seconds):
        code, output, cpu = self._run("h2load", pinned(self.client_cpu, [
            "h2load", "--h1", f"-c{connections}", "-t1", "-D", str(seconds), url]), seconds)
        return dict(parse_h2load(output, code), **cpu.figures())

    def ab(self, url, connections, seconds, keep_alive):
        # -t before -n: -t implies -n 50000, which a later -n overrides. ab allocates (not
        # touches) a record per request up front, so -n is a million per second, not "infinite".
        argv = ["ab", "-q", "-c", str(connections), "-t", str(seconds),
                "-n", str(1_000_000 * seconds)]
        if keep_alive:
            argv.append("-k")
        code, output, cpu = self._run("ab", pinned(self.client_cpu, [*argv, url]), seconds)
        return dict(parse_ab(output, code), **cpu.figures())

    def s_time(self, port, seconds):
        """openssl s_time -new: one connection after another, each a full TLS handshake and a
        GET /, for `seconds`."""
        code, output, cpu = self._run("s_time", pinned(self.client_cpu, [
            "openssl", "s_time", "-connect", f"127.0.0.1:{port}", "-new", "-time", str(seconds),
            "-www", "/"]), seconds)
        figures = parse_s_time(output, code)
        figures["requests_per_s"] = figures["requests"] / seconds
        return dict(figures, **cpu.figures())

    def sockperf_ping_pong(self, port, message_bytes, seconds):
        # --full-rtt: percentiles of the whole round trip. By default sockperf prints half of it
        # ("latency" = RTT / 2), which would make it look twice as fast as a round-trip figure.
        code, output, cpu = self._run("sockperf", pinned(self.client_cpu, [
            "sockperf", "ping-pong", "--tcp", "-i", "127.0.0.1", "-p", str(port),
            "-m", str(message_bytes), "-t", str(seconds), "--full-rtt"]), seconds)
        return dict(parse_sockperf(output, code), **cpu.figures())

    def iperf3(self, port, write_bytes, buffer_bytes, seconds):
        code, output, cpu = self._run("iperf3", pinned(self.client_cpu, [
            "iperf3", "-c", "127.0.0.1", "-p", str(port), "-t", str(seconds),
            "-l", str(write_bytes), "-w", str(buffer_bytes), "-J"]), seconds)
        return dict(parse_iperf3(output, code), **cpu.figures())
