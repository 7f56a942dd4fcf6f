"""scripts/bench-peers: tcpharness against wrk, h2load, ab, nginx, sockperf and iperf3 (issue #6).

Run through scripts/bench-peers, which installs the peers and builds tcpharness first. Trials are
interleaved (trial 1 of every tool, then trial 2, ...), so a slow spell of a shared machine hits
every tool alike; the table shows medians and each tcpharness figure's ratio to its peer against
the issue's target. The exit code reflects only failures to measure, never a missed target."""

import argparse
import datetime
import os
import platform
import shutil
import signal
import sys
import tempfile
import time

import comparisons
import report
import servers
import syscalls
from loads import Loads
from processes import MeasureError, ProcessGroup

CLIENT_CPU, SERVER_CPU = 0, 1


class Bench:
    """What every measurement needs: the processes, the servers that live for the whole run,
    the loads, and the length of one measurement."""

    def __init__(self, group, binary, seconds, tmp):
        self.group = group
        self.tmp = tmp
        self.seconds = seconds
        self.loads = Loads(self.group, tmp, binary, CLIENT_CPU, SERVER_CPU)
        self.nginx = servers.start_nginx(self.group, tmp, comparisons.BODY_BYTES, SERVER_CPU)
        self.serve_http = servers.start_tcpharness_serve(self.group, tmp, binary, "http",
                                                         comparisons.BODY_BYTES, SERVER_CPU)
        self.sockperf_server = servers.start_sockperf_server(self.group, tmp, SERVER_CPU)

    def start_iperf3_server(self):
        return servers.start_iperf3_server(self.group, self.tmp, SERVER_CPU)


def parse_args():
    parser = argparse.ArgumentParser(prog="scripts/bench-peers", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--short", action="store_true",
                        help="CI smoke run: 1 trial of 1 s per tool, no strace; checks that every "
                             "tool ran and gave a number")
    parser.add_argument("--trials", type=int, help="trials per tool (default 5; --short: 1)")
    parser.add_argument("--seconds", type=int, help="seconds per measurement (default 5; "
                                                    "--short: 1)")
    parser.add_argument("--out", help="JSON path (default results/bench-peers-<UTC time>.json)")
    parser.add_argument("--no-strace", action="store_true",
                        help="skip the syscalls-per-request count (never run with --short)")
    parser.add_argument("--binary", default="build/tcpharness")
    parser.add_argument("--only", help="comma-separated comparison numbers (default: all)")
    args = parser.parse_args()
    args.trials = args.trials or (1 if args.short else 5)
    args.seconds = args.seconds or (1 if args.short else 5)
    if args.trials < 1 or args.seconds < 1:
        parser.error("--trials and --seconds must be at least 1")
    return args


def run_trials(bench, selected, trials, log):
    """{(comparison, tool): [figures or None per trial]}, the failures, and the load average
    at the start of each trial, trial by trial."""
    results = {(c.number, tool): [] for c in selected for tool in c.tools}
    failures = []
    load_per_trial = []
    for trial in range(1, trials + 1):
        load_per_trial.append(host_facts()["load_avg"])
        for comparison in selected:
            for tool, measure in comparison.tools.items():
                print(f"[trial {trial}/{trials}] {comparison.number}. {tool}...", end=" ",
                      file=log, flush=True)
                started = time.monotonic()
                try:
                    figures = measure(bench)
                    print(f"done in {time.monotonic() - started:.1f} s"
                          + (f", {figures['errors']:.0f} errors" if figures.get("errors") else ""),
                          file=log, flush=True)
                # A report or output without the expected field is a failure to measure too.
                except (MeasureError, KeyError, ValueError, TypeError, OSError,
                        ZeroDivisionError) as error:
                    figures = None
                    failures.append({"trial": trial, "comparison": comparison.number,
                                     "tool": tool, "error": f"{type(error).__name__}: {error}"})
                    print(f"FAILED: {error}", file=log, flush=True)
                results[(comparison.number, tool)].append(figures)
    return results, failures, load_per_trial


def host_facts():
    with open("/proc/loadavg") as loadavg:
        load = [float(x) for x in loadavg.read().split()[:3]]
    model = ""
    with open("/proc/cpuinfo") as cpuinfo:
        for line in cpuinfo:
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    return {"hostname": platform.node(), "kernel": platform.release(), "cpu_model": model,
            "cores": os.cpu_count(), "load_avg": load}


def interrupt(signum, frame):
    """SIGINT and SIGTERM unwind through main's finally, which stops every child."""
    raise KeyboardInterrupt


def main():
    args = parse_args()
    started = datetime.datetime.now(datetime.timezone.utc)
    out_path = args.out or f"results/bench-peers-{started:%Y%m%dT%H%M%SZ}.json"
    # Explicitly for SIGINT too: started in the background of a script, Python inherits SIGINT
    # ignored and would not turn it into KeyboardInterrupt.
    signal.signal(signal.SIGINT, interrupt)
    signal.signal(signal.SIGTERM, interrupt)
    tmp = tempfile.mkdtemp(prefix="bench-peers-")
    os.chmod(tmp, 0o755)  # nginx's worker runs as nobody
    selected = comparisons.all_comparisons()
    if args.only:
        wanted = {int(number) for number in args.only.split(",")}
        unknown = wanted - {c.number for c in selected}
        if unknown:
            sys.exit(f"bench-peers: --only: no comparison {sorted(unknown)}; there are "
                     f"{[c.number for c in selected]}")
        selected = [c for c in selected if c.number in wanted]
    group = ProcessGroup()
    try:
        load_before = host_facts()["load_avg"]
        print(f"bench-peers: {args.trials} trial(s) of {args.seconds} s per tool, client on CPU "
              f"{CLIENT_CPU}, servers on CPU {SERVER_CPU}; load average {load_before}",
              file=sys.stderr)
        bench = Bench(group, args.binary, args.seconds, tmp)
        results, failures, load_per_trial = run_trials(bench, selected, args.trials,
                                                       sys.stderr)
        syscall_figures = None
        if not args.short and not args.no_strace and shutil.which("strace"):
            try:
                syscall_figures = syscalls.measure(bench)
            except (MeasureError, ValueError) as error:
                failures.append({"trial": None, "comparison": 1, "tool": "strace",
                                 "error": str(error)})
        rows = report.build_rows(selected, results)
        host = host_facts()
        load_after = host.pop("load_avg")
        report.print_table(selected, rows, sys.stdout)
        if syscall_figures:
            syscalls.print_summary(syscall_figures, sys.stdout)
        document = {"schema": "tcpharness.bench-peers/1",
                    "started_at": f"{started:%Y-%m-%dT%H:%M:%SZ}",
                    "mode": "short" if args.short else "full", "trials": args.trials,
                    "seconds_per_measurement": args.seconds,
                    "client_cpu": CLIENT_CPU, "server_cpu": SERVER_CPU,
                    "host": dict(host, load_avg_before=load_before, load_avg_after=load_after,
                                 load_avg_per_trial=load_per_trial),
                    "notes": {c.number: c.note for c in selected if c.note},
                    "rows": rows, "syscalls": syscall_figures, "failures": failures,
                    # Every figure of every trial, including those no row shows (request and
                    # error counts, CPU seconds, iperf3's sender rate).
                    "figures": [{"comparison": number, "tool": tool, "trials": trials}
                                for (number, tool), trials in results.items()]}
        report.write_json_atomically(out_path, document)
        print(f"\nload average: {load_before} before, {load_after} after\nreport: {out_path}")
        for failure in failures:
            print(f"bench-peers: FAILED: trial {failure['trial']}, comparison "
                  f"{failure['comparison']}, {failure['tool']}: {failure['error']}",
                  file=sys.stderr)
        return 1 if failures else 0
    except MeasureError as error:
        print(f"bench-peers: {error}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("\nbench-peers: interrupted; stopping what it started", file=sys.stderr)
        return 130
    finally:
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        group.stop_all()
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
